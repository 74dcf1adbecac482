//! What every CAOM entity (Observation, Plane, Artifact, Part, Chunk) carries besides its
//! state: identity, timestamps and checksums.

use crate::timestamp::Timestamp;
use crate::uri::Uri;
use uuid::Uuid;

/// Entity bookkeeping. `id` is assigned at creation; the rest is set by whoever persists the
/// entity (a repository service, or [`crate::checksum::update_checksums`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub id: Uuid,
    pub last_modified: Option<Timestamp>,
    pub max_last_modified: Option<Timestamp>,
    pub meta_checksum: Option<Uri>,
    pub acc_meta_checksum: Option<Uri>,
    /// `{scheme}:{name-version}` of the software that produced the entity (CAOM 2.4).
    pub meta_producer: Option<Uri>,
}

impl Entity {
    /// A new entity with a random (version 4) id, as the reference libraries assign them.
    pub fn new() -> Entity {
        Entity::with_id(Uuid::new_v4())
    }

    pub fn with_id(id: Uuid) -> Entity {
        Entity {
            id,
            last_modified: None,
            max_last_modified: None,
            meta_checksum: None,
            acc_meta_checksum: None,
            meta_producer: None,
        }
    }
}

impl Default for Entity {
    fn default() -> Entity {
        Entity::new()
    }
}
