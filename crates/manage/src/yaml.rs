//! YAML in and out, the way the operator files need it.
//!
//! Reading goes through `serde-saphyr` into a [`Node`] tree that keeps the line and column of
//! every value, so a bad key or value in `config.yml` or `state.yml` is reported where it is.
//! Writing goes through [`emit`], a small block-style emitter that reproduces what PyYAML's
//! `yaml.dump(..., default_flow_style=False)` writes for the shapes the reference files use
//! (sorted mappings, indentless sequences under a key, `[]`/`{}` for empty collections,
//! naive datetimes as `YYYY-MM-DD HH:MM:SS[.ffffff]`, Python float reprs, PyYAML quoting), so
//! `state.yml`, `rejected.yml` and the metrics files read the same as the reference's.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A YAML value with where it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Yaml,
    /// 1-based line; 0 when unknown.
    pub line: u64,
    /// 1-based column; 0 when unknown.
    pub column: u64,
}

/// A YAML value. Scalars are typed as YAML 1.1 resolves them (`True`, `yes` are booleans),
/// as PyYAML does; timestamps stay strings and are parsed where a timestamp is expected.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// In document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A node with no position (built in code).
    pub fn new(value: Yaml) -> Node {
        Node {
            value,
            line: 0,
            column: 0,
        }
    }

    /// `line:column`, or an empty string when unknown.
    pub fn position(&self) -> String {
        if self.line == 0 {
            String::new()
        } else {
            format!("{}:{}", self.line, self.column)
        }
    }

    /// The entries of a mapping, or None.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Yaml::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_key().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// A mapping key as text (scalars only).
    pub fn as_key(&self) -> Option<String> {
        match &self.value {
            Yaml::Str(s) => Some(s.clone()),
            Yaml::Int(i) => Some(i.to_string()),
            Yaml::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
            Yaml::Float(f) => Some(python_float(*f)),
            Yaml::Null => Some("null".to_string()),
            _ => None,
        }
    }

    /// The kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Yaml::Null => "null",
            Yaml::Bool(_) => "a boolean",
            Yaml::Int(_) => "an integer",
            Yaml::Float(_) => "a number",
            Yaml::Str(_) => "a string",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: serde_saphyr::Spanned<Yaml> = serde_saphyr::Spanned::deserialize(d)?;
        Ok(Node {
            line: s.referenced.line(),
            column: s.referenced.column(),
            value: s.value,
        })
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = Yaml;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        Yaml::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Yaml, E> {
        Ok(Yaml::Bool(b))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Yaml, E> {
        Ok(Yaml::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Yaml, E> {
        i64::try_from(v)
            .map(Yaml::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Yaml, E> {
        i64::try_from(v)
            .map(Yaml::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Yaml, E> {
        i64::try_from(v)
            .map(Yaml::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Yaml, E> {
        Ok(Yaml::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(x) = a.next_element::<Node>()? {
            items.push(x);
        }
        Ok(Yaml::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(x) = a.next_entry::<Node, Node>()? {
            items.push(x);
        }
        Ok(Yaml::Map(items))
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}

/// A YAML document that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct YamlError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Parses one YAML document; `name` is the file name used in messages. An empty document is
/// [`Yaml::Null`]. Duplicate keys are errors (PyYAML silently keeps the last one, which hides
/// typos in config.yml).
pub fn parse(text: &str, name: &str) -> Result<Node, YamlError> {
    serde_saphyr::from_str::<Node>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let mut message = e.without_snippet().to_string();
        // The library prefixes its own position; ours is in front already.
        if let Some(rest) = message.strip_prefix("error: ") {
            message = rest.to_string();
        }
        if let Some(idx) = message.find(": ") {
            if message.starts_with("line ") {
                message = message[idx + 2..].to_string();
            }
        }
        let message = message.lines().next().unwrap_or("").trim().to_string();
        YamlError {
            file: name.to_string(),
            line,
            column,
            message,
        }
    })
}

/// Reads and parses a YAML file.
pub fn read(path: &Path) -> Result<Node, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        file: path.display().to_string(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ReadError::Utf8 {
        file: path.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok(parse(&text, &path.display().to_string())?)
}

/// A YAML file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not UTF-8 text (invalid byte at offset {offset})")]
    Utf8 { file: String, offset: usize },
    #[error(transparent)]
    Yaml(#[from] YamlError),
}

/// A value to write. Mappings are written in the order given (callers sort them, as PyYAML's
/// `sort_keys` does).
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A naive datetime, already formatted as `YYYY-MM-DD HH:MM:SS[.ffffff]` (written plain).
    DateTime(String),
    Seq(Vec<Out>),
    Map(Vec<(String, Out)>),
}

impl Out {
    /// Converts a parsed node back into an output value (for free-form sections such as
    /// `state.yml`'s `context`), sorting mapping keys.
    pub fn from_node(node: &Node) -> Out {
        match &node.value {
            Yaml::Null => Out::Null,
            Yaml::Bool(b) => Out::Bool(*b),
            Yaml::Int(i) => Out::Int(*i),
            Yaml::Float(f) => Out::Float(*f),
            Yaml::Str(s) => {
                if crate::time::parse_yaml_timestamp(s).is_ok() {
                    Out::DateTime(s.clone())
                } else {
                    Out::Str(s.clone())
                }
            }
            Yaml::Seq(items) => Out::Seq(items.iter().map(Out::from_node).collect()),
            Yaml::Map(items) => {
                let mut m: Vec<(String, Out)> = items
                    .iter()
                    .map(|(k, v)| (k.as_key().unwrap_or_default(), Out::from_node(v)))
                    .collect();
                m.sort_by(|a, b| a.0.cmp(&b.0));
                Out::Map(m)
            }
        }
    }
}

/// Writes `value` as a PyYAML block-style document.
pub fn emit(value: &Out) -> String {
    let mut out = String::new();
    match value {
        Out::Map(m) if !m.is_empty() => emit_map(&mut out, m, 0),
        Out::Seq(s) if !s.is_empty() => emit_seq(&mut out, s, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn emit_map(out: &mut String, m: &[(String, Out)], indent: usize) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&quote_str(k));
        out.push(':');
        match v {
            Out::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_map(out, inner, indent + 2);
            }
            Out::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                // PyYAML writes sequences under a mapping key without extra indentation.
                emit_seq(out, inner, indent);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn emit_seq(out: &mut String, s: &[Out], indent: usize) {
    for item in s {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Out::Map(inner) if !inner.is_empty() => {
                // The first key goes on the dash line, the rest aligned under it.
                let mut text = String::new();
                emit_map(&mut text, inner, indent + 2);
                let trimmed = &text[indent + 2..];
                out.push_str(trimmed);
            }
            Out::Seq(inner) if !inner.is_empty() => {
                let mut text = String::new();
                emit_seq(&mut text, inner, indent + 2);
                out.push_str(&text[indent + 2..]);
            }
            scalar => {
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(v: &Out) -> String {
    match v {
        Out::Null => "null".to_string(),
        Out::Bool(true) => "true".to_string(),
        Out::Bool(false) => "false".to_string(),
        Out::Int(i) => i.to_string(),
        Out::Float(f) => yaml_float(*f),
        Out::Str(s) => quote_str(s),
        Out::DateTime(s) => s.clone(),
        Out::Seq(_) => "[]".to_string(),
        Out::Map(_) => "{}".to_string(),
    }
}

/// A float as PyYAML writes it: Python's `repr`, with `.0` added before an exponent that has
/// no fraction, and `.inf`/`-.inf`/`.nan` for the non-finite values.
pub fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    let r = python_float(f);
    match r.find('e') {
        Some(i) if !r[..i].contains('.') => format!("{}.0{}", &r[..i], &r[i..]),
        _ => r,
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, positional for exponents
/// -4..16, scientific (`1e-05`, `1.5e+16`) otherwise.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.2345e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let point = exp + 1; // digits before the decimal point
        let text = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point >= n {
            format!("{}{}.0", digits, "0".repeat((point - n) as usize))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{text}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// A string scalar as PyYAML writes it: plain when that reads back as the same string,
/// single-quoted when a plain scalar would be misread (a number, boolean, null, timestamp,
/// leading indicator, `: ` or ` #`), double-quoted with escapes when it holds line breaks,
/// control or non-ASCII characters (PyYAML's default `allow_unicode=False`).
pub fn quote_str(s: &str) -> String {
    let needs_double = s.chars().any(|c| !(' '..='~').contains(&c));
    if needs_double {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\0' => out.push_str("\\0"),
                c if (' '..='~').contains(&c) => out.push(c),
                c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
                c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push_str(&format!("\\U{:08X}", c as u32)),
            }
        }
        out.push('"');
        return out;
    }
    if plain_ok(s) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let first = s.as_bytes()[0];
    if b"?:,[]{}#&*!|>'\"%@`".contains(&first) {
        return false;
    }
    if first == b'-' && (s.len() == 1 || s.as_bytes()[1] == b' ' || s.starts_with("---")) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    !resolves_to_other_type(s)
}

/// Whether a plain scalar would be read back by YAML 1.1 (PyYAML) as something other than a
/// string.
fn resolves_to_other_type(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
        ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan", ".NaN", ".NAN",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let digits_and = |extra: &str| {
        body.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || extra.contains(c))
    };
    // ints (decimal, 0x, 0o/0 octal, 0b, sexagesimal) and floats
    if body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && (digits_and("")
            || body.starts_with("0x")
            || body.starts_with("0b")
            || digits_and(":")
            || (digits_and(".eE+-") && body.chars().any(|c| c.is_ascii_digit())))
    {
        return true;
    }
    crate::time::parse_yaml_timestamp(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_positions_and_yaml11_booleans() {
        let n = parse(
            "a: True\nb: 2024-03-23 11:10:00\nc: '10'\nd: 10\ne: yes\n",
            "x.yml",
        )
        .unwrap();
        assert_eq!(n.get("a").unwrap().value, Yaml::Bool(true));
        assert_eq!(
            n.get("b").unwrap().value,
            Yaml::Str("2024-03-23 11:10:00".into())
        );
        assert_eq!(n.get("c").unwrap().value, Yaml::Str("10".into()));
        assert_eq!(n.get("d").unwrap().value, Yaml::Int(10));
        assert_eq!(n.get("e").unwrap().value, Yaml::Bool(true));
        assert_eq!(n.get("d").unwrap().position(), "4:4");
    }

    #[test]
    fn syntax_errors_name_file_line_column() {
        let e = parse("a: 1\n  b: [\n", "config.yml").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("config.yml:2:"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let e = parse("a: 1\na: 2\n", "config.yml").unwrap_err();
        assert!(e.to_string().contains("duplicate"), "{e}");
    }

    #[test]
    fn emits_pyyaml_block_style() {
        let doc = Out::Map(vec![
            (
                "bad_metadata".into(),
                Out::Seq(vec![Out::Str("bad_meta".into())]),
            ),
            ("fitsverify".into(), Out::Seq(vec![])),
            (
                "bookmarks".into(),
                Out::Map(vec![(
                    "demo_timestamp".into(),
                    Out::Map(vec![(
                        "last_record".into(),
                        Out::DateTime("2024-03-23 11:10:00".into()),
                    )]),
                )]),
            ),
            ("empty".into(), Out::Map(vec![])),
        ]);
        assert_eq!(
            emit(&doc),
            "bad_metadata:\n- bad_meta\nfitsverify: []\nbookmarks:\n  demo_timestamp:\n    last_record: 2024-03-23 11:10:00\nempty: {}\n"
        );
        assert_eq!(emit(&Out::Map(vec![])), "{}\n");
    }

    #[test]
    fn quotes_like_pyyaml() {
        assert_eq!(quote_str("good1.fits"), "good1.fits");
        assert_eq!(quote_str("123"), "'123'");
        assert_eq!(quote_str("1.5"), "'1.5'");
        assert_eq!(quote_str("yes"), "'yes'");
        assert_eq!(quote_str("null"), "'null'");
        assert_eq!(quote_str("2024-03-23"), "'2024-03-23'");
        assert_eq!(quote_str("a: b"), "'a: b'");
        assert_eq!(quote_str("it's"), "it's");
        assert_eq!(quote_str("'x"), "'''x'");
        assert_eq!(quote_str("two\nlines"), "\"two\\nlines\"");
        assert_eq!(quote_str("é"), "\"\\xE9\"");
        assert_eq!(quote_str(""), "''");
        assert_eq!(quote_str("N1234"), "N1234");
        assert_eq!(quote_str("vos:a/b"), "vos:a/b");
    }

    #[test]
    fn floats_like_python() {
        assert_eq!(yaml_float(1.0), "1.0");
        assert_eq!(yaml_float(1024.0), "1024.0");
        assert_eq!(yaml_float(0.001), "0.001");
        assert_eq!(yaml_float(1e-5), "1.0e-05");
        assert_eq!(yaml_float(1.5e-5), "1.5e-05");
        assert_eq!(yaml_float(1e16), "1.0e+16");
        assert_eq!(yaml_float(123456.789), "123456.789");
        assert_eq!(python_float(1795244349.470381), "1795244349.470381");
        assert_eq!(yaml_float(-2.5), "-2.5");
        assert_eq!(yaml_float(0.0), "0.0");
    }
}
