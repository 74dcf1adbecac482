//! Backends: the embedded local repository and file store (the defaults when no service is
//! configured), the caom2repo and Storage Inventory services over HTTP, and a decorator
//! that records their calls as metrics.

pub mod http_repository;
pub mod http_storage;
pub mod local_repository;
pub mod local_storage;
pub mod observed;

pub use http_repository::HttpRepository;
pub use http_storage::HttpStorage;
pub use local_repository::LocalRepository;
pub use local_storage::LocalStorage;
pub use observed::{ObservedRepository, ObservedStorage};

/// Percent-encodes what may not appear in one path component (`/`, `\`, `%`, NUL and a
/// leading `.`), so an observation id or URI path element can never escape its directory.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '/' | '\\' | '%' | '\0' => out.push_str(&format!("%{:02X}", c as u32)),
            '.' if i == 0 => out.push_str("%2E"),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`encode_component`].
pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_never_escape() {
        for s in ["plain", "a/b", "..", ".hidden", "100%", "x\\y", "é.fits"] {
            let e = encode_component(s);
            assert!(!e.contains('/') && !e.starts_with('.'), "{e}");
            assert_eq!(decode_component(&e), s);
        }
        assert_eq!(encode_component("N2024.x"), "N2024.x");
    }
}
