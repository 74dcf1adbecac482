//! execute: running caom2pipe work.
//!
//! * [`task`]: task types → executors, with the reference's selection rules;
//! * [`entry`]: one entry through its executor chain, each file read once where possible;
//! * [`runner`]: todo, local-directory and incremental runs, retry rounds, the report;
//! * [`source`]: work sources behind the [`source::WorkSource`] trait;
//! * [`journal`]: crash-safe, exactly-once bookkeeping (the design is described there);
//! * [`pool`]: bounded concurrency that never runs two entries of one observation at once;
//! * [`backend`]: the embedded repository and file store;
//! * [`generic`]: the fallback collection;
//! * [`progress`]: a bar on a terminal, plain lines otherwise.
//!
//! ```
//! use execute::task::{choose, Executor};
//! use manage::TaskType;
//!
//! // store + ingest + modify on local files is one single-visit executor
//! let chain = choose(&[TaskType::Store, TaskType::Ingest, TaskType::Modify], true, false).unwrap();
//! assert_eq!(chain, vec![Executor::NoFheadStoreVisit]);
//! ```

pub mod backend;
pub mod entry;
pub mod generic;
pub mod journal;
pub mod mapping;
pub mod pool;
pub mod progress;
pub mod runner;
pub mod source;
pub mod synth;
pub mod task;

pub use runner::{Pipeline, RunError, RunOptions, RunReport};
