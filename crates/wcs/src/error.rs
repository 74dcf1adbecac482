use thiserror::Error;

/// Everything that can go wrong in this crate. wcslib failures keep wcslib's own status and
/// message so the cause is visible (e.g. "Inconsistent projection types (expected DEC--TAN,
/// got RA---TAN in CTYPE2)").
#[derive(Debug, Clone, PartialEq, Error)]
pub enum WcsError {
    /// No keyrecords at all (empty text, or END first).
    #[error("the header is empty")]
    EmptyHeader,

    /// wcslib found no WCS keywords (no NAXIS, WCSAXES or axis-numbered WCS keyword).
    #[error("the header has no WCS keywords")]
    NoWcs,

    /// The requested alternate WCS is not in the header.
    #[error("the header has no WCS with alternate key {0:?}")]
    NoSuchAlternate(char),

    /// A caller-supplied option is unusable.
    #[error("invalid option: {0}")]
    InvalidOption(String),

    /// A WCS transformation keyword holds NaN or an infinity, written out (`CRVAL1 = NaN`) or
    /// produced by overflow (`CRVAL1 = 1E999`).
    #[error("{keyword} is not a finite number ({value})")]
    NonFinite {
        /// e.g. `CRVAL1`, `PC1_2`
        keyword: String,
        /// the offending value as text (`NaN`, `inf`, or the card's value field)
        value: String,
    },

    /// A wcslib function returned an error status.
    #[error("{function}: {message} (wcslib status {status})")]
    Wcslib {
        /// the wcslib function, e.g. `wcsset`
        function: &'static str,
        /// wcslib's status code (see `wcs.h`: 3 singular matrix, 4 bad CTYPE, …)
        status: i32,
        /// wcslib's detailed message, or the generic text for the status
        message: String,
    },

    /// The number of coordinate values is not a multiple of the number of WCS axes.
    #[error("expected a multiple of {naxis} coordinate values (one per WCS axis), got {got}")]
    DimensionMismatch {
        /// number of WCS axes
        naxis: usize,
        /// number of values given
        got: usize,
    },

    /// A single-point transformation hit a coordinate wcslib flags as invalid.
    #[error("invalid {what} coordinate for axes {axes:?} (wcslib status mask {mask:#x})")]
    InvalidCoordinate {
        /// "pixel" or "world"
        what: &'static str,
        /// 0-based axis indices flagged by wcslib
        axes: Vec<usize>,
        /// wcslib's per-point status bit mask
        mask: u32,
    },

    /// world → pixel with a singular linear transformation (see
    /// [`crate::WcsInfo::linear_is_singular`]).
    #[error("the linear transformation matrix (CDELT × PC, or CD) is singular: world coordinates have no pixel solution")]
    SingularMatrix,

    /// More points or axes than wcslib's `int` counts can address.
    #[error("too many coordinates for one wcslib call ({0} values)")]
    TooLarge(usize),

    /// The wcslib found at run time does not match the layout this crate was compiled for.
    #[error("incompatible wcslib at run time: {0}")]
    Abi(String),
}

impl WcsError {
    /// wcslib's status code, if the error came from wcslib.
    pub fn wcslib_status(&self) -> Option<i32> {
        match self {
            WcsError::Wcslib { status, .. } => Some(*status),
            _ => None,
        }
    }
}
