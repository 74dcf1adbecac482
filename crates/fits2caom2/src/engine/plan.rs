//! The plan of one artifact at run time: the built-in default plan, the blueprint, and the
//! blueprint's overlay for this URI, flattened into one slot per key (global) plus per-HDU
//! slots; then the reference's `_get_from_list` over it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::blueprint::{
    default_plan, Blueprint, FunctionCall, Lookup, Plan, Pos, Source, TableColumn, CHUNK_IGNORE,
};
use crate::functions::FnValue;
use crate::header::Header;
use crate::keys::{Key, KEY_COUNT};

use super::values::Val;

/// A plan entry at run time.
#[derive(Clone, Debug)]
pub(crate) enum Entry<'b> {
    /// A literal.
    Text(&'b str),
    /// A function result or a value read from an HDF5 file.
    Value(FnValue),
    /// Explicitly nothing.
    Null,
    /// Keywords or paths.
    Lookup(&'b Lookup),
    /// A table column.
    Table(&'b TableColumn),
    /// A function not yet called.
    Call(&'b FunctionCall),
}

/// An entry and where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Slot<'b> {
    pub entry: Entry<'b>,
    pub pos: Option<Pos>,
}

/// One artifact's flattened plan.
#[derive(Clone, Debug)]
pub(crate) struct Resolved<'b> {
    global: Vec<Option<Slot<'b>>>,
    /// Global keys in the reference's dict order.
    order: Vec<Key>,
    /// Per-HDU entries (HDU ≥ 1, or ≥ 0 for HDF5 parts), in order.
    ext: BTreeMap<usize, Vec<(Key, Slot<'b>)>>,
    /// HDU 0 has its own (empty) section: the HDF5 parser creates one.
    pub ext0_exists: bool,
}

fn defaults(hdf5: bool) -> &'static Plan {
    static FITS: OnceLock<Plan> = OnceLock::new();
    static HDF5: OnceLock<Plan> = OnceLock::new();
    if hdf5 {
        HDF5.get_or_init(|| default_plan(true))
    } else {
        FITS.get_or_init(|| default_plan(false))
    }
}

fn entry(s: &Source) -> Entry<'_> {
    match s {
        Source::Literal(t) => Entry::Text(t),
        Source::Null => Entry::Null,
        Source::Lookup(l) => Entry::Lookup(l),
        Source::Function(f) => Entry::Call(f),
        Source::Table(t) => Entry::Table(t),
    }
}

impl<'b> Resolved<'b> {
    /// Defaults, then the blueprint, then the overlay of `uri`.
    pub fn build(bp: &'b Blueprint, uri: &str, hdf5: bool) -> Resolved<'b> {
        let mut r = Resolved {
            global: vec![None; KEY_COUNT],
            order: Vec::with_capacity(96),
            ext: BTreeMap::new(),
            ext0_exists: false,
        };
        let overlay = bp.overlays.get(uri);
        let plans = std::iter::once(defaults(hdf5))
            .chain(std::iter::once(&bp.plan))
            .chain(overlay.map(|o| &o.plan));
        for plan in plans {
            for e in plan.entries() {
                r.set(
                    e.key,
                    Slot {
                        entry: entry(&e.source),
                        pos: e.pos,
                    },
                );
            }
        }
        let exts = bp
            .extensions
            .iter()
            .chain(overlay.into_iter().flat_map(|o| o.extensions.iter()));
        for (hdu, plan) in exts {
            for e in plan.entries() {
                r.set_ext(
                    *hdu,
                    e.key,
                    Slot {
                        entry: entry(&e.source),
                        pos: e.pos,
                    },
                );
            }
        }
        r
    }

    /// Sets a global key (in place, or appended to the order).
    pub fn set(&mut self, key: Key, slot: Slot<'b>) {
        let i = key.index();
        if self.global[i].is_none() {
            self.order.push(key);
        }
        self.global[i] = Some(slot);
    }

    /// Sets a key for one HDU.
    pub fn set_ext(&mut self, hdu: usize, key: Key, slot: Slot<'b>) {
        let list = self.ext.entry(hdu).or_default();
        match list.iter_mut().find(|(k, _)| *k == key) {
            Some((_, s)) => *s = slot,
            None => list.push((key, slot)),
        }
    }

    /// Creates an empty section for an HDU (HDF5 parts).
    pub fn ensure_ext(&mut self, hdu: usize) {
        self.ext.entry(hdu).or_default();
        if hdu == 0 {
            self.ext0_exists = true;
        }
    }

    /// The global slot of a key.
    pub fn global(&self, key: Key) -> Option<&Slot<'b>> {
        self.global[key.index()].as_ref()
    }

    /// Mutable global slot.
    pub fn global_mut(&mut self, key: Key) -> Option<&mut Slot<'b>> {
        self.global[key.index()].as_mut()
    }

    /// Global keys in order.
    pub fn order(&self) -> &[Key] {
        &self.order
    }

    /// HDU sections in order.
    pub fn extensions(&self) -> impl Iterator<Item = (usize, &[(Key, Slot<'b>)])> {
        self.ext.iter().map(|(h, l)| (*h, l.as_slice()))
    }

    /// Number of HDU sections.
    pub fn extension_count(&self) -> usize {
        self.ext.len()
    }

    /// The reference's `_get(key, index)`: the HDU's section first (for index > 0), then the
    /// global plan.
    pub fn get(&self, key: Key, index: usize) -> Option<&Slot<'b>> {
        if index > 0 {
            if let Some(list) = self.ext.get(&index) {
                if let Some((_, s)) = list.iter().find(|(k, _)| *k == key) {
                    return Some(s);
                }
            }
        }
        self.global(key)
    }

    /// `has_chunk`: an HDU with its own section decides there (default include); otherwise
    /// the global `Chunk` applies to HDU 0 only.
    pub fn has_chunk(&self, index: usize) -> bool {
        let Some(chunk) = Key::from_name("Chunk") else {
            return true;
        };
        let ignored = |s: Option<&Slot>| matches!(s.map(|s| &s.entry), Some(Entry::Text(t)) if *t == CHUNK_IGNORE);
        if let Some(list) = self.ext.get(&index) {
            !ignored(list.iter().find(|(k, _)| *k == chunk).map(|(_, s)| s))
        } else if index == 0 {
            !ignored(self.global(chunk))
        } else {
            true
        }
    }
}

/// Where a found value came from, for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    Keyword(&'a str),
    Literal(Option<Pos>),
    Function(Option<Pos>),
}

/// The outcome of `_get_from_list`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Got<'a> {
    /// A value.
    Val(Val<'a>, Origin<'a>),
    /// Keep the current value (when there is one).
    Current,
    /// Keep the current value when it is truthy.
    CurrentIfTruthy,
    /// No value, whatever the current one.
    Nothing,
}

/// The reference's FITS `_get_from_list`: the first truthy keyword wins; when none is truthy
/// the last keyword's value is used if present (so a header's 0 or '' is kept), otherwise the
/// current value. A literal `None` is no value; an empty literal keeps a truthy current value.
pub(crate) fn fits_get<'a>(slot: Option<&'a Slot<'a>>, header: Option<&'a Header>) -> Got<'a> {
    let Some(slot) = slot else {
        return Got::CurrentIfTruthy;
    };
    match &slot.entry {
        Entry::Lookup(l) => {
            let mut last: Option<(&Value, &str)> = None;
            for item in &l.items {
                let kw = item.text();
                let v = header.and_then(|h| h.get(kw));
                last = v.map(|v| (v, kw));
                if let Some(v) = v {
                    if v.is_truthy() {
                        return Got::Val(Val::Header(v), Origin::Keyword(kw));
                    }
                }
            }
            match last {
                Some((v, kw)) => Got::Val(Val::Header(v), Origin::Keyword(kw)),
                None => Got::Current,
            }
        }
        Entry::Text(t) => match *t {
            "None" => Got::Nothing,
            "" => Got::CurrentIfTruthy,
            _ => Got::Val(Val::Text(t), Origin::Literal(slot.pos)),
        },
        Entry::Value(v) => match v {
            FnValue::Scalar(Value::String(s)) if s == "None" => Got::Nothing,
            FnValue::Scalar(Value::String(s)) if s.is_empty() => Got::CurrentIfTruthy,
            _ => Got::Val(Val::Fn(v), Origin::Function(slot.pos)),
        },
        Entry::Null | Entry::Call(_) => Got::CurrentIfTruthy,
        Entry::Table(_) => Got::Current,
    }
}

/// The reference's `BlueprintParser._get_from_list` (also used for content and HDF5 input):
/// literals and values are used as they are; anything else keeps the current value.
pub(crate) fn blueprint_get<'a>(slot: Option<&'a Slot<'a>>) -> Got<'a> {
    match slot.map(|s| (&s.entry, s.pos)) {
        Some((Entry::Text(t), pos)) => Got::Val(Val::Text(t), Origin::Literal(pos)),
        Some((Entry::Value(v), pos)) => Got::Val(Val::Fn(v), Origin::Function(pos)),
        _ => Got::Current,
    }
}

use crate::card::Value;
