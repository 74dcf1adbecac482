//! md5 in the forms the services use: lower-case hex (CAOM `md5:<hex>` checksums, our
//! `FileInfo`), and base64 in the RFC 3230 `Digest: md5=<base64>` header of Storage Inventory.

use base64::Engine;

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[usize::from(b >> 4)] as char);
        s.push(D[usize::from(b & 15)] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `md5=<base64>` for a hex md5 (the `Digest` header value).
pub fn digest_header(md5_hex: &str) -> Option<String> {
    let raw = unhex(md5_hex).filter(|r| r.len() == 16)?;
    Some(format!(
        "md5={}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    ))
}

/// The hex md5 in a `Digest` header (`md5=<base64>`, possibly among other algorithms; the
/// algorithm name is case-insensitive).
pub fn md5_from_digest_header(value: &str) -> Option<String> {
    value.split(',').find_map(|part| {
        let (alg, v) = part.trim().split_once('=')?;
        if !alg.trim().eq_ignore_ascii_case("md5") {
            return None;
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(v.trim())
            .ok()
            .filter(|r| r.len() == 16)?;
        Some(hex(&raw))
    })
}

/// A hex md5 from the forms found in the wild: `md5:<hex>`, `<hex>`, `md5=<base64>`.
pub fn normalize_md5(value: &str) -> Option<String> {
    let v = value.trim();
    if let Some(h) = md5_from_digest_header(v) {
        return Some(h);
    }
    let h = v.strip_prefix("md5:").unwrap_or(v).to_ascii_lowercase();
    (h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit())).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_forms() {
        let hex_md5 = "5d41402abc4b2a76b9719d911017c592"; // "hello"
        let h = digest_header(hex_md5).unwrap();
        assert_eq!(h, "md5=XUFAKrxLKna5cZ2REBfFkg==");
        assert_eq!(md5_from_digest_header(&h).as_deref(), Some(hex_md5));
        assert_eq!(
            md5_from_digest_header("SHA-256=abc, MD5=XUFAKrxLKna5cZ2REBfFkg==").as_deref(),
            Some(hex_md5)
        );
        assert_eq!(md5_from_digest_header("md5=notbase64!"), None);
        assert_eq!(
            normalize_md5("md5:5D41402ABC4B2A76B9719D911017C592").as_deref(),
            Some(hex_md5)
        );
        assert_eq!(normalize_md5("xyz"), None);
        assert_eq!(digest_header("abc"), None);
    }
}
