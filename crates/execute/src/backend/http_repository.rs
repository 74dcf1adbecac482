//! The caom2repo service as a [`Repository`]: `clients::RepoClient` with its errors mapped
//! to the pipeline's classes.

use caom2::Observation;
use clients::{ClientError, ErrorKind, RepoClient, Window};
use manage::{BackendError, BackendErrorKind, ObservationState, Repository};

/// A repository behind the caom2repo REST API.
pub struct HttpRepository {
    client: RepoClient,
    resource_id: String,
}

impl HttpRepository {
    pub fn new(client: RepoClient, resource_id: &str) -> HttpRepository {
        HttpRepository {
            client,
            resource_id: resource_id.to_string(),
        }
    }

    pub fn client(&self) -> &RepoClient {
        &self.client
    }
}

/// The pipeline's class of a client error: a timeout or transport failure is a timeout (the
/// reference's "Read timed out", "reset by peer": always retried), 404/409/412 are the facts
/// the executors act on.
pub fn backend_error(e: ClientError) -> BackendError {
    let kind = match e.kind {
        ErrorKind::NotFound => BackendErrorKind::NotFound,
        ErrorKind::AlreadyExists => BackendErrorKind::AlreadyExists,
        ErrorKind::PreconditionFailed => BackendErrorKind::Conflict,
        ErrorKind::Timeout | ErrorKind::Transport => BackendErrorKind::Timeout,
        ErrorKind::BadRequest => BackendErrorKind::Invalid,
        ErrorKind::NotAuthenticated | ErrorKind::PermissionDenied => BackendErrorKind::Denied,
        ErrorKind::TooLarge => BackendErrorKind::TooLarge,
        ErrorKind::TooManyRequests | ErrorKind::Unavailable | ErrorKind::Server => {
            BackendErrorKind::Unavailable
        }
        ErrorKind::Integrity
        | ErrorKind::Io
        | ErrorKind::Protocol
        | ErrorKind::Unexpected
        | ErrorKind::Setup
        | ErrorKind::Registry => BackendErrorKind::Io,
    };
    BackendError::new(kind, e.to_string())
}

fn jiff_time(t: caom2::Timestamp) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(t.0).ok()
}

fn caom_time(t: jiff::Timestamp) -> caom2::Timestamp {
    caom2::Timestamp(t.as_millisecond())
}

impl Repository for HttpRepository {
    fn describe(&self) -> String {
        format!(
            "caom2 service {} ({})",
            self.resource_id,
            self.client.observations_url()
        )
    }

    fn get(&self, collection: &str, obs_id: &str) -> Result<Option<Observation>, BackendError> {
        let v = self
            .client
            .read(collection, obs_id)
            .map_err(backend_error)?;
        Ok(v.map(|v| {
            let mut o = v.observation;
            // The ETag is what If-Match must repeat; keep it where the executors look.
            if let Some(etag) = v.etag.and_then(|e| caom2::Uri::parse(&e).ok()) {
                o.entity.acc_meta_checksum = Some(etag);
            }
            o
        }))
    }

    fn create(&self, observation: &Observation) -> Result<(), BackendError> {
        self.client.create(observation).map_err(backend_error)
    }

    fn update(
        &self,
        observation: &Observation,
        expected: Option<&str>,
    ) -> Result<(), BackendError> {
        self.client
            .update(observation, expected)
            .map_err(backend_error)
    }

    fn delete(&self, collection: &str, obs_id: &str) -> Result<(), BackendError> {
        self.client
            .delete(collection, obs_id)
            .map_err(backend_error)
    }

    fn list(&self, collection: &str) -> Result<Vec<String>, BackendError> {
        let mut ids: Vec<String> = self
            .list_states(collection, None, None)?
            .into_iter()
            .map(|s| s.observation_id)
            .collect();
        ids.sort();
        Ok(ids)
    }

    fn list_states(
        &self,
        collection: &str,
        start: Option<jiff::Timestamp>,
        end: Option<jiff::Timestamp>,
    ) -> Result<Vec<ObservationState>, BackendError> {
        let rows = self
            .client
            .list(
                collection,
                Window {
                    start: start.map(caom_time),
                    end: end.map(caom_time),
                    ..Window::default()
                },
            )
            .map_err(backend_error)?;
        Ok(rows
            .into_iter()
            .map(|r| ObservationState {
                observation_id: r.observation_id,
                max_last_modified: jiff_time(r.max_last_modified),
                acc_meta_checksum: r.acc_meta_checksum,
            })
            .collect())
    }
}
