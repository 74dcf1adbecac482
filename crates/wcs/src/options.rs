use std::ffi::c_int;

use crate::ffi;

/// Which non-standard keywords the header parser accepts (wcspih's `relax`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Relax {
    /// Only keywords of the published WCS standard, like the reference (astropy
    /// `Wcsprm(header, relax=False)`). wcslib still reads the AIPS `CROTAn`, `EPOCH` and
    /// `VELREF` of the primary WCS, and SIP (`A_p_q` …) and TPV (`PVi_m` on `-TPV`) distortions:
    /// those are not governed by `relax` in wcslib 7.12.
    #[default]
    None,
    /// Every informal extension wcslib knows (`WCSHDR_all`): `RADECSYS`, `CD00i00j`,
    /// `PC00i00j`, `PROJPn`, `VSOURCEa`, `EPOCHa`, leading zeros in `PC01_01`, `DATE-REF`, …
    /// Use it for footprints of old headers, where reading something beats reading nothing.
    All,
}

impl Relax {
    pub(crate) fn bits(self) -> c_int {
        match self {
            Relax::None => 0,
            Relax::All => ffi::WCSHDR_ALL,
        }
    }
}

/// How [`crate::Wcs::from_header`] reads a header.
///
/// The default reproduces the reference pipeline: primary WCS (`alt = ' '`), strict keywords,
/// then the fixes of astropy's `Wcsprm.fix()` with no image axis lengths (so no `cylfix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Non-standard keywords to accept.
    pub relax: Relax,
    /// Alternate WCS key: `' '` for the primary WCS, or `'A'..='Z'`.
    pub alt: char,
    /// Image axis lengths (`NAXISn`). When given, `cylfix` runs too (like astropy's
    /// `fix(naxis=...)`); missing trailing axes count as length 1, as FITS does for
    /// `WCSAXES > NAXIS`.
    pub image_axes: Option<Vec<i64>>,
    /// Always run wcspih, even on headers the direct reader of plain keywords takes (see
    /// [`crate::Wcs::from_header`]). The result is the same either way; this is for
    /// comparing the two.
    pub force_wcspih: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            relax: Relax::None,
            alt: ' ',
            image_axes: None,
            force_wcspih: false,
        }
    }
}

impl ParseOptions {
    /// The reference behaviour (same as `default()`).
    pub fn strict() -> Self {
        Self::default()
    }

    /// Accept all informal extensions ([`Relax::All`]); for footprints of real-world headers.
    pub fn relaxed() -> Self {
        ParseOptions {
            relax: Relax::All,
            ..Self::default()
        }
    }

    /// Select an alternate WCS (`'A'..='Z'`, or `' '` for the primary).
    pub fn with_alt(mut self, alt: char) -> Self {
        self.alt = alt;
        self
    }

    /// Always parse with wcspih ([`ParseOptions::force_wcspih`]).
    pub fn with_wcspih(mut self) -> Self {
        self.force_wcspih = true;
        self
    }

    /// Give the image axis lengths so that `cylfix` can repair malformed cylindrical projections.
    pub fn with_image_axes(mut self, naxis: &[i64]) -> Self {
        self.image_axes = Some(naxis.to_vec());
        self
    }

    /// Index into wcsidx()'s `alts[27]`: 0 for the primary, 1..=26 for A..Z.
    pub(crate) fn alt_index(&self) -> Option<usize> {
        match self.alt {
            ' ' => Some(0),
            c @ 'A'..='Z' => Some(c as usize - 'A' as usize + 1),
            _ => None,
        }
    }
}
