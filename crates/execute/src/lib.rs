//! execute: running caom2pipe work.
//!
//! * [`task`]: task types → executors, with the reference's selection rules;
//! * [`entry`]: one entry through its executor chain, each file read once where possible;
//! * [`runner`]: todo, local-directory and incremental runs, retry rounds, the report;
//! * [`source`]: work sources behind the [`source::WorkSource`] trait;
//! * [`journal`]: crash-safe, exactly-once bookkeeping (the design is described there);
//! * [`pool`]: bounded concurrency that never runs two entries of one observation at once;
//! * [`backend`]: the embedded repository and file store, and the caom2repo and Storage
//!   Inventory services over HTTP;
//! * [`services`]: which backends and sources config.yml asks for, built once per run;
//! * [`inventory`], [`http_listing`]: incremental sources over Storage Inventory (TAP) and
//!   HTTP directory listings; [`transfer`]: downloads of http(s) sources;
//! * [`visit`]: visitors over existing records (`caom2pipe visit`);
//! * [`generic`]: the fallback collection;
//! * [`mapping`]: the blueprint mapping of `fits2caom2` as a meta visitor;
//! * [`synth`]: synthetic FITS files and header dumps for the demo, tests and benchmarks;
//! * [`progress`]: a bar on a terminal, plain lines otherwise.
//!
//! # Decisions
//!
//! * **Crash safety** is an append-only journal of JSON lines (`journal.jsonl` in the log
//!   directory), not a database: one record per finished entry, written with one `write(2)`
//!   after the entry's effects, fsynced in groups; state files and logs rebuilt on resume are
//!   written to a temporary file and renamed. The journal is the truth and the text logs are
//!   views of it, so a kill between the two never duplicates or loses a log line. A restart
//!   with the same work identity resumes: finished entries are skipped, time boxes are the
//!   same (their start and end are in the journal header), stale temporary files are swept.
//!   See [`journal`].
//! * **Durability**: repository records and stored files are fsynced before their journal
//!   record is written; scrape output (a local test artefact) is atomic but not fsynced.
//! * **Concurrency**: `parallel_count` threads take entries from a lazily pulled listing;
//!   entries of one observation are serialised in listing order ([`pool`]); bookkeeping stays
//!   on the calling thread.
//! * **Headers**: FITS (`.fits`, `.fits.fz`, `.fits.gz`) and HDF5 through
//!   `fits2caom2::Headers::read` (cfitsio reads only the header blocks of a plain file), one
//!   streaming pass for md5 and size (of the decompressed stream for `.gz`); header dumps
//!   (`.header`) are read once and have no content information of their own.
//! * **YAML** for config.yml, state.yml and rejected.yml is read with `serde-saphyr` (every
//!   error has a line and column) and written by `manage::yaml` in PyYAML's block style.
//! * **Progress**: an `indicatif` bar when standard output is a terminal and the level is
//!   INFO or quieter; otherwise one log line per entry in the reference's console format.
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
pub mod conformance;
pub mod entry;
pub mod generic;
pub mod http_listing;
pub mod inventory;
pub mod journal;
pub mod mapping;
pub mod pool;
pub mod progress;
pub mod runner;
pub mod services;
pub mod source;
pub mod synth;
pub mod task;
pub mod transfer;
pub mod visit;

pub use runner::{run_local, Pipeline, RunError, RunExtras, RunOptions, RunReport};
