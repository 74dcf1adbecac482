//! CAOM XML input (2.2, 2.3, 2.4), a pull parser with one function per element type.
//!
//! Strict where a wrong document would be silently misread: unknown elements, elements outside
//! the CAOM namespace, duplicates, unparsable values, missing required elements, DTDs and
//! entities are errors with line and column. Lenient where the reference readers are: child
//! order, blank optional values (null), Java and Python number spellings, 2.2/2.3 forms.

use super::{Version, XmlError, MAX_DOCUMENT_BYTES, NS_XSI};
use crate::artifact::{Artifact, Chunk, Part};
use crate::entity::Entity;
use crate::java;
use crate::observation::*;
use crate::plane::*;
use crate::shape::*;
use crate::timestamp::Timestamp;
use crate::uri::Uri;
use crate::vocabulary::*;
use crate::wcs::*;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;
use std::borrow::Cow;
use uuid::Uuid;

type Result<T> = std::result::Result<T, XmlError>;

/// Reads one observation from a UTF-8 XML document.
pub fn read(bytes: &[u8]) -> Result<Observation> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlError {
            line: 1,
            column: 1,
            message: format!(
                "document is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                MAX_DOCUMENT_BYTES
            ),
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(XmlError::at(
            bytes,
            e.valid_up_to(),
            "invalid UTF-8 (CAOM documents are UTF-8)",
        ));
    }
    if let Some(offset) = first_forbidden_control(bytes) {
        return Err(XmlError::at(
            bytes,
            offset,
            format!(
                "character U+{:04X} is not allowed in XML",
                bytes[offset] as u32
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut r = Reader::new(bytes);
    let root = r.root()?;
    let obs = r.observation(&root)?;
    r.end_of_document()?;
    Ok(obs)
}

/// Whether `b` is a C0 control character that XML 1.0 forbids (every one but tab, line feed
/// and carriage return).
fn is_forbidden_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

/// The offset of the first forbidden control character. The tokenizer lets them through, and
/// a record holding one cannot be written back faithfully (Java's trim() removes them from
/// the ends of every value), so they are refused up front, as an XML parser must. The blocks
/// are tested without early exit so that the loop vectorises; the position is looked for only
/// in a block that has one.
fn first_forbidden_control(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    bytes
        .chunks(BLOCK)
        .enumerate()
        .find(|(_, block)| {
            block
                .iter()
                .fold(false, |any, &b| any | is_forbidden_control(b))
        })
        .and_then(|(i, block)| {
            let at = block.iter().position(|&b| is_forbidden_control(b))?;
            Some(i * BLOCK + at)
        })
}

/// An element start that has been read: its local name, where it is, and its attributes.
struct El<'a> {
    empty: bool,
    pos: usize,
    start: BytesStart<'a>,
}

impl El<'_> {
    fn local(&self) -> &[u8] {
        self.start.local_name().into_inner()
    }

    fn name(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.local())
    }
}

struct Reader<'a> {
    xml: XmlReader<&'a [u8]>,
    src: &'a [u8],
    version: Version,
    /// The prefixes the root binds to the document's CAOM namespace (None: the default
    /// namespace). CAOM writers declare namespaces once, on the root; resolving prefixes
    /// ourselves from that declaration is much cheaper than a general namespace resolver.
    caom_prefixes: Vec<Option<Vec<u8>>>,
    xsi_prefixes: Vec<Vec<u8>>,
}

/// Splits a qualified name into prefix and local part.
fn split_qname(name: &[u8]) -> (Option<&[u8]>, &[u8]) {
    match name.iter().position(|&b| b == b':') {
        Some(i) => (Some(&name[..i]), &name[i + 1..]),
        None => (None, name),
    }
}

impl<'a> Reader<'a> {
    fn new(src: &'a [u8]) -> Reader<'a> {
        let mut xml = XmlReader::from_reader(src);
        let cfg = xml.config_mut();
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
        // whitespace between elements is layout; letting the tokenizer drop it saves a text
        // event per element (error positions skip leading whitespace to compensate)
        cfg.trim_text(true);
        Reader {
            xml,
            src,
            version: Version::V24,
            caom_prefixes: Vec::new(),
            xsi_prefixes: Vec::new(),
        }
    }

    fn pos(&self) -> usize {
        self.xml.buffer_position() as usize
    }

    fn err_at(&self, pos: usize, message: impl Into<String>) -> XmlError {
        XmlError::at(self.src, pos, message)
    }

    fn parse_error(&self, e: quick_xml::Error) -> XmlError {
        XmlError::at(
            self.src,
            self.xml.error_position() as usize,
            format!("malformed XML: {e}"),
        )
    }

    /// Reads up to the root element, which fixes the version.
    fn root(&mut self) -> Result<El<'a>> {
        loop {
            let pos = self.pos();
            let event = match self.xml.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.parse_error(e)),
            };
            match event {
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        if !enc.eq_ignore_ascii_case(b"utf-8") && !enc.eq_ignore_ascii_case(b"utf8")
                        {
                            return Err(self.err_at(
                                pos,
                                format!(
                                    "unsupported encoding {:?}: CAOM documents are UTF-8",
                                    String::from_utf8_lossy(&enc)
                                ),
                            ));
                        }
                    }
                }
                Event::DocType(_) => return Err(self.doctype(pos)),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                Event::Start(_) | Event::Empty(_) => {
                    let empty = matches!(event, Event::Empty(_));
                    let (Event::Start(start) | Event::Empty(start)) = event else {
                        unreachable!()
                    };
                    let local = start.local_name().into_inner();
                    if local != b"Observation" {
                        return Err(self.err_at(
                            pos,
                            format!(
                                "root element is <{}>, expected a CAOM <Observation>",
                                String::from_utf8_lossy(start.name().into_inner())
                            ),
                        ));
                    }
                    // (prefix, namespace) declared on the root
                    let mut declared: Vec<(Option<Vec<u8>>, String)> = Vec::new();
                    for attr in start.attributes() {
                        let attr = attr
                            .map_err(|e| self.err_at(pos, format!("malformed attribute: {e}")))?;
                        let key = attr.key.into_inner();
                        let prefix = if key == b"xmlns" {
                            None
                        } else if let Some(p) = key.strip_prefix(b"xmlns:") {
                            Some(p.to_vec())
                        } else {
                            continue;
                        };
                        let value = attr.unescape_value().map_err(|e| {
                            self.err_at(pos, format!("bad namespace declaration: {e}"))
                        })?;
                        declared.push((prefix, value.trim().to_string()));
                    }
                    let (root_prefix, _) = split_qname(start.name().into_inner());
                    let ns_text = declared
                        .iter()
                        .find(|(p, _)| p.as_deref() == root_prefix)
                        .map(|(_, ns)| ns.clone())
                        .unwrap_or_default();
                    self.version = Version::from_namespace(&ns_text).ok_or_else(|| {
                        self.err_at(
                            pos,
                            if ns_text.is_empty() {
                                "the root element is in no namespace; expected a CAOM 2.2, 2.3 or 2.4 namespace"
                                    .to_string()
                            } else {
                                format!("unknown namespace {ns_text:?}; expected a CAOM 2.2, 2.3 or 2.4 namespace")
                            },
                        )
                    })?;
                    for (prefix, ns) in declared {
                        if ns == self.version.namespace() {
                            self.caom_prefixes.push(prefix);
                        } else if ns == NS_XSI {
                            if let Some(p) = prefix {
                                self.xsi_prefixes.push(p);
                            }
                        }
                    }
                    return Ok(El { empty, pos, start });
                }
                Event::Eof => return Err(self.err_at(pos, "empty document: no root element")),
                _ => return Err(self.err_at(pos, "unexpected content before the root element")),
            }
        }
    }

    fn doctype(&self, pos: usize) -> XmlError {
        self.err_at(
            pos,
            "DOCTYPE declarations are not allowed (no DTDs, no external entities)",
        )
    }

    fn end_of_document(&mut self) -> Result<()> {
        loop {
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Eof) => return Ok(()),
                Ok(Event::Comment(_)) | Ok(Event::PI(_)) => {}
                Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Event::DocType(_)) => return Err(self.doctype(pos)),
                Ok(_) => return Err(self.err_at(pos, "unexpected content after the root element")),
                Err(e) => return Err(self.parse_error(e)),
            }
        }
    }

    /// The next child element of the current element, or None at its end.
    fn next_child(&mut self, parent: &El<'_>) -> Result<Option<El<'a>>> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            let pos = self.pos();
            let event = match self.xml.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.parse_error(e)),
            };
            match event {
                Event::Start(_) | Event::Empty(_) => {
                    let empty = matches!(event, Event::Empty(_));
                    let (Event::Start(start) | Event::Empty(start)) = event else {
                        unreachable!()
                    };
                    let (prefix, _) = split_qname(start.name().into_inner());
                    if !self.caom_prefixes.iter().any(|p| p.as_deref() == prefix) {
                        return Err(self.err_at(
                            pos,
                            format!(
                                "element <{}> is not in the document's CAOM namespace {}",
                                String::from_utf8_lossy(start.name().into_inner()),
                                self.version.namespace()
                            ),
                        ));
                    }
                    if memchr_xmlns(start.attributes_raw()) {
                        return Err(self.err_at(
                            pos,
                            format!(
                                "namespace declaration on <{}>: CAOM documents declare namespaces on the root element only",
                                String::from_utf8_lossy(start.name().into_inner())
                            ),
                        ));
                    }
                    return Ok(Some(El { empty, pos, start }));
                }
                Event::End(_) => return Ok(None),
                Event::Text(t) => {
                    if !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(
                            self.err_at(pos, format!("unexpected text inside <{}>", parent.name()))
                        );
                    }
                }
                Event::CData(_) => {
                    return Err(
                        self.err_at(pos, format!("unexpected CDATA inside <{}>", parent.name()))
                    )
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.doctype(pos)),
                Event::Decl(_) => return Err(self.err_at(pos, "misplaced XML declaration")),
                Event::Eof => {
                    return Err(
                        self.err_at(pos, format!("document ends inside <{}>", parent.name()))
                    )
                }
            }
        }
    }

    /// Calls `f` for each child element.
    fn children(
        &mut self,
        parent: &El<'_>,
        mut f: impl FnMut(&mut Self, &El<'a>) -> Result<()>,
    ) -> Result<()> {
        while let Some(child) = self.next_child(parent)? {
            f(self, &child)?;
        }
        Ok(())
    }

    fn unknown(&self, el: &El<'_>, parent: &str) -> XmlError {
        self.err_at(
            el.pos,
            format!("unknown element <{}> in <{parent}>", el.name()),
        )
    }

    /// The trimmed text content of a leaf element ("" when empty). Borrowed from the document
    /// in the common case of one text node without entity references.
    fn text(&mut self, el: &El<'_>) -> Result<Cow<'a, str>> {
        if el.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            let pos = self.pos();
            match self.xml.read_event() {
                Ok(Event::Text(t)) => {
                    let s = t.unescape().map_err(|e| {
                        self.err_at(
                            pos,
                            format!("bad character or entity reference in <{}>: {e}", el.name()),
                        )
                    })?;
                    // the raw text was checked in read(); a reference such as `&#1;` can
                    // still produce a forbidden character
                    if let Cow::Owned(o) = &s {
                        if let Some(c) = o.bytes().find(|&b| is_forbidden_control(b)) {
                            return Err(self.err_at(
                                pos,
                                format!(
                                    "character reference to U+{:04X} in <{}> is not allowed in XML",
                                    c as u32,
                                    el.name()
                                ),
                            ));
                        }
                    }
                    text = Some(match text {
                        None => s,
                        Some(prev) => Cow::Owned(prev.into_owned() + &s),
                    });
                }
                Ok(Event::CData(c)) => {
                    let s = String::from_utf8_lossy(&c.into_inner()).into_owned();
                    text = Some(Cow::Owned(match text {
                        None => s,
                        Some(prev) => prev.into_owned() + &s,
                    }));
                }
                Ok(Event::Comment(_)) | Ok(Event::PI(_)) => {}
                Ok(Event::End(_)) => break,
                Ok(Event::Start(s)) | Ok(Event::Empty(s)) => {
                    return Err(self.err_at(
                        pos,
                        format!(
                            "unexpected element <{}> inside <{}>, which holds a value",
                            String::from_utf8_lossy(s.name().into_inner()),
                            el.name()
                        ),
                    ))
                }
                Ok(Event::Eof) => {
                    return Err(self.err_at(pos, format!("document ends inside <{}>", el.name())))
                }
                Ok(Event::DocType(_)) => return Err(self.doctype(pos)),
                Ok(Event::Decl(_)) => return Err(self.err_at(pos, "misplaced XML declaration")),
                Err(e) => return Err(self.parse_error(e)),
            }
        }
        Ok(match text {
            None => Cow::Borrowed(""),
            Some(Cow::Borrowed(b)) => Cow::Borrowed(java::trim(b)),
            Some(Cow::Owned(o)) => {
                let t = java::trim(&o);
                if t.len() == o.len() {
                    Cow::Owned(o)
                } else {
                    Cow::Owned(t.to_string())
                }
            }
        })
    }

    /// A leaf value; None when blank (the reference readers treat blank as null).
    fn value<T>(
        &mut self,
        el: &El<'_>,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        let t = self.text(el)?;
        if t.is_empty() {
            return Ok(None);
        }
        match parse(&t) {
            Some(v) => Ok(Some(v)),
            None => Err(self.err_at(el.pos, format!("invalid {what} {t:?} in <{}>", el.name()))),
        }
    }

    fn string(&mut self, el: &El<'_>) -> Result<Option<String>> {
        let t = self.text(el)?;
        Ok((!t.is_empty()).then(|| t.into_owned()))
    }

    fn double(&mut self, el: &El<'_>) -> Result<Option<f64>> {
        self.value(el, "number", java::parse_double)
    }

    fn int(&mut self, el: &El<'_>) -> Result<Option<i32>> {
        self.value(el, "integer", |t| t.parse().ok())
    }

    fn long(&mut self, el: &El<'_>) -> Result<Option<i64>> {
        self.value(el, "integer", |t| t.parse().ok())
    }

    fn boolean(&mut self, el: &El<'_>) -> Result<Option<bool>> {
        self.value(el, "boolean", |t| match t {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }

    fn date(&mut self, el: &El<'_>) -> Result<Option<Timestamp>> {
        let t = self.text(el)?;
        if t.is_empty() {
            return Ok(None);
        }
        Timestamp::parse(&t)
            .map(Some)
            .map_err(|e| self.err_at(el.pos, format!("{e} in <{}>", el.name())))
    }

    fn uri(&mut self, el: &El<'_>) -> Result<Option<Uri>> {
        let t = self.text(el)?;
        if t.is_empty() {
            return Ok(None);
        }
        Uri::parse(&t)
            .map(Some)
            .map_err(|e| self.err_at(el.pos, format!("{e} in <{}>", el.name())))
    }

    fn term<T>(
        &mut self,
        el: &El<'_>,
        parse: impl FnOnce(&str) -> std::result::Result<T, VocabularyError>,
    ) -> Result<Option<T>> {
        let t = self.text(el)?;
        if t.is_empty() {
            return Ok(None);
        }
        parse(&t)
            .map(Some)
            .map_err(|e| self.err_at(el.pos, format!("{e} in <{}>", el.name())))
    }

    /// Stores a leaf value, refusing a second occurrence of the element.
    fn put<T>(&self, slot: &mut Option<T>, el: &El<'_>, value: Option<T>) -> Result<()> {
        if value.is_some() {
            if slot.is_some() {
                return Err(self.err_at(el.pos, format!("duplicate element <{}>", el.name())));
            }
            *slot = value;
        }
        Ok(())
    }

    fn required<T>(&self, slot: Option<T>, parent: &El<'_>, child: &str) -> Result<T> {
        slot.ok_or_else(|| {
            self.err_at(
                parent.pos,
                format!("<{}> lacks the required element <{child}>", parent.name()),
            )
        })
    }

    /// The CAOM entity attributes (`caom2:id`, …) of an element.
    fn entity(&self, el: &El<'_>) -> Result<Entity> {
        let mut id = None;
        let mut e = Entity::with_id(Uuid::nil());
        for attr in el.start.attributes() {
            let attr =
                attr.map_err(|err| self.err_at(el.pos, format!("malformed attribute: {err}")))?;
            let (prefix, local) = split_qname(attr.key.into_inner());
            if prefix.is_none() || !self.caom_prefixes.iter().any(|p| p.as_deref() == prefix) {
                continue;
            }
            let value = attr
                .unescape_value()
                .map_err(|err| self.err_at(el.pos, format!("bad attribute value: {err}")))?;
            let value = value.trim();
            let bad = |what: &str, err: String| {
                self.err_at(
                    el.pos,
                    format!(
                        "invalid {what} attribute {value:?} on <{}>: {err}",
                        el.name()
                    ),
                )
            };
            match local {
                b"id" => {
                    id = Some(parse_id(value).ok_or_else(|| bad("caom2:id", "not a UUID".into()))?)
                }
                b"lastModified" => {
                    e.last_modified = Some(
                        Timestamp::parse(value)
                            .map_err(|x| bad("caom2:lastModified", x.to_string()))?,
                    )
                }
                b"maxLastModified" => {
                    e.max_last_modified = Some(
                        Timestamp::parse(value)
                            .map_err(|x| bad("caom2:maxLastModified", x.to_string()))?,
                    )
                }
                b"metaChecksum" => {
                    e.meta_checksum = Some(
                        Uri::parse(value).map_err(|x| bad("caom2:metaChecksum", x.to_string()))?,
                    )
                }
                b"accMetaChecksum" => {
                    e.acc_meta_checksum = Some(
                        Uri::parse(value)
                            .map_err(|x| bad("caom2:accMetaChecksum", x.to_string()))?,
                    )
                }
                b"metaProducer" => {
                    e.meta_producer = Some(
                        Uri::parse(value).map_err(|x| bad("caom2:metaProducer", x.to_string()))?,
                    )
                }
                _ => {}
            }
        }
        e.id = id.ok_or_else(|| {
            self.err_at(
                el.pos,
                format!("<{}> lacks the required attribute caom2:id", el.name()),
            )
        })?;
        Ok(e)
    }

    /// The local part of an `xsi:type` value such as `caom2:Polygon`, checked to be in the
    /// CAOM namespace.
    fn xsi_type(&self, el: &El<'_>) -> Result<Option<String>> {
        for attr in el.start.attributes() {
            let attr =
                attr.map_err(|err| self.err_at(el.pos, format!("malformed attribute: {err}")))?;
            let (prefix, local) = split_qname(attr.key.into_inner());
            if local != b"type" || !prefix.is_some_and(|p| self.xsi_prefixes.iter().any(|x| x == p))
            {
                continue;
            }
            let value = attr
                .unescape_value()
                .map_err(|err| self.err_at(el.pos, format!("bad attribute value: {err}")))?;
            let value = value.trim().to_string();
            let (vprefix, vlocal) = split_qname(value.as_bytes());
            if !self.caom_prefixes.iter().any(|p| p.as_deref() == vprefix) {
                return Err(self.err_at(
                    el.pos,
                    format!("xsi:type {value:?} on <{}> is not a CAOM type", el.name()),
                ));
            }
            return Ok(Some(String::from_utf8_lossy(vlocal).into_owned()));
        }
        Ok(None)
    }

    fn keywords(&mut self, el: &El<'_>, into: &mut Vec<String>) -> Result<()> {
        if self.version <= Version::V22 {
            // CAOM ≤ 2.2 stores keywords as one space-separated string
            let t = self.text(el)?;
            for k in t.split_whitespace() {
                push_unique(into, k.to_string());
            }
            return Ok(());
        }
        self.children(el, |r, c| match c.local() {
            b"keyword" => {
                if let Some(k) = r.string(c)? {
                    push_unique(into, k);
                }
                Ok(())
            }
            _ => Err(r.unknown(c, "keywords")),
        })
    }

    fn uri_list(&mut self, el: &El<'_>, item: &'static str, into: &mut Vec<Uri>) -> Result<()> {
        self.children(el, |r, c| {
            if c.local() != item.as_bytes() {
                return Err(r.unknown(c, &el.name()));
            }
            if let Some(u) = r.uri(c)? {
                if !into
                    .iter()
                    .any(|x| x.java_cmp(&u) == std::cmp::Ordering::Equal)
                {
                    into.push(u);
                }
            }
            Ok(())
        })
    }

    fn observation(&mut self, el: &El<'_>) -> Result<Observation> {
        let entity = self.entity(el)?;
        let kind = match self.xsi_type(el)?.as_deref() {
            Some("SimpleObservation") => ObservationKind::Simple,
            Some("DerivedObservation") | Some("CompositeObservation") => ObservationKind::Derived {
                members: Vec::new(),
            },
            Some(other) => {
                return Err(self.err_at(el.pos, format!("unknown observation type xsi:type=\"caom2:{other}\"")))
            }
            None => {
                return Err(self.err_at(
                    el.pos,
                    "<Observation> lacks xsi:type (caom2:SimpleObservation or caom2:DerivedObservation)",
                ))
            }
        };
        let (mut collection, mut observation_id, mut algorithm) = (None, None, None);
        let mut obs = Observation::new(kind, "", "", Algorithm::new(""));
        let mut members = Vec::new();
        self.children(el, |r, c| {
            match c.local() {
                b"collection" => {
                    let v = r.string(c)?;
                    r.put(&mut collection, c, v)?
                }
                b"observationID" => {
                    let v = r.string(c)?;
                    r.put(&mut observation_id, c, v)?
                }
                b"metaRelease" => {
                    let v = r.date(c)?;
                    r.put(&mut obs.meta_release, c, v)?
                }
                b"metaReadGroups" => r.uri_list(c, "groupURI", &mut obs.meta_read_groups)?,
                b"sequenceNumber" => {
                    let v = r.int(c)?;
                    r.put(&mut obs.sequence_number, c, v)?
                }
                b"algorithm" => {
                    let mut name = None;
                    r.children(c, |r, n| match n.local() {
                        b"name" => {
                            let v = r.string(n)?;
                            r.put(&mut name, n, v)
                        }
                        _ => Err(r.unknown(n, "algorithm")),
                    })?;
                    let v = Some(Algorithm::new(r.required(name, c, "name")?));
                    r.put(&mut algorithm, c, v)?
                }
                b"type" => {
                    let v = r.string(c)?;
                    r.put(&mut obs.obs_type, c, v)?
                }
                b"intent" => {
                    let v = r.term(c, ObservationIntentType::parse)?;
                    r.put(&mut obs.intent, c, v)?
                }
                b"proposal" => {
                    let v = Some(r.proposal(c)?);
                    r.put(&mut obs.proposal, c, v)?
                }
                b"target" => {
                    let v = Some(r.target(c)?);
                    r.put(&mut obs.target, c, v)?
                }
                b"targetPosition" => {
                    let v = Some(r.target_position(c)?);
                    r.put(&mut obs.target_position, c, v)?
                }
                b"requirements" => {
                    let mut flag = None;
                    r.children(c, |r, n| match n.local() {
                        b"flag" => {
                            let v = r.term(n, Status::parse)?;
                            r.put(&mut flag, n, v)
                        }
                        _ => Err(r.unknown(n, "requirements")),
                    })?;
                    let v = Some(Requirements {
                        flag: r.required(flag, c, "flag")?,
                    });
                    r.put(&mut obs.requirements, c, v)?
                }
                b"telescope" => {
                    let v = Some(r.telescope(c)?);
                    r.put(&mut obs.telescope, c, v)?
                }
                b"instrument" => {
                    let mut name = None;
                    let mut keywords = Vec::new();
                    r.children(c, |r, n| match n.local() {
                        b"name" => {
                            let v = r.string(n)?;
                            r.put(&mut name, n, v)
                        }
                        b"keywords" => r.keywords(n, &mut keywords),
                        _ => Err(r.unknown(n, "instrument")),
                    })?;
                    let v = Some(Instrument {
                        name: r.required(name, c, "name")?,
                        keywords,
                    });
                    r.put(&mut obs.instrument, c, v)?
                }
                b"environment" => {
                    let v = Some(r.environment(c)?);
                    r.put(&mut obs.environment, c, v)?
                }
                b"planes" => r.children(c, |r, p| match p.local() {
                    b"plane" => {
                        let plane = r.plane(p)?;
                        if obs.planes.iter().any(|x| x.product_id == plane.product_id) {
                            return Err(r.err_at(
                                p.pos,
                                format!("duplicate plane productID {:?}", plane.product_id),
                            ));
                        }
                        obs.planes.push(plane);
                        Ok(())
                    }
                    _ => Err(r.unknown(p, "planes")),
                })?,
                b"members" => r.uri_list(c, "observationURI", &mut members)?,
                _ => return Err(r.unknown(c, "Observation")),
            }
            Ok(())
        })?;
        obs.entity = entity;
        obs.collection = self.required(collection, el, "collection")?;
        obs.observation_id = self.required(observation_id, el, "observationID")?;
        obs.algorithm = self.required(algorithm, el, "algorithm")?;
        match &mut obs.kind {
            ObservationKind::Derived { members: m } => *m = members,
            ObservationKind::Simple if !members.is_empty() => {
                return Err(self.err_at(el.pos, "a SimpleObservation cannot have <members>"))
            }
            ObservationKind::Simple => {}
        }
        Ok(obs)
    }

    fn proposal(&mut self, el: &El<'_>) -> Result<Proposal> {
        let mut id = None;
        let mut p = Proposal::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"id" => {
                    let v = r.string(c)?;
                    r.put(&mut id, c, v)?
                }
                b"pi" => {
                    let v = r.string(c)?;
                    r.put(&mut p.pi, c, v)?
                }
                b"project" => {
                    let v = r.string(c)?;
                    r.put(&mut p.project, c, v)?
                }
                b"title" => {
                    let v = r.string(c)?;
                    r.put(&mut p.title, c, v)?
                }
                b"keywords" => r.keywords(c, &mut p.keywords)?,
                _ => return Err(r.unknown(c, "proposal")),
            }
            Ok(())
        })?;
        p.id = self.required(id, el, "id")?;
        Ok(p)
    }

    fn target(&mut self, el: &El<'_>) -> Result<Target> {
        let mut name = None;
        let mut t = Target::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"name" => {
                    let v = r.string(c)?;
                    r.put(&mut name, c, v)?
                }
                b"targetID" => {
                    let v = r.uri(c)?;
                    r.put(&mut t.target_id, c, v)?
                }
                b"type" => {
                    let v = r.term(c, TargetType::parse)?;
                    r.put(&mut t.target_type, c, v)?
                }
                b"standard" => {
                    let v = r.boolean(c)?;
                    r.put(&mut t.standard, c, v)?
                }
                b"redshift" => {
                    let v = r.double(c)?;
                    r.put(&mut t.redshift, c, v)?
                }
                b"moving" => {
                    let v = r.boolean(c)?;
                    r.put(&mut t.moving, c, v)?
                }
                b"keywords" => r.keywords(c, &mut t.keywords)?,
                _ => return Err(r.unknown(c, "target")),
            }
            Ok(())
        })?;
        t.name = self.required(name, el, "name")?;
        Ok(t)
    }

    fn target_position(&mut self, el: &El<'_>) -> Result<TargetPosition> {
        let (mut coordsys, mut equinox, mut coordinates) = (None, None, None);
        self.children(el, |r, c| {
            match c.local() {
                b"coordsys" => {
                    let v = r.string(c)?;
                    r.put(&mut coordsys, c, v)?
                }
                b"equinox" => {
                    let v = r.double(c)?;
                    r.put(&mut equinox, c, v)?
                }
                b"coordinates" => {
                    let v = Some(r.point(c)?);
                    r.put(&mut coordinates, c, v)?
                }
                _ => return Err(r.unknown(c, "targetPosition")),
            }
            Ok(())
        })?;
        Ok(TargetPosition {
            coordsys: self.required(coordsys, el, "coordsys")?,
            equinox,
            coordinates: self.required(coordinates, el, "coordinates")?,
        })
    }

    fn telescope(&mut self, el: &El<'_>) -> Result<Telescope> {
        let mut name = None;
        let mut t = Telescope::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"name" => {
                    let v = r.string(c)?;
                    r.put(&mut name, c, v)?
                }
                b"geoLocationX" => {
                    let v = r.double(c)?;
                    r.put(&mut t.geo_location_x, c, v)?
                }
                b"geoLocationY" => {
                    let v = r.double(c)?;
                    r.put(&mut t.geo_location_y, c, v)?
                }
                b"geoLocationZ" => {
                    let v = r.double(c)?;
                    r.put(&mut t.geo_location_z, c, v)?
                }
                b"keywords" => r.keywords(c, &mut t.keywords)?,
                _ => return Err(r.unknown(c, "telescope")),
            }
            Ok(())
        })?;
        t.name = self.required(name, el, "name")?;
        Ok(t)
    }

    fn environment(&mut self, el: &El<'_>) -> Result<Environment> {
        let mut e = Environment::default();
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"seeing" => &mut e.seeing,
                b"humidity" => &mut e.humidity,
                b"elevation" => &mut e.elevation,
                b"tau" => &mut e.tau,
                b"wavelengthTau" => &mut e.wavelength_tau,
                b"ambientTemp" => &mut e.ambient_temp,
                b"photometric" => {
                    let v = r.boolean(c)?;
                    return r.put(&mut e.photometric, c, v);
                }
                _ => return Err(r.unknown(c, "environment")),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(e)
    }

    fn point(&mut self, el: &El<'_>) -> Result<Point> {
        let (mut c1, mut c2) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"cval1" => &mut c1,
                b"cval2" => &mut c2,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(Point::new(
            self.required(c1, el, "cval1")?,
            self.required(c2, el, "cval2")?,
        ))
    }

    fn interval(&mut self, el: &El<'_>) -> Result<Interval> {
        let (mut lower, mut upper) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"lower" => &mut lower,
                b"upper" => &mut upper,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(Interval::new(
            self.required(lower, el, "lower")?,
            self.required(upper, el, "upper")?,
        ))
    }

    fn sampled_interval(&mut self, el: &El<'_>) -> Result<SampledInterval> {
        let (mut lower, mut upper) = (None, None);
        let mut samples = Vec::new();
        let mut have_samples = false;
        self.children(el, |r, c| match c.local() {
            b"lower" => {
                let v = r.double(c)?;
                r.put(&mut lower, c, v)
            }
            b"upper" => {
                let v = r.double(c)?;
                r.put(&mut upper, c, v)
            }
            b"samples" => {
                if have_samples {
                    return Err(r.err_at(c.pos, "duplicate element <samples>"));
                }
                have_samples = true;
                r.children(c, |r, s| match s.local() {
                    b"sample" => {
                        samples.push(r.interval(s)?);
                        Ok(())
                    }
                    _ => Err(r.unknown(s, "samples")),
                })
            }
            _ => Err(r.unknown(c, &el.name())),
        })?;
        let lower = self.required(lower, el, "lower")?;
        let upper = self.required(upper, el, "upper")?;
        if samples.is_empty() && self.version <= Version::V22 {
            // CAOM ≤ 2.2 had no samples: the reference readers use the bounds as the one sample
            samples.push(Interval::new(lower, upper));
        }
        Ok(SampledInterval {
            lower,
            upper,
            samples,
        })
    }

    fn plane(&mut self, el: &El<'_>) -> Result<Plane> {
        let entity = self.entity(el)?;
        let mut product_id = None;
        let mut p = Plane::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"productID" => {
                    let v = r.string(c)?;
                    r.put(&mut product_id, c, v)?
                }
                b"creatorID" => {
                    let v = r.uri(c)?;
                    r.put(&mut p.creator_id, c, v)?
                }
                b"metaRelease" => {
                    let v = r.date(c)?;
                    r.put(&mut p.meta_release, c, v)?
                }
                b"metaReadGroups" => r.uri_list(c, "groupURI", &mut p.meta_read_groups)?,
                b"dataRelease" => {
                    let v = r.date(c)?;
                    r.put(&mut p.data_release, c, v)?
                }
                b"dataReadGroups" => r.uri_list(c, "groupURI", &mut p.data_read_groups)?,
                b"dataProductType" => {
                    let legacy = r.version <= Version::V22;
                    let v = r.term(c, |t| match t {
                        // CAOM ≤ 2.2 wrote CAOM's own catalog term without its namespace
                        "catalog" if legacy => Ok(DataProductType::CATALOG),
                        _ => DataProductType::parse(t),
                    })?;
                    r.put(&mut p.data_product_type, c, v)?
                }
                b"calibrationLevel" => {
                    let v = r.term(c, CalibrationLevel::parse)?;
                    r.put(&mut p.calibration_level, c, v)?
                }
                b"provenance" => {
                    let v = Some(r.provenance(c)?);
                    r.put(&mut p.provenance, c, v)?
                }
                b"observable" => {
                    let mut ucd = None;
                    r.children(c, |r, n| match n.local() {
                        b"ucd" => {
                            let v = r.string(n)?;
                            r.put(&mut ucd, n, v)
                        }
                        _ => Err(r.unknown(n, "observable")),
                    })?;
                    let v = Some(Observable {
                        ucd: r.required(ucd, c, "ucd")?,
                    });
                    r.put(&mut p.observable, c, v)?
                }
                b"metrics" => {
                    let v = Some(r.metrics(c)?);
                    r.put(&mut p.metrics, c, v)?
                }
                b"quality" => {
                    let mut flag = None;
                    r.children(c, |r, n| match n.local() {
                        b"flag" => {
                            let v = r.term(n, Quality::parse)?;
                            r.put(&mut flag, n, v)
                        }
                        _ => Err(r.unknown(n, "quality")),
                    })?;
                    let v = Some(DataQuality {
                        flag: r.required(flag, c, "flag")?,
                    });
                    r.put(&mut p.quality, c, v)?
                }
                b"position" => {
                    let v = Some(r.position(c)?);
                    r.put(&mut p.position, c, v)?
                }
                b"energy" => {
                    let v = Some(r.energy(c)?);
                    r.put(&mut p.energy, c, v)?
                }
                b"time" => {
                    let v = Some(r.time(c)?);
                    r.put(&mut p.time, c, v)?
                }
                b"polarization" => {
                    let v = Some(r.polarization(c)?);
                    r.put(&mut p.polarization, c, v)?
                }
                b"custom" => {
                    let v = Some(r.custom_axis(c)?);
                    r.put(&mut p.custom, c, v)?
                }
                b"artifacts" => r.children(c, |r, a| match a.local() {
                    b"artifact" => {
                        let artifact = r.artifact(a)?;
                        if p.artifacts.iter().any(|x| x.uri == artifact.uri) {
                            return Err(r.err_at(
                                a.pos,
                                format!("duplicate artifact uri {}", artifact.uri),
                            ));
                        }
                        p.artifacts.push(artifact);
                        Ok(())
                    }
                    _ => Err(r.unknown(a, "artifacts")),
                })?,
                _ => return Err(r.unknown(c, "plane")),
            }
            Ok(())
        })?;
        p.entity = entity;
        p.product_id = self.required(product_id, el, "productID")?;
        Ok(p)
    }

    fn provenance(&mut self, el: &El<'_>) -> Result<Provenance> {
        let mut name = None;
        let mut p = Provenance::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"name" => {
                    let v = r.string(c)?;
                    r.put(&mut name, c, v)?
                }
                b"version" => {
                    let v = r.string(c)?;
                    r.put(&mut p.version, c, v)?
                }
                b"project" => {
                    let v = r.string(c)?;
                    r.put(&mut p.project, c, v)?
                }
                b"producer" => {
                    let v = r.string(c)?;
                    r.put(&mut p.producer, c, v)?
                }
                b"runID" => {
                    let v = r.string(c)?;
                    r.put(&mut p.run_id, c, v)?
                }
                b"reference" => {
                    let v = r.uri(c)?;
                    r.put(&mut p.reference, c, v)?
                }
                b"lastExecuted" => {
                    let v = r.date(c)?;
                    r.put(&mut p.last_executed, c, v)?
                }
                b"keywords" => r.keywords(c, &mut p.keywords)?,
                b"inputs" => r.uri_list(c, "planeURI", &mut p.inputs)?,
                _ => return Err(r.unknown(c, "provenance")),
            }
            Ok(())
        })?;
        p.name = self.required(name, el, "name")?;
        Ok(p)
    }

    fn metrics(&mut self, el: &El<'_>) -> Result<Metrics> {
        let mut m = Metrics::default();
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"sourceNumberDensity" => &mut m.source_number_density,
                b"background" => &mut m.background,
                b"backgroundStddev" => &mut m.background_stddev,
                b"fluxDensityLimit" => &mut m.flux_density_limit,
                b"magLimit" => &mut m.mag_limit,
                b"sampleSNR" => &mut m.sample_snr,
                _ => return Err(r.unknown(c, "metrics")),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(m)
    }

    fn position(&mut self, el: &El<'_>) -> Result<Position> {
        let mut p = Position::default();
        self.children(el, |r, c| {
            match c.local() {
                b"bounds" => {
                    let v = Some(r.shape(c)?);
                    r.put(&mut p.bounds, c, v)?
                }
                b"dimension" => {
                    let v = Some(r.dimension(c)?);
                    r.put(&mut p.dimension, c, v)?
                }
                b"resolution" => {
                    let v = r.double(c)?;
                    r.put(&mut p.resolution, c, v)?
                }
                b"resolutionBounds" => {
                    let v = Some(r.interval(c)?);
                    r.put(&mut p.resolution_bounds, c, v)?
                }
                b"sampleSize" => {
                    let v = r.double(c)?;
                    r.put(&mut p.sample_size, c, v)?
                }
                b"timeDependent" => {
                    let v = r.boolean(c)?;
                    r.put(&mut p.time_dependent, c, v)?
                }
                _ => return Err(r.unknown(c, "position")),
            }
            Ok(())
        })?;
        Ok(p)
    }

    fn shape(&mut self, el: &El<'_>) -> Result<Shape> {
        match self.xsi_type(el)?.as_deref() {
            Some("Polygon") => {
                if self.version <= Version::V22 {
                    return Err(
                        self.err_at(el.pos, "polygon position bounds need CAOM 2.3 or later")
                    );
                }
                let mut points = Vec::new();
                let mut samples = None;
                self.children(el, |r, c| match c.local() {
                    b"points" => r.children(c, |r, p| match p.local() {
                        b"point" => {
                            points.push(r.point(p)?);
                            Ok(())
                        }
                        _ => Err(r.unknown(p, "points")),
                    }),
                    b"samples" => {
                        let mut vertices = Vec::new();
                        r.children(c, |r, v| match v.local() {
                            b"vertices" => r.children(v, |r, x| match x.local() {
                                b"vertex" => {
                                    vertices.push(r.vertex(x)?);
                                    Ok(())
                                }
                                _ => Err(r.unknown(x, "vertices")),
                            }),
                            _ => Err(r.unknown(v, "samples")),
                        })?;
                        let v = Some(MultiPolygon { vertices });
                        r.put(&mut samples, c, v)
                    }
                    _ => Err(r.unknown(c, "bounds")),
                })?;
                Ok(Shape::Polygon(Polygon {
                    points,
                    samples: self.required(samples, el, "samples")?,
                }))
            }
            Some("Circle") => {
                let (mut center, mut radius) = (None, None);
                self.children(el, |r, c| match c.local() {
                    b"center" => {
                        let v = Some(r.point(c)?);
                        r.put(&mut center, c, v)
                    }
                    b"radius" => {
                        let v = r.double(c)?;
                        r.put(&mut radius, c, v)
                    }
                    _ => Err(r.unknown(c, "bounds")),
                })?;
                Ok(Shape::Circle(Circle {
                    center: self.required(center, el, "center")?,
                    radius: self.required(radius, el, "radius")?,
                }))
            }
            Some(other) => {
                Err(self.err_at(el.pos, format!("unknown shape xsi:type=\"caom2:{other}\"")))
            }
            None => Err(self.err_at(
                el.pos,
                "<bounds> lacks xsi:type (caom2:Polygon or caom2:Circle)",
            )),
        }
    }

    fn vertex(&mut self, el: &El<'_>) -> Result<Vertex> {
        let (mut c1, mut c2, mut seg) = (None, None, None);
        self.children(el, |r, c| match c.local() {
            b"cval1" => {
                let v = r.double(c)?;
                r.put(&mut c1, c, v)
            }
            b"cval2" => {
                let v = r.double(c)?;
                r.put(&mut c2, c, v)
            }
            b"type" => {
                let v = r.value(c, "segment type (0, 1 or 2)", |t| {
                    t.parse::<i32>().ok().and_then(SegmentType::from_value)
                })?;
                r.put(&mut seg, c, v)
            }
            _ => Err(r.unknown(c, "vertex")),
        })?;
        Ok(Vertex::new(
            self.required(c1, el, "cval1")?,
            self.required(c2, el, "cval2")?,
            self.required(seg, el, "type")?,
        ))
    }

    fn energy(&mut self, el: &El<'_>) -> Result<Energy> {
        let mut e = Energy::default();
        self.children(el, |r, c| {
            match c.local() {
                b"bounds" => {
                    let v = Some(r.sampled_interval(c)?);
                    r.put(&mut e.bounds, c, v)?
                }
                b"dimension" => {
                    let v = r.long(c)?;
                    r.put(&mut e.dimension, c, v)?
                }
                b"resolvingPower" => {
                    let v = r.double(c)?;
                    r.put(&mut e.resolving_power, c, v)?
                }
                b"resolvingPowerBounds" => {
                    let v = Some(r.interval(c)?);
                    r.put(&mut e.resolving_power_bounds, c, v)?
                }
                b"sampleSize" => {
                    let v = r.double(c)?;
                    r.put(&mut e.sample_size, c, v)?
                }
                b"bandpassName" => {
                    let v = r.string(c)?;
                    r.put(&mut e.bandpass_name, c, v)?
                }
                // CAOM 2.3: a single band
                b"emBand" => {
                    if let Some(b) = r.term(c, EnergyBand::parse)? {
                        push_unique(&mut e.energy_bands, b);
                    }
                }
                b"energyBands" => r.children(c, |r, b| match b.local() {
                    b"emBand" => {
                        if let Some(band) = r.term(b, EnergyBand::parse)? {
                            push_unique(&mut e.energy_bands, band);
                        }
                        Ok(())
                    }
                    _ => Err(r.unknown(b, "energyBands")),
                })?,
                b"restwav" => {
                    let v = r.double(c)?;
                    r.put(&mut e.restwav, c, v)?
                }
                b"transition" => {
                    let v = Some(r.transition(c)?);
                    r.put(&mut e.transition, c, v)?
                }
                _ => return Err(r.unknown(c, "energy")),
            }
            Ok(())
        })?;
        Ok(e)
    }

    fn transition(&mut self, el: &El<'_>) -> Result<EnergyTransition> {
        let (mut species, mut transition) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"species" => &mut species,
                b"transition" => &mut transition,
                _ => return Err(r.unknown(c, "transition")),
            };
            let v = r.string(c)?;
            r.put(slot, c, v)
        })?;
        Ok(EnergyTransition {
            species: self.required(species, el, "species")?,
            transition: self.required(transition, el, "transition")?,
        })
    }

    fn time(&mut self, el: &El<'_>) -> Result<Time> {
        let mut t = Time::default();
        self.children(el, |r, c| {
            match c.local() {
                b"bounds" => {
                    let v = Some(r.sampled_interval(c)?);
                    r.put(&mut t.bounds, c, v)?
                }
                b"dimension" => {
                    let v = r.long(c)?;
                    r.put(&mut t.dimension, c, v)?
                }
                b"resolution" => {
                    let v = r.double(c)?;
                    r.put(&mut t.resolution, c, v)?
                }
                b"resolutionBounds" => {
                    let v = Some(r.interval(c)?);
                    r.put(&mut t.resolution_bounds, c, v)?
                }
                b"sampleSize" => {
                    let v = r.double(c)?;
                    r.put(&mut t.sample_size, c, v)?
                }
                b"exposure" => {
                    let v = r.double(c)?;
                    r.put(&mut t.exposure, c, v)?
                }
                _ => return Err(r.unknown(c, "time")),
            }
            Ok(())
        })?;
        Ok(t)
    }

    fn polarization(&mut self, el: &El<'_>) -> Result<Polarization> {
        let mut p = Polarization::default();
        self.children(el, |r, c| {
            match c.local() {
                b"states" => r.children(c, |r, s| match s.local() {
                    b"state" => {
                        if let Some(st) = r.term(s, PolarizationState::parse)? {
                            push_unique(&mut p.states, st);
                        }
                        Ok(())
                    }
                    _ => Err(r.unknown(s, "states")),
                })?,
                b"dimension" => {
                    let v = r.long(c)?;
                    r.put(&mut p.dimension, c, v)?
                }
                _ => return Err(r.unknown(c, "polarization")),
            }
            Ok(())
        })?;
        Ok(p)
    }

    fn custom_axis(&mut self, el: &El<'_>) -> Result<CustomAxis> {
        let (mut ctype, mut bounds, mut dimension) = (None, None, None);
        self.children(el, |r, c| match c.local() {
            b"ctype" => {
                let v = r.string(c)?;
                r.put(&mut ctype, c, v)
            }
            b"bounds" => {
                let v = Some(r.sampled_interval(c)?);
                r.put(&mut bounds, c, v)
            }
            b"dimension" => {
                let v = r.long(c)?;
                r.put(&mut dimension, c, v)
            }
            _ => Err(r.unknown(c, "custom")),
        })?;
        Ok(CustomAxis {
            ctype: self.required(ctype, el, "ctype")?,
            bounds,
            dimension,
        })
    }

    fn artifact(&mut self, el: &El<'_>) -> Result<Artifact> {
        let entity = self.entity(el)?;
        let (mut uri, mut product_type, mut release_type) = (None, None, None);
        let (mut content_release, mut content_type, mut content_length, mut content_checksum) =
            (None, None, None, None);
        let mut content_read_groups = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        self.children(el, |r, c| {
            match c.local() {
                b"uri" => {
                    let v = r.uri(c)?;
                    r.put(&mut uri, c, v)?
                }
                b"productType" => {
                    let v = r.term(c, ProductType::parse)?;
                    r.put(&mut product_type, c, v)?
                }
                b"releaseType" => {
                    let v = r.term(c, ReleaseType::parse)?;
                    r.put(&mut release_type, c, v)?
                }
                b"contentRelease" => {
                    let v = r.date(c)?;
                    r.put(&mut content_release, c, v)?
                }
                b"contentReadGroups" => r.uri_list(c, "groupURI", &mut content_read_groups)?,
                b"contentType" => {
                    let v = r.string(c)?;
                    r.put(&mut content_type, c, v)?
                }
                b"contentLength" => {
                    let v = r.long(c)?;
                    r.put(&mut content_length, c, v)?
                }
                b"contentChecksum" => {
                    let v = r.uri(c)?;
                    r.put(&mut content_checksum, c, v)?
                }
                b"parts" => r.children(c, |r, p| match p.local() {
                    b"part" => {
                        let part = r.part(p)?;
                        if parts.iter().any(|x| x.name == part.name) {
                            return Err(
                                r.err_at(p.pos, format!("duplicate part name {:?}", part.name))
                            );
                        }
                        parts.push(part);
                        Ok(())
                    }
                    _ => Err(r.unknown(p, "parts")),
                })?,
                _ => return Err(r.unknown(c, "artifact")),
            }
            Ok(())
        })?;
        Ok(Artifact {
            entity,
            uri: self.required(uri, el, "uri")?,
            // the Java reader's defaults for documents that predate these elements
            product_type: product_type.unwrap_or(ProductType::SCIENCE),
            release_type: release_type.unwrap_or(ReleaseType::Data),
            content_release,
            content_read_groups,
            content_type,
            content_length,
            content_checksum,
            parts,
        })
    }

    fn part(&mut self, el: &El<'_>) -> Result<Part> {
        let entity = self.entity(el)?;
        let mut name = None;
        let mut p = Part::new("");
        self.children(el, |r, c| {
            match c.local() {
                b"name" => {
                    let v = r.string(c)?;
                    r.put(&mut name, c, v)?
                }
                b"productType" => {
                    let v = r.term(c, ProductType::parse)?;
                    r.put(&mut p.product_type, c, v)?
                }
                b"chunks" => r.children(c, |r, ch| match ch.local() {
                    b"chunk" => {
                        p.chunks.push(r.chunk(ch)?);
                        Ok(())
                    }
                    _ => Err(r.unknown(ch, "chunks")),
                })?,
                _ => return Err(r.unknown(c, "part")),
            }
            Ok(())
        })?;
        p.entity = entity;
        p.name = self.required(name, el, "name")?;
        Ok(p)
    }

    fn chunk(&mut self, el: &El<'_>) -> Result<Chunk> {
        let mut ch = Chunk {
            entity: self.entity(el)?,
            ..Chunk::default()
        };
        self.children(el, |r, c| {
            let axis_slot = match c.local() {
                b"naxis" => Some(&mut ch.naxis),
                b"observableAxis" => Some(&mut ch.observable_axis),
                b"positionAxis1" => Some(&mut ch.position_axis1),
                b"positionAxis2" => Some(&mut ch.position_axis2),
                b"energyAxis" => Some(&mut ch.energy_axis),
                b"timeAxis" => Some(&mut ch.time_axis),
                b"polarizationAxis" => Some(&mut ch.polarization_axis),
                b"customAxis" => Some(&mut ch.custom_axis),
                _ => None,
            };
            if let Some(slot) = axis_slot {
                let v = r.int(c)?;
                return r.put(slot, c, v);
            }
            match c.local() {
                b"productType" => {
                    let v = r.term(c, ProductType::parse)?;
                    r.put(&mut ch.product_type, c, v)
                }
                b"observable" => {
                    let v = Some(r.observable_axis(c)?);
                    r.put(&mut ch.observable, c, v)
                }
                b"position" => {
                    let v = Some(r.spatial_wcs(c)?);
                    r.put(&mut ch.position, c, v)
                }
                b"energy" => {
                    let v = Some(r.spectral_wcs(c)?);
                    r.put(&mut ch.energy, c, v)
                }
                b"time" => {
                    let v = Some(r.temporal_wcs(c)?);
                    r.put(&mut ch.time, c, v)
                }
                b"polarization" => {
                    let axis = r.wcs_axis_only(c)?;
                    r.put(&mut ch.polarization, c, Some(PolarizationWcs { axis }))
                }
                b"custom" => {
                    let axis = r.wcs_axis_only(c)?;
                    r.put(&mut ch.custom, c, Some(CustomWcs { axis }))
                }
                _ => Err(r.unknown(c, "chunk")),
            }
        })?;
        Ok(ch)
    }

    fn observable_axis(&mut self, el: &El<'_>) -> Result<ObservableAxis> {
        let (mut dependent, mut independent) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"dependent" => &mut dependent,
                b"independent" => &mut independent,
                _ => return Err(r.unknown(c, "observable")),
            };
            let v = Some(r.slice(c)?);
            r.put(slot, c, v)
        })?;
        Ok(ObservableAxis {
            dependent: self.required(dependent, el, "dependent")?,
            independent,
        })
    }

    fn slice(&mut self, el: &El<'_>) -> Result<Slice> {
        let (mut axis, mut bin) = (None, None);
        self.children(el, |r, c| match c.local() {
            b"axis" => {
                let v = Some(r.axis(c)?);
                r.put(&mut axis, c, v)
            }
            b"bin" => {
                let v = r.long(c)?;
                r.put(&mut bin, c, v)
            }
            _ => Err(r.unknown(c, &el.name())),
        })?;
        Ok(Slice {
            axis: self.required(axis, el, "axis")?,
            bin: self.required(bin, el, "bin")?,
        })
    }

    fn axis(&mut self, el: &El<'_>) -> Result<Axis> {
        let (mut ctype, mut cunit) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"ctype" => &mut ctype,
                b"cunit" => &mut cunit,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.string(c)?;
            r.put(slot, c, v)
        })?;
        Ok(Axis {
            ctype: self.required(ctype, el, "ctype")?,
            cunit,
        })
    }

    fn spatial_wcs(&mut self, el: &El<'_>) -> Result<SpatialWcs> {
        let mut axis = None;
        let (mut coordsys, mut equinox, mut resolution) = (None, None, None);
        self.children(el, |r, c| match c.local() {
            b"axis" => {
                let v = Some(r.coord_axis_2d(c)?);
                r.put(&mut axis, c, v)
            }
            b"coordsys" => {
                let v = r.string(c)?;
                r.put(&mut coordsys, c, v)
            }
            b"equinox" => {
                let v = r.double(c)?;
                r.put(&mut equinox, c, v)
            }
            b"resolution" => {
                let v = r.double(c)?;
                r.put(&mut resolution, c, v)
            }
            _ => Err(r.unknown(c, "position")),
        })?;
        Ok(SpatialWcs {
            axis: self.required(axis, el, "axis")?,
            coordsys,
            equinox,
            resolution,
        })
    }

    fn spectral_wcs(&mut self, el: &El<'_>) -> Result<SpectralWcs> {
        let (mut axis, mut specsys) = (None, None);
        let mut w = SpectralWcs::new(CoordAxis1D::new(Axis::new("", None)), "");
        self.children(el, |r, c| {
            let text_slot = match c.local() {
                b"specsys" => Some(&mut specsys),
                b"ssysobs" => Some(&mut w.ssysobs),
                b"ssyssrc" => Some(&mut w.ssyssrc),
                b"bandpassName" => Some(&mut w.bandpass_name),
                _ => None,
            };
            if let Some(slot) = text_slot {
                let v = r.string(c)?;
                return r.put(slot, c, v);
            }
            let number_slot = match c.local() {
                b"restfrq" => Some(&mut w.restfrq),
                b"restwav" => Some(&mut w.restwav),
                b"velosys" => Some(&mut w.velosys),
                b"zsource" => Some(&mut w.zsource),
                b"velang" => Some(&mut w.velang),
                b"resolvingPower" => Some(&mut w.resolving_power),
                _ => None,
            };
            if let Some(slot) = number_slot {
                let v = r.double(c)?;
                return r.put(slot, c, v);
            }
            match c.local() {
                b"axis" => {
                    let v = Some(r.coord_axis_1d(c)?);
                    r.put(&mut axis, c, v)
                }
                b"transition" => {
                    let v = Some(r.transition(c)?);
                    r.put(&mut w.transition, c, v)
                }
                _ => Err(r.unknown(c, "energy")),
            }
        })?;
        w.axis = self.required(axis, el, "axis")?;
        w.specsys = self.required(specsys, el, "specsys")?;
        Ok(w)
    }

    fn temporal_wcs(&mut self, el: &El<'_>) -> Result<TemporalWcs> {
        let mut axis = None;
        let mut w = TemporalWcs::new(CoordAxis1D::new(Axis::new("", None)));
        self.children(el, |r, c| match c.local() {
            b"axis" => {
                let v = Some(r.coord_axis_1d(c)?);
                r.put(&mut axis, c, v)
            }
            b"timesys" => {
                let v = r.string(c)?;
                r.put(&mut w.timesys, c, v)
            }
            b"trefpos" => {
                let v = r.string(c)?;
                r.put(&mut w.trefpos, c, v)
            }
            b"mjdref" => {
                let v = r.double(c)?;
                r.put(&mut w.mjdref, c, v)
            }
            b"exposure" => {
                let v = r.double(c)?;
                r.put(&mut w.exposure, c, v)
            }
            b"resolution" => {
                let v = r.double(c)?;
                r.put(&mut w.resolution, c, v)
            }
            _ => Err(r.unknown(c, "time")),
        })?;
        w.axis = self.required(axis, el, "axis")?;
        Ok(w)
    }

    /// PolarizationWCS and CustomWCS: one `axis` child.
    fn wcs_axis_only(&mut self, el: &El<'_>) -> Result<CoordAxis1D> {
        let mut axis = None;
        self.children(el, |r, c| match c.local() {
            b"axis" => {
                let v = Some(r.coord_axis_1d(c)?);
                r.put(&mut axis, c, v)
            }
            _ => Err(r.unknown(c, &el.name())),
        })?;
        self.required(axis, el, "axis")
    }

    fn coord_error(&mut self, el: &El<'_>) -> Result<CoordError> {
        let (mut syser, mut rnder) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"syser" => &mut syser,
                b"rnder" => &mut rnder,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(CoordError {
            syser: self.required(syser, el, "syser")?,
            rnder: self.required(rnder, el, "rnder")?,
        })
    }

    fn ref_coord(&mut self, el: &El<'_>) -> Result<RefCoord> {
        let (mut pix, mut val) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"pix" => &mut pix,
                b"val" => &mut val,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(RefCoord::new(
            self.required(pix, el, "pix")?,
            self.required(val, el, "val")?,
        ))
    }

    fn coord_2d(&mut self, el: &El<'_>) -> Result<Coord2D> {
        let (mut c1, mut c2) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"coord1" => &mut c1,
                b"coord2" => &mut c2,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = Some(r.ref_coord(c)?);
            r.put(slot, c, v)
        })?;
        Ok(Coord2D {
            coord1: self.required(c1, el, "coord1")?,
            coord2: self.required(c2, el, "coord2")?,
        })
    }

    fn value_coord_2d(&mut self, el: &El<'_>) -> Result<ValueCoord2D> {
        let (mut c1, mut c2) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"coord1" => &mut c1,
                b"coord2" => &mut c2,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = r.double(c)?;
            r.put(slot, c, v)
        })?;
        Ok(ValueCoord2D {
            coord1: self.required(c1, el, "coord1")?,
            coord2: self.required(c2, el, "coord2")?,
        })
    }

    fn range_1d(&mut self, el: &El<'_>) -> Result<CoordRange1D> {
        let (mut start, mut end) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"start" => &mut start,
                b"end" => &mut end,
                _ => return Err(r.unknown(c, &el.name())),
            };
            let v = Some(r.ref_coord(c)?);
            r.put(slot, c, v)
        })?;
        Ok(CoordRange1D {
            start: self.required(start, el, "start")?,
            end: self.required(end, el, "end")?,
        })
    }

    fn dimension(&mut self, el: &El<'_>) -> Result<Dimension2D> {
        let (mut n1, mut n2) = (None, None);
        self.children(el, |r, c| {
            let slot = match c.local() {
                b"naxis1" => &mut n1,
                b"naxis2" => &mut n2,
                _ => return Err(r.unknown(c, "dimension")),
            };
            let v = r.long(c)?;
            r.put(slot, c, v)
        })?;
        Ok(Dimension2D {
            naxis1: self.required(n1, el, "naxis1")?,
            naxis2: self.required(n2, el, "naxis2")?,
        })
    }

    fn coord_axis_1d(&mut self, el: &El<'_>) -> Result<CoordAxis1D> {
        let mut axis = None;
        let mut a = CoordAxis1D::new(Axis::new("", None));
        self.children(el, |r, c| match c.local() {
            b"axis" => {
                let v = Some(r.axis(c)?);
                r.put(&mut axis, c, v)
            }
            b"error" => {
                let v = Some(r.coord_error(c)?);
                r.put(&mut a.error, c, v)
            }
            b"range" => {
                let v = Some(r.range_1d(c)?);
                r.put(&mut a.range, c, v)
            }
            b"bounds" => {
                let mut samples = Vec::new();
                r.children(c, |r, s| match s.local() {
                    b"samples" => r.children(s, |r, x| match x.local() {
                        b"range" => {
                            samples.push(r.range_1d(x)?);
                            Ok(())
                        }
                        _ => Err(r.unknown(x, "samples")),
                    }),
                    _ => Err(r.unknown(s, "bounds")),
                })?;
                r.put(&mut a.bounds, c, Some(CoordBounds1D { samples }))
            }
            b"function" => {
                let (mut naxis, mut delta, mut ref_coord) = (None, None, None);
                r.children(c, |r, f| match f.local() {
                    b"naxis" => {
                        let v = r.long(f)?;
                        r.put(&mut naxis, f, v)
                    }
                    b"delta" => {
                        let v = r.double(f)?;
                        r.put(&mut delta, f, v)
                    }
                    b"refCoord" => {
                        let v = Some(r.ref_coord(f)?);
                        r.put(&mut ref_coord, f, v)
                    }
                    _ => Err(r.unknown(f, "function")),
                })?;
                let v = Some(CoordFunction1D {
                    naxis: r.required(naxis, c, "naxis")?,
                    delta: r.required(delta, c, "delta")?,
                    ref_coord: r.required(ref_coord, c, "refCoord")?,
                });
                r.put(&mut a.function, c, v)
            }
            _ => Err(r.unknown(c, "axis")),
        })?;
        a.axis = self.required(axis, el, "axis")?;
        Ok(a)
    }

    fn coord_axis_2d(&mut self, el: &El<'_>) -> Result<CoordAxis2D> {
        let (mut axis1, mut axis2) = (None, None);
        let mut a = CoordAxis2D::new(Axis::new("", None), Axis::new("", None));
        self.children(el, |r, c| match c.local() {
            b"axis1" => {
                let v = Some(r.axis(c)?);
                r.put(&mut axis1, c, v)
            }
            b"axis2" => {
                let v = Some(r.axis(c)?);
                r.put(&mut axis2, c, v)
            }
            b"error1" => {
                let v = Some(r.coord_error(c)?);
                r.put(&mut a.error1, c, v)
            }
            b"error2" => {
                let v = Some(r.coord_error(c)?);
                r.put(&mut a.error2, c, v)
            }
            b"range" => {
                let (mut start, mut end) = (None, None);
                r.children(c, |r, x| {
                    let slot = match x.local() {
                        b"start" => &mut start,
                        b"end" => &mut end,
                        _ => return Err(r.unknown(x, "range")),
                    };
                    let v = Some(r.coord_2d(x)?);
                    r.put(slot, x, v)
                })?;
                let v = Some(CoordRange2D {
                    start: r.required(start, c, "start")?,
                    end: r.required(end, c, "end")?,
                });
                r.put(&mut a.range, c, v)
            }
            b"bounds" => {
                let mut bounds = None;
                r.children(c, |r, b| match b.local() {
                    b"circle" => {
                        let (mut center, mut radius) = (None, None);
                        r.children(b, |r, x| match x.local() {
                            b"center" => {
                                let v = Some(r.value_coord_2d(x)?);
                                r.put(&mut center, x, v)
                            }
                            b"radius" => {
                                let v = r.double(x)?;
                                r.put(&mut radius, x, v)
                            }
                            _ => Err(r.unknown(x, "circle")),
                        })?;
                        let v = Some(CoordBounds2D::Circle(CoordCircle2D {
                            center: r.required(center, b, "center")?,
                            radius: r.required(radius, b, "radius")?,
                        }));
                        r.put(&mut bounds, b, v)
                    }
                    b"polygon" => {
                        let mut vertices = Vec::new();
                        r.children(b, |r, v| match v.local() {
                            b"vertices" => r.children(v, |r, x| match x.local() {
                                b"vertex" => {
                                    vertices.push(r.value_coord_2d(x)?);
                                    Ok(())
                                }
                                _ => Err(r.unknown(x, "vertices")),
                            }),
                            _ => Err(r.unknown(v, "polygon")),
                        })?;
                        r.put(
                            &mut bounds,
                            b,
                            Some(CoordBounds2D::Polygon(CoordPolygon2D { vertices })),
                        )
                    }
                    _ => Err(r.unknown(b, "bounds")),
                })?;
                let v = Some(r.required(bounds, c, "circle or polygon")?);
                r.put(&mut a.bounds, c, v)
            }
            b"function" => {
                let (mut dimension, mut ref_coord) = (None, None);
                let (mut cd11, mut cd12, mut cd21, mut cd22) = (None, None, None, None);
                r.children(c, |r, f| match f.local() {
                    b"dimension" => {
                        let v = Some(r.dimension(f)?);
                        r.put(&mut dimension, f, v)
                    }
                    b"refCoord" => {
                        let v = Some(r.coord_2d(f)?);
                        r.put(&mut ref_coord, f, v)
                    }
                    b"cd11" | b"cd12" | b"cd21" | b"cd22" => {
                        let slot = match f.local() {
                            b"cd11" => &mut cd11,
                            b"cd12" => &mut cd12,
                            b"cd21" => &mut cd21,
                            _ => &mut cd22,
                        };
                        let v = r.double(f)?;
                        r.put(slot, f, v)
                    }
                    _ => Err(r.unknown(f, "function")),
                })?;
                let v = Some(CoordFunction2D {
                    dimension: r.required(dimension, c, "dimension")?,
                    ref_coord: r.required(ref_coord, c, "refCoord")?,
                    cd11: r.required(cd11, c, "cd11")?,
                    cd12: r.required(cd12, c, "cd12")?,
                    cd21: r.required(cd21, c, "cd21")?,
                    cd22: r.required(cd22, c, "cd22")?,
                });
                r.put(&mut a.function, c, v)
            }
            _ => Err(r.unknown(c, "axis")),
        })?;
        a.axis1 = self.required(axis1, el, "axis1")?;
        a.axis2 = self.required(axis2, el, "axis2")?;
        Ok(a)
    }
}

/// True when a tag's attribute text declares a namespace.
fn memchr_xmlns(attrs: &[u8]) -> bool {
    !attrs.is_empty() && attrs.windows(5).any(|w| w == b"xmlns")
}

/// Sets keep one copy of each value, as the reference readers' sets do.
fn push_unique<T: PartialEq>(into: &mut Vec<T>, value: T) {
    if !into.contains(&value) {
        into.push(value);
    }
}

/// A 2.0-style 64-bit id becomes UUID(0, id), as the reference readers map it.
fn parse_id(s: &str) -> Option<Uuid> {
    if let Ok(u) = Uuid::parse_str(s) {
        if s.len() == 36 {
            return Some(u);
        }
    }
    s.parse::<i64>()
        .ok()
        .map(|l| Uuid::from_u64_pair(0, l as u64))
}
