//! [`Headers`]: the HDU headers of one input file, whatever the source, for the mapping
//! engine.

use std::path::{Path, PathBuf};
#[cfg(feature = "hdf5")]
use std::sync::Arc;

use crate::card::Value;
use crate::dump::{self, DumpError, DumpStyle};
use crate::header::Header;

#[cfg(feature = "fits")]
use crate::fits::{self, FitsError, HduKind, ImageInfo};
#[cfg(feature = "hdf5")]
use crate::hdf5::{Hdf5Error, Hdf5Source};

/// Where the headers came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A text header dump, with its layout.
    Dump(DumpStyle),
    /// A FITS file read through cfitsio.
    Fits,
    /// An HDF5 file: HDU 0 holds the root group's scalar attributes.
    Hdf5,
    /// Headers built in memory (e.g. a minimal stand-in header).
    Memory,
}

/// Why the headers of a file could not be read. The inner errors name the file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A text dump.
    #[error(transparent)]
    Dump(#[from] DumpError),
    /// A FITS file.
    #[cfg(feature = "fits")]
    #[error(transparent)]
    Fits(#[from] FitsError),
    /// An HDF5 file.
    #[cfg(feature = "hdf5")]
    #[error(transparent)]
    Hdf5(#[from] Hdf5Error),
    /// The file cannot be read at all.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// This build cannot read that kind of file, or the source has no such data.
    #[error("{file}: {reason}")]
    Unsupported {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}

/// Per-HDU facts that only a FITS file has.
#[cfg(feature = "fits")]
#[derive(Clone, Debug, PartialEq)]
struct FitsInfo {
    kind: HduKind,
    image: Option<ImageInfo>,
}

/// The headers of every HDU of one input file, in HDU order, from a text dump, a FITS file,
/// an HDF5 file or memory. This is what the mapping engine reads keywords from (and injects
/// blueprint defaults into, through [`Headers::hdu_mut`]).
///
/// ```
/// use fits2caom2::{Headers, Value};
///
/// let text = "SIMPLE  =                    T\nOBJECT  = 'M31'\nEND\n\
///             XTENSION= 'IMAGE   '\nEXPTIME =                 30.0\nEND\n";
/// let headers = Headers::from_dump_bytes(text.as_bytes(), "m31.fits.header").unwrap();
/// assert_eq!(headers.len(), 2);
/// assert_eq!(headers.get(0, "OBJECT"), Some(&Value::String("M31".into())));
/// assert_eq!(headers.get(1, "EXPTIME"), Some(&Value::Float(30.0)));
/// ```
#[derive(Clone, Debug)]
pub struct Headers {
    name: String,
    path: Option<PathBuf>,
    kind: SourceKind,
    hdus: Vec<Header>,
    #[cfg(feature = "fits")]
    fits: Vec<FitsInfo>,
    #[cfg(feature = "hdf5")]
    hdf5: Option<Arc<Hdf5Source>>,
}

/// The first bytes of every HDF5 file (at offset 0 when there is no user block).
const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

impl Headers {
    fn empty(name: String, path: Option<PathBuf>, kind: SourceKind) -> Headers {
        Headers {
            name,
            path,
            kind,
            hdus: Vec::new(),
            #[cfg(feature = "fits")]
            fits: Vec::new(),
            #[cfg(feature = "hdf5")]
            hdf5: None,
        }
    }

    /// Reads the headers of a local file, choosing the reader as the reference does:
    /// a name containing `.header` is a text dump; `.h5`/`.hdf5` names and files starting
    /// with the HDF5 signature are HDF5; anything else is opened as FITS (plain, `.fz`,
    /// `.gz`), and a file cfitsio rejects that looks like text is read as a dump (the
    /// reference's fallback for dumps without `.header` in the name).
    pub fn read(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.contains(".header") {
            return Headers::from_dump(path);
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".h5") || lower.ends_with(".hdf5") || starts_with(path, HDF5_SIGNATURE) {
            return Headers::from_hdf5(path);
        }
        match Headers::from_fits(path) {
            Err(e) if looks_like_text(path) => match Headers::from_dump(path) {
                Ok(h) => Ok(h),
                // The dump reader's complaint is the better one for a text file.
                Err(SourceError::Dump(d)) if !matches!(d, DumpError::Io { .. }) => {
                    Err(SourceError::Dump(d))
                }
                Err(_) => Err(e),
            },
            other => other,
        }
    }

    /// Reads a text header dump.
    pub fn from_dump(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        let path = path.as_ref();
        let d = dump::read_dump(path)?;
        let mut h = Headers::empty(
            path.display().to_string(),
            Some(path.to_path_buf()),
            SourceKind::Dump(d.style),
        );
        h.hdus = d.headers;
        Ok(h)
    }

    /// Parses a text header dump held in memory; `name` is used in error messages.
    pub fn from_dump_bytes(bytes: &[u8], name: &str) -> Result<Headers, SourceError> {
        let d = dump::parse_dump(bytes, name)?;
        let mut h = Headers::empty(name.to_string(), None, SourceKind::Dump(d.style));
        h.hdus = d.headers;
        Ok(h)
    }

    /// Reads every HDU header of a FITS file.
    #[cfg(feature = "fits")]
    pub fn from_fits(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        let path = path.as_ref();
        let hdus = fits::read_fits(path)?;
        let mut h = Headers::empty(
            path.display().to_string(),
            Some(path.to_path_buf()),
            SourceKind::Fits,
        );
        for hdu in hdus {
            h.fits.push(FitsInfo {
                kind: hdu.kind,
                image: hdu.image,
            });
            h.hdus.push(hdu.header);
        }
        Ok(h)
    }

    /// Reads every HDU header of a FITS file (not available: built without `fits`).
    #[cfg(not(feature = "fits"))]
    pub fn from_fits(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        Err(SourceError::Unsupported {
            file: path.as_ref().display().to_string(),
            reason: "this build has no FITS support (feature `fits`)".into(),
        })
    }

    /// Opens an HDF5 file: HDU 0 is the root group's scalar attributes; blueprint paths are
    /// resolved through [`Headers::hdf5`].
    #[cfg(feature = "hdf5")]
    pub fn from_hdf5(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        let path = path.as_ref();
        let source = Hdf5Source::open(path)?;
        let root = source.root_header()?;
        let mut h = Headers::empty(
            path.display().to_string(),
            Some(path.to_path_buf()),
            SourceKind::Hdf5,
        );
        h.hdus.push(root);
        h.hdf5 = Some(Arc::new(source));
        Ok(h)
    }

    /// Opens an HDF5 file (not available: built without `hdf5`).
    #[cfg(not(feature = "hdf5"))]
    pub fn from_hdf5(path: impl AsRef<Path>) -> Result<Headers, SourceError> {
        Err(SourceError::Unsupported {
            file: path.as_ref().display().to_string(),
            reason: "this build has no HDF5 support (feature `hdf5`)".into(),
        })
    }

    /// Headers built in memory, e.g. the minimal stand-in header the reference uses for
    /// inputs that are not FITS.
    pub fn from_headers(name: &str, hdus: Vec<Header>) -> Headers {
        let mut h = Headers::empty(name.to_string(), None, SourceKind::Memory);
        h.hdus = hdus;
        h
    }

    /// The file name (or the name given for in-memory input), as used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file, when the headers were read from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where the headers came from.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// Number of HDUs.
    pub fn len(&self) -> usize {
        self.hdus.len()
    }

    /// True when there are no HDUs.
    pub fn is_empty(&self) -> bool {
        self.hdus.is_empty()
    }

    /// All HDU headers in order.
    pub fn hdus(&self) -> &[Header] {
        &self.hdus
    }

    /// The header of HDU `index` (0 = primary).
    pub fn hdu(&self, index: usize) -> Option<&Header> {
        self.hdus.get(index)
    }

    /// The header of HDU `index`, for changes (blueprint defaults and overrides are written
    /// into the headers before WCS parsing, as the reference does).
    pub fn hdu_mut(&mut self, index: usize) -> Option<&mut Header> {
        self.hdus.get_mut(index)
    }

    /// All HDU headers, for changes (the mapping engine injects blueprint values into every
    /// HDU before WCS parsing).
    pub fn hdus_mut(&mut self) -> &mut [Header] {
        &mut self.hdus
    }

    /// The primary header.
    pub fn primary(&self) -> Option<&Header> {
        self.hdus.first()
    }

    /// HDU headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.hdus.iter()
    }

    /// The value of `keyword` in HDU `hdu`.
    pub fn get(&self, hdu: usize, keyword: &str) -> Option<&Value> {
        self.hdu(hdu).and_then(|h| h.get(keyword))
    }

    /// For FITS files: the kind of HDU `index`.
    #[cfg(feature = "fits")]
    pub fn hdu_kind(&self, index: usize) -> Option<HduKind> {
        self.fits.get(index).map(|f| f.kind)
    }

    /// For FITS files: the image as cfitsio presents it (`ZBITPIX`/`ZNAXISn` for
    /// tile-compressed images); `None` for tables and other sources.
    #[cfg(feature = "fits")]
    pub fn image_info(&self, index: usize) -> Option<&ImageInfo> {
        self.fits.get(index).and_then(|f| f.image.as_ref())
    }

    /// For HDF5 files: the source that resolves blueprint paths.
    #[cfg(feature = "hdf5")]
    pub fn hdf5(&self) -> Option<&Hdf5Source> {
        self.hdf5.as_deref()
    }

    /// A table column as strings (the reference's `('BINTABLE', column, hdu)`); only FITS
    /// files have table data.
    pub fn read_column(&self, hdu: usize, column: &str) -> Result<Vec<String>, SourceError> {
        #[cfg(feature = "fits")]
        if let (SourceKind::Fits, Some(path)) = (self.kind, &self.path) {
            return Ok(fits::read_column(path, hdu, column)?);
        }
        Err(SourceError::Unsupported {
            file: self.name.clone(),
            reason: format!(
                "column {column:?} of HDU {hdu}: only FITS files have table data, this is {:?}",
                self.kind
            ),
        })
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.hdus.iter()
    }
}

fn starts_with(path: &Path, magic: &[u8]) -> bool {
    use std::io::Read;
    let mut buf = vec![0u8; magic.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok()
        && buf == magic
}

/// A FITS file has no line breaks in its first card; a dump has one within 81 bytes.
fn looks_like_text(path: &Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 82];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut buf)) else {
        return false;
    };
    let head = &buf[..n];
    head.contains(&b'\n')
        && head
            .iter()
            .all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b))
}
