//! Metrics decorators: every call to the wrapped backend is timed into [`Metrics`] under the
//! reference's service names (`caom2` for the repository, `si` for storage) and actions
//! (`create`, `read`, `update`, `delete`; `get`, `get_head`, `put`, `info`, `remove`).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use caom2::Observation;
use fits2caom2::Headers;
use manage::storage_name::file_name_of;
use manage::{BackendError, FileInfo, Metrics, PutOutcome, Repository, Storage};

fn epoch_now() -> f64 {
    jiff::Timestamp::now().as_microsecond() as f64 / 1e6
}

fn timed<T>(
    metrics: &Metrics,
    service: &str,
    action: &str,
    label: &str,
    size: impl Fn(&T) -> Option<u64>,
    f: impl FnOnce() -> Result<T, BackendError>,
) -> Result<T, BackendError> {
    let start = epoch_now();
    let t = Instant::now();
    let r = f();
    let elapsed = t.elapsed().as_secs_f64();
    match &r {
        Ok(v) => metrics.observe(service, action, label, start, elapsed, size(v)),
        Err(_) => metrics.observe_failure(service, action, label),
    }
    r
}

/// A repository whose calls are recorded.
pub struct ObservedRepository<R> {
    pub inner: R,
    pub metrics: Arc<Metrics>,
}

impl<R: Repository> Repository for ObservedRepository<R> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn get(&self, collection: &str, obs_id: &str) -> Result<Option<Observation>, BackendError> {
        timed(
            &self.metrics,
            "caom2",
            "read",
            obs_id,
            |_| None,
            || self.inner.get(collection, obs_id),
        )
    }
    fn create(&self, o: &Observation) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            "caom2",
            "create",
            &o.observation_id,
            |_| None,
            || self.inner.create(o),
        )
    }
    fn update(&self, o: &Observation, expected: Option<&str>) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            "caom2",
            "update",
            &o.observation_id,
            |_| None,
            || self.inner.update(o, expected),
        )
    }
    fn delete(&self, collection: &str, obs_id: &str) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            "caom2",
            "delete",
            obs_id,
            |_| None,
            || self.inner.delete(collection, obs_id),
        )
    }
    fn list(&self, collection: &str) -> Result<Vec<String>, BackendError> {
        self.inner.list(collection)
    }
    fn list_states(
        &self,
        collection: &str,
        start: Option<jiff::Timestamp>,
        end: Option<jiff::Timestamp>,
    ) -> Result<Vec<manage::ObservationState>, BackendError> {
        self.inner.list_states(collection, start, end)
    }
    fn recover(&self, collection: &str) -> Result<usize, BackendError> {
        self.inner.recover(collection)
    }
}

/// A storage whose calls are recorded.
pub struct ObservedStorage<S> {
    pub inner: S,
    pub metrics: Arc<Metrics>,
}

impl<S: Storage> Storage for ObservedStorage<S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn info(&self, uri: &str) -> Result<Option<FileInfo>, BackendError> {
        timed(
            &self.metrics,
            "si",
            "info",
            file_name_of(uri),
            |_| None,
            || self.inner.info(uri),
        )
    }
    fn get(&self, uri: &str, dest: &Path) -> Result<FileInfo, BackendError> {
        timed(
            &self.metrics,
            "si",
            "get",
            file_name_of(uri),
            |i: &FileInfo| i.size,
            || self.inner.get(uri, dest),
        )
    }
    fn put(
        &self,
        uri: &str,
        data: &mut dyn Read,
        content_type: &str,
    ) -> Result<(PutOutcome, FileInfo), BackendError> {
        timed(
            &self.metrics,
            "si",
            "put",
            file_name_of(uri),
            |r: &(PutOutcome, FileInfo)| r.1.size,
            || self.inner.put(uri, data, content_type),
        )
    }
    fn headers(&self, uri: &str) -> Result<Headers, BackendError> {
        timed(
            &self.metrics,
            "si",
            "get_head",
            file_name_of(uri),
            |_| None,
            || self.inner.headers(uri),
        )
    }
    fn recover(&self, uri_prefix: &str) -> Result<usize, BackendError> {
        self.inner.recover(uri_prefix)
    }
    fn remove(&self, uri: &str) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            "si",
            "remove",
            file_name_of(uri),
            |_| None,
            || self.inner.remove(uri),
        )
    }
}
