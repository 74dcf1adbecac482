//! metaChecksum and accMetaChecksum, CAOM 2.3/2.4 algorithm, bit-exact with the Java reference.
//!
//! metaChecksum(E) = MD5(id bytes ‖ metaProducer ‖ state fields in Java field-name order, with
//! no names, separators or counts). accMetaChecksum(E) = MD5(meta digest ‖ acc digests of the
//! children in `UUIDComparator` order).

use crate::artifact::{Artifact, Chunk, Part};
use crate::describe::{Describe, Value};
use crate::entity::Entity;
use crate::java;
use crate::observation::Observation;
use crate::plane::Plane;
use crate::uri::Uri;
use md5::{Digest, Md5};
use uuid::Uuid;

/// A raw MD5 digest.
pub type Md5Digest = [u8; 16];

/// Appends the checksum bytes of one value.
fn digest_value(h: &mut Md5, v: &Value<'_>) {
    match v {
        Value::Str(s) | Value::Term(s) => h.update(java::trim(s).as_bytes()),
        Value::Uri(u) => h.update(java::trim(&u.to_ascii_string()).as_bytes()),
        Value::Double(d) => {
            // doubleToLongBits collapses every NaN to the canonical one
            let bits = if d.is_nan() {
                0x7ff8_0000_0000_0000u64
            } else {
                d.to_bits()
            };
            h.update(bits.to_be_bytes());
        }
        Value::Int(i) | Value::IntTerm(i) => h.update(i.to_be_bytes()),
        Value::Long(l) => h.update(l.to_be_bytes()),
        Value::Bool(b) => h.update([u8::from(*b)]),
        Value::Date(t) => h.update(t.seconds().to_be_bytes()),
        Value::Object(o) => digest_fields(h, *o),
        Value::Items(items) | Value::Sequence(items) => {
            for i in items {
                digest_value(h, i);
            }
        }
    }
}

fn digest_fields(h: &mut Md5, d: &dyn Describe) {
    d.fields(&mut |_, v| {
        if let Some(v) = v {
            digest_value(h, &v);
        }
    });
}

/// The raw metaChecksum digest of an entity from its bookkeeping and state.
pub fn meta_digest(entity: &Entity, state: &dyn Describe) -> Md5Digest {
    let mut h = Md5::new();
    h.update(entity.id.as_bytes());
    if let Some(p) = &entity.meta_producer {
        h.update(java::trim(&p.to_ascii_string()).as_bytes());
    }
    digest_fields(&mut h, state);
    h.finalize().into()
}

fn acc_digest(meta: &Md5Digest, mut children: Vec<(Uuid, Md5Digest)>) -> Md5Digest {
    children.sort_by(|a, b| java::uuid_comparator(&a.0, &b.0));
    let mut h = Md5::new();
    h.update(meta);
    for (_, c) in &children {
        h.update(c);
    }
    h.finalize().into()
}

/// `md5:` followed by 32 lowercase hex digits.
pub fn to_uri(d: &Md5Digest) -> Uri {
    let mut s = String::with_capacity(36);
    s.push_str("md5:");
    for b in d {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    // md5: plus hex digits is always a valid URI
    Uri::parse(&s).unwrap_or_else(|_| unreachable!("md5 uri"))
}

/// Visits every entity of an observation, children before parents, so that both checksums can
/// be produced in one pass.
pub trait ChecksumVisitor {
    /// Called once per entity with its label (`planes[p].artifacts[u]…`), its stored
    /// bookkeeping and the computed digests.
    fn entity(
        &mut self,
        label: &EntityLabel<'_>,
        entity: &Entity,
        meta: &Md5Digest,
        acc: &Md5Digest,
    );
}

/// Where an entity sits in its observation.
#[derive(Clone, Copy, Debug)]
pub enum EntityLabel<'a> {
    Observation,
    Plane(&'a str),
    Artifact(&'a str, &'a str),
    Part(&'a str, &'a str, &'a str),
    Chunk(&'a str, &'a str, &'a str, usize),
}

impl std::fmt::Display for EntityLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntityLabel::Observation => write!(f, "Observation"),
            EntityLabel::Plane(p) => write!(f, "planes[{p}]"),
            EntityLabel::Artifact(p, a) => write!(f, "planes[{p}].artifacts[{a}]"),
            EntityLabel::Part(p, a, t) => write!(f, "planes[{p}].artifacts[{a}].parts[{t}]"),
            EntityLabel::Chunk(p, a, t, i) => {
                write!(f, "planes[{p}].artifacts[{a}].parts[{t}].chunks[{i}]")
            }
        }
    }
}

/// Computes every checksum of the observation, reporting each entity to `v`; returns the
/// observation's (meta, acc) digests.
pub fn walk(obs: &Observation, v: &mut dyn ChecksumVisitor) -> (Md5Digest, Md5Digest) {
    let mut planes = Vec::with_capacity(obs.planes.len());
    for p in &obs.planes {
        planes.push((p.entity.id, walk_plane(p, v).1));
    }
    let meta = meta_digest(&obs.entity, obs);
    let acc = acc_digest(&meta, planes);
    v.entity(&EntityLabel::Observation, &obs.entity, &meta, &acc);
    (meta, acc)
}

fn walk_plane(p: &Plane, v: &mut dyn ChecksumVisitor) -> (Md5Digest, Md5Digest) {
    let mut children = Vec::with_capacity(p.artifacts.len());
    for a in &p.artifacts {
        children.push((a.entity.id, walk_artifact(&p.product_id, a, v).1));
    }
    let meta = meta_digest(&p.entity, p);
    let acc = acc_digest(&meta, children);
    v.entity(&EntityLabel::Plane(&p.product_id), &p.entity, &meta, &acc);
    (meta, acc)
}

fn walk_artifact(pid: &str, a: &Artifact, v: &mut dyn ChecksumVisitor) -> (Md5Digest, Md5Digest) {
    let uri = a.uri.as_str();
    let mut children = Vec::with_capacity(a.parts.len());
    for part in &a.parts {
        children.push((part.entity.id, walk_part(pid, uri, part, v).1));
    }
    let meta = meta_digest(&a.entity, a);
    let acc = acc_digest(&meta, children);
    v.entity(&EntityLabel::Artifact(pid, uri), &a.entity, &meta, &acc);
    (meta, acc)
}

fn walk_part(
    pid: &str,
    uri: &str,
    part: &Part,
    v: &mut dyn ChecksumVisitor,
) -> (Md5Digest, Md5Digest) {
    let mut children = Vec::with_capacity(part.chunks.len());
    for (i, c) in part.chunks.iter().enumerate() {
        let (meta, acc) = chunk_digests(c);
        v.entity(
            &EntityLabel::Chunk(pid, uri, &part.name, i),
            &c.entity,
            &meta,
            &acc,
        );
        children.push((c.entity.id, acc));
    }
    let meta = meta_digest(&part.entity, part);
    let acc = acc_digest(&meta, children);
    v.entity(
        &EntityLabel::Part(pid, uri, &part.name),
        &part.entity,
        &meta,
        &acc,
    );
    (meta, acc)
}

fn chunk_digests(c: &Chunk) -> (Md5Digest, Md5Digest) {
    let meta = meta_digest(&c.entity, c);
    (meta, acc_digest(&meta, Vec::new()))
}

/// One entity whose stored checksum differs from the computed one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Entity label, e.g. `planes[p1].artifacts[ad:X/y.fits]`.
    pub entity: String,
    /// `metaChecksum` or `accMetaChecksum`.
    pub field: &'static str,
    pub stored: String,
    pub computed: String,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, Default)]
pub struct Verification {
    /// Stored checksums compared.
    pub checked: usize,
    pub mismatches: Vec<Mismatch>,
}

/// Recomputes every checksum and compares it with the stored value, where one is stored.
pub fn verify(obs: &Observation) -> Verification {
    struct V(Verification);
    impl ChecksumVisitor for V {
        fn entity(
            &mut self,
            label: &EntityLabel<'_>,
            e: &Entity,
            meta: &Md5Digest,
            acc: &Md5Digest,
        ) {
            for (field, stored, computed) in [
                ("metaChecksum", &e.meta_checksum, meta),
                ("accMetaChecksum", &e.acc_meta_checksum, acc),
            ] {
                if let Some(stored) = stored {
                    self.0.checked += 1;
                    let computed = to_uri(computed);
                    if !stored.as_str().eq_ignore_ascii_case(computed.as_str()) {
                        self.0.mismatches.push(Mismatch {
                            entity: label.to_string(),
                            field,
                            stored: stored.to_string(),
                            computed: computed.to_string(),
                        });
                    }
                }
            }
        }
    }
    let mut v = V(Verification::default());
    walk(obs, &mut v);
    v.0
}

/// Sets metaChecksum and accMetaChecksum on every entity of the observation.
pub fn update_checksums(obs: &mut Observation) {
    let children = obs
        .planes
        .iter_mut()
        .map(|p| (p.entity.id, update_plane(p)))
        .collect();
    let meta = meta_digest(&obs.entity, &*obs);
    set(&mut obs.entity, meta, children);
}

fn update_plane(p: &mut Plane) -> Md5Digest {
    let children = p
        .artifacts
        .iter_mut()
        .map(|a| (a.entity.id, update_artifact(a)))
        .collect();
    let meta = meta_digest(&p.entity, &*p);
    set(&mut p.entity, meta, children)
}

fn update_artifact(a: &mut Artifact) -> Md5Digest {
    let children = a
        .parts
        .iter_mut()
        .map(|p| (p.entity.id, update_part(p)))
        .collect();
    let meta = meta_digest(&a.entity, &*a);
    set(&mut a.entity, meta, children)
}

fn update_part(part: &mut Part) -> Md5Digest {
    let children = part
        .chunks
        .iter_mut()
        .map(|c| {
            let meta = meta_digest(&c.entity, &*c);
            (c.entity.id, set(&mut c.entity, meta, Vec::new()))
        })
        .collect();
    let meta = meta_digest(&part.entity, &*part);
    set(&mut part.entity, meta, children)
}

/// Stores both checksums on the entity and returns the acc digest.
fn set(e: &mut Entity, meta: Md5Digest, children: Vec<(Uuid, Md5Digest)>) -> Md5Digest {
    let acc = acc_digest(&meta, children);
    e.meta_checksum = Some(to_uri(&meta));
    e.acc_meta_checksum = Some(to_uri(&acc));
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    fn md5_of(v: Value<'_>) -> String {
        let mut h = Md5::new();
        digest_value(&mut h, &v);
        let d: Md5Digest = h.finalize().into();
        to_uri(&d).as_str()[4..].to_string()
    }

    /// The reference byte digests of caom2-model.md §3.1.
    #[test]
    fn reference_byte_digests() {
        assert_eq!(
            md5_of(Value::Bool(true)),
            "55a54008ad1ba589aa210d2629c1df41"
        );
        assert_eq!(
            md5_of(Value::Bool(false)),
            "93b885adfe0da089cdf634904fd59f71"
        );
        assert_eq!(
            md5_of(Value::Str("hello")),
            "5d41402abc4b2a76b9719d911017c592"
        );
        assert_eq!(md5_of(Value::Int(3)), "584a15a90f2f959d0703594ad447ae93");
        assert_eq!(
            md5_of(Value::Long(12345678910)),
            "f61cbb413a37d320af998a215530bc78"
        );
        assert_eq!(
            md5_of(Value::Double(2.2)),
            "0fec383169e99d1a6bebd89d1cd8fad9"
        );
        let t = Timestamp::parse("2012-07-11T13:26:37.123").unwrap();
        assert_eq!(md5_of(Value::Date(t)), "aedbcf5e27a17fc2daa5a0e0d7840009");
        let t0 = Timestamp::parse("2012-07-11T13:26:37.000").unwrap();
        assert_eq!(md5_of(Value::Date(t0)), "aedbcf5e27a17fc2daa5a0e0d7840009");
        let u = Uri::parse("ad:file").unwrap();
        assert_eq!(md5_of(Value::Uri(&u)), "effad6d4f11ff5a2a8fdd4880b7f2081");
        let id = Uuid::parse_str("00000000-0000-0000-9d25-b0383f3182a5").unwrap();
        let mut h = Md5::new();
        h.update(id.as_bytes());
        let d: Md5Digest = h.finalize().into();
        assert_eq!(
            &to_uri(&d).as_str()[4..],
            "5b71d023d4729575d550536dce8439e6"
        );
    }

    #[test]
    fn strings_are_trimmed_the_java_way() {
        assert_eq!(md5_of(Value::Str("  hello\t")), md5_of(Value::Str("hello")));
        assert_ne!(
            md5_of(Value::Str("\u{a0}hello")),
            md5_of(Value::Str("hello"))
        );
    }

    #[test]
    fn update_then_verify_is_clean_and_detects_edits() {
        let mut obs = crate::sample::complete_observation();
        update_checksums(&mut obs);
        let v = verify(&obs);
        assert_eq!(v.checked, 62);
        assert!(v.mismatches.is_empty(), "{:?}", v.mismatches);
        obs.planes[0].artifacts[0].parts[0].chunks[0].naxis = Some(9);
        let v = verify(&obs);
        let names: Vec<String> = v
            .mismatches
            .iter()
            .map(|m| format!("{} {}", m.entity, m.field))
            .collect();
        // the chunk's meta and acc, then the acc of every ancestor
        assert_eq!(names.len(), 6, "{names:?}");
        assert!(names[0].ends_with("chunks[0] metaChecksum"));
        assert!(names
            .last()
            .is_some_and(|n| n == "Observation accMetaChecksum"));
    }
}
