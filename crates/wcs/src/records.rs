//! The common primary-WCS keywords read from keyrecords without wcspih, for headers where
//! that provably gives what wcspih gives; any other header goes to wcspih.
//!
//! wcspih's flex lexer costs about 10,000 instructions per keyrecord (two passes, `sscanf`
//! per number), several times the fixes and wcsset together. Most headers a mapping meets
//! hold only a handful of keywords in their plain forms, which this reader takes:
//!
//! - `NAXIS`, `WCSAXES`, `VELREF`: unsigned integers;
//! - `CRVALi`, `CRPIXi`, `CDELTi`, `CROTAi`, `CRDERi`, `CSYERi`, `PCi_j`, `CDi_j`, `PVi_m`,
//!   `LONPOLE`, `LATPOLE`, `EQUINOX`, `EPOCH`, `RESTFRQ`, `RESTFREQ`, `RESTWAV`, `VELOSYS`,
//!   `ZSOURCE`, `VELANGL`, `MJD-OBS`, `TIMEDEL`, `OBSGEO-X/Y/Z`: numbers `[+-]digits[.digits][E[+-]digits]` (wcslib and Rust
//!   both round them correctly, so the doubles are identical);
//! - `CTYPEi`, `CUNITi`, `RADESYS`, `SPECSYS`, `SSYSOBS`, `SSYSSRC`, `DATE-OBS`, `DATE-END`,
//!   `TIMESYS`, `WCSNAME`: quoted strings (`''` escapes; blanks kept, except the trailing
//!   ones of CTYPE, as wcspih stores them);
//!
//! each in columns 1–8 with `= ` in columns 9–10, the value followed only by blanks or a `/`
//! comment, axis numbers 1–99 without leading zeros. The number of axes is wcspih's: the
//! highest of NAXIS, WCSAXES and any axis number; none at all means no WCS. NAXIS must come
//! before the other keywords, as FITS has it (wcspih disregards a later one, or names the WCS
//! differently).
//! EQUINOX wins over EPOCH whatever their order, as in wcspih.
//!
//! Anything else that could be a WCS keyword — another keyword of the standard or of a
//! convention (alternates, SIP, distortions, time keywords beyond the above), a lower-case or
//! indented keyword, a value in another form (a `D` exponent, which wcslib reads as the
//! mantissa alone; blanks inside a number; a logical; a number where a string belongs), a
//! repeated keyword (wcspih keeps the last, or both PV cards), or a non-finite number —
//! sends the header to wcspih, so that its acceptance and rejection rules, and the report of
//! rejected keyrecords, stay wcspih's own. Keywords that cannot be WCS keywords (`OBJECT`,
//! `COMMENT`, …) are ignored, as wcspih ignores them.
//!
//! The equivalence is checked in `tests.rs` against wcspih on generated headers: the wcsprm
//! fields both produce, and what the fixes and wcsset make of them.

use crate::params::{AxisParams, WcsParams};

/// What the reader made of a header.
pub(crate) enum Read {
    /// The values, with at least one axis.
    Params(Box<WcsParams>),
    /// No axis at all: wcspih would construct no primary WCS.
    NoWcs,
    /// Something only wcspih can judge.
    Wcspih,
}

/// Keyword prefixes of everything wcspih (7.12, any `relax`) might read, and more: a header
/// with any other keyword starting like these goes to wcspih.
const WCS_LIKE: &[&[u8]] = &[
    b"CTYPE",
    b"CUNIT",
    b"CRVAL",
    b"CRPIX",
    b"CDELT",
    b"CROTA",
    b"CNAME",
    b"CRDER",
    b"CSYER",
    b"CZPHS",
    b"CPERI",
    b"CPDIS",
    b"CQDIS",
    b"CPERR",
    b"CQERR",
    b"CD",
    b"PC",
    b"PV",
    b"PS",
    b"PROJP",
    b"DP",
    b"DQ",
    b"DS",
    b"DATE",
    b"DVERR",
    b"A_",
    b"B_",
    b"AP_",
    b"BP_",
    b"WCS",
    b"LONPOLE",
    b"LATPOLE",
    b"REST",
    b"RADE",
    b"EQUINOX",
    b"EPOCH",
    b"SPECSYS",
    b"SSYS",
    b"VELO",
    b"ZSOURCE",
    b"VELANGL",
    b"VSOURCE",
    b"VELREF",
    b"TIME",
    b"TREF",
    b"PLEPHEM",
    b"MJD",
    b"JD",
    b"JEPOCH",
    b"BEPOCH",
    b"TSTART",
    b"TSTOP",
    b"XPOSURE",
    b"TELAPSE",
    b"TIMSYER",
    b"TIMRDER",
    b"TIMEDEL",
    b"TIMEPIXR",
    b"OBSGEO",
    b"OBSORBIT",
    b"NAXIS",
];

/// Whether a keyword field may be a WCS keyword (blanks dropped, any case). Asked of every
/// record that is not a WCS keyword, so the field is normalised on the stack: it is 8 bytes,
/// and no prefix is longer.
fn wcs_like(keyword: &[u8]) -> bool {
    let mut k = [0u8; 8];
    let mut n = 0;
    for &b in keyword.iter().filter(|&&b| b != b' ').take(k.len()) {
        k[n] = b.to_ascii_uppercase();
        n += 1;
    }
    WCS_LIKE.iter().any(|p| k[..n].starts_with(p))
}

/// An axis number `1..=99` without a leading zero, the whole of `s`.
fn axis_number(s: &[u8]) -> Option<usize> {
    match s {
        [d @ b'1'..=b'9'] => Some(usize::from(d - b'0')),
        [d @ b'1'..=b'9', e @ b'0'..=b'9'] => {
            Some(usize::from(d - b'0') * 10 + usize::from(e - b'0'))
        }
        _ => None,
    }
}

/// `PVi_m`'s `m`: `0..=99` without a leading zero.
fn parameter_number(s: &[u8]) -> Option<usize> {
    if s == b"0" {
        Some(0)
    } else {
        axis_number(s)
    }
}

/// `i_j` with both axis numbers.
fn pair(s: &[u8]) -> Option<(usize, usize)> {
    let at = s.iter().position(|&b| b == b'_')?;
    Some((axis_number(&s[..at])?, axis_number(&s[at + 1..])?))
}

/// After a value: blanks, then the end or a `/` comment.
fn tail_ok(rest: &[u8]) -> bool {
    let rest = trim_start(rest);
    rest.is_empty() || rest[0] == b'/'
}

fn trim_start(s: &[u8]) -> &[u8] {
    let i = s.iter().position(|&b| b != b' ').unwrap_or(s.len());
    &s[i..]
}

fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `[+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?` then the tail; finite.
fn number(field: &[u8]) -> Option<f64> {
    let s = trim_start(field);
    let mut i = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let int = digits(&s[i..]);
    i += int;
    let mut frac = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&s[i..]);
        i += frac;
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let e = digits(&s[i..]);
        if e == 0 {
            return None;
        }
        i += e;
    }
    if !tail_ok(&s[i..]) {
        return None;
    }
    // ASCII digits, signs, '.', 'e': valid UTF-8
    let v: f64 = std::str::from_utf8(&s[..i]).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Unsigned digits then the tail, at most 9 of them.
fn integer(field: &[u8]) -> Option<i32> {
    let s = trim_start(field);
    let n = digits(s);
    if n == 0 || n > 9 || !tail_ok(&s[n..]) {
        return None;
    }
    std::str::from_utf8(&s[..n]).ok()?.parse().ok()
}

/// A quoted string (`''` for a quote) then the tail, blanks kept: wcspih drops trailing
/// blanks from CTYPE only (`RADESYS = 'ICRS    '` is not ICRS to wcsset).
fn string(field: &[u8]) -> Option<String> {
    let s = trim_start(field);
    let mut rest = s.strip_prefix(b"'")?;
    let mut out = Vec::with_capacity(rest.len());
    loop {
        let q = rest.iter().position(|&b| b == b'\'')?;
        out.extend_from_slice(&rest[..q]);
        if rest.get(q + 1) == Some(&b'\'') {
            out.push(b'\'');
            rest = &rest[q + 2..];
        } else {
            rest = &rest[q + 1..];
            break;
        }
    }
    if !tail_ok(rest) {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Per-axis values as found, before the number of axes is known.
#[derive(Default)]
struct AxisSeen {
    values: AxisParams,
    /// CTYPE, CUNIT, CRVAL, CRPIX, CDELT, CROTA, CRDER, CSYER seen (a repeat goes to wcspih).
    seen: [bool; 8],
}

/// Reads `records` (80-byte keyrecords, END excluded).
pub(crate) fn read(records: &[u8]) -> Read {
    match read_params(records) {
        Some(Some(p)) => Read::Params(Box::new(p)),
        Some(None) => Read::NoWcs,
        None => Read::Wcspih,
    }
}

/// `None`: wcspih's business; `Some(None)`: no axes.
fn read_params(records: &[u8]) -> Option<Option<WcsParams>> {
    let mut p = WcsParams::default();
    let mut axes: Vec<AxisSeen> = Vec::new();
    let mut naxis = 0usize;
    let mut wcsaxes = 0usize;
    let mut epoch: Option<f64> = None;
    let mut scalar_seen: u32 = 0;
    for rec in records.chunks_exact(80) {
        let key = &rec[..8];
        let end = key.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        let kw = &key[..end];
        let canonical = &rec[8..10] == b"= "
            && !kw.is_empty()
            && kw
                .iter()
                .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !canonical {
            if wcs_like(key) {
                return None;
            }
            continue;
        }
        let field = &rec[10..];
        // indexed keywords: prefix + axis number
        let indexed = |prefix: &[u8]| kw.strip_prefix(prefix).and_then(axis_number);
        if let Some(i) = indexed(b"CTYPE") {
            axis(&mut axes, i, 0)?.values.ctype = string(field)?;
        } else if let Some(i) = indexed(b"CUNIT") {
            axis(&mut axes, i, 1)?.values.cunit = string(field)?;
        } else if let Some(i) = indexed(b"CRVAL") {
            axis(&mut axes, i, 2)?.values.crval = number(field)?;
        } else if let Some(i) = indexed(b"CRPIX") {
            axis(&mut axes, i, 3)?.values.crpix = number(field)?;
        } else if let Some(i) = indexed(b"CDELT") {
            axis(&mut axes, i, 4)?.values.cdelt = number(field)?;
        } else if let Some(i) = indexed(b"CROTA") {
            axis(&mut axes, i, 5)?.values.crota = Some(number(field)?);
        } else if let Some(i) = indexed(b"CRDER") {
            axis(&mut axes, i, 6)?.values.crder = Some(number(field)?);
        } else if let Some(i) = indexed(b"CSYER") {
            axis(&mut axes, i, 7)?.values.csyer = Some(number(field)?);
        } else if let Some((i, j)) = kw.strip_prefix(b"PC").and_then(pair) {
            if p.pc.iter().any(|&(a, b, _)| (a, b) == (i, j)) {
                return None;
            }
            p.pc.push((i, j, number(field)?));
            note_axis(&mut axes, i.max(j));
        } else if let Some((i, j)) = kw.strip_prefix(b"CD").and_then(pair) {
            if p.cd.iter().any(|&(a, b, _)| (a, b) == (i, j)) {
                return None;
            }
            p.cd.push((i, j, number(field)?));
            note_axis(&mut axes, i.max(j));
        } else if let Some((i, m)) = kw.strip_prefix(b"PV").and_then(|r| {
            let at = r.iter().position(|&b| b == b'_')?;
            Some((axis_number(&r[..at])?, parameter_number(&r[at + 1..])?))
        }) {
            if p.pv.iter().any(|&(a, b, _)| (a, b) == (i, m)) {
                return None;
            }
            p.pv.push((i, m, number(field)?));
            note_axis(&mut axes, i);
        } else {
            let slot = match kw {
                b"NAXIS" => Scalar::Naxis,
                b"WCSAXES" => Scalar::Wcsaxes,
                b"VELREF" => Scalar::Velref,
                b"LONPOLE" => Scalar::Lonpole,
                b"LATPOLE" => Scalar::Latpole,
                b"EQUINOX" => Scalar::Equinox,
                b"EPOCH" => Scalar::Epoch,
                // either spelling; both present goes to wcspih (the last one wins there)
                b"RESTFRQ" | b"RESTFREQ" => Scalar::Restfrq,
                b"RESTWAV" => Scalar::Restwav,
                b"VELOSYS" => Scalar::Velosys,
                b"ZSOURCE" => Scalar::Zsource,
                b"VELANGL" => Scalar::Velangl,
                b"MJD-OBS" => Scalar::Mjdobs,
                b"OBSGEO-X" => Scalar::ObsgeoX,
                b"OBSGEO-Y" => Scalar::ObsgeoY,
                b"OBSGEO-Z" => Scalar::ObsgeoZ,
                b"RADESYS" => Scalar::Radesys,
                b"SPECSYS" => Scalar::Specsys,
                b"SSYSOBS" => Scalar::Ssysobs,
                b"SSYSSRC" => Scalar::Ssyssrc,
                b"DATE-OBS" => Scalar::Dateobs,
                b"DATE-END" => Scalar::Dateend,
                b"TIMESYS" => Scalar::Timesys,
                b"WCSNAME" => Scalar::Wcsname,
                b"TIMEDEL" => Scalar::Timedel,
                _ if wcs_like(key) => return None,
                _ => continue,
            };
            if scalar_seen & slot.bit() != 0 {
                return None;
            }
            scalar_seen |= slot.bit();
            match slot {
                Scalar::Naxis => {
                    // wcspih disregards a NAXIS after axis keywords or WCSAXES and names
                    // the WCS differently after others: FITS puts NAXIS first, and any
                    // other order is left to wcspih
                    if !axes.is_empty()
                        || !p.pc.is_empty()
                        || !p.cd.is_empty()
                        || !p.pv.is_empty()
                        || scalar_seen != Scalar::Naxis.bit()
                    {
                        return None;
                    }
                    naxis = usize::try_from(integer(field)?).ok()?;
                }
                Scalar::Wcsaxes => {
                    wcsaxes = usize::try_from(integer(field)?).ok()?;
                }
                Scalar::Velref => p.velref = Some(integer(field)?),
                Scalar::Lonpole => p.lonpole = Some(number(field)?),
                Scalar::Latpole => p.latpole = Some(number(field)?),
                Scalar::Equinox => p.equinox = Some(number(field)?),
                Scalar::Epoch => epoch = Some(number(field)?),
                Scalar::Restfrq => p.restfrq = Some(number(field)?),
                Scalar::Restwav => p.restwav = Some(number(field)?),
                Scalar::Velosys => p.velosys = Some(number(field)?),
                Scalar::Zsource => p.zsource = Some(number(field)?),
                Scalar::Velangl => p.velangl = Some(number(field)?),
                Scalar::Mjdobs => p.mjdobs = Some(number(field)?),
                Scalar::Timedel => p.timedel = Some(number(field)?),
                Scalar::ObsgeoX => p.obsgeo[0] = Some(number(field)?),
                Scalar::ObsgeoY => p.obsgeo[1] = Some(number(field)?),
                Scalar::ObsgeoZ => p.obsgeo[2] = Some(number(field)?),
                Scalar::Radesys => p.radesys = string(field)?,
                Scalar::Specsys => p.specsys = string(field)?,
                Scalar::Ssysobs => p.ssysobs = string(field)?,
                Scalar::Ssyssrc => p.ssyssrc = string(field)?,
                Scalar::Dateobs => p.dateobs = string(field)?,
                Scalar::Dateend => p.dateend = string(field)?,
                Scalar::Timesys => p.timesys = string(field)?,
                Scalar::Wcsname => p.wcsname = string(field)?,
            }
        }
    }
    let n = axes.len().max(naxis).max(wcsaxes);
    if n == 0 {
        return Some(None);
    }
    if n > 99 {
        return None;
    }
    if p.equinox.is_none() {
        p.equinox = epoch;
    }
    // wcspih names a representation made of nothing but NAXIS and the keywords shared by
    // all representations (dates, MJD-OBS, TIMESYS, TIMEDEL, OBSGEO)
    const SHARED: u32 = Scalar::Naxis.bit()
        | Scalar::Mjdobs.bit()
        | Scalar::ObsgeoX.bit()
        | Scalar::ObsgeoY.bit()
        | Scalar::ObsgeoZ.bit()
        | Scalar::Dateobs.bit()
        | Scalar::Dateend.bit()
        | Scalar::Timesys.bit()
        | Scalar::Timedel.bit();
    let own = !axes.is_empty()
        || !p.pc.is_empty()
        || !p.cd.is_empty()
        || !p.pv.is_empty()
        || scalar_seen & !SHARED != 0;
    if !own {
        p.wcsname = "DEFAULTS".into();
    }
    axes.resize_with(n, AxisSeen::default);
    p.axes = axes.into_iter().map(|a| a.values).collect();
    Some(Some(p))
}

/// Axis `i` (1-based) for its keyword number `slot`; `None` if that keyword was seen before.
fn axis(axes: &mut Vec<AxisSeen>, i: usize, slot: usize) -> Option<&mut AxisSeen> {
    note_axis(axes, i);
    let a = &mut axes[i - 1];
    if std::mem::replace(&mut a.seen[slot], true) {
        return None;
    }
    Some(a)
}

/// Makes room for axis `i` (a matrix or PV keyword counts towards the number of axes).
fn note_axis(axes: &mut Vec<AxisSeen>, i: usize) {
    if axes.len() < i {
        axes.resize_with(i, AxisSeen::default);
    }
}

/// The scalar keywords, each at most once per header: a variant's number is its bit in the
/// set of those seen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Naxis,
    Wcsaxes,
    Velref,
    Lonpole,
    Latpole,
    Equinox,
    Epoch,
    Restfrq,
    Restwav,
    Velosys,
    Zsource,
    Velangl,
    Mjdobs,
    ObsgeoX,
    ObsgeoY,
    ObsgeoZ,
    Radesys,
    Specsys,
    Ssysobs,
    Ssyssrc,
    Dateobs,
    Dateend,
    Timesys,
    Wcsname,
    Timedel,
}

impl Scalar {
    /// Its bit in a set of seen keywords.
    const fn bit(self) -> u32 {
        1 << self as u32
    }
}
