//! YAML blueprints: loading (with file:line:column in every error) and writing.
//!
//! The format is documented in the crate documentation ("The YAML blueprint"). Scalars are
//! read without YAML's type resolution: a plain `-0.001388` stays the text `-0.001388`, as a
//! literal in a reference blueprint file would, and is typed only when used. Plain `null`, `~`
//! and an empty value are "no value"; plain `true`/`false` (any YAML 1.2 spelling) are the
//! literals `true`/`false`. Quote a scalar to keep its text exactly (`'False'`).

use std::collections::BTreeMap;
use std::path::Path;

use saphyr::{MarkedYaml, YamlData, YamlLoader};
use saphyr_parser::{Parser, ScalarStyle};

use super::{
    Axes, Blueprint, BlueprintError, FnArg, FunctionCall, Lookup, LookupItem, Overlay, Plan, Pos,
    Source, TableColumn, CHUNK_IGNORE,
};
use crate::keys::Key;

/// The format number written by [`to_yaml`] and accepted by the loader.
pub const FORMAT: u32 = 1;

/// Reads a YAML blueprint file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Blueprint, BlueprintError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| BlueprintError::at(&name, None, format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, col) = line_col(&bytes, e.valid_up_to());
        BlueprintError::at(&name, Some(Pos::new(line, col)), "not UTF-8 text")
    })?;
    load_str(text, &name)
}

fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (line as u32, col as u32)
}

/// Parses a YAML blueprint; `file` names it in errors.
pub fn load_str(text: &str, file: &str) -> Result<Blueprint, BlueprintError> {
    let mut parser = Parser::new_from_str(text);
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    let scan = |e: &saphyr_parser::ScanError| {
        BlueprintError::at(
            file,
            Some(Pos::new(
                e.marker().line() as u32,
                e.marker().col() as u32 + 1,
            )),
            format!("YAML syntax: {}", e.info()),
        )
    };
    parser.load(&mut loader, true).map_err(|e| scan(&e))?;
    if let Some(e) = loader.error() {
        return Err(scan(e));
    }
    let docs = loader.into_documents();
    let mut bp = Blueprint::new(file);
    let root = match docs.len() {
        0 => return Ok(bp),
        1 => &docs[0],
        _ => {
            return Err(BlueprintError::at(
                file,
                Some(pos(&docs[1])),
                "one blueprint per file: a second YAML document starts here",
            ))
        }
    };
    let l = Loader { file };
    if is_null(root) {
        return Ok(bp);
    }
    let top = l.mapping(root, "the blueprint")?;
    for (k, v) in top {
        let name = l.key_text(k)?;
        match name {
            "format" => {
                let n = l.integer(v, "format")?;
                if n != i64::from(FORMAT) {
                    return Err(l.err(v, format!("unknown blueprint format {n}; this version reads format {FORMAT}")));
                }
            }
            "axes" => bp.explicit_axes = Some(l.axes(v)?),
            "plan" => bp.plan = l.plan(v, None)?,
            "extensions" => bp.extensions = l.extensions(v)?,
            "artifacts" => {
                for (uk, uv) in l.mapping(v, "artifacts")? {
                    let uri = l.key_text(uk)?.to_string();
                    let mut overlay = Overlay::default();
                    for (ok, ov) in l.mapping(uv, "an artifact section")? {
                        match l.key_text(ok)? {
                            "plan" => overlay.plan = l.plan(ov, None)?,
                            "extensions" => overlay.extensions = l.extensions(ov)?,
                            other => {
                                return Err(l.err(
                                    ok,
                                    format!("unknown key {other:?} in an artifact section (expected plan or extensions)"),
                                ))
                            }
                        }
                    }
                    if bp.overlays.insert(uri.clone(), overlay).is_some() {
                        return Err(l.err(uk, format!("artifact {uri} appears twice")));
                    }
                }
            }
            other => {
                return Err(l.err(
                    k,
                    format!(
                        "unknown top-level key {other:?} (expected format, axes, plan, extensions or artifacts){}",
                        if Key::from_name(other).is_some() {
                            "; CAOM keys go under plan:"
                        } else {
                            ""
                        }
                    ),
                ))
            }
        }
    }
    bp.axes()?;
    Ok(bp)
}

fn pos(n: &MarkedYaml) -> Pos {
    Pos::new(n.span.start.line() as u32, n.span.start.col() as u32 + 1)
}

fn is_null(n: &MarkedYaml) -> bool {
    match &n.data {
        YamlData::Representation(s, ScalarStyle::Plain, None) => is_null_text(s),
        YamlData::Value(saphyr::Scalar::Null) => true,
        _ => false,
    }
}

fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn bool_text(s: &str) -> Option<&'static str> {
    match s {
        "true" | "True" | "TRUE" => Some("true"),
        "false" | "False" | "FALSE" => Some("false"),
        _ => None,
    }
}

/// Keys whose CAOM element is a set of words: a YAML list is accepted and stored as the
/// space-separated text the reference uses.
fn is_set_valued(key: Key) -> bool {
    let n = key.name();
    n.ends_with(".keywords")
        || n.ends_with("ReadGroups")
        || n.ends_with(".members")
        || n == "Plane.provenance.inputs"
}

struct Loader<'a> {
    file: &'a str,
}

type Pairs<'n, 'i> = Vec<(&'n MarkedYaml<'i>, &'n MarkedYaml<'i>)>;

impl<'a> Loader<'a> {
    fn err(&self, n: &MarkedYaml, m: impl Into<String>) -> BlueprintError {
        BlueprintError::at(self.file, Some(pos(n)), m)
    }

    fn mapping<'n, 'i>(
        &self,
        n: &'n MarkedYaml<'i>,
        what: &str,
    ) -> Result<Pairs<'n, 'i>, BlueprintError> {
        match &n.data {
            YamlData::Mapping(m) => Ok(m.iter().collect()),
            _ if is_null(n) => Ok(Vec::new()),
            _ => Err(self.err(n, format!("{what} must be a mapping (key: value lines)"))),
        }
    }

    /// A scalar's text, or None for null; errors for collections.
    fn scalar<'n>(
        &self,
        n: &'n MarkedYaml,
        what: &str,
    ) -> Result<Option<std::borrow::Cow<'n, str>>, BlueprintError> {
        match &n.data {
            YamlData::Representation(s, style, tag) => {
                if *style == ScalarStyle::Plain && tag.is_none() {
                    if is_null_text(s) {
                        return Ok(None);
                    }
                    if let Some(b) = bool_text(s) {
                        return Ok(Some(b.into()));
                    }
                }
                Ok(Some(std::borrow::Cow::Borrowed(s.as_ref())))
            }
            YamlData::Value(v) => Ok(match v {
                saphyr::Scalar::Null => None,
                saphyr::Scalar::Boolean(b) => Some(b.to_string().into()),
                saphyr::Scalar::Integer(i) => Some(i.to_string().into()),
                saphyr::Scalar::FloatingPoint(f) => Some(f.to_string().into()),
                saphyr::Scalar::String(s) => Some(s.to_string().into()),
            }),
            YamlData::Alias(_) => Err(self.err(n, "YAML aliases are not supported in blueprints")),
            _ => Err(self.err(
                n,
                format!("{what} must be a single value, not a list or mapping"),
            )),
        }
    }

    fn text(&self, n: &MarkedYaml, what: &str) -> Result<String, BlueprintError> {
        self.scalar(n, what)?
            .map(|s| s.into_owned())
            .ok_or_else(|| self.err(n, format!("{what} needs a value")))
    }

    fn key_text<'n>(&self, n: &'n MarkedYaml) -> Result<&'n str, BlueprintError> {
        match &n.data {
            YamlData::Representation(s, _, _) => Ok(s),
            YamlData::Value(saphyr::Scalar::String(s)) => Ok(s),
            _ => Err(self.err(n, "keys must be plain text")),
        }
    }

    fn integer(&self, n: &MarkedYaml, what: &str) -> Result<i64, BlueprintError> {
        let t = self.text(n, what)?;
        t.trim()
            .parse::<i64>()
            .map_err(|_| self.err(n, format!("{what} must be an integer, not {t:?}")))
    }

    fn axis_number(&self, n: &MarkedYaml, what: &str) -> Result<u32, BlueprintError> {
        let v = self.integer(n, what)?;
        u32::try_from(v)
            .ok()
            .filter(|v| (1..=99).contains(v))
            .ok_or_else(|| self.err(n, format!("{what}: axis numbers are 1 to 99, not {v}")))
    }

    fn axes(&self, n: &MarkedYaml) -> Result<Axes, BlueprintError> {
        let mut a = Axes::default();
        for (k, v) in self.mapping(n, "axes")? {
            let name = self.key_text(k)?;
            match name {
                "position" => {
                    let items = match &v.data {
                        YamlData::Sequence(s) if s.len() == 2 => s,
                        _ => return Err(self.err(v, "position takes two axis numbers, e.g. [1, 2]")),
                    };
                    a.position = Some((
                        self.axis_number(&items[0], "position")?,
                        self.axis_number(&items[1], "position")?,
                    ));
                }
                "energy" => a.energy = Some(self.axis_number(v, name)?),
                "time" => a.time = Some(self.axis_number(v, name)?),
                "polarization" => a.polarization = Some(self.axis_number(v, name)?),
                "observable" => a.observable = Some(self.axis_number(v, name)?),
                "custom" => a.custom = Some(self.axis_number(v, name)?),
                other => {
                    return Err(self.err(
                        k,
                        format!("unknown axis {other:?} (expected position, energy, time, polarization, observable or custom)"),
                    ))
                }
            }
        }
        Ok(a)
    }

    fn extensions(&self, n: &MarkedYaml) -> Result<BTreeMap<usize, Plan>, BlueprintError> {
        let mut out = BTreeMap::new();
        for (k, v) in self.mapping(n, "extensions")? {
            let t = self.key_text(k)?;
            let hdu: usize = t
                .trim()
                .parse()
                .map_err(|_| self.err(k, format!("extension keys are HDU numbers, not {t:?}")))?;
            if hdu == 0 {
                return Err(self.err(k, "HDU 0 is the plan: put its values under plan:"));
            }
            let plan = self.plan(v, Some(hdu))?;
            if out.insert(hdu, plan).is_some() {
                return Err(self.err(k, format!("extension {hdu} appears twice")));
            }
        }
        Ok(out)
    }

    fn plan(&self, n: &MarkedYaml, hdu: Option<usize>) -> Result<Plan, BlueprintError> {
        let mut plan = Plan::new();
        for (k, v) in self.mapping(n, "a plan")? {
            let name = self.key_text(k)?;
            let key = Key::from_name(name).ok_or_else(|| {
                let hint = Key::suggest(name)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                self.err(k, format!("{name:?} is not a CAOM element name{hint}"))
            })?;
            if let Some(h) = hdu {
                if !key.is_chunk() {
                    return Err(self.err(
                        k,
                        format!("{key} is not a Chunk key: extension {h} may only hold Chunk keys (put it under plan:)"),
                    ));
                }
            }
            let source = self.value(v, key)?;
            plan.set(key, source, Some(pos(k)));
        }
        Ok(plan)
    }

    fn value(&self, n: &MarkedYaml, key: Key) -> Result<Source, BlueprintError> {
        let source = match &n.data {
            YamlData::Mapping(_) => self.value_map(n, key)?,
            YamlData::Sequence(items) => {
                if !is_set_valued(key) {
                    return Err(self.err(
                        n,
                        format!("{key}: a list is only allowed for keyword sets, inputs and members; for a keyword lookup write {{keywords: [...]}}"),
                    ));
                }
                let mut words = Vec::new();
                for i in items {
                    words.push(self.text(i, key.name())?);
                }
                Source::Literal(words.join(" "))
            }
            _ => match self.scalar(n, key.name())? {
                None => Source::Null,
                Some(s) => Source::Literal(s.into_owned()),
            },
        };
        if key.name() == "Chunk" {
            return match &source {
                Source::Literal(s) if s == "include" => Ok(source),
                Source::Literal(s) if s == "ignore" || s == CHUNK_IGNORE => {
                    Ok(Source::literal(CHUNK_IGNORE))
                }
                _ => Err(self.err(n, "Chunk takes include or ignore")),
            };
        }
        Ok(source)
    }

    fn value_map(&self, n: &MarkedYaml, key: Key) -> Result<Source, BlueprintError> {
        let pairs = self.mapping(n, key.name())?;
        let mut kind: Option<(&str, &MarkedYaml)> = None;
        let mut default: Option<(&MarkedYaml, Option<String>)> = None;
        let mut arg: Option<&MarkedYaml> = None;
        for (k, v) in &pairs {
            let name = self.key_text(k)?;
            match name {
                "keywords" | "path" | "function" | "bintable" => {
                    if let Some((other, _)) = kind {
                        return Err(self.err(k, format!("{key}: {other} and {name} cannot be combined")));
                    }
                    kind = Some((name, v));
                }
                "default" => default = Some((k, self.scalar(v, "default")?.map(|s| s.into_owned()))),
                "arg" => arg = Some(v),
                other => {
                    return Err(self.err(
                        k,
                        format!("{key}: unknown value form {other:?} (expected keywords, path, function or bintable)"),
                    ))
                }
            }
        }
        let Some((kind, v)) = kind else {
            return Err(self.err(
                n,
                format!("{key}: a mapping value needs keywords, path, function or bintable"),
            ));
        };
        if kind != "keywords" && kind != "path" {
            if let Some((k, _)) = default {
                return Err(self.err(k, format!("{key}: default only goes with keywords or path")));
            }
        }
        if kind != "function" {
            if let Some(a) = arg {
                return Err(self.err(a, format!("{key}: arg only goes with function")));
            }
        }
        match kind {
            "keywords" | "path" => {
                let items: Vec<&MarkedYaml> = match &v.data {
                    YamlData::Sequence(s) => s.iter().collect(),
                    _ => vec![v],
                };
                let mut lookup = Lookup::default();
                for i in items {
                    let t = self.text(i, kind)?;
                    if t.trim().is_empty() {
                        return Err(self.err(i, format!("{key}: empty {kind}")));
                    }
                    lookup.items.push(if t.starts_with('/') {
                        LookupItem::Path(t)
                    } else {
                        LookupItem::Keyword(t)
                    });
                }
                lookup.default = default.and_then(|(_, d)| d);
                Ok(Source::Lookup(lookup))
            }
            "function" => {
                let name = self.text(v, "function")?;
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(self.err(v, format!("{key}: {name:?} is not a function name")));
                }
                let arg = match arg {
                    None => FnArg::Context,
                    Some(a) => {
                        let t = self.text(a, "arg")?;
                        FnArg::parse(&t).ok_or_else(|| {
                            self.err(
                                a,
                                format!("{key}: arg is uri, header or context, not {t:?}"),
                            )
                        })?
                    }
                };
                Ok(Source::Function(FunctionCall { name, arg }))
            }
            _ => {
                let mut column = None;
                let mut hdu = None;
                for (k, v) in self.mapping(v, "bintable")? {
                    match self.key_text(k)? {
                        "column" => column = Some(self.text(v, "column")?),
                        "hdu" => {
                            hdu = Some(
                                usize::try_from(self.integer(v, "hdu")?)
                                    .map_err(|_| self.err(v, "hdu must not be negative"))?,
                            )
                        }
                        other => {
                            return Err(self.err(
                                k,
                                format!(
                                    "bintable: unknown key {other:?} (expected column and hdu)"
                                ),
                            ))
                        }
                    }
                }
                match (column, hdu) {
                    (Some(column), Some(hdu)) => Ok(Source::Table(TableColumn { column, hdu })),
                    _ => Err(self.err(v, format!("{key}: bintable needs column and hdu"))),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// writing

/// Writes a blueprint as YAML that [`load_str`] reads back to the same blueprint (positions
/// aside). `comment` lines are written first, each prefixed with `# `.
pub fn to_yaml(bp: &Blueprint, comment: &[String]) -> String {
    let mut out = String::new();
    for c in comment {
        out.push_str("# ");
        out.push_str(c);
        out.push('\n');
    }
    out.push_str(&format!("format: {FORMAT}\n"));
    if let Some(a) = bp.explicit_axes {
        out.push_str("axes:\n");
        if let Some((i, j)) = a.position {
            out.push_str(&format!("  position: [{i}, {j}]\n"));
        }
        for (n, v) in [
            ("energy", a.energy),
            ("time", a.time),
            ("polarization", a.polarization),
            ("observable", a.observable),
            ("custom", a.custom),
        ] {
            if let Some(v) = v {
                out.push_str(&format!("  {n}: {v}\n"));
            }
        }
    }
    write_plan(&mut out, "plan", &bp.plan, 0);
    write_extensions(&mut out, &bp.extensions, 0);
    if !bp.overlays.is_empty() {
        out.push_str("artifacts:\n");
        for (uri, o) in &bp.overlays {
            out.push_str(&format!("  {}:\n", quote(uri)));
            if o.plan.is_empty() && o.extensions.is_empty() {
                out.push_str("    plan: {}\n");
            }
            write_plan(&mut out, "plan", &o.plan, 4);
            write_extensions(&mut out, &o.extensions, 4);
        }
    }
    out
}

fn write_extensions(out: &mut String, ext: &BTreeMap<usize, Plan>, indent: usize) {
    if ext.is_empty() {
        return;
    }
    let pad = " ".repeat(indent);
    out.push_str(&format!("{pad}extensions:\n"));
    for (hdu, plan) in ext {
        write_plan(out, &hdu.to_string(), plan, indent + 2);
    }
}

fn write_plan(out: &mut String, name: &str, plan: &Plan, indent: usize) {
    if plan.is_empty() {
        return;
    }
    let pad = " ".repeat(indent);
    out.push_str(&format!("{pad}{name}:\n"));
    for e in plan.entries() {
        out.push_str(&format!(
            "{pad}  {}: {}\n",
            e.key.name(),
            source_yaml(e.key, &e.source)
        ));
    }
}

fn source_yaml(key: Key, s: &Source) -> String {
    match s {
        Source::Null => "null".into(),
        Source::Literal(t) if key.name() == "Chunk" && t == CHUNK_IGNORE => "ignore".into(),
        Source::Literal(t) => scalar_yaml(t, false),
        Source::Lookup(l) => {
            let paths = l.has_paths();
            let items: Vec<String> = l
                .items
                .iter()
                .map(|i| scalar_yaml(i.text(), true))
                .collect();
            let list = if items.len() == 1 && paths {
                items[0].clone()
            } else {
                format!("[{}]", items.join(", "))
            };
            let mut t = format!("{{{}: {list}", if paths { "path" } else { "keywords" });
            if let Some(d) = &l.default {
                t.push_str(&format!(", default: {}", scalar_yaml(d, true)));
            }
            t.push('}');
            t
        }
        Source::Function(f) => match f.arg {
            FnArg::Context => format!("{{function: {}}}", f.name),
            a => format!("{{function: {}, arg: {}}}", f.name, a.as_str()),
        },
        Source::Table(t) => format!(
            "{{bintable: {{column: {}, hdu: {}}}}}",
            scalar_yaml(&t.column, true),
            t.hdu
        ),
    }
}

/// A scalar as YAML: plain when the loader reads the plain text back unchanged, otherwise
/// single-quoted.
fn scalar_yaml(s: &str, flow: bool) -> String {
    if plain_ok(s, flow) {
        s.to_string()
    } else {
        quote(s)
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if is_null_text(s) || bool_text(s).is_some() {
        return false;
    }
    if s.trim() != s || s.chars().any(|c| c.is_control()) {
        return false;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if first == '-' && !s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if flow && s.contains(|c| ",[]{}".contains(c)) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> Key {
        Key::from_name(n).unwrap()
    }

    const SAMPLE: &str = "\
format: 1
axes:
  position: [3, 4]
  time: 5
plan:
  Observation.type: OBJECT
  Observation.instrument.keywords: null
  Observation.target.standard: 'False'
  Observation.metaRelease: {keywords: [DATE-OBS]}
  Chunk.position.axis.axis1.ctype: {keywords: [CTYPE3], default: RA---TAN}
  Chunk.position.axis.function.cd11: -0.001388
  Chunk.time.exposure: {function: get_exposure, arg: uri}
  DerivedObservation.members: {bintable: {column: Filename, hdu: 1}}
  Observation.proposal.keywords: [a, b]
  Chunk: ignore
extensions:
  2:
    Chunk.energy.axis.axis.cunit: nm
artifacts:
  'cadc:DAO/x.png':
    plan:
      Artifact.productType: thumbnail
";

    #[test]
    fn loads_every_value_form() {
        let bp = load_str(SAMPLE, "t.yml").unwrap();
        let s = |n| bp.plan.source(key(n)).unwrap().clone();
        assert_eq!(s("Observation.type"), Source::literal("OBJECT"));
        assert_eq!(s("Observation.instrument.keywords"), Source::Null);
        assert_eq!(s("Observation.target.standard"), Source::literal("False"));
        assert_eq!(
            s("Chunk.position.axis.axis1.ctype"),
            Source::Lookup(Lookup::keywords(&["CTYPE3"]).with_default("RA---TAN"))
        );
        assert_eq!(
            s("Chunk.position.axis.function.cd11"),
            Source::literal("-0.001388")
        );
        assert_eq!(
            s("Chunk.time.exposure"),
            Source::Function(FunctionCall {
                name: "get_exposure".into(),
                arg: FnArg::Uri
            })
        );
        assert_eq!(
            s("DerivedObservation.members"),
            Source::Table(TableColumn {
                column: "Filename".into(),
                hdu: 1
            })
        );
        assert_eq!(s("Observation.proposal.keywords"), Source::literal("a b"));
        assert_eq!(s("Chunk"), Source::literal(CHUNK_IGNORE));
        assert_eq!(bp.extensions[&2].len(), 1);
        assert_eq!(bp.overlays["cadc:DAO/x.png"].plan.len(), 1);
        assert_eq!(bp.axes().unwrap().position, Some((3, 4)));
        assert_eq!(
            bp.plan.get(key("Observation.type")).unwrap().pos,
            Some(Pos::new(6, 3))
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let bp = load_str(SAMPLE, "t.yml").unwrap();
        let text = to_yaml(&bp, &["test".into()]);
        let back = load_str(&text, "t.yml").unwrap();
        assert_eq!(back.without_positions(), bp.without_positions());
    }

    fn err(text: &str) -> String {
        load_str(text, "b.yml").unwrap_err().to_string()
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(
            err("plan:\n  Observation.typ: X\n"),
            "b.yml:2:3: \"Observation.typ\" is not a CAOM element name (did you mean Observation.type?)"
        );
        assert_eq!(
            err("plan:\n  Observation.type: {keyword: [A]}\n"),
            "b.yml:2:22: Observation.type: unknown value form \"keyword\" (expected keywords, path, function or bintable)"
        );
        assert_eq!(
            err("extensions:\n  1:\n    Observation.type: X\n"),
            "b.yml:3:5: Observation.type is not a Chunk key: extension 1 may only hold Chunk keys (put it under plan:)"
        );
        assert_eq!(
            err("plan:\n  Chunk: maybe\n"),
            "b.yml:2:10: Chunk takes include or ignore"
        );
        assert!(err("plan:\n  a: [1, 2\n").starts_with("b.yml:3:1: YAML syntax"));
        assert_eq!(
            err("plans:\n  Observation.type: X\n"),
            "b.yml:1:1: unknown top-level key \"plans\" (expected format, axes, plan, extensions or artifacts)"
        );
        assert_eq!(
            err("plan:\n  Observation.type: X\n  Observation.type: Y\n"),
            "b.yml:3:3: YAML syntax: duplicated key in mapping"
        );
        assert!(err("axes:\n  position: [1]\n").starts_with("b.yml:2:13: position takes two"));
        assert!(err("plan:\n  Chunk.position.axis.axis1.ctype: RA---TAN\n")
            .starts_with("b.yml: only one position axis"));
    }

    #[test]
    fn plain_scalars_that_need_quotes() {
        for s in [
            "", "None", "null", "True", "false", "a: b", "#x", " x", "- x", "{x}", "'q'",
        ] {
            let t = scalar_yaml(s, false);
            let doc = format!("plan:\n  Observation.type: {t}\n");
            let bp = load_str(&doc, "q.yml").unwrap();
            assert_eq!(
                bp.plan.source(key("Observation.type")),
                Some(&Source::literal(s)),
                "{s:?} as {t}"
            );
        }
        assert_eq!(scalar_yaml("-0.5", false), "-0.5");
        assert_eq!(scalar_yaml("ZNAXIS,NAXIS", true), "'ZNAXIS,NAXIS'");
    }
}
