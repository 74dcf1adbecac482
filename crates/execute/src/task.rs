//! Task types to executors, with the reference's selection rules (`OrganizeExecutes._choose`,
//! caom2pipe.md §1.3):
//!
//! * **single visit** when there is more than one task type and they include {store, ingest},
//!   {ingest, modify} or {scrape, modify}: with scrape → [`Executor::NoFheadScrape`]; with
//!   store → [`Executor::NoFheadStoreVisit`]; otherwise → [`Executor::NoFheadVisit`]. One
//!   executor then reads each file once and runs the meta and data visitors in one pass;
//! * otherwise one executor per task type, in order: scrape → [`Executor::Scrape`] (needs
//!   local files), store → [`Executor::Store`], ingest → [`Executor::MetaVisit`] (or
//!   [`Executor::MetaVisitDeleteCreate`] when the collection needs delete-then-create),
//!   modify → [`Executor::DataScrape`] after a scrape, [`Executor::LocalDataVisit`] with local
//!   files, [`Executor::DataVisit`] otherwise, visit → [`Executor::MetaVisit`].

use manage::TaskType;

/// One executor of the chain, named as in the reference (without the `RunnerMeta` suffix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Executor {
    /// Put the files into storage.
    Store,
    /// Offline: meta visitors over the XML on disk.
    Scrape,
    /// Headers and file info → meta visitors → repository create/update.
    MetaVisit,
    /// As MetaVisit, but a Simple↔Derived change is written as delete then create.
    MetaVisitDeleteCreate,
    /// Fetch the file from storage → data visitors → repository update.
    DataVisit,
    /// Local file → data visitors → repository update.
    LocalDataVisit,
    /// After Scrape: data visitors over the XML on disk.
    DataScrape,
    /// Single visit, offline: meta and data visitors over the XML on disk.
    NoFheadScrape,
    /// Single visit: store, then meta (and data) visitors, then the repository.
    NoFheadStoreVisit,
    /// Single visit: fetch once, meta and data visitors, repository.
    NoFheadVisit,
}

impl Executor {
    /// The reference class name.
    pub fn reference_name(self) -> &'static str {
        match self {
            Executor::Store => "Store",
            Executor::Scrape => "Scrape",
            Executor::MetaVisit => "MetaVisit",
            Executor::MetaVisitDeleteCreate => "MetaVisitDeleteCreate",
            Executor::DataVisit => "DataVisit",
            Executor::LocalDataVisit => "LocalDataVisit",
            Executor::DataScrape => "DataScrape",
            Executor::NoFheadScrape => "NoFheadScrape",
            Executor::NoFheadStoreVisit => "NoFheadStoreVisit",
            Executor::NoFheadVisit => "NoFheadVisit",
        }
    }

    /// Whether this executor talks to the repository/storage (not offline).
    pub fn is_connected(self) -> bool {
        !matches!(
            self,
            Executor::Scrape | Executor::DataScrape | Executor::NoFheadScrape
        )
    }
}

/// Why no executor chain could be made.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ChooseError {
    #[error("no task types, so there are no executors")]
    NoTaskTypes,
    #[error("scrape needs use_local_files: true")]
    ScrapeNeedsLocalFiles,
}

/// Whether the task types make a single-visit combination.
pub fn is_single_visit(task_types: &[TaskType]) -> bool {
    let has = |t| task_types.contains(&t);
    task_types.len() > 1
        && ((has(TaskType::Store) && has(TaskType::Ingest))
            || (has(TaskType::Ingest) && has(TaskType::Modify))
            || (has(TaskType::Scrape) && has(TaskType::Modify)))
}

/// The executor chain for `task_types`.
pub fn choose(
    task_types: &[TaskType],
    use_local_files: bool,
    needs_delete: bool,
) -> Result<Vec<Executor>, ChooseError> {
    if task_types.is_empty() {
        return Err(ChooseError::NoTaskTypes);
    }
    let has = |t| task_types.contains(&t);
    if has(TaskType::Scrape) && !use_local_files {
        return Err(ChooseError::ScrapeNeedsLocalFiles);
    }
    if is_single_visit(task_types) {
        let e = if has(TaskType::Scrape) {
            Executor::NoFheadScrape
        } else if has(TaskType::Store) {
            Executor::NoFheadStoreVisit
        } else {
            Executor::NoFheadVisit
        };
        return Ok(vec![e]);
    }
    Ok(task_types
        .iter()
        .map(|t| match t {
            TaskType::Scrape => Executor::Scrape,
            TaskType::Store => Executor::Store,
            TaskType::Ingest if needs_delete => Executor::MetaVisitDeleteCreate,
            TaskType::Ingest => Executor::MetaVisit,
            TaskType::Modify if has(TaskType::Scrape) => Executor::DataScrape,
            TaskType::Modify if use_local_files => Executor::LocalDataVisit,
            TaskType::Modify => Executor::DataVisit,
            TaskType::Visit => Executor::MetaVisit,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Executor::*;
    use TaskType::{Ingest, Modify, Scrape as S, Store as St, Visit};

    #[test]
    fn reference_selection_for_every_combination() {
        let cases: &[(&[TaskType], bool, bool, &[Executor])] = &[
            (&[St], true, false, &[Store]),
            (&[S], true, false, &[Scrape]),
            (&[Ingest], false, false, &[MetaVisit]),
            (&[Ingest], false, true, &[MetaVisitDeleteCreate]),
            (&[Modify], false, false, &[DataVisit]),
            (&[Modify], true, false, &[LocalDataVisit]),
            (&[Visit], false, false, &[MetaVisit]),
            (&[St, Ingest], true, false, &[NoFheadStoreVisit]),
            (&[St, Ingest, Modify], true, false, &[NoFheadStoreVisit]),
            (&[St, Ingest, Modify], false, false, &[NoFheadStoreVisit]),
            (&[Ingest, Modify], false, false, &[NoFheadVisit]),
            (&[Ingest, Modify], true, false, &[NoFheadVisit]),
            (&[S, Modify], true, false, &[NoFheadScrape]),
            (&[St, Modify], true, false, &[Store, LocalDataVisit]),
            (&[St, Modify], false, false, &[Store, DataVisit]),
            (&[Ingest, Visit], false, false, &[MetaVisit, MetaVisit]),
            (&[Visit, Modify], true, false, &[MetaVisit, LocalDataVisit]),
            (&[St, Visit], true, false, &[Store, MetaVisit]),
        ];
        for (types, local, delete, expected) in cases {
            assert_eq!(
                choose(types, *local, *delete).unwrap(),
                expected.to_vec(),
                "{types:?} local={local}"
            );
        }
        assert_eq!(choose(&[], true, false), Err(ChooseError::NoTaskTypes));
        assert_eq!(
            choose(&[S], false, false),
            Err(ChooseError::ScrapeNeedsLocalFiles)
        );
    }
}
