//! zscale: display limits that show the sky and faint sources of an astronomical image,
//! IRAF's algorithm with the parameters and sampling of astropy's `ZScaleInterval`.
//!
//! About `samples` finite pixels are taken at a regular stride over the image in storage
//! order (`stride = max(1, ⌊n_finite / samples⌋)`, at most `samples` of them) and sorted. A
//! straight line is fitted to the sorted values against their index by least squares; pixels
//! further than `krej` standard deviations from the line are rejected, the rejected set is
//! grown by `max(1, ⌊0.01 · n⌋)` neighbours, and the fit is repeated (at most
//! `max_iterations` times, while pixels keep being rejected and at least
//! `max(min_npixels, ⌊max_reject · n⌋)` remain). When enough pixels remain, the slope is
//! divided by `contrast` and the limits are the median minus and plus the slope times the
//! number of samples below and above the centre, clipped to the smallest and largest
//! samples; otherwise they are the smallest and largest samples.
//!
//! ```
//! use astro::zscale::ZScale;
//!
//! let ramp: Vec<f32> = (0..100).map(|i| i as f32).collect();
//! let (lo, hi) = ZScale::default().limits(&ramp).unwrap();
//! assert_eq!((lo, hi), (0.0, 99.0)); // a steep line clipped to the data
//! ```

/// The zscale parameters (astropy's names and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZScale {
    /// How many pixels to sample (IRAF `nsample`; astropy 1000).
    pub n_samples: usize,
    /// The slope is divided by this (0 leaves it alone); lower shows more contrast.
    pub contrast: f64,
    /// The largest fraction of samples that may be rejected.
    pub max_reject: f64,
    /// The fewest samples the fit may keep.
    pub min_npixels: usize,
    /// Rejection threshold in standard deviations.
    pub krej: f64,
    /// The most fits.
    pub max_iterations: usize,
}

impl Default for ZScale {
    fn default() -> ZScale {
        ZScale {
            n_samples: 1000,
            contrast: 0.25,
            max_reject: 0.5,
            min_npixels: 5,
            krej: 2.5,
            max_iterations: 5,
        }
    }
}

impl ZScale {
    /// Default parameters with another contrast (VLASS uses 0.99).
    pub fn with_contrast(contrast: f64) -> ZScale {
        ZScale {
            contrast,
            ..ZScale::default()
        }
    }

    /// The sampling stride over `finite` finite pixels.
    pub fn stride(&self, finite: usize) -> usize {
        (finite / self.n_samples.max(1)).max(1)
    }

    /// The limits of `values` (pixels in storage order; NaN and infinities are skipped);
    /// `None` when no value is finite.
    pub fn limits(&self, values: &[f32]) -> Option<(f64, f64)> {
        let finite = values.iter().filter(|v| v.is_finite()).count();
        if finite == 0 {
            return None;
        }
        let stride = self.stride(finite);
        let mut samples: Vec<f32> = values
            .iter()
            .filter(|v| v.is_finite())
            .step_by(stride)
            .take(self.n_samples)
            .copied()
            .collect();
        Some(self.limits_of_samples(&mut samples))
    }

    /// The limits from samples already taken (finite, any order; sorted in place).
    ///
    /// # Panics
    /// When `samples` is empty.
    pub fn limits_of_samples(&self, samples: &mut [f32]) -> (f64, f64) {
        assert!(!samples.is_empty(), "zscale needs at least one sample");
        samples.sort_unstable_by(f32::total_cmp);
        let n = samples.len();
        let y: Vec<f64> = samples.iter().map(|&v| f64::from(v)).collect();
        let (vmin, vmax) = (y[0], y[n - 1]);
        let min_pixels = self.min_npixels.max((n as f64 * self.max_reject) as usize);
        let grow = ((n as f64 * 0.01) as usize).max(1);
        let mut bad = vec![false; n];
        let mut good = n;
        let mut last_good = n + 1;
        let mut slope = 0.0;
        for _ in 0..self.max_iterations {
            if good >= last_good || good < min_pixels {
                break;
            }
            let (intercept, s) = fit_line(&y, &bad);
            slope = s;
            // residuals from the line and their spread over the kept samples
            let flat: Vec<f64> = y
                .iter()
                .enumerate()
                .map(|(i, v)| v - (intercept + s * i as f64))
                .collect();
            let threshold = self.krej * std_dev(&flat, &bad);
            let mut rejected = bad.clone();
            for (r, f) in rejected.iter_mut().zip(&flat) {
                if *f < -threshold || *f > threshold {
                    *r = true;
                }
            }
            bad = dilate(&rejected, grow);
            last_good = good;
            good = bad.iter().filter(|b| !**b).count();
        }
        if good < min_pixels {
            return (vmin, vmax);
        }
        if self.contrast > 0.0 {
            slope /= self.contrast;
        }
        let center = (n - 1) / 2;
        let median = if n % 2 == 1 {
            y[n / 2]
        } else {
            // the mean of the middle two, in the samples' precision as numpy computes it
            f64::from(((y[n / 2 - 1] + y[n / 2]) / 2.0) as f32)
        };
        let lo = vmin.max(median - (center as f64 - 1.0) * slope);
        let hi = vmax.min(median + (n - center) as f64 * slope);
        (lo, hi)
    }
}

/// Least-squares line `y = a + b·i` over the samples not marked bad: (a, b).
fn fit_line(y: &[f64], bad: &[bool]) -> (f64, f64) {
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (i, (&v, &b)) in y.iter().zip(bad).enumerate() {
        if !b {
            n += 1.0;
            sx += i as f64;
            sy += v;
        }
    }
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let (mx, my) = (sx / n, sy / n);
    // centred sums: the index runs to 10⁶ and values may be large
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (i, (&v, &b)) in y.iter().zip(bad).enumerate() {
        if !b {
            let dx = i as f64 - mx;
            sxx += dx * dx;
            sxy += dx * (v - my);
        }
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (my - slope * mx, slope)
}

/// Population standard deviation of the values not marked bad.
fn std_dev(v: &[f64], bad: &[bool]) -> f64 {
    let kept = || v.iter().zip(bad).filter(|(_, b)| !**b).map(|(x, _)| *x);
    let n = kept().count() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let mean = kept().sum::<f64>() / n;
    (kept().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

/// Grows the rejected set as numpy's `convolve(bad, ones(grow), mode='same')` does: a
/// rejected sample at `b` marks `b − ⌊(grow−1)/2⌋ ..= b + ⌊grow/2⌋`.
fn dilate(bad: &[bool], grow: usize) -> Vec<bool> {
    if grow <= 1 {
        return bad.to_vec();
    }
    let n = bad.len();
    let (before, after) = ((grow - 1) / 2, grow / 2);
    let mut out = vec![false; n];
    for (b, _) in bad.iter().enumerate().filter(|(_, x)| **x) {
        let lo = b.saturating_sub(before);
        let hi = (b + after).min(n - 1);
        out[lo..=hi].iter_mut().for_each(|x| *x = true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dilation_matches_numpy_same_mode() {
        // numpy.convolve([0,0,0,1,0,0,0,0], ones(3), 'same') != 0 → indexes 2..4
        let bad = [false, false, false, true, false, false, false, false];
        let d = dilate(&bad, 3);
        assert_eq!(
            d,
            [false, false, true, true, true, false, false, false],
            "grow 3"
        );
        // ones(4), 'same' → indexes 2..5 (one before, two after)
        let d = dilate(&bad, 4);
        assert_eq!(d, [false, false, true, true, true, true, false, false]);
        assert_eq!(dilate(&bad, 1), bad);
    }

    #[test]
    fn line_fit() {
        let y: Vec<f64> = (0..10).map(|i| 3.0 + 2.0 * i as f64).collect();
        let (a, b) = fit_line(&y, &[false; 10]);
        assert!((a - 3.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
    }

    #[test]
    fn edge_cases() {
        let z = ZScale::default();
        assert_eq!(z.limits(&[]), None);
        assert_eq!(z.limits(&[f32::NAN, f32::INFINITY]), None);
        // fewer samples than min_npixels: the sample range
        assert_eq!(z.limits(&[3.0, 1.0, 2.0]), Some((1.0, 3.0)));
        // a constant image: both limits the value
        assert_eq!(z.limits(&[7.0; 50]), Some((7.0, 7.0)));
        assert_eq!(z.stride(16_777_216), 16_777);
        assert_eq!(z.stride(10), 1);
    }
}
