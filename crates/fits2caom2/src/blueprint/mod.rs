//! The in-memory blueprint — what a YAML blueprint, a caom2gen `.blueprint` file and a legacy
//! fits2caom2 config/default/override triple all turn into, and what the engine reads — and
//! the YAML blueprint format.
//!
//! A [`Blueprint`] holds a global [`Plan`] (HDU 0 and everything that is not a chunk), per-HDU
//! plans for `Chunk*` keys ([`Blueprint::extensions`]), per-artifact overlays (the legacy
//! `?uri` and `?uri#[N]` override sections, [`Overlay`]) and the axis configuration
//! ([`Axes`]). Each plan entry keeps the position it came from, so that run-time errors point
//! at the blueprint line as well as at the file, HDU and keyword. The reference applies a
//! blueprint on top of a built-in default plan ([`default_plan`]); the blueprint itself only
//! holds what its author wrote.
//!
//! # The YAML blueprint format (format 1)
//!
//! One YAML document per file. `caom2pipe blueprint check FILE...` validates files without
//! reading any data; `caom2pipe blueprint import` turns the reference's formats into this one.
//!
//! ```yaml
//! format: 1                      # optional
//! axes:                          # optional: inferred from the plan when absent (see below)
//!   position: [1, 2]             # FITS axis numbers of the RA-like and Dec-like axes
//!   energy: 3
//!   time: 4                      # also polarization, observable, custom
//! plan:                          # global values; chunk keys here are for every HDU
//!   Observation.type: OBJECT                                  # literal
//!   Observation.instrument.keywords: null                     # explicitly no value
//!   Observation.metaRelease: {keywords: [DATE-OBS, DATE]}     # first truthy keyword wins
//!   Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1], default: RA---TAN}
//!   Chunk.position.axis.function.cd11: -0.001388              # numbers keep their text
//!   Chunk.time.exposure: {function: get_exposure, arg: uri}   # a registered Rust function
//!   DerivedObservation.members: {bintable: {column: Filename, hdu: 1}}
//!   Observation.proposal.keywords: [survey, imaging]          # sets: a list or "a b"
//!   Chunk: ignore                                             # no chunk for HDU 0
//! extensions:                    # per-HDU values, Chunk keys only, HDU 1 and up
//!   1:
//!     Chunk.energy.axis.axis.cunit: nm
//!     Chunk: ignore
//! artifacts:                     # values for one artifact URI only (legacy ?uri sections)
//!   'cadc:DAO/x_256.png':
//!     plan:
//!       Artifact.productType: thumbnail
//!     extensions:
//!       1: {Chunk.energy.specsys: TOPOCENT}
//! ```
//!
//! **Keys** are exactly the 195 CAOM element names of the reference ([`crate::keys`]),
//! case-sensitive, e.g. `Observation.target.name`, `Plane.provenance.inputs`,
//! `Chunk.position.axis.function.cd11` (note `Observation.target_position.point.cval1`). An
//! unknown key is an error with a suggestion; a non-`Chunk` key under `extensions` is an
//! error. A few keys are accepted but never read, as in the reference
//! ([`Key::is_never_read`]); `blueprint check` warns about them.
//!
//! **Values**
//!
//! | form | example | meaning |
//! |---|---|---|
//! | literal | `OBJECT`, `-0.001388`, `'2020-01-01'` | the text as written, typed when used: numbers, dates (the reference's formats), enums (`image`, `science`, `1`), booleans (`true`/`false` only) |
//! | null | `null`, `~`, nothing | no value; replaces a built-in default, keeps an existing value when updating |
//! | keywords | `{keywords: [A, B], default: X}` | the first keyword of the HDU's header whose value is truthy; if none is, the last keyword's (falsy) value; `default` (optional) is written into the header under the last keyword when that keyword is missing or falsy, before the WCS is read |
//! | path | `{path: //header/object/obj_id}` or `{path: [P1, P2], default: X}` | HDF5 input: `//dataset/field` once per file, `/parent/prefix{}/dataset/field` once per matching group (one part each), `(i)` or `(i:j)` to index arrays; bare names are root attributes |
//! | function | `{function: name, arg: uri}` | a function of the module given with `--module`; `arg` (`uri`, `header` or `context`) records what the reference's function expected — Rust functions always get the whole context |
//! | bintable | `{bintable: {column: Filename, hdu: 1}}` | the cells of a FITS binary-table column, for members |
//! | list | `[a, b]` | for keyword sets, read groups, members and provenance inputs: the words |
//!
//! `Chunk` takes `include` or `ignore`. Plain scalars are not typed by YAML: `-0.001388`
//! stays that text (as a reference blueprint literal would); plain `null`, `~` and an empty
//! value are no value, and plain `true`/`True`/`TRUE` (`false`…) are the literals `true` and
//! `false`. Quote a scalar to keep its text exactly, e.g. `'False'` (which, like the
//! reference, is *not* a boolean) or `'None'` (a text). Duplicate keys, several documents,
//! tabs and other YAML errors are reported with file:line:column.
//!
//! **Axes.** Values for standard WCS keys (`CTYPEn`, `CRVALn`, `CDi_j`, `EXPTIME`, …) are
//! written into every HDU's header under the keyword of the configured axis before wcslib
//! reads it, so `axes` decides which keywords those are. Without `axes`, the reference's
//! inference applies, in plan order: a `CTYPEn` keyword (or literal) names the axis of the key
//! it feeds; then every other `Chunk.<axis>` key (for position, the two ctype keys) enables its
//! axis at its default number — ra 1, dec 2, energy 3, time 4, polarization 5, observable 6,
//! custom 7 — or, if that is taken, the next one after the highest (or 1). Only one of the two
//! position axes is an error. No axis at all is an error for FITS input ("No WCS Data").
//!
//! **Precedence.** Built-in default plan ([`default_plan`]), then `plan`, then the overlay of
//! the artifact's URI; per HDU, `extensions.N` before the global value. Observation, plane and
//! artifact keys read HDU 0's header; chunk keys (and `Part.productType`) read their own HDU's.
//! A global `Chunk: ignore` drops HDU 0's chunk only; `extensions.N.Chunk: ignore` drops HDU
//! N's. For 1-D axes a complete blueprint range (`range.start/end.pix/val`) replaces the WCS
//! axis; a function is built from blueprint values only where wcslib gave none. When updating
//! an observation, keys without a value keep what is there.
//!
//! **Differences from the reference's `.blueprint` files** (which [`crate::legacy`] imports
//! with their original meaning): values may contain `#`; `default` is a field, not a substring
//! (`defaultField` is a literal); a literal with parentheses is text unless written as
//! `{function: …}`; axis numbers may have two digits; `extensions` sections can be written in
//! any order; per-artifact values are explicit.

pub mod yaml;

use std::collections::BTreeMap;
use std::fmt;

use crate::keys::Key;

/// A position in a blueprint file (1-based line and column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub col: u32,
}

impl Pos {
    /// A position.
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A blueprint that cannot be loaded, or a value it holds that cannot be used: the file, the
/// position (when known) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file, pos.map(|p| format!(":{p}")).unwrap_or_default())]
pub struct BlueprintError {
    /// The blueprint file (as given).
    pub file: String,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

impl BlueprintError {
    /// An error at a position.
    pub fn at(file: &str, pos: Option<Pos>, message: impl Into<String>) -> BlueprintError {
        BlueprintError {
            file: file.to_string(),
            pos,
            message: message.into(),
        }
    }
}

/// One item of a lookup list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupItem {
    /// A FITS keyword of the relevant HDU's header (for HDF5 input: an attribute of the root
    /// group, which is HDU 0's header).
    Keyword(String),
    /// An HDF5 path (`//a/b/field`, `/parent/prefix{}/a/field`, with `(i)` / `(i:j)`).
    Path(String),
}

impl LookupItem {
    /// The text as written.
    pub fn text(&self) -> &str {
        match self {
            LookupItem::Keyword(s) | LookupItem::Path(s) => s,
        }
    }
}

/// Try keywords (or HDF5 paths) in order; the first truthy value wins. A default is written
/// into the header under the last keyword when that keyword is missing or falsy, before the
/// WCS is read (the reference's header injection).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// Keywords or paths, in order.
    pub items: Vec<LookupItem>,
    /// The default, as text (typed at use, like every literal).
    pub default: Option<String>,
}

impl Lookup {
    /// A lookup of FITS keywords without default.
    pub fn keywords<S: AsRef<str>>(keywords: &[S]) -> Lookup {
        Lookup {
            items: keywords
                .iter()
                .map(|k| LookupItem::Keyword(k.as_ref().to_string()))
                .collect(),
            default: None,
        }
    }

    /// The same lookup with a default.
    pub fn with_default(mut self, default: impl Into<String>) -> Lookup {
        self.default = Some(default.into());
        self
    }

    /// True when any item is an HDF5 path.
    pub fn has_paths(&self) -> bool {
        self.items.iter().any(|i| matches!(i, LookupItem::Path(_)))
    }
}

/// What the reference passed to a blueprint function, decided by the text of the call
/// (`uri` anywhere → the URI; else `header` → the HDU's header; else a context). Rust functions
/// always get the whole [`crate::functions::FunctionContext`]; this is kept so that imported
/// blueprints say what the original function expected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FnArg {
    /// The artifact URI.
    Uri,
    /// The header of the HDU (HDU 0 for global keys).
    Header,
    /// URI and header together (HDF5 input: the open file).
    #[default]
    Context,
}

impl FnArg {
    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FnArg::Uri => "uri",
            FnArg::Header => "header",
            FnArg::Context => "context",
        }
    }

    /// Parses the YAML spelling.
    pub fn parse(s: &str) -> Option<FnArg> {
        match s {
            "uri" => Some(FnArg::Uri),
            "header" => Some(FnArg::Header),
            "context" | "base" => Some(FnArg::Context),
            _ => None,
        }
    }
}

/// A call of a registered function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionCall {
    /// The function's name in the selected module.
    pub name: String,
    /// What the original function expected.
    pub arg: FnArg,
}

/// The values of a FITS binary-table column, joined by spaces (the reference's
/// `('BINTABLE', column, hdu)`, used for observation members).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableColumn {
    /// Column name (TTYPEn).
    pub column: String,
    /// The HDU holding the table.
    pub hdu: usize,
}

/// Where the value of a key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A literal, kept as text and typed when used (float, integer, date, enum, boolean).
    Literal(String),
    /// Explicitly no value (the reference's `None`); replaces a built-in default.
    Null,
    /// Header keywords or HDF5 paths.
    Lookup(Lookup),
    /// A registered function.
    Function(FunctionCall),
    /// A FITS binary-table column.
    Table(TableColumn),
}

impl Source {
    /// A literal.
    pub fn literal(text: impl Into<String>) -> Source {
        Source::Literal(text.into())
    }
}

/// One key of a plan with its source and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanEntry {
    /// The key.
    pub key: Key,
    /// Its source.
    pub source: Source,
    /// Where it was written, when it came from a file.
    pub pos: Option<Pos>,
}

/// Keys with their sources, in the order they were first set (the reference's dict order,
/// which decides axis inference and the order of header injection).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    entries: Vec<PlanEntry>,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Plan {
        Plan::default()
    }

    /// Sets a key: an existing entry is replaced in place, a new one is appended.
    pub fn set(&mut self, key: Key, source: Source, pos: Option<Pos>) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => {
                e.source = source;
                e.pos = pos;
            }
            None => self.entries.push(PlanEntry { key, source, pos }),
        }
    }

    /// The entry of a key.
    pub fn get(&self, key: Key) -> Option<&PlanEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The source of a key.
    pub fn source(&self, key: Key) -> Option<&Source> {
        self.get(key).map(|e| &e.source)
    }

    /// Mutable access to a key's entry.
    pub fn get_mut(&mut self, key: Key) -> Option<&mut PlanEntry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }

    /// Removes a key.
    pub fn remove(&mut self, key: Key) -> Option<PlanEntry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }

    /// Entries in order.
    pub fn entries(&self) -> &[PlanEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the plan has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Values that apply only to one artifact URI (legacy `?uri` and `?uri#[N]` override
/// sections), applied after the blueprint's own plan and extensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlay {
    /// Global values for this artifact.
    pub plan: Plan,
    /// Per-HDU values for this artifact (HDU ≥ 1; HDU 0 is `plan`).
    pub extensions: BTreeMap<usize, Plan>,
}

/// Which FITS axis feeds which CAOM WCS (1-based axis numbers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Axes {
    /// RA-like and Dec-like axes.
    pub position: Option<(u32, u32)>,
    /// Spectral axis.
    pub energy: Option<u32>,
    /// Time axis.
    pub time: Option<u32>,
    /// Stokes axis.
    pub polarization: Option<u32>,
    /// Observable axis.
    pub observable: Option<u32>,
    /// Custom axis.
    pub custom: Option<u32>,
}

impl Axes {
    /// Number of configured axes (position counts as two); 0 means "no WCS".
    pub fn count(&self) -> usize {
        2 * usize::from(self.position.is_some())
            + [
                self.energy,
                self.time,
                self.polarization,
                self.observable,
                self.custom,
            ]
            .iter()
            .filter(|a| a.is_some())
            .count()
    }

    /// True when no axis is configured.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

/// A blueprint: everything that says how one kind of file maps to CAOM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blueprint {
    /// The file it came from (for messages).
    pub file: String,
    /// Axis configuration as written (`axes:`), or `None` to infer it from the plan as the
    /// reference does (see [`Blueprint::axes`]).
    pub explicit_axes: Option<Axes>,
    /// Global values (HDU 0 for chunk keys).
    pub plan: Plan,
    /// Per-HDU values (HDU ≥ 1), chunk keys only.
    pub extensions: BTreeMap<usize, Plan>,
    /// Per-artifact overlays, by artifact URI.
    pub overlays: BTreeMap<String, Overlay>,
}

impl Blueprint {
    /// An empty blueprint named after `file`.
    pub fn new(file: impl Into<String>) -> Blueprint {
        Blueprint {
            file: file.into(),
            ..Blueprint::default()
        }
    }

    /// The axis configuration: the explicit one, or the reference's inference from the plan
    /// (`ObsBlueprint._guess_axis_info`, FITS variant).
    pub fn axes(&self) -> Result<Axes, BlueprintError> {
        match self.explicit_axes {
            Some(a) => Ok(a),
            None => {
                infer_axes(&self.plan).map_err(|(pos, m)| BlueprintError::at(&self.file, pos, m))
            }
        }
    }

    /// Every function call, with the key and position, in blueprint order (plan, extensions,
    /// overlays).
    pub fn function_calls(&self) -> Vec<(&FunctionCall, Key, Option<Pos>)> {
        fn visit<'a>(plan: &'a Plan, out: &mut Vec<(&'a FunctionCall, Key, Option<Pos>)>) {
            for e in plan.entries() {
                if let Source::Function(f) = &e.source {
                    out.push((f, e.key, e.pos));
                }
            }
        }
        let mut out = Vec::new();
        visit(&self.plan, &mut out);
        for p in self.extensions.values() {
            visit(p, &mut out);
        }
        for o in self.overlays.values() {
            visit(&o.plan, &mut out);
            for p in o.extensions.values() {
                visit(p, &mut out);
            }
        }
        out
    }

    /// True when the blueprint makes a derived observation (`DerivedObservation.members` or
    /// `CompositeObservation.members` set to anything but null, here or in an overlay).
    pub fn makes_derived(&self) -> bool {
        let members = |plan: &Plan| {
            ["DerivedObservation.members", "CompositeObservation.members"]
                .iter()
                .filter_map(|n| Key::from_name(n))
                .any(|k| matches!(plan.source(k), Some(s) if *s != Source::Null))
        };
        members(&self.plan) || self.overlays.values().any(|o| members(&o.plan))
    }

    /// The same blueprint without file name and positions: two blueprints that mean the same
    /// thing compare equal this way (e.g. a legacy import and its YAML read back).
    pub fn without_positions(&self) -> Blueprint {
        let strip = |p: &Plan| Plan {
            entries: p
                .entries
                .iter()
                .map(|e| PlanEntry {
                    pos: None,
                    ..e.clone()
                })
                .collect(),
        };
        Blueprint {
            file: String::new(),
            explicit_axes: self.explicit_axes,
            plan: strip(&self.plan),
            extensions: self
                .extensions
                .iter()
                .map(|(h, p)| (*h, strip(p)))
                .collect(),
            overlays: self
                .overlays
                .iter()
                .map(|(u, o)| {
                    (
                        u.clone(),
                        Overlay {
                            plan: strip(&o.plan),
                            extensions: o.extensions.iter().map(|(h, p)| (*h, strip(p))).collect(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// True when any lookup uses an HDF5 path.
    pub fn uses_hdf5_paths(&self) -> bool {
        let paths = |plan: &Plan| {
            plan.entries()
                .iter()
                .any(|e| matches!(&e.source, Source::Lookup(l) if l.has_paths()))
        };
        paths(&self.plan) || self.extensions.values().any(paths)
    }
}

/// The reference's built-in plan (`ObsBlueprint()`), onto which a blueprint is applied. The
/// HDF5 variant (`Hdf5ObsBlueprint()`) differs only in `Observation.algorithm.name`, which has
/// no keyword.
pub fn default_plan(hdf5: bool) -> Plan {
    let kw = |k: &[&str]| Source::Lookup(Lookup::keywords(k));
    let mut p = Plan::new();
    let mut set = |name: &str, s: Source| {
        if let Some(k) = Key::from_name(name) {
            p.set(k, s, None);
        }
    };
    set(
        "Observation.metaRelease",
        kw(&[
            "DATE", "DATE-OBS", "UTCOBS", "UTCDATE", "UTC-DATE", "MJDOBS", "MJD_OBS",
        ]),
    );
    set("Observation.instrument.name", kw(&["INSTRUME"]));
    set("Observation.type", kw(&["OBSTYPE"]));
    set("Observation.environment.ambientTemp", kw(&["TEMPERAT"]));
    let algorithm: &[&str] = if hdf5 { &[] } else { &["PROCNAME"] };
    set(
        "Observation.algorithm.name",
        Source::Lookup(Lookup::keywords(algorithm).with_default("exposure")),
    );
    set("Observation.instrument.keywords", kw(&["INSTMODE"]));
    set("Observation.proposal.id", kw(&["RUNID"]));
    set("Observation.target.name", kw(&["OBJECT"]));
    set("Observation.telescope.name", kw(&["TELESCOP"]));
    set("Observation.telescope.geoLocationX", kw(&["OBSGEO-X"]));
    set("Observation.telescope.geoLocationY", kw(&["OBSGEO-Y"]));
    set("Observation.telescope.geoLocationZ", kw(&["OBSGEO-Z"]));
    set("Observation.observationID", kw(&["OBSID"]));
    let none: &[&str] = &[];
    set(
        "Plane.calibrationLevel",
        Source::Lookup(Lookup::keywords(none).with_default("1")),
    );
    set(
        "Plane.dataProductType",
        Source::Lookup(Lookup::keywords(none).with_default("image")),
    );
    set("Plane.metaRelease", kw(&["RELEASE", "REL_DATE"]));
    set("Plane.dataRelease", kw(&["RELEASE", "REL_DATE"]));
    set("Plane.productID", kw(&["RUNID"]));
    set("Plane.provenance.name", kw(&["XPRVNAME"]));
    set("Plane.provenance.project", kw(&["ADC_ARCH"]));
    set("Plane.provenance.producer", kw(&["ORIGIN"]));
    set("Plane.provenance.reference", kw(&["XREFER"]));
    set("Plane.provenance.lastExecuted", kw(&["DATE-FTS"]));
    set(
        "Artifact.releaseType",
        Source::Lookup(Lookup::keywords(none).with_default("data")),
    );
    set("Chunk", Source::literal("include"));
    p
}

/// The literal that drops a chunk (the reference's `{ignore}`).
pub const CHUNK_IGNORE: &str = "{ignore}";

/// Axis inference of the reference (`_guess_axis_info`, FITS variant), on a plan in order:
/// `CTYPEn` keywords (or literals) fix the axis of the key they feed; then every other
/// `Chunk.<axis>` key (for position: the two ctype keys) enables its axis at its default
/// number, or the next free one.
pub fn infer_axes(plan: &Plan) -> Result<Axes, (Option<Pos>, String)> {
    #[derive(Clone, Copy, PartialEq)]
    enum A {
        Ra,
        Dec,
        Energy,
        Time,
        Pol,
        Obs,
        Custom,
    }
    const ORDER: [A; 7] = [A::Custom, A::Dec, A::Energy, A::Obs, A::Pol, A::Ra, A::Time];
    let default_index = |a: A| match a {
        A::Ra => 1,
        A::Dec => 2,
        A::Energy => 3,
        A::Time => 4,
        A::Pol => 5,
        A::Obs => 6,
        A::Custom => 7,
    };
    let mut info: [(u32, bool); 7] = [(0, false); 7];
    let slot = |a: A| ORDER.iter().position(|x| *x == a).unwrap_or(0);
    let kind_of = |name: &str| -> Option<A> {
        if name.starts_with("Chunk.energy") {
            Some(A::Energy)
        } else if name.starts_with("Chunk.polarization") {
            Some(A::Pol)
        } else if name.starts_with("Chunk.time") {
            Some(A::Time)
        } else if name.starts_with("Chunk.position") && name.ends_with("axis1.ctype") {
            Some(A::Ra)
        } else if name.starts_with("Chunk.position") && name.ends_with("axis2.ctype") {
            Some(A::Dec)
        } else if name.starts_with("Chunk.observable") {
            Some(A::Obs)
        } else if name.starts_with("Chunk.custom") {
            Some(A::Custom)
        } else {
            None
        }
    };
    // (a) CTYPEn keywords and literals
    for e in plan.entries() {
        let texts: Vec<&str> = match &e.source {
            Source::Lookup(l) => l.items.iter().map(LookupItem::text).collect(),
            Source::Literal(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        for t in texts {
            let head = t.split('-').next().unwrap_or("");
            if t.starts_with("CTYPE") && t.ends_with(|c: char| c.is_ascii_digit()) {
                // the reference takes the last character only (one-digit axis numbers)
                let n = head.chars().last().and_then(|c| c.to_digit(10)).ok_or((
                    e.pos,
                    format!("{}: cannot read an axis number from {t:?}", e.key),
                ))?;
                let a = kind_of(e.key.name()).ok_or((
                    e.pos,
                    format!(
                        "{}: {t} names an axis, but this key does not belong to one (only axis \
                         keys may name CTYPEn)",
                        e.key
                    ),
                ))?;
                info[slot(a)] = (n, true);
            }
        }
    }
    // (b) any other key of an axis
    for e in plan.entries() {
        if let Some(a) = kind_of(e.key.name()) {
            if !info[slot(a)].1 {
                let default = default_index(a);
                let (mut max, mut min, mut used) = (0, 7, false);
                for (n, on) in info {
                    if on {
                        max = max.max(n);
                        min = min.min(n);
                        used |= n == default;
                    }
                }
                let n = if !used {
                    default
                } else if min == 1 {
                    max + 1
                } else {
                    min.min(1)
                };
                info[slot(a)] = (n, true);
            }
        }
    }
    let get = |a: A| {
        let (n, on) = info[slot(a)];
        on.then_some(n)
    };
    let position = match (get(A::Ra), get(A::Dec)) {
        (Some(r), Some(d)) => Some((r, d)),
        (None, None) => None,
        (r, d) => {
            return Err((
                None,
                format!(
                    "only one position axis is configured (ra {:?}, dec {:?}); set both \
                     Chunk.position.axis.axis1.ctype and axis2.ctype, or neither",
                    r, d
                ),
            ))
        }
    };
    Ok(Axes {
        position,
        energy: get(A::Energy),
        time: get(A::Time),
        polarization: get(A::Pol),
        observable: get(A::Obs),
        custom: get(A::Custom),
    })
}

/// The standard FITS keyword(s) behind a key for the given axes (the reference's
/// `_wcs_std`): literal values of these keys, and lookup alternatives, are written into the
/// header under these keywords before the WCS is read.
pub fn standard_keywords(axes: &Axes, key: Key) -> Option<StdKeywords> {
    let name = key.name();
    if name == "Chunk.naxis" {
        return Some(StdKeywords::Two("ZNAXIS", "NAXIS"));
    }
    let one = |s: String| Some(StdKeywords::One(s));
    if let Some(rest) = name.strip_prefix("Chunk.position.") {
        let (i, j) = axes.position?;
        return match rest {
            "coordsys" => one("RADESYS".into()),
            "equinox" => one("EQUINOX".into()),
            "axis.axis1.ctype" => one(format!("CTYPE{i}")),
            "axis.axis1.cunit" => one(format!("CUNIT{i}")),
            "axis.axis2.ctype" => one(format!("CTYPE{j}")),
            "axis.axis2.cunit" => one(format!("CUNIT{j}")),
            "axis.error1.syser" => one(format!("CSYER{i}")),
            "axis.error1.rnder" => one(format!("CRDER{i}")),
            "axis.error2.syser" => one(format!("CSYER{j}")),
            "axis.error2.rnder" => one(format!("CRDER{j}")),
            "axis.function.cd11" => one(format!("CD{i}_{i}")),
            "axis.function.cd12" => one(format!("CD{i}_{j}")),
            "axis.function.cd21" => one(format!("CD{j}_{i}")),
            "axis.function.cd22" => one(format!("CD{j}_{j}")),
            "axis.function.dimension.naxis1" => one(format!("NAXIS{i}")),
            "axis.function.dimension.naxis2" => one(format!("NAXIS{j}")),
            "axis.function.refCoord.coord1.pix" => one(format!("CRPIX{i}")),
            "axis.function.refCoord.coord1.val" => one(format!("CRVAL{i}")),
            "axis.function.refCoord.coord2.pix" => one(format!("CRPIX{j}")),
            "axis.function.refCoord.coord2.val" => one(format!("CRVAL{j}")),
            _ => None,
        };
    }
    // 1-D axes: the shared block, then the extras of energy and time
    let (axis, rest, extras): (Option<u32>, &str, &[(&str, &str)]) =
        if let Some(r) = name.strip_prefix("Chunk.energy.") {
            (
                axes.energy,
                r,
                &[
                    ("specsys", "SPECSYS"),
                    ("ssysobs", "SSYSOBS"),
                    ("restfrq", "RESTFRQ"),
                    ("restwav", "RESTWAV"),
                    ("velosys", "VELOSYS"),
                    ("zsource", "ZSOURCE"),
                    ("ssyssrc", "SSYSSRC"),
                    ("velang", "VELANG"),
                ],
            )
        } else if let Some(r) = name.strip_prefix("Chunk.time.") {
            (
                axes.time,
                r,
                &[
                    ("exposure", "EXPTIME"),
                    ("resolution", "TIMEDEL"),
                    ("timesys", "TIMESYS"),
                    ("trefpos", "TREFPOS"),
                    ("mjdref", "MJDREF"),
                ],
            )
        } else if let Some(r) = name.strip_prefix("Chunk.polarization.") {
            (axes.polarization, r, &[])
        } else if let Some(r) = name.strip_prefix("Chunk.custom.") {
            (axes.custom, r, &[])
        } else if let Some(r) = name.strip_prefix("Chunk.observable.") {
            let k = axes.observable?;
            return match r {
                "axis.axis.ctype" => one(format!("CTYPE{k}")),
                "axis.axis.cunit" => one(format!("CUNIT{k}")),
                "axis.function.refCoord.pix" => one(format!("CRPIX{k}")),
                _ => None,
            };
        } else {
            return None;
        };
    let k = axis?;
    if let Some((_, kw)) = extras.iter().find(|(n, _)| *n == rest) {
        return one((*kw).to_string());
    }
    let with_errors = name.starts_with("Chunk.energy.") || name.starts_with("Chunk.time.");
    match rest {
        "axis.axis.ctype" => one(format!("CTYPE{k}")),
        "axis.axis.cunit" => one(format!("CUNIT{k}")),
        "axis.error.syser" if with_errors => one(format!("CSYER{k}")),
        "axis.error.rnder" if with_errors => one(format!("CRDER{k}")),
        "axis.function.naxis" => one(format!("NAXIS{k}")),
        "axis.function.delta" => one(format!("CDELT{k}")),
        "axis.function.refCoord.pix" => one(format!("CRPIX{k}")),
        "axis.function.refCoord.val" => one(format!("CRVAL{k}")),
        _ => None,
    }
}

/// One or two standard keywords (only `Chunk.naxis` has two: `ZNAXIS`, `NAXIS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StdKeywords {
    /// One keyword.
    One(String),
    /// Two keywords, written in this order.
    Two(&'static str, &'static str),
}

impl StdKeywords {
    /// The keywords in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (a, b): (&str, Option<&str>) = match self {
            StdKeywords::One(s) => (s, None),
            StdKeywords::Two(x, y) => (x, Some(y)),
        };
        std::iter::once(a).chain(b)
    }

    /// True when `keyword` is one of them.
    pub fn contains(&self, keyword: &str) -> bool {
        self.iter().any(|k| k == keyword)
    }
}

/// The lookups the reference's explicit axis configuration (`configure_*_axis(...)`, as the
/// legacy tool does it) puts into the plan, in the reference's order.
pub fn configured_lookups(axes: &Axes) -> Vec<(Key, Lookup)> {
    let mut out: Vec<(Key, Lookup)> = Vec::new();
    let mut add = |name: &str, kws: &[String]| {
        if let Some(k) = Key::from_name(name) {
            out.push((k, Lookup::keywords(kws)));
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    if let Some((i, j)) = axes.position {
        add("Chunk.position.coordsys", &s(&["RADESYS"]));
        add("Chunk.position.equinox", &s(&["EQUINOX", "EPOCH"]));
        add("Chunk.position.axis.axis1.ctype", &[format!("CTYPE{i}")]);
        add("Chunk.position.axis.axis1.cunit", &[format!("CUNIT{i}")]);
        add("Chunk.position.axis.axis2.ctype", &[format!("CTYPE{j}")]);
        add("Chunk.position.axis.axis2.cunit", &[format!("CUNIT{j}")]);
        add("Chunk.position.axis.error1.syser", &[format!("CSYER{i}")]);
        add("Chunk.position.axis.error1.rnder", &[format!("CRDER{i}")]);
        add("Chunk.position.axis.error2.syser", &[format!("CSYER{j}")]);
        add("Chunk.position.axis.error2.rnder", &[format!("CRDER{j}")]);
        add("Chunk.position.axis.function.cd11", &[format!("CD{i}_{i}")]);
        add("Chunk.position.axis.function.cd12", &[format!("CD{i}_{j}")]);
        add("Chunk.position.axis.function.cd21", &[format!("CD{j}_{i}")]);
        add("Chunk.position.axis.function.cd22", &[format!("CD{j}_{j}")]);
        add(
            "Chunk.position.axis.function.dimension.naxis1",
            &[format!("ZNAXIS{i}"), format!("NAXIS{i}")],
        );
        add(
            "Chunk.position.axis.function.dimension.naxis2",
            &[format!("ZNAXIS{j}"), format!("NAXIS{j}")],
        );
        add(
            "Chunk.position.axis.function.refCoord.coord1.pix",
            &[format!("CRPIX{i}")],
        );
        add(
            "Chunk.position.axis.function.refCoord.coord1.val",
            &[format!("CRVAL{i}")],
        );
        add(
            "Chunk.position.axis.function.refCoord.coord2.pix",
            &[format!("CRPIX{j}")],
        );
        add(
            "Chunk.position.axis.function.refCoord.coord2.val",
            &[format!("CRVAL{j}")],
        );
    }
    let block = |add: &mut dyn FnMut(&str, &[String]), axis: &str, k: u32, errors: bool| {
        add(
            &format!("Chunk.{axis}.axis.axis.ctype"),
            &[format!("CTYPE{k}")],
        );
        add(
            &format!("Chunk.{axis}.axis.axis.cunit"),
            &[format!("CUNIT{k}")],
        );
        if errors {
            add(
                &format!("Chunk.{axis}.axis.error.syser"),
                &[format!("CSYER{k}")],
            );
            add(
                &format!("Chunk.{axis}.axis.error.rnder"),
                &[format!("CRDER{k}")],
            );
        }
        add(
            &format!("Chunk.{axis}.axis.function.naxis"),
            &[format!("NAXIS{k}")],
        );
        add(
            &format!("Chunk.{axis}.axis.function.delta"),
            &[format!("CDELT{k}")],
        );
        add(
            &format!("Chunk.{axis}.axis.function.refCoord.pix"),
            &[format!("CRPIX{k}")],
        );
        add(
            &format!("Chunk.{axis}.axis.function.refCoord.val"),
            &[format!("CRVAL{k}")],
        );
    };
    // the legacy tool configures time, energy, polarization, observable in this order
    if let Some(k) = axes.time {
        for (n, kw) in [
            ("exposure", &["EXPTIME", "INTTIME"][..]),
            ("timesys", &["TIMESYS"][..]),
            ("trefpos", &["TREFPOS"][..]),
            ("mjdref", &["MJDREF"][..]),
            ("resolution", &["TIMEDEL"][..]),
        ] {
            add(&format!("Chunk.time.{n}"), &s(kw));
        }
        block(&mut add, "time", k, true);
    }
    if let Some(k) = axes.energy {
        for (n, kw) in [
            ("specsys", "SPECSYS"),
            ("ssysobs", "SSYSOBS"),
            ("restfrq", "RESTFRQ"),
            ("restwav", "RESTWAV"),
            ("velosys", "VELOSYS"),
            ("zsource", "ZSOURCE"),
            ("ssyssrc", "SSYSSRC"),
            ("velang", "VELANG"),
        ] {
            add(&format!("Chunk.energy.{n}"), &s(&[kw]));
        }
        add("Chunk.energy.bandpassName", &[]);
        add("Chunk.energy.resolvingPower", &[]);
        block(&mut add, "energy", k, true);
    }
    if let Some(k) = axes.polarization {
        block(&mut add, "polarization", k, false);
    }
    if let Some(k) = axes.observable {
        add("Chunk.observable.axis.axis.ctype", &[format!("CTYPE{k}")]);
        add("Chunk.observable.axis.axis.cunit", &[format!("CUNIT{k}")]);
        add(
            "Chunk.observable.axis.function.refCoord.pix",
            &[format!("CRPIX{k}")],
        );
    }
    if let Some(k) = axes.custom {
        block(&mut add, "custom", k, false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> Key {
        Key::from_name(n).unwrap()
    }

    #[test]
    fn plan_keeps_first_position_on_replace() {
        let mut p = Plan::new();
        p.set(key("Observation.type"), Source::literal("A"), None);
        p.set(key("Plane.productID"), Source::literal("B"), None);
        p.set(key("Observation.type"), Source::Null, None);
        let names: Vec<_> = p.entries().iter().map(|e| e.key.name()).collect();
        assert_eq!(names, ["Observation.type", "Plane.productID"]);
        assert_eq!(p.source(key("Observation.type")), Some(&Source::Null));
    }

    #[test]
    fn inference_defaults_and_ctype_numbers() {
        let mut p = Plan::new();
        p.set(
            key("Chunk.position.axis.axis1.ctype"),
            Source::Lookup(Lookup::keywords(&["CTYPE3"]).with_default("RA---TAN")),
            None,
        );
        p.set(
            key("Chunk.position.axis.axis2.ctype"),
            Source::Lookup(Lookup::keywords(&["CTYPE4"])),
            None,
        );
        p.set(
            key("Chunk.energy.specsys"),
            Source::literal("TOPOCENT"),
            None,
        );
        p.set(
            key("Chunk.time.axis.axis.ctype"),
            Source::Lookup(Lookup::keywords(&["CTYPE5"])),
            None,
        );
        p.set(
            key("Chunk.observable.axis.axis.ctype"),
            Source::literal("FLUX"),
            None,
        );
        let a = infer_axes(&p).unwrap();
        assert_eq!(a.position, Some((3, 4)));
        assert_eq!(a.time, Some(5));
        // default 3 is taken, the lowest used index is 3, so index 1
        assert_eq!(a.energy, Some(1));
        // default 6 is free
        assert_eq!(a.observable, Some(6));
    }

    #[test]
    fn inference_literal_time_gives_phantom_axis_four() {
        let mut p = Plan::new();
        p.set(
            key("Chunk.time.axis.axis.ctype"),
            Source::literal("TIME"),
            None,
        );
        assert_eq!(infer_axes(&p).unwrap().time, Some(4));
    }

    #[test]
    fn inference_single_position_axis_is_an_error() {
        let mut p = Plan::new();
        p.set(
            key("Chunk.position.axis.axis1.ctype"),
            Source::literal("RA---TAN"),
            None,
        );
        assert!(infer_axes(&p).is_err());
    }

    #[test]
    fn standard_keywords_follow_axes() {
        let axes = Axes {
            position: Some((3, 4)),
            time: Some(5),
            ..Axes::default()
        };
        let kw =
            |n| standard_keywords(&axes, key(n)).map(|s| s.iter().collect::<Vec<_>>().join(","));
        assert_eq!(
            kw("Chunk.position.axis.function.cd12").as_deref(),
            Some("CD3_4")
        );
        assert_eq!(kw("Chunk.time.exposure").as_deref(), Some("EXPTIME"));
        assert_eq!(
            kw("Chunk.time.axis.function.delta").as_deref(),
            Some("CDELT5")
        );
        assert_eq!(kw("Chunk.naxis").as_deref(), Some("ZNAXIS,NAXIS"));
        assert_eq!(kw("Chunk.energy.specsys"), None);
        assert_eq!(kw("Chunk.polarization.axis.error.syser"), None);
    }
}
