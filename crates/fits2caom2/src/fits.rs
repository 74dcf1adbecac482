//! FITS files through cfitsio (the `fitsio` crate's bindings to the system library): every
//! HDU's header, tile-compressed and gzipped files included, and binary-table columns as
//! strings.
//!
//! # What is read
//!
//! * **Raw header cards.** Each HDU's cards are read as they are in the file
//!   (`fits_read_record`) and parsed like a text dump, with astropy's `verify('fix')` repairs
//!   that the reference applies to real FITS files ([`crate::card::Card::parse_fixing`]).
//! * **Tile-compressed images** (`.fits.fz`): the header is the raw `BINTABLE` header with
//!   `ZIMAGE`, `ZBITPIX`, `ZNAXISn`, `ZCMPTYPE`, … — the same cards the reference's `fhead`
//!   dumps of `.fz` files hold, which is why its blueprints look up `[ZNAXISn, NAXISn]`.
//!   We do not synthesise the uncompressed image header that astropy's `CompImageHDU`
//!   presents. What cfitsio says about the image itself (its `BITPIX` = `ZBITPIX` and axis
//!   lengths = `ZNAXISn`) is in [`FitsHdu::image`].
//! * **Compressed files** (`.gz`, and whatever else the cfitsio build decompresses) are
//!   opened transparently by cfitsio.
//! * Blank cards just before `END` are not returned: cfitsio treats them as free header
//!   space. Blank-keyword cards elsewhere are kept.
//! * File names are taken literally: cfitsio's extended file-name syntax (`file.fits[1]`,
//!   `-` for stdin, …) is not interpreted.
//!
//! # Errors
//!
//! Every error names the file; errors about an HDU name its 0-based index. A file that ends
//! inside a header or inside the data of its last HDU is reported as truncated.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::path::Path;

use fitsio::sys;

use crate::card::Unparsable;
use crate::header::{CardSource, Header};

/// The kind of an HDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HduKind {
    /// The primary array or an `IMAGE` extension.
    Image,
    /// A tile-compressed image (stored as a `BINTABLE`).
    CompressedImage,
    /// An ASCII `TABLE` extension.
    AsciiTable,
    /// A `BINTABLE` extension.
    BinaryTable,
}

/// An image as cfitsio presents it: for a tile-compressed image, `ZBITPIX` and `ZNAXISn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// Pixel type (8, 16, 32, 64, -32, -64).
    pub bitpix: i32,
    /// Axis lengths, `NAXIS1` first.
    pub naxes: Vec<i64>,
}

/// One HDU of a FITS file.
#[derive(Clone, Debug, PartialEq)]
pub struct FitsHdu {
    /// The raw header cards.
    pub header: Header,
    /// What kind of HDU this is.
    pub kind: HduKind,
    /// Pixel type and axes for images (also for compressed ones); `None` for tables.
    pub image: Option<ImageInfo>,
}

/// Why a FITS file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FitsError {
    /// The file could not be opened (missing, unreadable, not FITS).
    #[error("{file}: cannot open as FITS: {message} (cfitsio status {status})")]
    Open {
        /// The file.
        file: String,
        /// cfitsio status code.
        status: i32,
        /// cfitsio's messages.
        message: String,
    },
    /// cfitsio failed while reading an HDU.
    #[error("{file}: HDU {hdu}: {message} (cfitsio status {status})")]
    Hdu {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// cfitsio status code.
        status: i32,
        /// cfitsio's messages.
        message: String,
    },
    /// The file ends before the HDU does.
    #[error("{file}: HDU {hdu}: file is truncated ({detail})")]
    Truncated {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// What is missing.
        detail: String,
    },
    /// A header card could not be read.
    #[error("{file}: HDU {hdu}, card {card}, keyword {keyword:?}: {error}")]
    Card {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// 1-based card number in the header.
        card: usize,
        /// The keyword.
        keyword: String,
        /// What is wrong.
        #[source]
        error: crate::card::CardError,
    },
    /// The requested HDU does not exist.
    #[error("{file}: there is no HDU {hdu} (the file has {count})")]
    NoSuchHdu {
        /// The file.
        file: String,
        /// 0-based HDU index asked for.
        hdu: usize,
        /// Number of HDUs in the file.
        count: usize,
    },
    /// The HDU is not a table.
    #[error("{file}: HDU {hdu} is not a table")]
    NotATable {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
    },
    /// The table has no such column.
    #[error("{file}: HDU {hdu} has no column {column:?}")]
    NoSuchColumn {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// The column asked for.
        column: String,
    },
    /// The column holds something we do not turn into strings.
    #[error("{file}: HDU {hdu}, column {column:?}: {detail}")]
    UnsupportedColumn {
        /// The file.
        file: String,
        /// 0-based HDU index.
        hdu: usize,
        /// The column.
        column: String,
        /// Why.
        detail: String,
    },
    /// The path cannot be handed to cfitsio.
    #[error("{file}: path contains a NUL byte")]
    BadPath {
        /// The file.
        file: String,
    },
}

/// An open cfitsio file, closed on drop.
struct Fits {
    ptr: *mut sys::fitsfile,
    name: String,
}

impl Drop for Fits {
    fn drop(&mut self) {
        let mut status = 0;
        // SAFETY: `ptr` came from a successful ffdkopn and is closed exactly once.
        unsafe {
            sys::ffclos(self.ptr, &mut status);
        }
    }
}

/// cfitsio's text for `status` plus its message stack (which is then cleared).
fn cfitsio_message(status: c_int) -> String {
    let mut text = [0 as c_char; 81];
    let mut parts = Vec::new();
    // SAFETY: the buffers are larger than cfitsio's FLEN_STATUS (31) and FLEN_ERRMSG (81).
    unsafe {
        sys::ffgerr(status, text.as_mut_ptr());
        parts.push(CStr::from_ptr(text.as_ptr()).to_string_lossy().into_owned());
        loop {
            let mut msg = [0 as c_char; 81];
            if sys::ffgmsg(msg.as_mut_ptr()) == 0 {
                break;
            }
            let m = CStr::from_ptr(msg.as_ptr())
                .to_string_lossy()
                .trim()
                .to_string();
            if !m.is_empty() && !parts.contains(&m) {
                parts.push(m);
            }
        }
        sys::ffcmsg();
    }
    parts.join("; ")
}

impl Fits {
    fn open(path: &Path) -> Result<Fits, FitsError> {
        let name = path.display().to_string();
        #[cfg(unix)]
        let bytes = {
            use std::os::unix::ffi::OsStrExt;
            path.as_os_str().as_bytes().to_vec()
        };
        #[cfg(not(unix))]
        let bytes = name.clone().into_bytes();
        let cpath = CString::new(bytes).map_err(|_| FitsError::BadPath { file: name.clone() })?;
        let mut ptr: *mut sys::fitsfile = std::ptr::null_mut();
        let mut status: c_int = 0;
        // SAFETY: valid C string and out-pointers. ffdkopn ignores the extended file-name
        // syntax, so names with brackets or a leading '-' are files, not filters.
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
                let mut s2 = 0;
                // SAFETY: a partially opened file must still be closed.
                unsafe {
                    sys::ffclos(ptr, &mut s2);
                }
            }
            return Err(FitsError::Open {
                file: name,
                status,
                message: cfitsio_message(status),
            });
        }
        Ok(Fits { ptr, name })
    }

    fn hdu_error(&self, hdu: usize, status: c_int) -> FitsError {
        FitsError::Hdu {
            file: self.name.clone(),
            hdu,
            status,
            message: cfitsio_message(status),
        }
    }

    /// Moves to the 0-based HDU `hdu`. `Ok(false)` when the file has no such HDU.
    fn move_to(&self, hdu: usize) -> Result<bool, FitsError> {
        let mut status: c_int = 0;
        let mut kind: c_int = 0;
        let num = c_int::try_from(hdu + 1).unwrap_or(c_int::MAX);
        // SAFETY: open file, valid out-pointers.
        unsafe {
            sys::ffmahd(self.ptr, num, &mut kind, &mut status);
        }
        match status {
            0 => Ok(true),
            s if s == sys::END_OF_FILE as c_int => {
                // SAFETY: clears cfitsio's message stack only.
                unsafe { sys::ffcmsg() };
                Ok(false)
            }
            s => Err(self.hdu_error(hdu, s)),
        }
    }

    /// Header start, data start and data end (padded) of the current HDU.
    fn addresses(&self, hdu: usize) -> Result<(i64, i64, i64), FitsError> {
        let (mut h, mut d, mut e) = (0, 0, 0);
        let mut status = 0;
        // SAFETY: open file, valid out-pointers.
        unsafe {
            sys::ffghadll(self.ptr, &mut h, &mut d, &mut e, &mut status);
        }
        if status != 0 {
            return Err(self.hdu_error(hdu, status));
        }
        Ok((h, d, e))
    }

    /// Whether the byte at `offset` exists in the (decompressed) file.
    fn has_byte(&self, offset: i64) -> bool {
        let mut status = 0;
        // SAFETY: open file; REPORT_EOF (0) makes cfitsio report reads past the end instead
        // of extending the file.
        unsafe {
            sys::ffmbyt(self.ptr, offset, 0, &mut status);
            if status != 0 {
                sys::ffcmsg();
            }
        }
        status == 0
    }

    fn read_header(&self, hdu: usize) -> Result<Header, FitsError> {
        let mut status = 0;
        let (mut nkeys, mut more) = (0, 0);
        // SAFETY: open file, valid out-pointers.
        unsafe {
            sys::ffghsp(self.ptr, &mut nkeys, &mut more, &mut status);
        }
        if status != 0 {
            return Err(self.hdu_error(hdu, status));
        }
        let mut images = Vec::with_capacity(usize::try_from(nkeys).unwrap_or(0));
        for k in 1..=nkeys {
            let mut buf = [0 as c_char; sys::FLEN_CARD as usize + 1];
            // SAFETY: buffer of FLEN_CARD (81) bytes plus one.
            unsafe {
                sys::ffgrec(self.ptr, k, buf.as_mut_ptr(), &mut status);
            }
            if status != 0 {
                return Err(self.hdu_error(hdu, status));
            }
            // SAFETY: cfitsio NUL-terminates the record.
            let bytes = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes();
            // Bytes outside ASCII become '?' later (astropy's decoding); lossy keeps them
            // as U+FFFD until then.
            images.push(String::from_utf8_lossy(bytes).into_owned());
        }
        Header::parse_images(
            images.iter().enumerate().map(|(i, image)| CardSource {
                position: i + 1,
                image,
            }),
            Unparsable::Fix,
        )
        .map_err(|bad| FitsError::Card {
            file: self.name.clone(),
            hdu,
            card: bad.position,
            keyword: bad.keyword,
            error: bad.error,
        })
    }

    fn kind(&self, hdu: usize) -> Result<HduKind, FitsError> {
        let mut status = 0;
        let mut t: c_int = 0;
        // SAFETY: open file, valid out-pointers.
        let compressed = unsafe {
            sys::ffghdt(self.ptr, &mut t, &mut status);
            sys::fits_is_compressed_image(self.ptr, &mut status)
        };
        if status != 0 {
            return Err(self.hdu_error(hdu, status));
        }
        Ok(if compressed != 0 {
            HduKind::CompressedImage
        } else if t == sys::ASCII_TBL as c_int {
            HduKind::AsciiTable
        } else if t == sys::BINARY_TBL as c_int {
            HduKind::BinaryTable
        } else {
            HduKind::Image
        })
    }

    fn image_info(&self, hdu: usize) -> Result<ImageInfo, FitsError> {
        let mut status = 0;
        let (mut bitpix, mut naxis) = (0, 0);
        // SAFETY: open file, valid out-pointers.
        unsafe {
            sys::ffgidt(self.ptr, &mut bitpix, &mut status);
            sys::ffgidm(self.ptr, &mut naxis, &mut status);
        }
        if status != 0 {
            return Err(self.hdu_error(hdu, status));
        }
        let mut naxes = vec![0i64; usize::try_from(naxis).unwrap_or(0)];
        if naxis > 0 {
            // SAFETY: `naxes` has room for `naxis` values.
            unsafe {
                sys::ffgiszll(self.ptr, naxis, naxes.as_mut_ptr(), &mut status);
            }
            if status != 0 {
                return Err(self.hdu_error(hdu, status));
            }
        }
        Ok(ImageInfo { bitpix, naxes })
    }
}

/// Size in bytes of the data unit described by a header (without padding), from `BITPIX`,
/// `NAXISn`, `PCOUNT` and `GCOUNT` (FITS standard §4.4.1).
fn data_size(header: &Header) -> Option<i64> {
    let bitpix = header.get_i64("BITPIX")?;
    let naxis = header.get_i64("NAXIS")?;
    if naxis <= 0 {
        return Some(0);
    }
    let mut n: i64 = 1;
    // Random groups (NAXIS1 = 0) start the product at NAXIS2.
    let first = if header.get_i64("NAXIS1") == Some(0) && header.contains("GROUPS") {
        2
    } else {
        1
    };
    for i in first..=naxis {
        n = n.checked_mul(header.get_i64(&format!("NAXIS{i}"))?)?;
    }
    let pcount = header.get_i64("PCOUNT").unwrap_or(0);
    let gcount = header.get_i64("GCOUNT").unwrap_or(1);
    (bitpix.abs() / 8)
        .checked_mul(gcount)?
        .checked_mul(pcount.checked_add(n)?)
}

/// How the file is stored on disk, for truncation checks.
enum Storage {
    /// Uncompressed, with its length in bytes.
    Plain(u64),
    /// Compressed (gzip, bzip2, compress, zip): only cfitsio knows the decompressed size.
    Compressed,
}

fn storage(path: &Path) -> Storage {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut magic));
    let compressed = matches!(magic, [0x1f, 0x8b | 0x9d | 0x1e | 0xa0, ..])
        || magic.starts_with(b"BZh")
        || magic.starts_with(b"PK\x03\x04");
    match (read, std::fs::metadata(path)) {
        (Ok(_), Ok(m)) if !compressed => Storage::Plain(m.len()),
        _ => Storage::Compressed,
    }
}

/// True when the bytes of a plain file from `offset` on are blank or NUL padding.
fn only_padding_after(path: &Path, offset: u64) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = Vec::new();
    if f.seek(SeekFrom::Start(offset)).is_err() || f.take(1 << 20).read_to_end(&mut buf).is_err() {
        return false;
    }
    buf.iter().all(|&b| b == 0 || b == b' ')
}

/// Reads the header of every HDU of a FITS file (plain, tile-compressed or gzipped).
pub fn read_fits(path: impl AsRef<Path>) -> Result<Vec<FitsHdu>, FitsError> {
    let path = path.as_ref();
    let f = Fits::open(path)?;
    let stored = storage(path);
    let mut hdus = Vec::new();
    let mut last_end: i64 = 0;
    loop {
        let hdu = hdus.len();
        let moved = if hdu == 0 { Ok(true) } else { f.move_to(hdu) };
        let moved = match moved {
            Ok(m) => m,
            // cfitsio's "error reading from file" while moving: the header is cut short.
            Err(FitsError::Hdu {
                status: 107 | 108,
                message,
                ..
            }) => {
                return Err(FitsError::Truncated {
                    file: f.name.clone(),
                    hdu,
                    detail: format!("the file ends inside the header (cfitsio: {message})"),
                })
            }
            Err(e) => return Err(e),
        };
        if !moved {
            // cfitsio reports "end of file" both for a clean end and for trailing bytes that
            // do not start a header; blank or NUL padding after the last HDU is harmless.
            let trailing = match stored {
                Storage::Plain(len) => {
                    u64::try_from(last_end).is_ok_and(|e| e < len)
                        && !only_padding_after(path, u64::try_from(last_end).unwrap_or(0))
                }
                Storage::Compressed => f.has_byte(last_end),
            };
            if trailing {
                return Err(FitsError::Truncated {
                    file: f.name.clone(),
                    hdu,
                    detail: format!(
                        "bytes follow HDU {} at offset {last_end}, but no complete header",
                        hdu - 1
                    ),
                });
            }
            break;
        }
        let header = f.read_header(hdu)?;
        let kind = f.kind(hdu)?;
        let image = match kind {
            HduKind::Image | HduKind::CompressedImage => Some(f.image_info(hdu)?),
            _ => None,
        };
        let (_, data_start, data_end) = f.addresses(hdu)?;
        if let Some(size) = data_size(&header) {
            let complete = match stored {
                // A plain file only needs the data bytes; missing final padding is tolerated
                // (astropy warns and reads on).
                Storage::Plain(len) => {
                    u64::try_from(data_start + size).is_ok_and(|need| need <= len)
                }
                // cfitsio reads whole 2880-byte records from the decompressed stream.
                Storage::Compressed => f.has_byte(data_start + size - 1),
            };
            if size > 0 && !complete {
                return Err(FitsError::Truncated {
                    file: f.name.clone(),
                    hdu,
                    detail: format!(
                        "the data unit needs {size} bytes from offset {data_start}, the file ends earlier"
                    ),
                });
            }
        }
        last_end = data_end;
        hdus.push(FitsHdu {
            header,
            kind,
            image,
        });
    }
    Ok(hdus)
}

/// Reads one column of a table HDU (`hdu` 0-based, so the first extension is 1) as strings,
/// one per row: the reference's `('BINTABLE', column, hdu)` blueprint value, used for
/// `DerivedObservation.members`. The column name is matched case-insensitively. Trailing
/// blanks of string cells are removed (as cfitsio and astropy do); numbers are formatted by
/// cfitsio (using `TDISPn` if present).
pub fn read_column(
    path: impl AsRef<Path>,
    hdu: usize,
    column: &str,
) -> Result<Vec<String>, FitsError> {
    let path = path.as_ref();
    let f = Fits::open(path)?;
    let mut count = 0;
    for i in 0..=hdu {
        if !f.move_to(i)? {
            return Err(FitsError::NoSuchHdu {
                file: f.name.clone(),
                hdu,
                count,
            });
        }
        count = i + 1;
    }
    if !matches!(f.kind(hdu)?, HduKind::AsciiTable | HduKind::BinaryTable) {
        return Err(FitsError::NotATable {
            file: f.name.clone(),
            hdu,
        });
    }
    let no_column = || FitsError::NoSuchColumn {
        file: f.name.clone(),
        hdu,
        column: column.to_string(),
    };
    // cfitsio treats '*', '?' and '#' in the name as wildcards; a name holding them is not
    // a literal column name we could match exactly.
    if column.contains(['*', '?', '#']) || column.is_empty() {
        return Err(no_column());
    }
    let mut template = CString::new(column)
        .map_err(|_| no_column())?
        .into_bytes_with_nul();
    let mut status: c_int = 0;
    let mut colnum: c_int = 0;
    // SAFETY: `template` is NUL-terminated and writable (cfitsio's prototype is not const).
    unsafe {
        sys::ffgcno(
            f.ptr,
            sys::CASEINSEN as c_int,
            template.as_mut_ptr().cast(),
            &mut colnum,
            &mut status,
        );
    }
    if status == sys::COL_NOT_FOUND as c_int {
        // SAFETY: clears cfitsio's message stack only.
        unsafe { sys::ffcmsg() };
        return Err(no_column());
    }
    // COL_NOT_UNIQUE still returns the first match, as astropy's lookup does.
    if status != 0 && status != 237 {
        return Err(f.hdu_error(hdu, status));
    }
    status = 0;
    let (mut nrows, mut typecode, mut repeat, mut width) = (0i64, 0, 0i64, 0i64);
    // SAFETY: open file, valid out-pointers.
    unsafe {
        sys::ffgnrwll(f.ptr, &mut nrows, &mut status);
        sys::ffgtclll(
            f.ptr,
            colnum,
            &mut typecode,
            &mut repeat,
            &mut width,
            &mut status,
        );
    }
    if status != 0 {
        return Err(f.hdu_error(hdu, status));
    }
    let is_string = typecode.abs() == sys::TSTRING as c_int;
    if !is_string && repeat > 1 {
        return Err(FitsError::UnsupportedColumn {
            file: f.name.clone(),
            hdu,
            column: column.to_string(),
            detail: format!("a vector of {repeat} numbers per row, not one value"),
        });
    }
    let cell = if is_string && typecode > 0 {
        width.max(repeat)
    } else {
        let mut w: c_int = 0;
        // SAFETY: open file, valid out-pointer.
        unsafe {
            sys::ffgcdw(f.ptr, colnum, &mut w, &mut status);
        }
        if status != 0 {
            return Err(f.hdu_error(hdu, status));
        }
        // Variable-length strings can be longer than the display width says.
        i64::from(w).max(if typecode < 0 { 1 << 16 } else { 0 })
    };
    let cell = usize::try_from(cell).unwrap_or(0) + 1;
    let mut out = Vec::with_capacity(usize::try_from(nrows).unwrap_or(0));
    let mut nulstr = *b"\0";
    for row in 1..=nrows {
        let mut buf = vec![0 as c_char; cell];
        let mut ptrs = [buf.as_mut_ptr()];
        let mut anynul: c_int = 0;
        // SAFETY: one output string of `cell` bytes, which covers the column width plus NUL.
        unsafe {
            sys::ffgcvs(
                f.ptr,
                colnum,
                row,
                1,
                1,
                nulstr.as_mut_ptr().cast(),
                ptrs.as_mut_ptr(),
                &mut anynul,
                &mut status,
            );
        }
        if status != 0 {
            return Err(f.hdu_error(hdu, status));
        }
        // SAFETY: cfitsio NUL-terminates within the buffer.
        let s = unsafe { CStr::from_ptr(buf.as_ptr()) };
        let text = s.to_string_lossy();
        // cfitsio right-justifies numbers in the display width; Python's str() has no blanks.
        out.push(
            if is_string {
                text.trim_end()
            } else {
                text.trim()
            }
            .to_string(),
        );
    }
    Ok(out)
}
