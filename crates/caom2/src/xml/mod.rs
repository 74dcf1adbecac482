//! CAOM XML: read CAOM 2.2, 2.3 and 2.4 documents; write CAOM 2.4 as the Java reference does.

mod reader;
mod writer;

pub use reader::read;
pub use writer::write;

/// CAOM 2.2 (and older) namespace.
pub const NS_CAOM22: &str = "vos://cadc.nrc.ca!vospace/CADC/xml/CAOM/v2.2";
/// CAOM 2.3 namespace.
pub const NS_CAOM23: &str = "http://www.opencadc.org/caom2/xml/v2.3";
/// CAOM 2.4 namespace, the one we write.
pub const NS_CAOM24: &str = "http://www.opencadc.org/caom2/xml/v2.4";
/// XML Schema instance namespace (`xsi:type`).
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Documents larger than this are refused before parsing. The caom2 repository service takes
/// at most 20 MiB; this leaves room for local files while bounding memory.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// The model version of a document, from its root namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V22,
    V23,
    V24,
}

impl Version {
    pub fn from_namespace(ns: &str) -> Option<Version> {
        match ns {
            NS_CAOM22 => Some(Version::V22),
            NS_CAOM23 => Some(Version::V23),
            NS_CAOM24 => Some(Version::V24),
            _ => None,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            Version::V22 => NS_CAOM22,
            Version::V23 => NS_CAOM23,
            Version::V24 => NS_CAOM24,
        }
    }
}

/// A document that cannot be read, with the place of the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct XmlError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    pub message: String,
}

impl XmlError {
    /// An error at a byte offset of `src`.
    pub(crate) fn at(src: &[u8], offset: usize, message: impl Into<String>) -> XmlError {
        let mut offset = offset.min(src.len());
        // report the start of the next token, not the layout whitespace before it
        while offset < src.len() && src[offset].is_ascii_whitespace() {
            offset += 1;
        }
        let before = &src[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        XmlError {
            line,
            column,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests;
