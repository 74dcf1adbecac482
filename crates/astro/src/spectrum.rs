//! Spectra as line plots: a 1-D spectrum, or a 2-D long-slit frame averaged along the slit
//! (the axis that is not the dispersion axis), drawn as flux against wavelength (the linear
//! WCS of the dispersion axis: `CRVAL + CDELT·(pixel − CRPIX)`, `CD` when there is no
//! `CDELT`) or against pixel number, with a frame, ticks, tick labels, axis labels and a
//! title, as DAO's matplotlib previews show them.
//!
//! Reading keeps one spectrum (one value per dispersion pixel) and one band of rows.

use crate::font::{self, ADVANCE, GLYPH_H};
use crate::pixels::Image;
use crate::render::{for_each_row, PlaneChoice, Raster, Rect, RenderError, MAX_AXIS};

/// A spectrum and how to label it.
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum {
    /// One value per dispersion pixel (NaN where blank).
    pub flux: Vec<f32>,
    /// World coordinate of pixel i (0-based): `crval + cdelt · (i + 1 − crpix)`.
    pub crval: f64,
    pub cdelt: f64,
    pub crpix: f64,
    pub x_label: String,
    pub y_label: String,
    pub title: String,
    /// Rows (or columns) averaged along the slit; 1 for a 1-D spectrum.
    pub collapsed: usize,
}

impl Spectrum {
    /// The world coordinate of pixel `i` (0-based).
    pub fn x(&self, i: usize) -> f64 {
        self.crval + self.cdelt * (i as f64 + 1.0 - self.crpix)
    }
}

/// Spectral CTYPE prefixes (FITS WCS paper III).
const SPECTRAL: &[&str] = &[
    "WAVE", "AWAV", "FREQ", "ENER", "WAVN", "VRAD", "VOPT", "ZOPT", "VELO", "BETA",
];

/// Whether a CTYPE is a spectral axis.
pub fn is_spectral(ctype: &str) -> bool {
    SPECTRAL.iter().any(|p| ctype.trim().starts_with(p))
}

/// Whether a CTYPE is a celestial axis.
pub fn is_celestial(ctype: &str) -> bool {
    let t = ctype.trim();
    [
        "RA", "DEC", "GLON", "GLAT", "ELON", "ELAT", "SLON", "SLAT", "HPLN", "HPLT",
    ]
    .iter()
    .any(|p| t == *p || t.starts_with(&format!("{p}-")))
}

/// The dispersion axis (1 or 2) of the HDU when its data look like a spectrum: one axis
/// with pixels; a spectral CTYPE and no celestial one; `DISPAXIS` or an `OBSMODE` with
/// "slit" or "spec" and no celestial axis; or at most 4 rows of at least 64 pixels (a
/// Reticon-style pair of rows). `None` for an image.
pub fn dispersion_axis(image: &Image) -> Option<usize> {
    let [nx, ny] = image.plane_shape();
    let shape = image.shape();
    if shape.iter().skip(1).all(|&n| n == 1) {
        return Some(1);
    }
    let ctype = |i: usize| image.keyword(&format!("CTYPE{i}")).unwrap_or_default();
    let (c1, c2) = (ctype(1), ctype(2));
    if is_celestial(&c1) || is_celestial(&c2) {
        return None;
    }
    if is_spectral(&c1) {
        return Some(1);
    }
    if is_spectral(&c2) {
        return Some(2);
    }
    let dispaxis = image
        .keyword_f64("DISPAXIS")
        .filter(|d| *d == 1.0 || *d == 2.0)
        .map(|d| d as usize);
    let mode = image
        .keyword("OBSMODE")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if dispaxis.is_some() || mode.contains("slit") || mode.contains("spec") {
        return Some(dispaxis.unwrap_or(1));
    }
    if ny <= 4 && nx >= 64 {
        return Some(1);
    }
    None
}

/// Reads the spectrum of `image` along dispersion axis `axis` (1 or 2), averaging a 2-D
/// frame along the other axis.
pub fn read(
    image: &Image,
    plane: PlaneChoice,
    axis: usize,
    title: &str,
) -> Result<Spectrum, RenderError> {
    let [nx, ny] = image.plane_shape();
    let n = if axis == 2 { ny } else { nx };
    if nx > MAX_AXIS || ny > MAX_AXIS {
        return Err(RenderError::TooLarge {
            width: nx,
            height: ny,
        });
    }
    if n < 2 {
        return Err(RenderError::TooSmall {
            width: nx,
            height: ny,
        });
    }
    let mut sum = vec![0.0f64; n];
    let mut count = vec![0u32; n];
    for_each_row(image, plane, Rect::full(nx, ny), |y, row| {
        if axis == 2 {
            let (mut s, mut c) = (0.0f64, 0u32);
            for &v in row {
                if v.is_finite() {
                    s += f64::from(v);
                    c += 1;
                }
            }
            sum[y] += s;
            count[y] += c;
        } else {
            for ((s, c), &v) in sum.iter_mut().zip(count.iter_mut()).zip(row) {
                if v.is_finite() {
                    *s += f64::from(v);
                    *c += 1;
                }
            }
        }
    })?;
    let flux: Vec<f32> = sum
        .iter()
        .zip(&count)
        .map(|(s, &c)| {
            if c == 0 {
                f32::NAN
            } else {
                (s / f64::from(c)) as f32
            }
        })
        .collect();
    if !flux.iter().any(|v| v.is_finite()) {
        return Err(RenderError::NoFinite { where_: "" });
    }
    let key = |k: &str| image.keyword(&format!("{k}{axis}"));
    let num = |k: &str| image.keyword_f64(&format!("{k}{axis}"));
    let ctype = key("CTYPE").unwrap_or_default();
    let cdelt = num("CDELT").or_else(|| image.keyword_f64(&format!("CD{axis}_{axis}")));
    let (crval, cdelt, crpix, x_label) = match (num("CRVAL"), cdelt) {
        (Some(crval), Some(cdelt)) if cdelt != 0.0 => {
            let unit = key("CUNIT").filter(|u| !u.is_empty());
            let name = match ctype.get(..4).unwrap_or("") {
                "FREQ" => "Frequency",
                "ENER" => "Energy",
                "WAVN" => "Wavenumber",
                "VRAD" | "VOPT" | "VELO" => "Velocity",
                "ZOPT" => "Redshift",
                "AWAV" => "Air wavelength",
                _ => "Wavelength",
            };
            let label = match unit {
                Some(u) => format!("{name} ({u})"),
                None => name.to_string(),
            };
            (crval, cdelt, num("CRPIX").unwrap_or(1.0), label)
        }
        _ => (1.0, 1.0, 1.0, "Pixel".to_string()),
    };
    let y_label = match image.keyword("BUNIT").filter(|u| !u.is_empty()) {
        Some(u) => format!("Flux ({u})"),
        None => "Flux".to_string(),
    };
    let other = if axis == 2 { nx } else { ny };
    Ok(Spectrum {
        flux,
        crval,
        cdelt,
        crpix,
        x_label,
        y_label,
        title: title.to_string(),
        collapsed: other,
    })
}

/// Round tick positions covering `lo..hi`: steps of 1, 2, 2.5 or 5 × 10ⁿ, about `target` of
/// them.
pub fn ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return (vec![lo], 1.0);
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    // the round step whose tick count is nearest the target (the smaller count on a tie)
    let count = |step: f64| ((hi / step).floor() - (lo / step).ceil() + 1.0).max(0.0);
    let step = [10.0, 5.0, 2.5, 2.0, 1.0]
        .iter()
        .map(|m| m * mag)
        .min_by(|a, b| {
            let da = (count(*a) - target as f64).abs();
            let db = (count(*b) - target as f64).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let ticks = (first..=last).map(|k| k as f64 * step).collect();
    (ticks, step)
}

/// A tick label: enough decimals for the step, exponent notation for very large or small
/// values.
pub fn tick_label(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    let big = v.abs().max(step);
    if big >= 1e6 || (big < 1e-3 && v != 0.0) {
        let s = format!("{v:.2e}");
        // 1.50e3 → 1.5e3
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        }
    } else {
        let exponent = step.log10().floor();
        let quarter = (step / 10f64.powf(exponent) - 2.5).abs() < 1e-9;
        let decimals = (-exponent).max(0.0) as usize + usize::from(quarter && exponent <= 0.0);
        format!("{v:.decimals$}")
    }
}

const BLACK: [u8; 3] = [0, 0, 0];
const WHITE: [u8; 3] = [255, 255, 255];
const GRID: [u8; 3] = [225, 225, 225];
/// matplotlib's first colour (C0).
const LINE: [u8; 3] = [31, 119, 180];

/// Draws a line of `width` pixels from (x0, y0) to (x1, y1).
fn line(r: &mut Raster, (x0, y0): (f64, f64), (x1, y1): (f64, f64), width: usize, c: &[u8]) {
    let steps = (x1 - x0).abs().max((y1 - y0).abs()).ceil().max(1.0) as usize;
    let half = width as f64 / 2.0;
    for k in 0..=steps {
        let t = k as f64 / steps as f64;
        let x = x0 + (x1 - x0) * t - half;
        let y = y0 + (y1 - y0) * t - half;
        font::fill(r, x.round() as i64, y.round() as i64, width, width, c);
    }
}

/// The spectrum as a `width` × `height` RGB line plot.
pub fn plot(s: &Spectrum, width: usize, height: usize) -> Raster {
    let mut r = Raster::filled(width, height, 3, &WHITE);
    // everything scales with the width: a 1024-pixel plot has 2× text and lines
    let k = (width / 512).max(1);
    let text_h = GLYPH_H * k;
    let left = 16 * ADVANCE * k / 2 + text_h + 12 * k;
    let right = 16 * k;
    let top = text_h + 16 * k;
    let bottom = 2 * text_h + 20 * k;
    let (x0, x1) = (left as f64, (width - right) as f64);
    let (y0, y1) = (top as f64, (height - bottom) as f64);

    let n = s.flux.len();
    let (xa, xb) = (s.x(0), s.x(n - 1));
    let (mut xlo, mut xhi) = (xa.min(xb), xa.max(xb));
    let (mut ylo, mut yhi) = s
        .flux
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(f64::from(v)), b.max(f64::from(v)))
        });
    if yhi <= ylo {
        let pad = if ylo == 0.0 { 1.0 } else { ylo.abs() * 0.1 };
        ylo -= pad;
        yhi += pad;
    }
    // matplotlib's default 5 % margins
    let (mx, my) = ((xhi - xlo) * 0.05, (yhi - ylo) * 0.05);
    xlo -= mx;
    xhi += mx;
    ylo -= my;
    yhi += my;
    let px = |x: f64| x0 + (x - xlo) / (xhi - xlo) * (x1 - x0);
    let py = |y: f64| y1 - (y - ylo) / (yhi - ylo) * (y1 - y0);

    let tick = 6 * k;
    let (xt, xstep) = ticks(xlo, xhi, 7);
    for &t in &xt {
        let x = px(t);
        line(&mut r, (x, y0), (x, y1), 1, &GRID);
        line(&mut r, (x, y1), (x, y1 + tick as f64), k, &BLACK);
        let label = tick_label(t, xstep);
        let w = font::text_width(&label, k) as f64;
        font::draw_text(
            &mut r,
            (x - w / 2.0).round() as i64,
            (y1 + tick as f64 + 4.0 * k as f64) as i64,
            &label,
            k,
            &BLACK,
        );
    }
    let (yt, ystep) = ticks(ylo, yhi, 6);
    for &t in &yt {
        let y = py(t);
        line(&mut r, (x0, y), (x1, y), 1, &GRID);
        line(&mut r, (x0 - tick as f64, y), (x0, y), k, &BLACK);
        let label = tick_label(t, ystep);
        let w = font::text_width(&label, k) as f64;
        font::draw_text(
            &mut r,
            (x0 - tick as f64 - 4.0 * k as f64 - w).round() as i64,
            (y - 3.5 * k as f64).round() as i64,
            &label,
            k,
            &BLACK,
        );
    }

    // the data: segments between consecutive finite samples, a gap at blank ones
    let mut prev: Option<(f64, f64)> = None;
    for (i, &v) in s.flux.iter().enumerate() {
        if !v.is_finite() {
            prev = None;
            continue;
        }
        let p = (px(s.x(i)), py(f64::from(v)));
        match prev {
            Some(q) => line(&mut r, q, p, k, &LINE),
            None => line(&mut r, p, p, k, &LINE),
        }
        prev = Some(p);
    }

    // frame over the data, then the labels
    for (a, b) in [
        ((x0, y0), (x1, y0)),
        ((x1, y0), (x1, y1)),
        ((x1, y1), (x0, y1)),
        ((x0, y1), (x0, y0)),
    ] {
        line(&mut r, a, b, k, &BLACK);
    }
    let w = font::text_width(&s.x_label, k) as f64;
    font::draw_text(
        &mut r,
        ((x0 + x1) / 2.0 - w / 2.0).round() as i64,
        (height - text_h - 6 * k) as i64,
        &s.x_label,
        k,
        &BLACK,
    );
    let w = font::text_width(&s.y_label, k) as f64;
    font::draw_text_up(
        &mut r,
        (4 * k) as i64,
        ((y0 + y1) / 2.0 + w / 2.0).round() as i64,
        &s.y_label,
        k,
        &BLACK,
    );
    let w = font::text_width(&s.title, k) as f64;
    font::draw_text(
        &mut r,
        ((x0 + x1) / 2.0 - w / 2.0).round().max(0.0) as i64,
        (6 * k) as i64,
        &s.title,
        k,
        &BLACK,
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let (t, step) = ticks(3900.0, 4207.0, 7);
        assert_eq!(step, 50.0);
        assert_eq!(t.first(), Some(&3900.0));
        assert_eq!(t.last(), Some(&4200.0));
        let (t, step) = ticks(-0.013, 0.051, 6);
        assert_eq!(step, 0.01);
        assert_eq!(t.len(), 7);
        assert_eq!(tick_label(4200.0, 50.0), "4200");
        assert_eq!(tick_label(0.03, 0.01), "0.03");
        assert_eq!(tick_label(0.25, 0.25), "0.25");
        assert_eq!(tick_label(50.0, 25.0), "50");
        assert_eq!(tick_label(7.5, 2.5), "7.5");
        assert_eq!(tick_label(-2.0000000001e-12, 0.01), "0.00");
        assert_eq!(tick_label(1.5e7, 5e6), "1.5e7");
        assert_eq!(tick_label(2e-5, 1e-5), "2e-5");
        assert_eq!(ticks(1.0, 1.0, 5).0, vec![1.0]);
    }

    #[test]
    fn axes_by_ctype() {
        assert!(is_spectral("WAVE") && is_spectral("FREQ-LSR") && !is_spectral("RA---TAN"));
        assert!(is_celestial("RA---TAN") && is_celestial("GLAT-CAR") && is_celestial("RA"));
        assert!(!is_celestial("RAW") && !is_celestial("WAVE"));
    }

    #[test]
    fn plot_draws_line_and_text() {
        let s = Spectrum {
            flux: (0..500).map(|i| (i as f32 / 40.0).sin()).collect(),
            crval: 3900.0,
            cdelt: 0.3,
            crpix: 1.0,
            x_label: "Wavelength (Angstrom)".into(),
            y_label: "Flux".into(),
            title: "test".into(),
            collapsed: 1,
        };
        let r = plot(&s, 1024, 768);
        assert_eq!(
            (r.width, r.height, r.channels, r.data.len()),
            (1024, 768, 3, 1024 * 768 * 3)
        );
        let count = |c: [u8; 3]| r.data.chunks_exact(3).filter(|p| *p == c).count();
        assert!(count(LINE) > 2000, "the line");
        assert!(count(BLACK) > 2000, "frame and text");
        assert!(count(WHITE) > 500_000, "background");
    }
}
