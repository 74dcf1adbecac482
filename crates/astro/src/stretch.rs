//! Stretches: the curve from a value scaled to 0..1 between the display limits to a gray
//! level, as astropy's `visualization` stretches define them, and the 8-bit table that
//! applies one quickly.
//!
//! ```
//! use astro::stretch::{Stretch, GrayTable};
//!
//! assert_eq!(Stretch::Sqrt.apply(0.25, 0.0, 1.0), 0.5);
//! let table = GrayTable::new(Stretch::Linear, 0.0, 100.0, false);
//! assert_eq!((table.gray(0.0), table.gray(50.0), table.gray(1e9)), (0, 128, 255));
//! ```

/// The stretch is the one config.yml names (`manage::preview::Stretch`, which also applies
/// it); this module turns it into a table.
pub use manage::preview::Stretch;

/// Steps of the table: 16 bits of the scaled value, so that even a steep log stretch changes
/// by less than one gray level from step to step.
const STEPS: usize = 1 << 16;

/// Value → 8-bit gray level for fixed limits, stretch and colour map, through a table of
/// [`STEPS`] entries (a stretch costs one multiply and a lookup per pixel).
#[derive(Clone, Debug)]
pub struct GrayTable {
    lo: f64,
    scale: f64,
    /// A fixed length, so that indexing after the clamp needs no bounds check.
    table: Box<[u8; STEPS]>,
}

impl GrayTable {
    /// `lo` maps to black and `hi` to white (the reverse when `inverted`).
    pub fn new(stretch: Stretch, lo: f64, hi: f64, inverted: bool) -> GrayTable {
        let last = (STEPS - 1) as f64;
        let mut table = Box::new([0u8; STEPS]);
        for (i, slot) in table.iter_mut().enumerate() {
            let y = stretch.apply(i as f64 / last, lo, hi);
            let g = (y * 255.0).round().clamp(0.0, 255.0) as u8;
            *slot = if inverted { 255 - g } else { g };
        }
        let span = hi - lo;
        let scale = if span > 0.0 && span.is_finite() {
            last / span
        } else {
            0.0
        };
        GrayTable { lo, scale, table }
    }

    /// The gray level of data value `v` (NaN gets the level of the low limit).
    #[inline]
    pub fn gray(&self, v: f32) -> u8 {
        let t = (f64::from(v) - self.lo) * self.scale + 0.5;
        // below the low limit is step 0, beyond the high limit the last; NaN stays NaN
        // through the clamp and `as` makes it 0, the low end, as it should be
        let i = t.clamp(0.0, (STEPS - 1) as f64) as usize;
        self.table[i.min(STEPS - 1)]
    }

    /// The level of the low limit (what NaN pixels and padding get).
    pub fn background(&self) -> u8 {
        self.table[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astropy_formulas() {
        // astropy: LogStretch()(0.5) = log(501)/log(1001)
        let v = Stretch::Log(1000.0).apply(0.5, 0.0, 1.0);
        assert!((v - 501f64.ln() / 1001f64.ln()).abs() < 1e-15);
        // AsinhStretch()(0.5) = asinh(5)/asinh(10)
        let v = Stretch::Asinh(0.1).apply(0.5, 0.0, 1.0);
        assert!((v - 5f64.asinh() / 10f64.asinh()).abs() < 1e-15);
        assert_eq!(Stretch::Power(3.0).apply(0.5, 0.0, 1.0), 0.125);
        assert_eq!(Stretch::Linear.apply(2.0, 0.0, 1.0), 1.0);
        assert_eq!(Stretch::Sqrt.apply(-1.0, 0.0, 1.0), 0.0);
        for s in [
            Stretch::Linear,
            Stretch::Sqrt,
            Stretch::Power(3.0),
            Stretch::Log(1000.0),
            Stretch::LogNorm,
            Stretch::Asinh(0.1),
        ] {
            assert_eq!(s.apply(0.0, 10.0, 100.0), 0.0, "{s:?}");
            assert!((s.apply(1.0, 10.0, 100.0) - 1.0).abs() < 1e-12, "{s:?}");
        }
    }

    #[test]
    fn lognorm_is_matplotlib_lognorm() {
        // LogNorm(vmin=10, vmax=1000)(100) = (log 100 − log 10) / (log 1000 − log 10) = 0.5
        let (lo, hi) = (10.0, 1000.0);
        let x = (100.0 - lo) / (hi - lo);
        assert!((Stretch::LogNorm.apply(x, lo, hi) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gray_table() {
        let t = GrayTable::new(Stretch::Linear, 10.0, 20.0, false);
        assert_eq!(t.gray(10.0), 0);
        assert_eq!(t.gray(20.0), 255);
        assert_eq!(t.gray(15.0), 128);
        assert_eq!(t.gray(-1e30), 0);
        assert_eq!(t.gray(f32::INFINITY), 255);
        assert_eq!(t.gray(f32::NAN), 0);
        let inv = GrayTable::new(Stretch::Linear, 10.0, 20.0, true);
        assert_eq!(
            (inv.gray(10.0), inv.gray(20.0), inv.gray(f32::NAN)),
            (255, 0, 255)
        );
        // degenerate limits: everything at the low end
        let flat = GrayTable::new(Stretch::Linear, 5.0, 5.0, false);
        assert_eq!(flat.gray(7.0), 0);
    }
}
