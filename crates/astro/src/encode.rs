//! Rasters to files: JPEG through the `jpeg-encoder` crate (baseline, quality 90, 4:2:0 for
//! colour), PNG written here (8-bit gray or RGB, rows filtered with the heuristic PNG's
//! specification recommends, zlib level 3 from `flate2`).

use crate::render::Raster;
use std::io::Write;

// Previews are written in the formats config.yml's preview styles name.
pub use manage::preview::ImageFormat;

/// Why a raster could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("JPEG: {0}")]
    Jpeg(String),
    #[error("{width} × {height}: JPEG images are at most 65535 pixels on a side")]
    TooLarge { width: usize, height: usize },
    #[error("PNG: {0}")]
    Png(#[from] std::io::Error),
}

/// JPEG quality (matplotlib's and PIL's default is 75; previews of faint sky need more).
pub const JPEG_QUALITY: u8 = 90;

/// The raster in `format`.
pub fn encode(r: &Raster, format: ImageFormat) -> Result<Vec<u8>, EncodeError> {
    match format {
        ImageFormat::Jpeg => jpeg(r),
        ImageFormat::Png => png(r),
    }
}

fn jpeg(r: &Raster) -> Result<Vec<u8>, EncodeError> {
    let (Ok(w), Ok(h)) = (u16::try_from(r.width), u16::try_from(r.height)) else {
        return Err(EncodeError::TooLarge {
            width: r.width,
            height: r.height,
        });
    };
    let mut out = Vec::with_capacity(r.data.len() / 4);
    let encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
    let colour = if r.channels == 3 {
        jpeg_encoder::ColorType::Rgb
    } else {
        jpeg_encoder::ColorType::Luma
    };
    encoder
        .encode(&r.data, w, h, colour)
        .map_err(|e| EncodeError::Jpeg(e.to_string()))?;
    Ok(out)
}

/// CRC-32 of PNG chunks (ISO 3309, as zlib computes it).
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = flate2::Crc::new();
    for p in parts {
        c.update(p);
    }
    c.sum()
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// The PNG filter byte of type `kind` for position `i` of a row.
#[inline]
fn filtered(kind: u8, row: &[u8], prev: &[u8], bpp: usize, i: usize) -> u8 {
    let a = if i >= bpp { row[i - bpp] } else { 0 };
    let b = prev[i];
    let x = row[i];
    match kind {
        0 => x,
        1 => x.wrapping_sub(a),
        2 => x.wrapping_sub(b),
        3 => x.wrapping_sub(((u16::from(a) + u16::from(b)) / 2) as u8),
        _ => {
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            x.wrapping_sub(paeth(a, b, c))
        }
    }
}

/// The filter with the smallest sum of absolute (signed) filtered bytes, the heuristic the
/// PNG specification recommends; the five sums are made in one pass.
fn best_filter(row: &[u8], prev: &[u8], bpp: usize) -> u8 {
    let mut cost = [0u64; 5];
    for i in 0..row.len() {
        for (kind, c) in cost.iter_mut().enumerate() {
            *c += u64::from((filtered(kind as u8, row, prev, bpp, i) as i8).unsigned_abs());
        }
    }
    (0..5u8).min_by_key(|&k| cost[usize::from(k)]).unwrap_or(0)
}

/// One filtered row (type byte first) into `out`.
fn filter_row(kind: u8, row: &[u8], prev: &[u8], bpp: usize, out: &mut Vec<u8>) {
    out.push(kind);
    out.extend((0..row.len()).map(|i| filtered(kind, row, prev, bpp, i)));
}

fn png(r: &Raster) -> Result<Vec<u8>, EncodeError> {
    let bpp = r.channels;
    let stride = r.width * bpp;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(r.width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(r.height as u32).to_be_bytes());
    // 8 bits, colour type 0 (gray) or 2 (RGB), deflate, adaptive filtering, no interlace
    ihdr.extend_from_slice(&[8, if bpp == 3 { 2 } else { 0 }, 0, 0, 0]);
    let mut filtered = Vec::with_capacity((stride + 1) * r.height);
    let zero = vec![0u8; stride];
    for y in 0..r.height {
        let row = &r.data[y * stride..(y + 1) * stride];
        let prev = if y == 0 {
            &zero[..]
        } else {
            &r.data[(y - 1) * stride..y * stride]
        };
        filter_row(best_filter(row, prev, bpp), row, prev, bpp, &mut filtered);
    }
    // level 3: within 1 % of level 6 on previews, in less than half the time
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(filtered.len() / 2),
        flate2::Compression::new(3),
    );
    z.write_all(&filtered)?;
    let idat = z.finish()?;
    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// Width and height of a PNG or JPEG file from its header, and its format; `None` for
/// anything else (used by tests and the preview command's report).
pub fn dimensions(bytes: &[u8]) -> Option<(ImageFormat, usize, usize)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
        let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?) as usize;
        let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?) as usize;
        return Some((ImageFormat::Png, w, h));
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    // walk the markers to the first start-of-frame
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = usize::from(u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]));
            let w = usize::from(u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]));
            return Some((ImageFormat::Jpeg, w, h));
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Decodes our own PNG output (one IDAT, 8-bit): the test side of the encoder.
    fn decode_png(bytes: &[u8]) -> (usize, usize, usize, Vec<u8>) {
        let (_, w, h) = dimensions(bytes).unwrap();
        let bpp = if bytes[25] == 2 { 3 } else { 1 };
        let mut i = 8;
        let mut idat = Vec::new();
        while i < bytes.len() {
            let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
            let kind = &bytes[i + 4..i + 8];
            let data = &bytes[i + 8..i + 8 + len];
            let crc = u32::from_be_bytes(bytes[i + 8 + len..i + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(&[kind, data]));
            if kind == b"IDAT" {
                idat.extend_from_slice(data);
            }
            i += 12 + len;
        }
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&idat[..])
            .read_to_end(&mut raw)
            .unwrap();
        let stride = w * bpp;
        let mut out: Vec<u8> = Vec::with_capacity(w * h * bpp);
        for y in 0..h {
            let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
            let kind = line[0];
            for x in 0..stride {
                let a = if x >= bpp {
                    out[y * stride + x - bpp]
                } else {
                    0
                };
                let b = if y > 0 { out[(y - 1) * stride + x] } else { 0 };
                let c = if x >= bpp && y > 0 {
                    out[(y - 1) * stride + x - bpp]
                } else {
                    0
                };
                let v = line[1 + x];
                out.push(match kind {
                    0 => v,
                    1 => v.wrapping_add(a),
                    2 => v.wrapping_add(b),
                    3 => v.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                    _ => v.wrapping_add(paeth(a, b, c)),
                });
            }
        }
        (w, h, bpp, out)
    }

    #[test]
    fn png_round_trips() {
        for channels in [1, 3] {
            let (w, h) = (37, 23);
            let data: Vec<u8> = (0..w * h * channels)
                .map(|i| ((i * 7919) % 251) as u8 ^ (i / 13) as u8)
                .collect();
            let r = Raster {
                width: w,
                height: h,
                channels,
                data,
            };
            let bytes = encode(&r, ImageFormat::Png).unwrap();
            let (dw, dh, bpp, px) = decode_png(&bytes);
            assert_eq!((dw, dh, bpp), (w, h, channels));
            assert_eq!(px, r.data);
        }
        // the CRC of the empty IEND chunk, as every PNG has it
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
    }

    #[test]
    fn jpeg_header() {
        let r = Raster::filled(300, 200, 1, &[128]);
        let bytes = encode(&r, ImageFormat::Jpeg).unwrap();
        assert_eq!(dimensions(&bytes), Some((ImageFormat::Jpeg, 300, 200)));
        let rgb = Raster::filled(30, 20, 3, &[10, 200, 30]);
        let bytes = encode(&rgb, ImageFormat::Jpeg).unwrap();
        assert_eq!(dimensions(&bytes), Some((ImageFormat::Jpeg, 30, 20)));
        assert!(encode(&Raster::filled(70000, 1, 1, &[0]), ImageFormat::Jpeg).is_err());
        assert_eq!(dimensions(b"GIF89a"), None);
    }
}
