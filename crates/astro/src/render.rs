//! An image HDU to an 8-bit gray raster, streaming: the pixels are read in bands of rows
//! (one plane, or a collapse of the planes of a cube computed band by band) and each band
//! is at once averaged into the output grid, measured (minimum, maximum, finite count) and
//! sampled for the display limits. At no time is a whole plane in memory: what is held is
//! one band (256 KiB), the output grid (8 bytes per output pixel), and the samples.
//!
//! The limits come from the samples ([`Scaling`]), the gray levels from a [`GrayTable`]
//! (stretch and colour map), and rows are written bottom-up so that the first FITS row is
//! at the bottom, as astronomers look at images. An image smaller than the output is
//! enlarged by pixel replication (matplotlib's `nearest`), a larger one reduced by area
//! averaging.

use crate::pixels::{Image, PixelError};
use crate::stretch::{GrayTable, Stretch};
use crate::zscale::ZScale;

/// Pixels per band read at once (256 KiB of float32): small enough that a band stays in
/// the processor's cache between cfitsio writing it and the binning reading it.
const BAND_PIXELS: usize = 1 << 16;

/// The longest axis we render (a longer one is a wrong NAXIS or not an image to preview).
pub const MAX_AXIS: usize = 1 << 20;

/// Which 2-D plane of a cube: the choice config.yml's preview styles make.
pub use manage::preview::PlaneChoice;

/// How the display limits are chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaling {
    ZScale(ZScale),
    MinMax,
    /// Percentiles 0–100 (numpy's linear interpolation) of a regular sample of at most
    /// [`PERCENTILE_SAMPLES`] finite pixels.
    Percentile {
        low: f64,
        high: f64,
    },
}

/// The sample size of percentile scaling.
pub const PERCENTILE_SAMPLES: usize = 250_000;

/// A rectangle of pixels, 0-based, `x0..x0+width`, `y0..y0+height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x0: usize,
    pub y0: usize,
    pub width: usize,
    pub height: usize,
}

impl Rect {
    pub fn full(width: usize, height: usize) -> Rect {
        Rect {
            x0: 0,
            y0: 0,
            width,
            height,
        }
    }

    /// `[x1:x2,y1:y2]` (1-based, inclusive) clipped to `width` × `height`; `None` when
    /// nothing is left.
    pub fn from_section(
        x1: usize,
        x2: usize,
        y1: usize,
        y2: usize,
        width: usize,
        height: usize,
    ) -> Option<Rect> {
        let (x0, x1e) = (x1.max(1) - 1, x2.min(width));
        let (y0, y1e) = (y1.max(1) - 1, y2.min(height));
        (x1e > x0 && y1e > y0).then(|| Rect {
            x0,
            y0,
            width: x1e - x0,
            height: y1e - y0,
        })
    }
}

/// An 8-bit raster, rows top to bottom, `channels` bytes per pixel (1 gray, 3 RGB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub data: Vec<u8>,
}

impl Raster {
    /// A raster of one colour.
    pub fn filled(width: usize, height: usize, channels: usize, value: &[u8]) -> Raster {
        let mut data = Vec::with_capacity(width * height * channels);
        for _ in 0..width * height {
            data.extend_from_slice(&value[..channels]);
        }
        Raster {
            width,
            height,
            channels,
            data,
        }
    }

    /// Area-average reduction (or pixel replication for an axis that grows) to
    /// `width` × `height`.
    pub fn resized(&self, width: usize, height: usize) -> Raster {
        let (w, h, c) = (self.width, self.height, self.channels);
        let xs = bin_edges(w, width);
        let ys = bin_edges(h, height);
        let mut data = Vec::with_capacity(width * height * c);
        for &(ya, yb) in &ys {
            for &(xa, xb) in &xs {
                for ch in 0..c {
                    let mut sum = 0u32;
                    for y in ya..yb {
                        let row = &self.data[(y * w) * c..(y * w + w) * c];
                        for x in xa..xb {
                            sum += u32::from(row[x * c + ch]);
                        }
                    }
                    let n = ((yb - ya) * (xb - xa)) as u32;
                    data.push(((sum + n / 2) / n) as u8);
                }
            }
        }
        Raster {
            width,
            height,
            channels: c,
            data,
        }
    }

    /// The raster centred on a `width` × `height` canvas of colour `value` (it must fit).
    pub fn padded(&self, width: usize, height: usize, value: &[u8]) -> Raster {
        let mut out = Raster::filled(width, height, self.channels, value);
        let (dx, dy) = ((width - self.width) / 2, (height - self.height) / 2);
        let c = self.channels;
        for y in 0..self.height {
            let src = &self.data[y * self.width * c..(y + 1) * self.width * c];
            let at = ((y + dy) * width + dx) * c;
            out.data[at..at + src.len()].copy_from_slice(src);
        }
        out
    }
}

/// For each of `out` bins over `n` pixels, the half-open pixel range it covers: an area
/// reduction when `out < n`, one source pixel per bin (replication) otherwise.
fn bin_edges(n: usize, out: usize) -> Vec<(usize, usize)> {
    (0..out)
        .map(|o| {
            if out <= n {
                (o * n / out, ((o + 1) * n / out).max(o * n / out + 1))
            } else {
                let i = o * n / out;
                (i, i + 1)
            }
        })
        .collect()
}

/// The output size for an image of `width` × `height` whose long side becomes `size`.
pub fn fit(width: usize, height: usize, size: usize) -> (usize, usize) {
    let long = width.max(height) as f64;
    let w = ((width as f64 * size as f64 / long).round() as usize).clamp(1, size);
    let h = ((height as f64 * size as f64 / long).round() as usize).clamp(1, size);
    (w, h)
}

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageSpec {
    pub plane: PlaneChoice,
    /// The pixels shown; `None`: all.
    pub trim: Option<Rect>,
    /// Where the limits are measured, in trimmed pixels; `None`: everywhere.
    pub scale_region: Option<Rect>,
    pub scaling: Scaling,
    pub stretch: Stretch,
    /// Low values white.
    pub inverted: bool,
    /// Long side of the output.
    pub size: usize,
}

/// What rendering found.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSummary {
    /// The pixels rendered (after trimming).
    pub width: usize,
    pub height: usize,
    /// Data values mapped to the ends of the gray scale.
    pub limits: (f64, f64),
    /// Smallest and largest finite values where the limits were measured.
    pub range: (f32, f32),
    /// Finite pixels where the limits were measured, and all pixels there.
    pub finite: u64,
    pub total: u64,
    /// Passes over the data (a second one re-samples an image with blank pixels).
    pub passes: u32,
}

/// Why an image could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Pixels(#[from] PixelError),
    #[error("no finite pixels{where_}: every value is blank (BLANK) or NaN")]
    NoFinite { where_: &'static str },
    #[error("constant image: every finite pixel is {value}, nothing to show")]
    Constant { value: f32 },
    #[error("{width} × {height} pixels is too small for a preview (at least 2 × 2 are needed)")]
    TooSmall { width: usize, height: usize },
    #[error("{width} × {height} pixels: an axis longer than {MAX_AXIS} is not rendered (a wrong NAXIS?)")]
    TooLarge { width: usize, height: usize },
}

/// Calls `f(y, row)` for every row of `rect` (y from 0) of the chosen plane or collapse,
/// reading bands of rows; `row` holds `rect.width` values (NaN where blank).
pub fn for_each_row(
    image: &Image,
    plane: PlaneChoice,
    rect: Rect,
    mut f: impl FnMut(usize, &[f32]),
) -> Result<(), PixelError> {
    let [nx, _] = image.plane_shape();
    let band_rows = (BAND_PIXELS / nx.max(1)).max(1);
    let mut buf: Vec<f32> = Vec::new();
    let cols = rect.x0..rect.x0 + rect.width;
    match plane {
        PlaneChoice::Index(p) => {
            let mut y = 0;
            while y < rect.height {
                let rows = band_rows.min(rect.height - y);
                image.read_rows(p, rect.y0 + y, rows, &mut buf)?;
                for (i, row) in buf.chunks_exact(nx).enumerate() {
                    f(y + i, &row[cols.clone()]);
                }
                y += rows;
            }
        }
        collapse => {
            let planes = image.planes().max(1);
            let mut acc: Vec<f32> = Vec::new();
            let mut count: Vec<u32> = Vec::new();
            let mut y = 0;
            while y < rect.height {
                let rows = band_rows.min(rect.height - y);
                let n = rows * rect.width;
                acc.clear();
                count.clear();
                let start = if collapse == PlaneChoice::Max {
                    f32::NEG_INFINITY
                } else {
                    0.0
                };
                acc.resize(n, start);
                count.resize(n, 0);
                for p in 0..planes {
                    image.read_rows(p, rect.y0 + y, rows, &mut buf)?;
                    for (r, row) in buf.chunks_exact(nx).enumerate() {
                        let a = &mut acc[r * rect.width..(r + 1) * rect.width];
                        let c = &mut count[r * rect.width..(r + 1) * rect.width];
                        for ((a, c), &v) in a.iter_mut().zip(c.iter_mut()).zip(&row[cols.clone()]) {
                            if v.is_finite() {
                                *a = if collapse == PlaneChoice::Max {
                                    a.max(v)
                                } else {
                                    *a + v
                                };
                                *c += 1;
                            }
                        }
                    }
                }
                for (a, &c) in acc.iter_mut().zip(&count) {
                    if c == 0 {
                        *a = f32::NAN;
                    } else if collapse == PlaneChoice::Mean {
                        *a /= c as f32;
                    }
                }
                for (i, row) in acc.chunks_exact(rect.width).enumerate() {
                    f(y + i, row);
                }
                y += rows;
            }
        }
    }
    Ok(())
}

/// Minimum, maximum, finite count and a regular sample of the finite values of a stream of
/// rows, as astropy samples (every `stride`-th finite value in storage order, at most `cap`).
struct Sampler {
    stride: u64,
    cap: usize,
    /// Finite values seen.
    seen: u64,
    /// The finite index of the next sample.
    next: u64,
    samples: Vec<f32>,
    min: f32,
    max: f32,
    total: u64,
}

impl Sampler {
    fn new(stride: u64, cap: usize) -> Sampler {
        Sampler {
            stride: stride.max(1),
            cap,
            seen: 0,
            next: 0,
            samples: Vec::with_capacity(cap.min(1 << 20)),
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            total: 0,
        }
    }

    fn add(&mut self, row: &[f32]) {
        let stats = finite_stats(row);
        self.add_with(row, stats);
    }

    /// [`Sampler::add`] with the row's [`finite_stats`] already known.
    fn add_with(&mut self, row: &[f32], (mn, mx, finite): (f32, f32, u64)) {
        self.total += row.len() as u64;
        self.min = self.min.min(mn);
        self.max = self.max.max(mx);
        let end = self.seen + finite;
        if self.samples.len() < self.cap && self.next < end {
            if finite == row.len() as u64 {
                // every value finite: the sample positions are arithmetic
                while self.next < end && self.samples.len() < self.cap {
                    self.samples.push(row[(self.next - self.seen) as usize]);
                    self.next += self.stride;
                }
            } else {
                let mut k = self.seen;
                for &v in row {
                    if v.is_finite() {
                        if k == self.next && self.samples.len() < self.cap {
                            self.samples.push(v);
                            self.next += self.stride;
                        }
                        k += 1;
                    }
                }
            }
        }
        self.seen = end;
    }
}

/// Minimum, maximum and count of the finite values of `row` (NaN and infinities left out).
/// Rows are nearly always all finite: a first pass finds the extremes and whether any value
/// is not finite (`v − v` is 0 only for finite values); only then does a second pass count.
fn finite_stats(row: &[f32]) -> (f32, f32, u64) {
    let (lo, hi, all_finite) = extremes(row);
    if all_finite {
        return (lo, hi, row.len() as u64);
    }
    let (mut lo, mut hi, mut count) = (f32::INFINITY, f32::NEG_INFINITY, 0u64);
    for &v in row {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
            count += 1;
        }
    }
    (lo, hi, count)
}

/// The smallest and largest values of `row` and whether all of them are finite (the
/// extremes are only meaningful when they are). SSE2, which every x86-64 has: the
/// compiler's own vectorisation of this loop shuffles lanes needlessly and takes 2–3 times
/// as long, and this is the hottest loop of a preview after cfitsio's.
#[cfg(target_arch = "x86_64")]
fn extremes(row: &[f32]) -> (f32, f32, bool) {
    use std::arch::x86_64::{
        _mm_add_ps, _mm_loadu_ps, _mm_max_ps, _mm_min_ps, _mm_set1_ps, _mm_setzero_ps,
        _mm_storeu_ps, _mm_sub_ps,
    };
    let mut chunks = row.chunks_exact(8);
    let (mut lo4, mut hi4, mut poison4) = ([0.0f32; 4], [0.0f32; 4], [0.0f32; 4]);
    // SAFETY: SSE2 is part of x86-64; every load reads 4 floats inside an 8-float chunk.
    unsafe {
        let (mut mn0, mut mn1) = (_mm_set1_ps(f32::INFINITY), _mm_set1_ps(f32::INFINITY));
        let (mut mx0, mut mx1) = (
            _mm_set1_ps(f32::NEG_INFINITY),
            _mm_set1_ps(f32::NEG_INFINITY),
        );
        let (mut p0, mut p1) = (_mm_setzero_ps(), _mm_setzero_ps());
        for ch in &mut chunks {
            let a = _mm_loadu_ps(ch.as_ptr());
            let b = _mm_loadu_ps(ch.as_ptr().add(4));
            // minps/maxps keep the second operand when the first is NaN
            mn0 = _mm_min_ps(a, mn0);
            mn1 = _mm_min_ps(b, mn1);
            mx0 = _mm_max_ps(a, mx0);
            mx1 = _mm_max_ps(b, mx1);
            p0 = _mm_add_ps(p0, _mm_sub_ps(a, a));
            p1 = _mm_add_ps(p1, _mm_sub_ps(b, b));
        }
        _mm_storeu_ps(lo4.as_mut_ptr(), _mm_min_ps(mn0, mn1));
        _mm_storeu_ps(hi4.as_mut_ptr(), _mm_max_ps(mx0, mx1));
        _mm_storeu_ps(poison4.as_mut_ptr(), _mm_add_ps(p0, p1));
    }
    let rest = chunks.remainder();
    let all_finite = poison4.iter().all(|p| *p == 0.0) && rest.iter().all(|v| v.is_finite());
    let lo = lo4
        .iter()
        .chain(rest)
        .copied()
        .fold(f32::INFINITY, f32::min);
    let hi = hi4
        .iter()
        .chain(rest)
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    (lo, hi, all_finite)
}

#[cfg(not(target_arch = "x86_64"))]
fn extremes(row: &[f32]) -> (f32, f32, bool) {
    let (mut lo, mut hi, mut poison) = (f32::INFINITY, f32::NEG_INFINITY, 0.0f32);
    for &v in row {
        lo = lo.min(v);
        hi = hi.max(v);
        poison += v - v;
    }
    (lo, hi, poison == 0.0)
}

/// Sums of `K` consecutive values (a row with every value finite, reduced by a whole
/// factor `K`): fixed-size inner sums the compiler unrolls.
fn add_blocks<const K: usize>(sums: &mut [f32], counts: &mut [u32], row: &[f32]) {
    for ((s, c), block) in sums
        .iter_mut()
        .zip(counts.iter_mut())
        .zip(row.chunks_exact(K))
    {
        let mut part = 0.0f32;
        for &v in block {
            part += v;
        }
        *s += part;
        *c += K as u32;
    }
}

/// Sums and counts of finite values over the output grid.
struct Binner {
    width: usize,
    height: usize,
    /// Bin of each column: half-open source ranges.
    cols: Vec<(usize, usize)>,
    /// Bin of each source row.
    src_height: usize,
    /// f32 is plenty for a display value: bins of up to ~10⁵ pixels keep 4 digits.
    sum: Vec<f32>,
    count: Vec<u32>,
}

impl Binner {
    fn new(src_width: usize, src_height: usize, width: usize, height: usize) -> Binner {
        Binner {
            width,
            height,
            cols: bin_edges(src_width, width),
            src_height,
            sum: vec![0.0; width * height],
            count: vec![0; width * height],
        }
    }

    /// Adds a row; `all_finite` when every value of it is finite (a faster path).
    fn add(&mut self, y: usize, row: &[f32], all_finite: bool) {
        let by = y * self.height / self.src_height;
        let sums = &mut self.sum[by * self.width..(by + 1) * self.width];
        let counts = &mut self.count[by * self.width..(by + 1) * self.width];
        if all_finite && row.len().is_multiple_of(self.width) {
            match row.len() / self.width {
                1 => return add_blocks::<1>(sums, counts, row),
                2 => return add_blocks::<2>(sums, counts, row),
                3 => return add_blocks::<3>(sums, counts, row),
                4 => return add_blocks::<4>(sums, counts, row),
                8 => return add_blocks::<8>(sums, counts, row),
                16 => return add_blocks::<16>(sums, counts, row),
                _ => {}
            }
        }
        for ((s, c), &(a, b)) in sums.iter_mut().zip(counts.iter_mut()).zip(&self.cols) {
            let (mut part, mut n) = (0.0f32, 0u32);
            for &v in &row[a..b] {
                let ok = v.is_finite();
                part += if ok { v } else { 0.0 };
                n += u32::from(ok);
            }
            *s += part;
            *c += n;
        }
    }

    /// The mean of each bin (NaN where no pixel was finite).
    fn mean(&self, i: usize) -> f32 {
        match self.count[i] {
            0 => f32::NAN,
            n => self.sum[i] / n as f32,
        }
    }
}

/// numpy's `percentile` (linear interpolation) of sorted values.
fn percentile(sorted: &[f32], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return f64::from(sorted[0]);
    }
    let pos = p / 100.0 * (n - 1) as f64;
    let i = (pos.floor() as usize).min(n - 2);
    let frac = pos - i as f64;
    let (a, b) = (f64::from(sorted[i]), f64::from(sorted[i + 1]));
    a + (b - a) * frac
}

/// Renders the image to a gray raster whose long side is `spec.size`.
pub fn render_image(
    image: &Image,
    spec: &ImageSpec,
) -> Result<(Raster, ImageSummary), RenderError> {
    let [nx, ny] = image.plane_shape();
    let rect = spec.trim.unwrap_or(Rect::full(nx, ny));
    if rect.width > MAX_AXIS || rect.height > MAX_AXIS {
        return Err(RenderError::TooLarge {
            width: rect.width,
            height: rect.height,
        });
    }
    if rect.width < 2 || rect.height < 2 {
        return Err(RenderError::TooSmall {
            width: rect.width,
            height: rect.height,
        });
    }
    let region = spec
        .scale_region
        .unwrap_or(Rect::full(rect.width, rect.height));
    let region_total = (region.width * region.height) as u64;
    let cap = match spec.scaling {
        Scaling::ZScale(z) => z.n_samples.max(1),
        Scaling::MinMax => 0,
        Scaling::Percentile { .. } => PERCENTILE_SAMPLES,
    };
    let stride_for = |finite: u64| (finite / cap.max(1) as u64).max(1);
    let (out_w, out_h) = fit(rect.width, rect.height, spec.size);
    let (bw, bh) = (out_w.min(rect.width), out_h.min(rect.height));
    let mut binner = Binner::new(rect.width, rect.height, bw, bh);
    let mut sampler = Sampler::new(stride_for(region_total), cap);
    let in_region = |y: usize| y >= region.y0 && y < region.y0 + region.height;
    let cols = region.x0..region.x0 + region.width;
    let whole_rows = region.x0 == 0 && region.width == rect.width;
    for_each_row(image, spec.plane, rect, |y, row| {
        let stats = finite_stats(row);
        binner.add(y, row, stats.2 == row.len() as u64);
        if in_region(y) {
            if whole_rows {
                sampler.add_with(row, stats);
            } else {
                sampler.add(&row[cols.clone()]);
            }
        }
    })?;
    let mut passes = 1;
    let where_ = if spec.scale_region.is_some() {
        " in the scaling region"
    } else {
        ""
    };
    if sampler.seen == 0 {
        return Err(RenderError::NoFinite { where_ });
    }
    if sampler.min == sampler.max {
        return Err(RenderError::Constant { value: sampler.min });
    }
    // Blank pixels change the stride over finite values: sample again with the right one.
    if cap > 0 && stride_for(sampler.seen) != sampler.stride {
        let mut again = Sampler::new(stride_for(sampler.seen), cap);
        let sub = Rect {
            x0: rect.x0,
            y0: rect.y0 + region.y0,
            width: rect.width,
            height: region.height,
        };
        for_each_row(image, spec.plane, sub, |_, row| {
            again.add(&row[cols.clone()])
        })?;
        sampler.samples = again.samples;
        passes = 2;
    }
    let range = (sampler.min, sampler.max);
    let mut limits = match spec.scaling {
        Scaling::ZScale(z) => z.limits_of_samples(&mut sampler.samples),
        Scaling::MinMax => (f64::from(range.0), f64::from(range.1)),
        Scaling::Percentile { low, high } => {
            sampler.samples.sort_unstable_by(f32::total_cmp);
            (
                percentile(&sampler.samples, low),
                percentile(&sampler.samples, high),
            )
        }
    };
    // Limits that collapse (most samples equal) show nothing; the data range does.
    if limits.1.partial_cmp(&limits.0) != Some(std::cmp::Ordering::Greater) {
        limits = (f64::from(range.0), f64::from(range.1));
    }
    let table = GrayTable::new(spec.stretch, limits.0, limits.1, spec.inverted);
    // bottom-up: the first FITS row is the last raster row
    let mut data = Vec::with_capacity(bw * bh);
    for by in (0..bh).rev() {
        for bx in 0..bw {
            data.push(table.gray(binner.mean(by * bw + bx)));
        }
    }
    let mut raster = Raster {
        width: bw,
        height: bh,
        channels: 1,
        data,
    };
    if (bw, bh) != (out_w, out_h) {
        raster = raster.resized(out_w, out_h);
    }
    Ok((
        raster,
        ImageSummary {
            width: rect.width,
            height: rect.height,
            limits,
            range,
            finite: sampler.seen,
            total: sampler.total,
            passes,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_pixel_once() {
        for (n, out) in [(4096, 1024), (100, 7), (5, 5), (3, 10), (1023, 1024)] {
            let e = bin_edges(n, out);
            assert_eq!(e.len(), out);
            if out <= n {
                assert_eq!(e[0].0, 0);
                assert_eq!(e[out - 1].1, n);
                for w in e.windows(2) {
                    assert_eq!(w[0].1, w[1].0, "{n} → {out}");
                }
            } else {
                assert!(e.iter().all(|(a, b)| b - a == 1 && *b <= n));
            }
        }
        assert_eq!(fit(4096, 4096, 1024), (1024, 1024));
        assert_eq!(fit(2048, 4612, 1024), (455, 1024));
        assert_eq!(fit(96, 96, 1024), (1024, 1024));
        assert_eq!(fit(5000, 2, 1024), (1024, 1));
    }

    #[test]
    fn sampler_takes_every_stride_th_finite_value() {
        let rows: Vec<Vec<f32>> = vec![
            vec![0.0, 1.0, f32::NAN, 2.0],
            vec![3.0, 4.0, 5.0, 6.0],
            vec![f32::NAN, 7.0, 8.0, 9.0],
        ];
        assert_eq!(finite_stats(&rows[0]), (0.0, 2.0, 3));
        let long: Vec<f32> = (0..21)
            .map(|i| {
                if i == 9 {
                    f32::INFINITY
                } else {
                    i as f32 - 5.0
                }
            })
            .collect();
        assert_eq!(finite_stats(&long), (-5.0, 15.0, 20));
        assert_eq!(
            finite_stats(&[f32::NAN; 9]),
            (f32::INFINITY, f32::NEG_INFINITY, 0)
        );
        // NaN and infinities in either half of a chunk, in the remainder, first or last
        for at in [0, 3, 4, 7, 8, 15, 16, 18] {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                let mut v: Vec<f32> = (0..19).map(|i| i as f32 * 0.5 - 2.0).collect();
                v[at] = bad;
                let finite: Vec<f32> = v.iter().copied().filter(|x| x.is_finite()).collect();
                let lo = finite.iter().copied().fold(f32::INFINITY, f32::min);
                let hi = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                assert_eq!(finite_stats(&v), (lo, hi, 18), "{bad} at {at}");
            }
        }
        assert_eq!(finite_stats(&[3.0; 16]), (3.0, 3.0, 16));
        let mut s = Sampler::new(3, 10);
        for r in &rows {
            s.add(r);
        }
        assert_eq!(s.samples, vec![0.0, 3.0, 6.0, 9.0]);
        assert_eq!((s.seen, s.total, s.min, s.max), (10, 12, 0.0, 9.0));
        let mut s = Sampler::new(1, 2);
        s.add(&rows[1]);
        assert_eq!(s.samples, vec![3.0, 4.0]);
    }

    #[test]
    fn rasters_resize_and_pad() {
        let r = Raster {
            width: 4,
            height: 2,
            channels: 1,
            data: vec![0, 10, 20, 30, 40, 50, 60, 70],
        };
        let half = r.resized(2, 1);
        assert_eq!(half.data, vec![25, 45]);
        let big = r.resized(8, 4);
        assert_eq!(&big.data[..8], &[0, 0, 10, 10, 20, 20, 30, 30]);
        let p = half.padded(4, 3, &[255]);
        assert_eq!(
            p.data,
            vec![255, 255, 255, 255, 255, 25, 45, 255, 255, 255, 255, 255]
        );
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 100.0), 4.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.0), 1.0);
    }
}
