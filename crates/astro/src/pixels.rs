//! Image pixels of a FITS HDU, read through cfitsio a block of rows at a time, as floats:
//! BITPIX 8/16/32/64/−32/−64, `BSCALE`/`BZERO` applied, `BLANK` and NaN both read as NaN,
//! tile-compressed images (`.fz`) and gzipped files (`.gz`) decompressed by cfitsio.
//!
//! Footprints and previews read images this way, one plane (or block of rows) at a time, so
//! a cube never has to fit in memory.
//!
//! ```no_run
//! use astro::pixels::Image;
//!
//! let image = Image::open("frame.fits.fz", None)?; // the first HDU with an image
//! let [nx, ny] = image.plane_shape();
//! let plane: Vec<f32> = image.read_plane(0)?; // NaN where pixels are blank
//! assert_eq!(plane.len(), nx * ny);
//! # Ok::<(), astro::pixels::PixelError>(())
//! ```

use fitsio::sys;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;

/// Why pixels could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PixelError {
    #[error("{file}: cannot open as FITS: {message} (cfitsio status {status})")]
    Open {
        file: String,
        status: i32,
        message: String,
    },
    #[error("{file}: HDU {hdu}: {message} (cfitsio status {status})")]
    Read {
        file: String,
        hdu: usize,
        status: i32,
        message: String,
    },
    #[error("{file}: there is no HDU {hdu}")]
    NoSuchHdu { file: String, hdu: usize },
    #[error("{file}: no HDU holds {what}")]
    NoImage { file: String, what: &'static str },
    #[error("{file}: HDU {hdu} {why}")]
    NotAnImage {
        file: String,
        hdu: usize,
        why: String,
    },
    #[error("{file}: HDU {hdu}: plane {plane} out of range (the image has {planes})")]
    NoSuchPlane {
        file: String,
        hdu: usize,
        plane: usize,
        planes: usize,
    },
    #[error("{file}: path contains a NUL byte")]
    BadPath { file: String },
    #[error("{file}: HDU {hdu}: the data unit is truncated: the file ends before the pixels the header describes ({message})")]
    ShortData {
        file: String,
        hdu: usize,
        message: String,
    },
    #[error("{file}: HDU {hdu}: the data unit is truncated: the header describes {needed} bytes of pixels from byte {start}, the file ends at byte {length}")]
    Truncated {
        file: String,
        hdu: usize,
        start: u64,
        needed: u64,
        length: u64,
    },
}

/// A pixel type cfitsio converts to.
pub trait Pixel: Copy + Default {
    #[doc(hidden)]
    const DATATYPE: c_int;
    fn nan() -> Self;
}

impl Pixel for f32 {
    const DATATYPE: c_int = sys::TFLOAT as c_int;
    fn nan() -> f32 {
        f32::NAN
    }
}

impl Pixel for f64 {
    const DATATYPE: c_int = sys::TDOUBLE as c_int;
    fn nan() -> f64 {
        f64::NAN
    }
}

/// An image HDU of an open FITS file.
pub struct Image {
    ptr: *mut sys::fitsfile,
    file: String,
    hdu: usize,
    bitpix: i32,
    naxes: Vec<i64>,
    /// A tile-compressed image (stored in a binary table).
    compressed: bool,
}

impl Drop for Image {
    fn drop(&mut self) {
        let mut status = 0;
        // SAFETY: ptr came from a successful ffdkopn and is closed once.
        unsafe {
            sys::ffclos(self.ptr, &mut status);
        }
    }
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("file", &self.file)
            .field("hdu", &self.hdu)
            .field("bitpix", &self.bitpix)
            .field("naxes", &self.naxes)
            .finish()
    }
}

/// cfitsio's text for `status` and its message stack (then cleared).
fn message(status: c_int) -> String {
    let mut parts = Vec::new();
    let mut text = [0 as c_char; 81];
    // SAFETY: buffers larger than FLEN_STATUS (31) and FLEN_ERRMSG (81) characters.
    unsafe {
        sys::ffgerr(status, text.as_mut_ptr());
        parts.push(CStr::from_ptr(text.as_ptr()).to_string_lossy().into_owned());
        loop {
            let mut m = [0 as c_char; 81];
            if sys::ffgmsg(m.as_mut_ptr()) == 0 {
                break;
            }
            let s = CStr::from_ptr(m.as_ptr())
                .to_string_lossy()
                .trim()
                .to_string();
            if !s.is_empty() && !parts.contains(&s) {
                parts.push(s);
            }
        }
        sys::ffcmsg();
    }
    parts.join("; ")
}

impl Image {
    /// Opens HDU `hdu` (0 = primary) of `path`, or with None the first HDU holding an image
    /// with at least two axes (tile-compressed images count).
    pub fn open(path: impl AsRef<Path>, hdu: Option<usize>) -> Result<Image, PixelError> {
        Image::open_min_axes(path.as_ref(), hdu, 2)
    }

    /// As [`Image::open`], but one axis is enough (a 1-D spectrum is data too): HDU `hdu`,
    /// or the first HDU with pixels.
    pub fn open_data(path: impl AsRef<Path>, hdu: Option<usize>) -> Result<Image, PixelError> {
        Image::open_min_axes(path.as_ref(), hdu, 1)
    }

    fn open_min_axes(
        path: &Path,
        hdu: Option<usize>,
        min_axes: usize,
    ) -> Result<Image, PixelError> {
        let file = path.display().to_string();
        #[cfg(unix)]
        let bytes = {
            use std::os::unix::ffi::OsStrExt;
            path.as_os_str().as_bytes().to_vec()
        };
        #[cfg(not(unix))]
        let bytes = file.clone().into_bytes();
        let cpath = CString::new(bytes).map_err(|_| PixelError::BadPath { file: file.clone() })?;
        let mut ptr: *mut sys::fitsfile = std::ptr::null_mut();
        let mut status: c_int = 0;
        // SAFETY: valid C string and out-pointers; ffdkopn takes the name literally (no
        // extended file-name syntax).
        unsafe {
            sys::ffdkopn(
                &mut ptr,
                cpath.as_ptr(),
                sys::READONLY as c_int,
                &mut status,
            );
        }
        if status != 0 || ptr.is_null() {
            if !ptr.is_null() {
                let mut s = 0;
                // SAFETY: a partly opened file must still be closed.
                unsafe {
                    sys::ffclos(ptr, &mut s);
                }
            }
            return Err(PixelError::Open {
                file,
                status,
                message: message(status),
            });
        }
        let mut image = Image {
            ptr,
            file,
            hdu: 0,
            bitpix: 0,
            naxes: Vec::new(),
            compressed: false,
        };
        match hdu {
            Some(h) => {
                image.select(h)?;
                if image.naxes.len() < min_axes || image.naxes.iter().any(|&n| n <= 0) {
                    return Err(PixelError::NotAnImage {
                        file: image.file.clone(),
                        hdu: h,
                        why: if min_axes == 1 {
                            format!("has no pixel data (axes {:?})", image.naxes)
                        } else {
                            format!("has no 2-D image data (axes {:?})", image.naxes)
                        },
                    });
                }
            }
            None => {
                let mut h = 0;
                loop {
                    match image.select(h) {
                        Ok(())
                            if image.naxes.len() >= min_axes
                                && image.naxes.iter().all(|&n| n > 0) =>
                        {
                            break
                        }
                        Ok(()) | Err(PixelError::NotAnImage { .. }) => h += 1,
                        Err(PixelError::NoSuchHdu { .. }) => {
                            return Err(PixelError::NoImage {
                                file: image.file.clone(),
                                what: if min_axes == 1 {
                                    "pixel data"
                                } else {
                                    "an image with at least two axes"
                                },
                            })
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(image)
    }

    fn error(&self, status: c_int) -> PixelError {
        PixelError::Read {
            file: self.file.clone(),
            hdu: self.hdu,
            status,
            message: message(status),
        }
    }

    /// Moves to HDU `hdu` and reads its image description.
    fn select(&mut self, hdu: usize) -> Result<(), PixelError> {
        let mut status: c_int = 0;
        let mut kind: c_int = 0;
        let num = c_int::try_from(hdu + 1).unwrap_or(c_int::MAX);
        // SAFETY: open file, valid out-pointers.
        unsafe {
            sys::ffmahd(self.ptr, num, &mut kind, &mut status);
        }
        if status == sys::END_OF_FILE as c_int || status == 301 {
            // SAFETY: clears the message stack only.
            unsafe { sys::ffcmsg() };
            return Err(PixelError::NoSuchHdu {
                file: self.file.clone(),
                hdu,
            });
        }
        self.hdu = hdu;
        if status != 0 {
            return Err(self.error(status));
        }
        // SAFETY: open file positioned at the HDU; valid out-pointers.
        let compressed = unsafe { sys::fits_is_compressed_image(self.ptr, &mut status) };
        if kind != sys::IMAGE_HDU as c_int && compressed == 0 {
            return Err(PixelError::NotAnImage {
                file: self.file.clone(),
                hdu,
                why: "is a table, not an image".into(),
            });
        }
        let (mut bitpix, mut naxis) = (0, 0);
        // SAFETY: as above.
        unsafe {
            sys::ffgidt(self.ptr, &mut bitpix, &mut status);
            sys::ffgidm(self.ptr, &mut naxis, &mut status);
        }
        if status != 0 {
            return Err(self.error(status));
        }
        let mut naxes = vec![0i64; usize::try_from(naxis).unwrap_or(0)];
        if naxis > 0 {
            // SAFETY: naxes holds naxis values.
            unsafe {
                sys::ffgiszll(self.ptr, naxis, naxes.as_mut_ptr(), &mut status);
            }
            if status != 0 {
                return Err(self.error(status));
            }
        }
        self.bitpix = bitpix;
        self.naxes = naxes;
        self.compressed = compressed != 0;
        Ok(())
    }

    /// The value of header keyword `name` in this HDU (for a tile-compressed image, the
    /// image's header), as text: strings without their quotes and trailing blanks, other
    /// values as written; `None` when absent.
    pub fn keyword(&self, name: &str) -> Option<String> {
        let key = CString::new(name).ok()?;
        let mut value = [0 as c_char; 72];
        let mut status: c_int = 0;
        // SAFETY: open file positioned at the HDU; value holds FLEN_VALUE (71) characters;
        // the comment may be null.
        unsafe {
            sys::ffgkey(
                self.ptr,
                key.as_ptr(),
                value.as_mut_ptr(),
                std::ptr::null_mut(),
                &mut status,
            );
        }
        if status != 0 {
            // SAFETY: clears the message stack only.
            unsafe { sys::ffcmsg() };
            return None;
        }
        // SAFETY: cfitsio wrote a NUL-terminated string.
        let raw = unsafe { CStr::from_ptr(value.as_ptr()) }
            .to_string_lossy()
            .trim()
            .to_string();
        Some(
            match raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
                Some(inner) => inner.replace("''", "'").trim_end().to_string(),
                None => raw,
            },
        )
    }

    /// A numeric keyword, or `None` when absent or not a number.
    pub fn keyword_f64(&self, name: &str) -> Option<f64> {
        self.keyword(name)?
            .replace(['D', 'd'], "E")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }

    /// Checks that a plain (uncompressed, not gzipped) file holds every byte of pixels its
    /// header describes, so a truncated data unit is named before any pixel is read.
    pub fn check_data_length(&self) -> Result<(), PixelError> {
        let lower = self.file.to_ascii_lowercase();
        if self.compressed || lower.ends_with(".gz") || lower.ends_with(".z") {
            return Ok(());
        }
        let Ok(length) = std::fs::metadata(&self.file).map(|m| m.len()) else {
            return Ok(());
        };
        let (mut head, mut start, mut end) = (0i64, 0i64, 0i64);
        let mut status: c_int = 0;
        // SAFETY: open file positioned at the HDU; valid out-pointers.
        unsafe {
            sys::ffghadll(self.ptr, &mut head, &mut start, &mut end, &mut status);
        }
        if status != 0 {
            return Err(self.error(status));
        }
        let pixels = self
            .naxes
            .iter()
            .try_fold(1u64, |acc, &n| acc.checked_mul(u64::try_from(n).ok()?));
        let needed = pixels.and_then(|p| p.checked_mul(u64::from(self.bitpix.unsigned_abs() / 8)));
        let start = u64::try_from(start).unwrap_or(0);
        match needed {
            Some(n) if start.checked_add(n).is_some_and(|e| e <= length) => Ok(()),
            n => Err(PixelError::Truncated {
                file: self.file.clone(),
                hdu: self.hdu,
                start,
                needed: n.unwrap_or(u64::MAX),
                length,
            }),
        }
    }

    /// The file name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The HDU (0 = primary).
    pub fn hdu(&self) -> usize {
        self.hdu
    }

    /// BITPIX of the stored pixels (ZBITPIX for a compressed image).
    pub fn bitpix(&self) -> i32 {
        self.bitpix
    }

    /// All axis lengths, NAXIS1 first.
    pub fn shape(&self) -> &[i64] {
        &self.naxes
    }

    /// NAXIS1 × NAXIS2, the size of one plane (NAXIS2 is 1 for one-axis data).
    pub fn plane_shape(&self) -> [usize; 2] {
        let axis = |i: usize| {
            self.naxes
                .get(i)
                .map_or(1, |&n| usize::try_from(n).unwrap_or(0))
        };
        [axis(0), axis(1)]
    }

    /// The number of 2-D planes (the product of NAXIS3 and up).
    pub fn planes(&self) -> usize {
        self.naxes
            .get(2..)
            .unwrap_or(&[])
            .iter()
            .map(|&n| usize::try_from(n).unwrap_or(0))
            .product()
    }

    /// Reads rows `first_row .. first_row + rows` (0-based) of plane `plane` into `out`
    /// (NAXIS1 values per row; NaN for blank pixels). `out` is resized as needed.
    pub fn read_rows<T: Pixel>(
        &self,
        plane: usize,
        first_row: usize,
        rows: usize,
        out: &mut Vec<T>,
    ) -> Result<(), PixelError> {
        let [nx, ny] = self.plane_shape();
        let planes = self.planes();
        if plane >= planes {
            return Err(PixelError::NoSuchPlane {
                file: self.file.clone(),
                hdu: self.hdu,
                plane,
                planes,
            });
        }
        let rows = rows.min(ny.saturating_sub(first_row));
        let n = nx * rows;
        out.clear();
        out.resize(n, T::default());
        if n == 0 {
            return Ok(());
        }
        // the first pixel, 1-based, NAXIS1 first; the plane index spreads over NAXIS3…
        let mut first: Vec<i64> = vec![1, first_row as i64 + 1];
        first.truncate(self.naxes.len().max(1));
        let mut rest = plane;
        for &len in self.naxes.get(2..).unwrap_or(&[]) {
            let len = usize::try_from(len).unwrap_or(1).max(1);
            first.push((rest % len) as i64 + 1);
            rest /= len;
        }
        // with a null value cfitsio turns BLANK pixels of integer images, and the ZBLANK
        // pixels of quantized tile-compressed floats, into NaN; plain float pixels need no
        // check (NaN stays NaN), and without one cfitsio only swaps bytes
        let mut nul = T::nan();
        let nulval = if self.bitpix < 0 && !self.compressed {
            std::ptr::null_mut()
        } else {
            (&mut nul as *mut T).cast::<c_void>()
        };
        let mut anynul: c_int = 0;
        let mut status: c_int = 0;
        // SAFETY: `first` has one entry per axis; `out` holds n values of the requested type;
        // the rows read lie inside the plane, so cfitsio writes exactly n values.
        unsafe {
            sys::ffgpxvll(
                self.ptr,
                T::DATATYPE,
                first.as_mut_ptr(),
                n as i64,
                nulval,
                out.as_mut_ptr().cast::<c_void>(),
                &mut anynul,
                &mut status,
            );
        }
        if status == sys::NUM_OVERFLOW as c_int {
            // values beyond the float range were clipped to it: still data, still finite
            // SAFETY: clears the message stack only.
            unsafe { sys::ffcmsg() };
            status = 0;
        }
        if status == sys::END_OF_FILE as c_int {
            return Err(PixelError::ShortData {
                file: self.file.clone(),
                hdu: self.hdu,
                message: message(status),
            });
        }
        if status != 0 {
            return Err(self.error(status));
        }
        Ok(())
    }

    /// Reads plane `plane` (0-based over NAXIS3 and up) whole.
    pub fn read_plane<T: Pixel>(&self, plane: usize) -> Result<Vec<T>, PixelError> {
        let mut out = Vec::new();
        self.read_rows(plane, 0, self.plane_shape()[1], &mut out)?;
        Ok(out)
    }
}
