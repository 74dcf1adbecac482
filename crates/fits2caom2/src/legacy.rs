//! Import of the reference's blueprint formats into [`Blueprint`]s, with the reference's
//! meaning:
//!
//! * caom2gen `.blueprint` files ([`import_blueprint_file`]), line by line as
//!   `ObsBlueprint.load_from_file` reads them, followed by the reference's axis inference
//!   (written out as explicit `axes`);
//! * fits2caom2 config/default/override triples ([`import_java`]), as `legacy.update_blueprint`
//!   applies them: the built-in Java-style config table, upper-case config values as FITS
//!   keywords, default and override names resolved through CAOM keys, config indirections and
//!   the keywords of the configured axes, `?uri` and `?uri#[N]` override sections as
//!   per-artifact overlays.
//!
//! Where the reference silently drops something (an unresolvable default or override name, a
//! non-Chunk key in a `#[N]` section), the import keeps going as the reference does and says
//! so in [`Import::warnings`].

use std::path::Path;

use crate::blueprint::{
    configured_lookups, default_plan, infer_axes, Axes, Blueprint, BlueprintError, FnArg,
    FunctionCall, Lookup, LookupItem, Overlay, Plan, Pos, Source, TableColumn, CHUNK_IGNORE,
};
use crate::keys::Key;

/// An imported blueprint and what the import noticed.
#[derive(Clone, Debug)]
pub struct Import {
    /// The blueprint, with the reference's meaning.
    pub blueprint: Blueprint,
    /// Things the reference ignores silently (unresolvable names, misplaced keys).
    pub warnings: Vec<String>,
}

fn read_text(path: &Path) -> Result<String, BlueprintError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| BlueprintError::at(&name, None, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let b = e.as_bytes();
        let line = b[..upto].iter().filter(|&&c| c == b'\n').count() + 1;
        BlueprintError::at(&name, Some(Pos::new(line as u32, 1)), "not UTF-8 text")
    })
}

/// The reference's test for "this literal is a function call": parentheses and no `/`.
fn looks_like_call(text: &str) -> bool {
    text.contains('(') && text.contains(')') && !text.contains('/')
}

/// A literal as the reference reads it: `None` is no value, a call is a function.
fn literal_source(text: &str, warn: &mut Vec<String>, at: &str) -> Source {
    if text == "None" {
        return Source::Null;
    }
    if looks_like_call(text) {
        let name = text.split('(').next().unwrap_or("").trim();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let arg = if text.contains("uri") {
                FnArg::Uri
            } else if text.contains("header") {
                FnArg::Header
            } else {
                FnArg::Context
            };
            return Source::Function(FunctionCall {
                name: name.to_string(),
                arg,
            });
        }
        warn.push(format!(
            "{at}: {text:?} has parentheses, so the reference would try to call a function; it is kept as text"
        ));
    }
    Source::Literal(text.to_string())
}

fn lookup_items(texts: impl IntoIterator<Item = String>) -> Vec<LookupItem> {
    texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.starts_with('/') {
                LookupItem::Path(t)
            } else {
                LookupItem::Keyword(t)
            }
        })
        .collect()
}

/// Reads a caom2gen `.blueprint` file.
pub fn import_blueprint_file(path: impl AsRef<Path>) -> Result<Import, BlueprintError> {
    let path = path.as_ref();
    let text = read_text(path)?;
    import_blueprint_str(&text, &path.display().to_string())
}

/// Parses the text of a caom2gen `.blueprint` file; `file` names it in messages.
pub fn import_blueprint_str(text: &str, file: &str) -> Result<Import, BlueprintError> {
    let mut bp = Blueprint::new(file);
    let mut warnings = Vec::new();
    let mut ext = 0usize;
    for (n, raw) in text.lines().enumerate() {
        let pos = Pos::new(n as u32 + 1, 1);
        // everything from the first '#' is a comment, even inside a value
        let line = raw.split('#').next().unwrap_or("");
        if let Some((k, value)) = line.split_once('=') {
            let name = k.trim();
            let pos = Pos::new(pos.line, (k.len() - k.trim_start().len()) as u32 + 1);
            let key = Key::from_name(name).ok_or_else(|| {
                let hint = Key::suggest(name)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                BlueprintError::at(
                    file,
                    Some(pos),
                    format!("{name:?} is not a CAOM element name{hint}"),
                )
            })?;
            let at = format!("{file}:{pos}");
            let source = if value.contains("default") {
                let mut parts = value.split(", default");
                let list = parts.next().unwrap_or("");
                let default = parts.next().ok_or_else(|| {
                    BlueprintError::at(
                        file,
                        Some(pos),
                        format!("{name}: the value contains \"default\" but not \", default\" (the reference fails here too)"),
                    )
                })?;
                let default = default.replace('=', "");
                let default = default.trim();
                let items = list
                    .split(',')
                    .map(|i| i.replace(['[', ']', '\''], "").trim().to_string());
                Source::Lookup(Lookup {
                    items: lookup_items(items),
                    default: (!default.contains("None")).then(|| default.to_string()),
                })
            } else if value.trim().starts_with('(') {
                let items: Vec<String> = value
                    .trim()
                    .replace(['(', ')', '\''], "")
                    .split(',')
                    .map(|i| i.trim().to_string())
                    .collect();
                match items.as_slice() {
                    [t, column, hdu] if t == "BINTABLE" => {
                        let hdu = hdu.parse::<usize>().map_err(|_| {
                            BlueprintError::at(
                                file,
                                Some(pos),
                                format!("{name}: BINTABLE HDU {hdu:?} is not a number"),
                            )
                        })?;
                        Source::Table(TableColumn {
                            column: column.clone(),
                            hdu,
                        })
                    }
                    _ => {
                        return Err(BlueprintError::at(
                            file,
                            Some(pos),
                            format!("{name}: only ('BINTABLE', column, hdu) tuples are supported"),
                        ))
                    }
                }
            } else if value.contains('[') {
                let items = value
                    .replace(['[', ']', '\''], "")
                    .split(',')
                    .map(|i| i.trim().to_string())
                    .collect::<Vec<_>>();
                Source::Lookup(Lookup {
                    items: lookup_items(items),
                    default: None,
                })
            } else {
                literal_source(value.trim(), &mut warnings, &at)
            };
            if ext == 0 {
                bp.plan.set(key, source, Some(pos));
            } else {
                if !key.is_chunk() {
                    return Err(BlueprintError::at(
                        file,
                        Some(pos),
                        format!(
                            "{key} is not a Chunk key: extension {ext} may only hold Chunk keys"
                        ),
                    ));
                }
                bp.extensions
                    .entry(ext)
                    .or_default()
                    .set(key, source, Some(pos));
            }
        } else if line.contains("extension") {
            let t = line
                .trim_matches(|c| "extension".contains(c))
                .trim_matches('\n')
                .trim_matches(':')
                .trim();
            ext = t.parse().map_err(|_| {
                BlueprintError::at(
                    file,
                    Some(pos),
                    format!("cannot read an extension number from {:?}", line.trim()),
                )
            })?;
        }
    }
    // ".blueprint" files carry no axes; infer them once and write them down
    let axes = infer_axes(&bp.plan).map_err(|(p, m)| BlueprintError::at(file, p, m))?;
    bp.explicit_axes = Some(axes);
    Ok(Import {
        blueprint: bp,
        warnings,
    })
}

/// `name = value` with its line number.
pub type JavaEntry = (String, String, u32);

/// A `?uri` section: the artifact URI and its entries per HDU (0 for `?uri`, N for
/// `?uri#[N]`).
pub type JavaSection = (String, Vec<(usize, Vec<JavaEntry>)>);

/// One `name = value` file of the legacy tool, with its `?uri` / `?uri#[N]` sections.
#[derive(Clone, Debug, Default)]
pub struct JavaFile {
    /// The file name.
    pub file: String,
    /// Top-level entries in file order, with line numbers.
    pub entries: Vec<JavaEntry>,
    /// Sections: artifact URI → HDU → entries, in file order.
    pub sections: Vec<JavaSection>,
}

impl JavaFile {
    /// Reads a file.
    pub fn read(path: impl AsRef<Path>) -> Result<JavaFile, BlueprintError> {
        let path = path.as_ref();
        Ok(JavaFile::parse(
            &read_text(path)?,
            &path.display().to_string(),
        ))
    }

    /// Parses the text of a file (`load_config` of the reference: lines starting with `#`
    /// and lines without `=` are skipped; `#` inside a value is kept).
    pub fn parse(text: &str, file: &str) -> JavaFile {
        let mut f = JavaFile {
            file: file.to_string(),
            ..JavaFile::default()
        };
        let mut current: Option<(usize, usize)> = None; // (section index, hdu index)
        for (n, line) in text.lines().enumerate() {
            let n = n as u32 + 1;
            if let Some(rest) = line.strip_prefix('?') {
                let (uri, hdu) = match rest.split_once("#[") {
                    Some((u, h)) => (
                        u.trim().to_string(),
                        h.split(']')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .parse::<usize>()
                            .unwrap_or(0),
                    ),
                    None => (rest.trim().to_string(), 0),
                };
                let si = match f.sections.iter().position(|(u, _)| *u == uri) {
                    Some(i) => i,
                    None => {
                        f.sections.push((uri, Vec::new()));
                        f.sections.len() - 1
                    }
                };
                let hdus = &mut f.sections[si].1;
                let hi = match hdus.iter().position(|(h, _)| *h == hdu) {
                    Some(i) => i,
                    None => {
                        hdus.push((hdu, Vec::new()));
                        hdus.len() - 1
                    }
                };
                current = Some((si, hi));
            } else if line.starts_with('#') || !line.contains('=') {
                continue;
            } else if let Some((k, v)) = line.split_once('=') {
                let entry = (k.trim().to_string(), v.trim().to_string(), n);
                match current {
                    None => {
                        // a repeated name keeps its first position and takes the last value
                        match f.entries.iter_mut().find(|e| e.0 == entry.0) {
                            Some(e) => {
                                e.1 = entry.1;
                                e.2 = entry.2;
                            }
                            None => f.entries.push(entry),
                        }
                    }
                    Some((si, hi)) => {
                        let list = &mut f.sections[si].1[hi].1;
                        match list.iter_mut().find(|e| e.0 == entry.0) {
                            Some(e) => {
                                e.1 = entry.1;
                                e.2 = entry.2;
                            }
                            None => list.push(entry),
                        }
                    }
                }
            }
        }
        f
    }
}

/// The reference's built-in stand-in for the Java tool's default config
/// (`legacy._JAVA_CAOM2_CONFIG`): CAOM key → FITS keyword(s) or indirection name.
pub const JAVA_CONFIG: &[(&str, &str)] = &[
    ("DerivedObservation.members", "members"),
    ("Observation.type", "OBSTYPE"),
    ("Observation.intent", "obs.intent"),
    ("Observation.sequenceNumber", "obs.sequenceNumber"),
    ("Observation.metaRelease", "obs.metaRelease"),
    ("Observation.algorithm.name", "algorithm.name"),
    ("Observation.instrument.name", "instrument.name"),
    ("Observation.instrument.keywords", "instrument.keywords"),
    ("Observation.proposal.id", "proposal.id"),
    ("Observation.proposal.pi", "proposal.pi"),
    ("Observation.proposal.project", "proposal.project"),
    ("Observation.proposal.title", "proposal.title"),
    ("Observation.proposal.keywords", "proposal.keywords"),
    ("Observation.target.name", "target.name"),
    ("Observation.target.type", "target.type"),
    ("Observation.target.standard", "target.standard"),
    ("Observation.target.redshift", "target.redshift"),
    ("Observation.target.keywords", "target.keywords"),
    ("Observation.target.moving", "target.moving"),
    ("Observation.telescope.name", "telescope.name"),
    (
        "Observation.telescope.geoLocationX",
        "telescope.geoLocationX",
    ),
    (
        "Observation.telescope.geoLocationY",
        "telescope.geoLocationY",
    ),
    (
        "Observation.telescope.geoLocationZ",
        "telescope.geoLocationZ",
    ),
    ("Observation.telescope.keywords", "telescope.keywords"),
    ("Observation.environment.seeing", "environment.seeing"),
    ("Observation.environment.humidity", "environment.humidity"),
    ("Observation.environment.elevation", "environment.elevation"),
    ("Observation.environment.tau", "environment.tau"),
    (
        "Observation.environment.wavelengthTau",
        "environment.wavelengthTau",
    ),
    (
        "Observation.environment.ambientTemp",
        "environment.ambientTemp",
    ),
    (
        "Observation.environment.photometric",
        "environment.photometric",
    ),
    ("Plane.metaRelease", "plane.metaRelease"),
    ("Plane.dataRelease", "plane.dataRelease"),
    ("Plane.dataProductType", "plane.dataProductType"),
    ("Plane.calibrationLevel", "plane.calibrationLevel"),
    ("Plane.provenance.name", "provenance.name"),
    ("Plane.provenance.version", "provenance.version"),
    ("Plane.provenance.project", "provenance.project"),
    ("Plane.provenance.producer", "provenance.producer"),
    ("Plane.provenance.runID", "provenance.runID"),
    ("Plane.provenance.reference", "provenance.reference"),
    ("Plane.provenance.lastExecuted", "provenance.lastExecuted"),
    ("Plane.provenance.keywords", "provenance.keywords"),
    ("Plane.provenance.inputs", "provenance.inputs"),
    (
        "Plane.metrics.sourceNumberDensity",
        "metrics.sourceNumberDensity",
    ),
    ("Plane.metrics.background", "metrics.background"),
    ("Plane.metrics.backgroundStddev", "metrics.backgroundStddev"),
    ("Plane.metrics.fluxDensityLimit", "metrics.fluxDensityLimit"),
    ("Plane.metrics.magLimit", "metrics.magLimit"),
    ("Artifact.productType", "artifact.productType"),
    ("Artifact.releaseType", "artifact.releaseType"),
    ("Part.name", "part.name"),
    ("Part.productType", "part.productType"),
    ("Chunk.naxis", "ZNAXIS,NAXIS"),
    ("Chunk.observableAxis", "chunk.observableAxis"),
    ("Chunk.positionAxis1", "getPositionAxis()"),
    ("Chunk.positionAxis2", "getPositionAxis()"),
    ("Chunk.energyAxis", "getEnergyAxis()"),
    ("Chunk.timeAxis", "getTimeAxis()"),
    ("Chunk.polarizationAxis", "getPolarizationAxis()"),
    ("Chunk.observable.dependent.bin", "observable.dependent.bin"),
    (
        "Chunk.observable.dependent.axis.ctype",
        "observable.dependent.ctype",
    ),
    (
        "Chunk.observable.dependent.axis.cunit",
        "observable.dependent.cunit",
    ),
    (
        "Chunk.observable.independent.bin",
        "observable.independent.bin",
    ),
    (
        "Chunk.observable.independent.axis.ctype",
        "observable.independent.ctype",
    ),
    (
        "Chunk.observable.independent.axis.cunit",
        "observable.independent.cunit",
    ),
    ("Chunk.position.coordsys", "RADECSYS,RADESYS"),
    ("Chunk.position.equinox", "EQUINOX,EPOCH"),
    ("Chunk.position.resolution", "position.resolution"),
    ("Chunk.position.axis.axis1.ctype", "CTYPE{positionAxis1}"),
    ("Chunk.position.axis.axis1.cunit", "CUNIT{positionAxis1}"),
    ("Chunk.position.axis.axis2.ctype", "CTYPE{positionAxis2}"),
    ("Chunk.position.axis.axis2.cunit", "CUNIT{positionAxis2}"),
    ("Chunk.position.axis.error1.syser", "CSYER{positionAxis1}"),
    ("Chunk.position.axis.error1.rnder", "CRDER{positionAxis1}"),
    ("Chunk.position.axis.error2.syser", "CSYER{positionAxis2}"),
    ("Chunk.position.axis.error2.rnder", "CRDER{positionAxis2}"),
    (
        "Chunk.position.axis.function.cd11",
        "CD{positionAxis1}_{positionAxis1}",
    ),
    (
        "Chunk.position.axis.function.cd12",
        "CD{positionAxis1}_{positionAxis2}",
    ),
    (
        "Chunk.position.axis.function.cd21",
        "CD{positionAxis2}_{positionAxis1}",
    ),
    (
        "Chunk.position.axis.function.cd22",
        "CD{positionAxis2}_{positionAxis2}",
    ),
    (
        "Chunk.position.axis.function.dimension.naxis1",
        "ZNAXIS{positionAxis1},NAXIS{positionAxis1}",
    ),
    (
        "Chunk.position.axis.function.dimension.naxis2",
        "ZNAXIS{positionAxis2},NAXIS{positionAxis2}",
    ),
    (
        "Chunk.position.axis.function.refCoord.coord1.pix",
        "CRPIX{positionAxis1}",
    ),
    (
        "Chunk.position.axis.function.refCoord.coord1.val",
        "CRVAL{positionAxis1}",
    ),
    (
        "Chunk.position.axis.function.refCoord.coord2.pix",
        "CRPIX{positionAxis2}",
    ),
    (
        "Chunk.position.axis.function.refCoord.coord2.val",
        "CRVAL{positionAxis2}",
    ),
    (
        "Chunk.position.axis.range.start.coord1.pix",
        "position.range.start.coord1.pix",
    ),
    (
        "Chunk.position.axis.range.start.coord1.val",
        "position.range.start.coord1.val",
    ),
    (
        "Chunk.position.axis.range.start.coord2.pix",
        "position.range.start.coord2.pix",
    ),
    (
        "Chunk.position.axis.range.start.coord2.val",
        "position.range.start.coord2.val",
    ),
    (
        "Chunk.position.axis.range.end.coord1.pix",
        "position.range.end.coord1.pix",
    ),
    (
        "Chunk.position.axis.range.end.coord1.val",
        "position.range.end.coord1.val",
    ),
    (
        "Chunk.position.axis.range.end.coord2.pix",
        "position.range.end.coord2.pix",
    ),
    (
        "Chunk.position.axis.range.end.coord2.val",
        "position.range.end.coord2.val",
    ),
    ("Chunk.energy.specsys", "SPECSYS"),
    ("Chunk.energy.ssysobs", "SSYSOBS"),
    ("Chunk.energy.restfrq", "RESTFRQ"),
    ("Chunk.energy.restwav", "RESTWAV"),
    ("Chunk.energy.velosys", "VELOSYS"),
    ("Chunk.energy.zsource", "ZSOURCE"),
    ("Chunk.energy.ssyssrc", "SSYSSRC"),
    ("Chunk.energy.velang", "VELANG"),
    ("Chunk.energy.bandpassName", "bandpassName"),
    ("Chunk.energy.resolvingPower", "resolvingPower"),
    (
        "Chunk.energy.transition.species",
        "energy.transition.species",
    ),
    (
        "Chunk.energy.transition.transition",
        "energy.transition.transition",
    ),
    ("Chunk.energy.axis.axis.ctype", "CTYPE{energyAxis}"),
    ("Chunk.energy.axis.axis.cunit", "CUNIT{energyAxis}"),
    ("Chunk.energy.axis.bounds.samples", "energy.samples"),
    ("Chunk.energy.axis.error.syser", "CSYER{energyAxis}"),
    ("Chunk.energy.axis.error.rnder", "CRDER{energyAxis}"),
    ("Chunk.energy.axis.function.naxis", "NAXIS{energyAxis}"),
    ("Chunk.energy.axis.function.delta", "CDELT{energyAxis}"),
    (
        "Chunk.energy.axis.function.refCoord.pix",
        "CRPIX{energyAxis}",
    ),
    (
        "Chunk.energy.axis.function.refCoord.val",
        "CRVAL{energyAxis}",
    ),
    (
        "Chunk.energy.axis.range.start.pix",
        "energy.range.start.pix",
    ),
    (
        "Chunk.energy.axis.range.start.val",
        "energy.range.start.val",
    ),
    ("Chunk.energy.axis.range.end.pix", "energy.range.end.pix"),
    ("Chunk.energy.axis.range.end.val", "energy.range.end.val"),
    (
        "Chunk.polarization.axis.axis.ctype",
        "CTYPE{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.axis.cunit",
        "CUNIT{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.bounds.samples",
        "polarization.samples",
    ),
    (
        "Chunk.polarization.axis.error.syser",
        "polarization.error.syser",
    ),
    (
        "Chunk.polarization.axis.error.rnder",
        "polarization.error.reder",
    ),
    (
        "Chunk.polarization.axis.function.naxis",
        "NAXIS{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.function.delta",
        "CDELT{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.function.refCoord.pix",
        "CRPIX{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.function.refCoord.val",
        "CRVAL{polarizationAxis}",
    ),
    (
        "Chunk.polarization.axis.range.start.pix",
        "polarization.range.start.pix",
    ),
    (
        "Chunk.polarization.axis.range.start.val",
        "polarization.range.start.val",
    ),
    (
        "Chunk.polarization.axis.range.end.pix",
        "polarization.range.end.pix",
    ),
    (
        "Chunk.polarization.axis.range.end.val",
        "polarization.range.end.val",
    ),
    ("Chunk.time.exposure", "time.exposure"),
    ("Chunk.time.resolution", "time.resolution"),
];

/// Python's `str.isupper`: at least one cased character and no lower-case one.
fn py_isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// CTYPE value prefixes by axis (wcs_parsers of the reference).
const ENERGY_CTYPES: &[&str] = &[
    "FREQ", "ENER", "WAVN", "VRAD", "WAVE", "VOPT", "ZOPT", "AWAV", "VELO", "BETA",
];
const TIME_CTYPES: &[&str] = &[
    "TIME", "TAI", "TT", "TDT", "ET", "IAT", "UT1", "UTC", "GMT", "GPS", "TCG", "TCB", "TDB",
    "LOCAL",
];
const RA_CTYPES: &[&str] = &["RA", "GLON", "ELON", "HLON", "SLON"];
const DEC_CTYPES: &[&str] = &["DEC", "GLAT", "ELAT", "HLAT", "SLAT"];

/// Imports a legacy config/default/override triple. Without a config the reference applies
/// neither defaults nor overrides, and neither does this.
pub fn import_java(
    config: Option<&Path>,
    default: Option<&Path>,
    overrides: Option<&Path>,
) -> Result<Import, BlueprintError> {
    let config = config.map(JavaFile::read).transpose()?;
    let default = default.map(JavaFile::read).transpose()?;
    let overrides = overrides.map(JavaFile::read).transpose()?;
    import_java_files(config.as_ref(), default.as_ref(), overrides.as_ref())
}

/// [`import_java`] on parsed files.
pub fn import_java_files(
    config: Option<&JavaFile>,
    defaults: Option<&JavaFile>,
    overrides: Option<&JavaFile>,
) -> Result<Import, BlueprintError> {
    let name = [config, defaults, overrides]
        .iter()
        .flatten()
        .map(|f| f.file.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let mut warnings = Vec::new();
    let empty = JavaFile::default();
    let defaults = defaults.unwrap_or(&empty);
    let overrides = overrides.unwrap_or(&empty);
    let mut plan = default_plan(false);
    let Some(user_config) = config else {
        // the reference only applies defaults and overrides when a config is given
        if !defaults.entries.is_empty() || !overrides.entries.is_empty() {
            warnings.push(
                "no --config: the reference applies neither the default nor the override file"
                    .into(),
            );
        }
        let mut bp = Blueprint::new(name);
        bp.explicit_axes = Some(Axes::default());
        return Ok(Import {
            blueprint: bp,
            warnings,
        });
    };
    for f in [user_config, defaults] {
        for (uri, _) in &f.sections {
            warnings.push(format!(
                "{}: the ?{uri} section is ignored (only the override file has per-artifact sections)",
                f.file
            ));
        }
    }
    // the built-in table, updated by the user's config (new names appended)
    let mut cfg: Vec<(String, String)> = JAVA_CONFIG
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v, _) in &user_config.entries {
        match cfg.iter_mut().find(|(ck, _)| ck == k) {
            Some(e) => e.1 = v.clone(),
            None => cfg.push((k.clone(), v.clone())),
        }
    }
    let cfg_get = |k: &str| cfg.iter().find(|(ck, _)| ck == k).map(|(_, v)| v.as_str());

    // axes from the CTYPEn names of the default and override files
    let axes = legacy_axes(defaults, overrides, &cfg_get)
        .map_err(|m| BlueprintError::at(&name, None, m))?;
    for (k, l) in configured_lookups(&axes) {
        plan.set(k, Source::Lookup(l), None);
    }

    // name resolution as ConvertFromJava does it, with the plan as it is now
    let mut inverse_plan: Vec<(String, Vec<Key>)> = Vec::new();
    for e in plan.entries() {
        if let Source::Lookup(l) = &e.source {
            for item in &l.items {
                match inverse_plan.iter_mut().find(|(k, _)| k == item.text()) {
                    Some((_, keys)) => keys.push(e.key),
                    None => inverse_plan.push((item.text().to_string(), vec![e.key])),
                }
            }
        }
    }
    let mut inverse_cfg: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in &cfg {
        match inverse_cfg.iter_mut().find(|(iv, _)| iv == v) {
            Some((_, keys)) => keys.push(k.clone()),
            None => inverse_cfg.push((v.clone(), vec![k.clone()])),
        }
    }
    let resolve = |lookup: &str| -> Result<Vec<String>, String> {
        if Key::from_name(lookup).is_some() {
            Ok(vec![lookup.to_string()])
        } else if let Some((_, ks)) = inverse_cfg.iter().find(|(v, _)| v == lookup) {
            Ok(ks.clone())
        } else if let Some((_, ks)) = inverse_plan.iter().find(|(v, _)| v == lookup) {
            Ok(ks.iter().map(|k| k.name().to_string()).collect())
        } else {
            Err(format!(
                "{lookup}: not a CAOM element, config name or keyword of the plan"
            ))
        }
    };
    let element = |name: &str, file: &str, line: u32| -> Result<Key, BlueprintError> {
        Key::from_name(name).ok_or_else(|| {
            BlueprintError::at(
                file,
                Some(Pos::new(line, 1)),
                format!("the config maps this name to {name:?}, which is not a CAOM element (the reference fails here too)"),
            )
        })
    };

    // config: upper-case values without '.' are FITS keywords, put first in the lookup list
    for (k, v) in &cfg {
        if !py_isupper(v) || v.contains('.') {
            continue;
        }
        let keys = match resolve(k) {
            Ok(keys) => keys,
            Err(m) => {
                warnings.push(format!("config {m}"));
                continue;
            }
        };
        for key in keys {
            let key = element(&key, &user_config.file, 0)?;
            match plan.get_mut(key) {
                Some(e) => match &mut e.source {
                    Source::Lookup(l) => {
                        if !l.items.iter().any(|i| i.text() == v) {
                            l.items.insert(0, LookupItem::Keyword(v.clone()));
                        }
                    }
                    _ => {
                        return Err(BlueprintError::at(
                            &user_config.file,
                            None,
                            format!("{key}: the config names keyword {v} for a key that has a fixed value (the reference fails here too)"),
                        ))
                    }
                },
                None => plan.set(key, Source::Lookup(Lookup::keywords(&[v.as_str()])), None),
            }
        }
    }

    // defaults: a lookup gets a default, anything else becomes the value
    for (k, v, line) in &defaults.entries {
        let keys = match resolve(k) {
            Ok(keys) => keys,
            Err(m) => {
                warnings.push(format!("{}:{line}: default {m}; ignored", defaults.file));
                continue;
            }
        };
        for key in keys {
            let key = element(&key, &defaults.file, *line)?;
            match plan.get_mut(key) {
                Some(PlanEntryMut {
                    source: Source::Lookup(l),
                    ..
                }) => l.default = Some(v.clone()),
                _ => {
                    let s = literal_source(v, &mut warnings, &format!("{}:{line}", defaults.file));
                    plan.set(key, s, None)
                }
            }
        }
    }

    // overrides: values, then this file's per-artifact sections as overlays
    for (k, v, line) in &overrides.entries {
        if k == "BITPIX" {
            continue;
        }
        let keys = match resolve(k) {
            Ok(keys) => keys,
            Err(m) => {
                warnings.push(format!("{}:{line}: override {m}; ignored", overrides.file));
                continue;
            }
        };
        for key in keys {
            let key = element(&key, &overrides.file, *line)?;
            let s = literal_source(v, &mut warnings, &format!("{}:{line}", overrides.file));
            plan.set(key, s, None);
        }
    }
    let mut bp = Blueprint::new(name);
    for (uri, hdus) in &overrides.sections {
        let mut overlay = Overlay::default();
        for (hdu, entries) in hdus {
            for (k, v, line) in entries {
                if k == "BITPIX" {
                    continue;
                }
                let keys = match resolve(k) {
                    Ok(keys) => keys,
                    Err(m) => {
                        warnings.push(format!("{}:{line}: override {m}; ignored", overrides.file));
                        continue;
                    }
                };
                for key in keys {
                    let key = element(&key, &overrides.file, *line)?;
                    let s = literal_source(v, &mut warnings, &format!("{}:{line}", overrides.file));
                    if *hdu == 0 {
                        overlay.plan.set(key, s, None);
                    } else if key.is_chunk() {
                        overlay
                            .extensions
                            .entry(*hdu)
                            .or_default()
                            .set(key, s, None);
                    } else {
                        warnings.push(format!(
                            "{}:{line}: {key} is not a Chunk key, so the reference ignores it in ?{uri}#[{hdu}]",
                            overrides.file
                        ));
                    }
                }
            }
        }
        bp.overlays.insert(uri.clone(), overlay);
    }

    // keep what differs from the built-in plan, in the plan's order
    let builtin = default_plan(false);
    for e in plan.entries() {
        if builtin.source(e.key) != Some(&e.source) {
            bp.plan.set(e.key, e.source.clone(), None);
        }
    }
    bp.explicit_axes = Some(axes);
    Ok(Import {
        blueprint: bp,
        warnings,
    })
}

use crate::blueprint::PlanEntry as PlanEntryMut;

fn legacy_axes<'c>(
    defaults: &JavaFile,
    overrides: &JavaFile,
    cfg_get: &dyn Fn(&str) -> Option<&'c str>,
) -> Result<Axes, String> {
    let (mut ra, mut dec, mut energy, mut time, mut pol, mut obs) =
        (None, None, None, None, None, None);
    for f in [defaults, overrides] {
        for (k, v, line) in &f.entries {
            let Some(d) = k.strip_prefix("CTYPE").and_then(|_| k.chars().last()) else {
                continue;
            };
            let Some(n) = d.to_digit(10) else { continue };
            let head = v.split('-').next().unwrap_or("");
            let slot = if ENERGY_CTYPES.contains(&head) {
                &mut energy
            } else if head == "STOKES" {
                &mut pol
            } else if TIME_CTYPES.contains(&head) {
                &mut time
            } else if RA_CTYPES.contains(&head) {
                &mut ra
            } else if DEC_CTYPES.contains(&head) {
                &mut dec
            } else if head == "observable" || head == "FLUX" {
                &mut obs
            } else {
                return Err(format!(
                    "{}:{line}: {k} = {v}: unrecognized CTYPE {head:?}",
                    f.file
                ));
            };
            *slot = Some(n);
        }
    }
    let ignored = |axis: &str| cfg_get(axis) == Some(CHUNK_IGNORE);
    let mut axes = Axes::default();
    if !ignored("Chunk.position") {
        axes.position = match (ra, dec) {
            (Some(r), Some(d)) => Some((r, d)),
            (None, None) => {
                if [time, energy, pol, obs]
                    .iter()
                    .any(|a| matches!(a, Some(1) | Some(2)))
                {
                    return Err(
                        "cannot determine the position axes: no RA/DEC CTYPE, and axis 1 or 2 is taken by another axis"
                            .into(),
                    );
                }
                Some((1, 2))
            }
            (r, d) => {
                return Err(format!(
                    "only one position axis found (ra/dec): {r:?}/{d:?}"
                ))
            }
        };
    }
    if !ignored("Chunk.time") {
        axes.time = time;
    }
    if !ignored("Chunk.energy") {
        axes.energy = energy;
    }
    if !ignored("Chunk.polarization") {
        axes.polarization = pol;
    }
    if !ignored("Chunk.observable") {
        axes.observable = obs;
    }
    Ok(axes)
}

/// Combines an imported legacy triple's overlay for `uri` into a plain plan view, for tests
/// and tools: the plan with the artifact's values applied.
pub fn plan_for_uri(bp: &Blueprint, uri: &str) -> Plan {
    let mut p = bp.plan.clone();
    if let Some(o) = bp.overlays.get(uri) {
        for e in o.plan.entries() {
            p.set(e.key, e.source.clone(), e.pos);
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> Key {
        Key::from_name(n).unwrap()
    }

    #[test]
    fn blueprint_file_forms() {
        let text = "\
Observation.observationID = ['OBSID'], default = None
Observation.type = OBJECT   # a comment
Chunk.position.axis.axis1.ctype = ['CTYPE3'], default=RA---TAN
Chunk.position.axis.axis2.ctype = ['CTYPE4'], default=DEC--TAN
Plane.provenance.producer = ['IMAGESWV', 'ORIGIN'], default = Gemini Observatory
Chunk.energy.bandpassName = [], default = None
DerivedObservation.members = ('BINTABLE', 'Filename', 1)
Artifact.contentChecksum = ### get MD5SUM
Artifact.productType = _get_type(uri)
Chunk.time.axis.function.delta = get_delta(header)
Chunk.time.exposure = get_exposure()
Observation.proposal.id = None
Observation.sequenceNumber = [//header/run/run_seq]
extension 2:
Chunk.energy.axis.axis.cunit = nm
";
        let imp = import_blueprint_str(text, "x.blueprint").unwrap();
        let bp = imp.blueprint;
        let s = |n| bp.plan.source(key(n)).cloned().unwrap();
        assert_eq!(
            s("Observation.observationID"),
            Source::Lookup(Lookup::keywords(&["OBSID"]))
        );
        assert_eq!(s("Observation.type"), Source::literal("OBJECT"));
        assert_eq!(
            s("Plane.provenance.producer"),
            Source::Lookup(
                Lookup::keywords(&["IMAGESWV", "ORIGIN"]).with_default("Gemini Observatory")
            )
        );
        assert_eq!(
            s("Chunk.energy.bandpassName"),
            Source::Lookup(Lookup::default())
        );
        assert_eq!(
            s("DerivedObservation.members"),
            Source::Table(TableColumn {
                column: "Filename".into(),
                hdu: 1
            })
        );
        assert_eq!(s("Artifact.contentChecksum"), Source::literal(""));
        assert_eq!(
            s("Artifact.productType"),
            Source::Function(FunctionCall {
                name: "_get_type".into(),
                arg: FnArg::Uri
            })
        );
        assert!(matches!(
            s("Chunk.time.axis.function.delta"),
            Source::Function(FunctionCall {
                arg: FnArg::Header,
                ..
            })
        ));
        assert!(matches!(
            s("Chunk.time.exposure"),
            Source::Function(FunctionCall {
                arg: FnArg::Context,
                ..
            })
        ));
        assert_eq!(s("Observation.proposal.id"), Source::Null);
        assert_eq!(
            s("Observation.sequenceNumber"),
            Source::Lookup(Lookup {
                items: vec![LookupItem::Path("//header/run/run_seq".into())],
                default: None
            })
        );
        assert_eq!(bp.extensions[&2].len(), 1);
        let axes = bp.explicit_axes.unwrap();
        assert_eq!(axes.position, Some((3, 4)));
        assert_eq!(axes.energy, Some(1));
        assert_eq!(axes.time, Some(5));
    }

    #[test]
    fn blueprint_file_errors() {
        let e = import_blueprint_str("Observation.typ = X\n", "x.blueprint").unwrap_err();
        assert_eq!(e.to_string(), "x.blueprint:1:1: \"Observation.typ\" is not a CAOM element name (did you mean Observation.type?)");
        let e = import_blueprint_str("extension 1:\n  Plane.productID = X\n", "x.blueprint")
            .unwrap_err();
        assert_eq!(e.to_string(), "x.blueprint:2:3: Plane.productID is not a Chunk key: extension 1 may only hold Chunk keys");
        let e = import_blueprint_str("Observation.type = defaultX\n", "x.blueprint").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("x.blueprint:1:1: Observation.type: the value contains"));
    }

    #[test]
    fn java_triple() {
        let config = JavaFile::parse(
            "Observation.environment.elevation = TELALT\nObservation.target.name = OBJECT\nObservation.intent = obs.intent\n",
            "c.config",
        );
        let default = JavaFile::parse(
            "CTYPE1 = RA---TAN\nCTYPE2 = DEC--TAN\nCTYPE3 = WAVE\nCUNIT3 = Angstrom\ntelescope.name = CFHT\nobs.intent = science\n",
            "d.default",
        );
        let overrides = JavaFile::parse(
            "CRVAL3 = 5000.0\nWCSAXES = 3\nBITPIX = 16\n?cadc:X/a.fits\nartifact.productType = science\n?cadc:X/a.fits#[1]\nCRPIX3 = 2\nplane.dataRelease = 2020-01-01\n",
            "o.override",
        );
        let imp = import_java_files(Some(&config), Some(&default), Some(&overrides)).unwrap();
        let bp = &imp.blueprint;
        let s = |n| bp.plan.source(key(n)).cloned();
        assert_eq!(bp.explicit_axes.unwrap().position, Some((1, 2)));
        assert_eq!(bp.explicit_axes.unwrap().energy, Some(3));
        // the same keyword as the built-in plan: nothing to write down
        assert_eq!(s("Observation.target.name"), None);
        assert_eq!(
            s("Observation.environment.elevation"),
            Some(Source::Lookup(Lookup::keywords(&["TELALT"])))
        );
        assert_eq!(
            s("Chunk.position.axis.axis1.ctype"),
            Some(Source::Lookup(
                Lookup::keywords(&["CTYPE1"]).with_default("RA---TAN")
            ))
        );
        assert_eq!(
            s("Chunk.energy.axis.function.refCoord.val"),
            Some(Source::literal("5000.0"))
        );
        // a default on a lookup is the lookup's default
        assert_eq!(
            s("Observation.telescope.name"),
            Some(Source::Lookup(
                Lookup::keywords(&["TELESCOP"]).with_default("CFHT")
            ))
        );
        assert_eq!(s("Observation.intent"), Some(Source::literal("science")));
        // the coordsys lookup gets the config's comma keyword first
        assert_eq!(
            s("Chunk.position.coordsys"),
            Some(Source::Lookup(Lookup::keywords(&[
                "RADECSYS,RADESYS",
                "RADESYS"
            ])))
        );
        let o = &bp.overlays["cadc:X/a.fits"];
        assert_eq!(
            o.plan.source(key("Artifact.productType")),
            Some(&Source::literal("science"))
        );
        assert_eq!(
            o.extensions[&1].source(key("Chunk.energy.axis.function.refCoord.pix")),
            Some(&Source::literal("2"))
        );
        assert!(imp.warnings.iter().any(|w| w.contains("WCSAXES")));
        assert!(imp
            .warnings
            .iter()
            .any(|w| w.contains("Plane.dataRelease is not a Chunk key")));
    }

    #[test]
    fn isupper_like_python() {
        assert!(py_isupper("ZNAXIS,NAXIS"));
        assert!(py_isupper("CD1_1"));
        assert!(!py_isupper("CTYPE{positionAxis1}"));
        assert!(!py_isupper("123"));
        assert!(!py_isupper("obs.intent"));
    }
}
