//! HDF5 files (libhdf5 through `hdf5-metno`) and the reference's HDF5 blueprint path
//! syntax.
//!
//! # Path syntax (reference `Hdf5ObsBlueprint`, §1.9 of the fits2caom2 notes)
//!
//! | path | meaning | result |
//! |---|---|---|
//! | `//a/b/c` | field `c` of the compound dataset `a/b`, read once per file | [`Resolved::File`] |
//! | `/p/site{}/x/y/c` | for every member of group `/p` whose name starts with `site` (sorted by name), field `c` of dataset `x/y` below it | [`Resolved::PerExtension`] |
//! | `NAME` | attribute `NAME` of the file's root group | [`Resolved::File`] |
//! | `…(i)` | element `i` of an array value | |
//! | `…(i:j)` | element `[i][j]` of a two-dimensional array (as the TAOS `cd(0:1)` = CD1_2) | |
//!
//! For `//a/b/c` and the part after `{}/`, when `a/b` is not a compound dataset with a field
//! `c`, a plain dataset `a/b/c` and then an attribute `c` of the object `a/b` are tried.
//! Extension names are sorted by bytes, as Python's `sorted` does (`site10` before `site2`).
//!
//! # Values
//!
//! Every HDF5 value becomes a [`Datum`]: a scalar [`Value`] (integers, floats, strings,
//! booleans stored as h5py's `FALSE`/`TRUE` enum), an array, or a compound record.
//! Fixed-length strings lose everything from the first NUL on, like numpy's bytes; they are
//! decoded as UTF-8 (the reference decodes the bytes before using them). Unsigned integers
//! above `i64::MAX` become [`Value::BigInteger`]. `float32` values are widened exactly
//! (`0.1f32` is `0.10000000149011612`, as Python's `float(numpy.float32(0.1))`).
//! Each dataset or attribute is read from the file once and kept for later lookups, and so
//! is the absence of one; a file of up to 8 MiB is read into memory whole when opened.
//! libhdf5 calls are the cost here (each takes the library's lock and an API context), so a
//! datatype is described once per dataset and its elements are decoded in Rust.

use std::collections::HashMap;
use std::ffi::CStr;
use std::os::raw::{c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hdf5_metno as h5;
use hdf5_metno_sys as sys;
use sys::h5i::hid_t;

use crate::card::{Card, CardKind, Value};
use crate::header::Header;

/// A value read from an HDF5 file.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    /// A scalar.
    Value(Value),
    /// An array (datasets with a shape, array-typed fields); nested for several dimensions.
    Array(Vec<Datum>),
    /// A compound record: field names and values in the type's order.
    Compound(Vec<(String, Datum)>),
}

impl Datum {
    /// The scalar value, if this is one.
    pub fn as_value(&self) -> Option<&Value> {
        match self {
            Datum::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A field of a compound record.
    pub fn field(&self, name: &str) -> Option<&Datum> {
        match self {
            Datum::Compound(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, d)| d),
            _ => None,
        }
    }

    /// Follows `indices` into nested arrays.
    pub fn index(&self, indices: &[usize]) -> Option<&Datum> {
        let mut d = self;
        for &i in indices {
            match d {
                Datum::Array(items) => d = items.get(i)?,
                _ => return None,
            }
        }
        Some(d)
    }

    /// Field `name` of every record: of this record, or of each row of an array of records.
    fn project(&self, name: &str) -> Option<Datum> {
        match self {
            Datum::Compound(_) => self.field(name).cloned(),
            Datum::Array(rows) => rows
                .iter()
                .map(|r| r.project(name))
                .collect::<Option<Vec<_>>>()
                .map(Datum::Array),
            Datum::Value(_) => None,
        }
    }
}

/// The result of resolving a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// One value for the whole file (`//…` paths and root attributes).
    File(Datum),
    /// One value per extension (`/…{}…` paths): extension names in sorted order with their
    /// values.
    PerExtension(Vec<(String, Datum)>),
}

/// What a path names, after parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `//object/field`: `object` may be empty (a root-level dataset or root attribute).
    File {
        /// Path of the dataset (or group) holding the field, without leading `/`.
        object: String,
        /// The field (or dataset, or attribute) name.
        field: String,
    },
    /// `/parent/prefix{}/rest`.
    PerExtension {
        /// Group whose members are scanned, without leading `/`.
        parent: String,
        /// Member names must start with this.
        prefix: String,
        /// Path below each member: `object/field`.
        rest: String,
    },
    /// A bare name: an attribute of the root group.
    RootAttribute(String),
}

/// A parsed HDF5 blueprint path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct H5Path {
    /// The text as written in the blueprint.
    pub text: String,
    /// What it names.
    pub target: Target,
    /// `(i)` or `(i:j)` indices, applied to the value.
    pub indices: Vec<usize>,
}

/// Why an HDF5 file or path could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Hdf5Error {
    /// The file could not be opened.
    #[error("{file}: cannot open as HDF5: {message}")]
    Open {
        /// The file.
        file: String,
        /// libhdf5's message.
        message: String,
    },
    /// The path text is not in the blueprint path syntax.
    #[error("HDF5 path {path:?}: {reason}")]
    Syntax {
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Nothing in the file matches the path.
    #[error("{file}: HDF5 path {path:?} not found: {detail}")]
    NotFound {
        /// The file.
        file: String,
        /// The path (for per-extension paths, with the extension name filled in).
        path: String,
        /// What is missing.
        detail: String,
    },
    /// The index does not fit the value.
    #[error("{file}: HDF5 path {path:?}: index {indices:?} does not fit the value ({detail})")]
    Index {
        /// The file.
        file: String,
        /// The path.
        path: String,
        /// The indices asked for.
        indices: Vec<usize>,
        /// The value's shape.
        detail: String,
    },
    /// libhdf5 failed while reading, or the data type is not supported.
    #[error("{file}: HDF5 object {object:?}: {message}")]
    Read {
        /// The file.
        file: String,
        /// The dataset or attribute.
        object: String,
        /// What went wrong.
        message: String,
    },
}

impl H5Path {
    /// Parses a blueprint path.
    pub fn parse(text: &str) -> Result<H5Path, Hdf5Error> {
        let syntax = |reason: &str| Hdf5Error::Syntax {
            path: text.to_string(),
            reason: reason.to_string(),
        };
        let mut s = text.trim();
        let mut indices = Vec::new();
        if let Some(body) = s.strip_suffix(')') {
            let open = body.rfind('(').ok_or_else(|| syntax("')' without '('"))?;
            for part in body[open + 1..].split(':') {
                let i = part.trim().parse::<usize>().map_err(|_| {
                    syntax("indices must be non-negative integers, as in (0) or (0:1)")
                })?;
                indices.push(i);
            }
            s = &body[..open];
        }
        if s.is_empty() {
            return Err(syntax("empty path"));
        }
        let target = if let Some(rest) = s.strip_prefix("//") {
            let rest = rest.trim_end_matches('/');
            let (object, field) = rest.rsplit_once('/').unwrap_or(("", rest));
            if field.is_empty() {
                return Err(syntax("no field name after '//'"));
            }
            Target::File {
                object: object.trim_matches('/').to_string(),
                field: field.to_string(),
            }
        } else if let Some(rest) = s.strip_prefix('/') {
            let pos = rest
                .find("{}")
                .ok_or_else(|| syntax("a path with one leading '/' needs a '{}' extension placeholder; use '//' for once-per-file values"))?;
            let (before, after) = (&rest[..pos], &rest[pos + 2..]);
            let (parent, prefix) = before.rsplit_once('/').unwrap_or(("", before));
            let rest = after.strip_prefix('/').ok_or_else(|| {
                syntax("'{}' must end a path component, as in /sitedata/site{}/header")
            })?;
            if rest.is_empty() || rest.contains("{}") {
                return Err(syntax("need exactly one '{}' and a field after it"));
            }
            Target::PerExtension {
                parent: parent.trim_matches('/').to_string(),
                prefix: prefix.to_string(),
                rest: rest.trim_end_matches('/').to_string(),
            }
        } else {
            Target::RootAttribute(s.to_string())
        };
        Ok(H5Path {
            text: text.to_string(),
            target,
            indices,
        })
    }
}

/// An open HDF5 file that resolves blueprint paths.
pub struct Hdf5Source {
    file: h5::File,
    path: PathBuf,
    /// Object path → decoded contents (`None`: no such object), so each dataset or
    /// attribute is looked up in the file once; blueprints ask for the same objects many
    /// times, and a failed open costs libhdf5 as much as a successful one.
    cache: Mutex<HashMap<String, Option<Arc<Datum>>>>,
    /// Group path → its member names sorted by bytes, for `{}` paths.
    members: Mutex<HashMap<String, Arc<Vec<String>>>>,
}

impl std::fmt::Debug for Hdf5Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hdf5Source")
            .field("path", &self.path)
            .finish()
    }
}

/// Closes an HDF5 identifier when dropped.
struct Hid(hid_t, unsafe extern "C" fn(hid_t) -> sys::h5::herr_t);

impl Drop for Hid {
    fn drop(&mut self) {
        if self.0 >= 0 {
            // SAFETY: the id was returned open by libhdf5 and is closed once.
            unsafe {
                (self.1)(self.0);
            }
        }
    }
}

/// Largest file read into memory whole when opened.
const IN_MEMORY_BYTES: u64 = 8 << 20;

/// Largest dataset we load into memory for a header value (it would be pixel data).
const MAX_BYTES: usize = 64 << 20;

impl Hdf5Source {
    /// Opens a file for reading.
    pub fn open(path: impl AsRef<Path>) -> Result<Hdf5Source, Hdf5Error> {
        let path = path.as_ref();
        // A file small enough to be a header is read into memory whole when opened (the
        // core driver): libhdf5 then finds its objects without a read call for each piece
        // of metadata, which was most of the cost of opening datasets.
        let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= IN_MEMORY_BYTES);
        let file = if small {
            h5::File::with_options()
                .with_fapl(|p| p.core_filebacked(false))
                .open(path)
        } else {
            h5::File::open(path)
        }
        .map_err(|e| Hdf5Error::Open {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Hdf5Source {
            file,
            path: path.to_path_buf(),
            cache: Mutex::new(HashMap::new()),
            members: Mutex::new(HashMap::new()),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// Resolves a blueprint path (see the module documentation).
    pub fn resolve(&self, path_expr: &str) -> Result<Resolved, Hdf5Error> {
        self.resolve_path(&H5Path::parse(path_expr)?)
    }

    /// Resolves a parsed path.
    pub fn resolve_path(&self, path: &H5Path) -> Result<Resolved, Hdf5Error> {
        match &path.target {
            Target::File { object, field } => {
                let d = self.field(object, field, &path.text)?;
                Ok(Resolved::File(self.apply_index(&d, path, &path.text)?))
            }
            Target::RootAttribute(name) => {
                let d = self.attribute("", name).and_then(|d| {
                    d.ok_or_else(|| Hdf5Error::NotFound {
                        file: self.name(),
                        path: path.text.clone(),
                        detail: format!("the root group has no attribute {name:?}"),
                    })
                })?;
                Ok(Resolved::File(self.apply_index(&d, path, &path.text)?))
            }
            Target::PerExtension {
                parent,
                prefix,
                rest,
            } => {
                let names = self.extension_names(parent, prefix)?;
                if names.is_empty() {
                    return Err(Hdf5Error::NotFound {
                        file: self.name(),
                        path: path.text.clone(),
                        detail: format!("no member of /{parent} starts with {prefix:?}"),
                    });
                }
                let mut out = Vec::with_capacity(names.len());
                for name in names {
                    let full = join(&join(parent, &name), rest);
                    let shown = format!("/{full}");
                    let (object, field) = full.rsplit_once('/').unwrap_or(("", full.as_str()));
                    let d = self.field(object, field, &shown)?;
                    let d = self.apply_index(&d, path, &shown)?;
                    out.push((name, d));
                }
                Ok(Resolved::PerExtension(out))
            }
        }
    }

    /// Members of group `parent` whose names start with `prefix`, sorted by bytes.
    pub fn extension_names(&self, parent: &str, prefix: &str) -> Result<Vec<String>, Hdf5Error> {
        Ok(self
            .member_names(parent)?
            .iter()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect())
    }

    /// All members of group `parent`, sorted by bytes; listed once per file.
    fn member_names(&self, parent: &str) -> Result<Arc<Vec<String>>, Hdf5Error> {
        if let Some(names) = self
            .members
            .lock()
            .ok()
            .and_then(|m| m.get(parent).cloned())
        {
            return Ok(names);
        }
        let group = if parent.is_empty() {
            self.file.group("/")
        } else {
            self.file.group(parent)
        }
        .map_err(|e| Hdf5Error::NotFound {
            file: self.name(),
            path: format!("/{parent}"),
            detail: format!("not a group ({e})"),
        })?;
        let mut names = group.member_names().map_err(|e| Hdf5Error::Read {
            file: self.name(),
            object: format!("/{parent}"),
            message: e.to_string(),
        })?;
        names.sort();
        let names = Arc::new(names);
        if let Ok(mut m) = self.members.lock() {
            m.insert(parent.to_string(), names.clone());
        }
        Ok(names)
    }

    /// The scalar attributes of the root group as a header (the SITELLE-style "header" of
    /// HDU 0). Array-valued attributes are left out; [`Hdf5Source::resolve`] reads them.
    pub fn root_header(&self) -> Result<Header, Hdf5Error> {
        let names = self.file.attr_names().map_err(|e| Hdf5Error::Read {
            file: self.name(),
            object: "/".into(),
            message: e.to_string(),
        })?;
        let mut header = Header::new();
        for name in names {
            if let Some(Datum::Value(v)) = self.attribute("", &name)?.as_deref() {
                let mut card = Card::new(&name, v.clone(), "");
                // Keep the attribute name as written; lookups ignore case anyway.
                card.keyword = name.as_str().into();
                if name.len() <= 8 && !name.contains(' ') {
                    card.kind = CardKind::Standard;
                }
                header.push(card);
            }
        }
        Ok(header)
    }

    fn apply_index(&self, d: &Datum, path: &H5Path, shown: &str) -> Result<Datum, Hdf5Error> {
        if path.indices.is_empty() {
            return Ok(d.clone());
        }
        d.index(&path.indices)
            .cloned()
            .ok_or_else(|| Hdf5Error::Index {
                file: self.name(),
                path: shown.to_string(),
                indices: path.indices.clone(),
                detail: shape(d),
            })
    }

    /// Field `field` of compound dataset `object`; else dataset `object/field`; else
    /// attribute `field` of `object`.
    fn field(&self, object: &str, field: &str, shown: &str) -> Result<Datum, Hdf5Error> {
        if !object.is_empty() {
            if let Some(d) = self.dataset(object)? {
                if let Some(v) = d.project(field) {
                    return Ok(v);
                }
            }
        }
        let full = join(object, field);
        if let Some(d) = self.dataset(&full)? {
            return Ok((*d).clone());
        }
        if let Some(d) = self.attribute(object, field)? {
            return Ok((*d).clone());
        }
        Err(Hdf5Error::NotFound {
            file: self.name(),
            path: shown.to_string(),
            detail: if object.is_empty() {
                format!("no dataset or root attribute {field:?}")
            } else {
                format!("no compound dataset /{object} with field {field:?}, no dataset /{full}, no attribute {field:?} on /{object}")
            },
        })
    }

    /// `Some(found)` when `key` was looked up before (`found` is `None` if it did not exist).
    fn cached(&self, key: &str) -> Option<Option<Arc<Datum>>> {
        self.cache.lock().ok().and_then(|c| c.get(key).cloned())
    }

    fn store(&self, key: String, d: Option<Datum>) -> Option<Arc<Datum>> {
        let d = d.map(Arc::new);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, d.clone());
        }
        d
    }

    /// The contents of dataset `path`, or `None` if there is no such dataset.
    fn dataset(&self, path: &str) -> Result<Option<Arc<Datum>>, Hdf5Error> {
        let key = format!("/{path}");
        if let Some(d) = self.cached(&key) {
            return Ok(d);
        }
        // Probing paths that do not exist is normal here; hdf5-metno keeps libhdf5 quiet.
        let Ok(ds) = self.file.dataset(path) else {
            return Ok(self.store(key, None));
        };
        let d = h5::sync::sync(|| {
            // SAFETY: `ds` is an open dataset for the duration of the call.
            unsafe { read_object(ds.id(), false) }
        })
        .map_err(|message| Hdf5Error::Read {
            file: self.name(),
            object: key.clone(),
            message,
        })?;
        Ok(self.store(key, Some(d)))
    }

    /// Attribute `name` of the group or dataset `object` ("" = root), or `None`.
    fn attribute(&self, object: &str, name: &str) -> Result<Option<Arc<Datum>>, Hdf5Error> {
        let key = format!("/{object}@{name}");
        if let Some(d) = self.cached(&key) {
            return Ok(d);
        }
        let attr = if object.is_empty() {
            self.file.attr(name).ok()
        } else if let Ok(g) = self.file.group(object) {
            g.attr(name).ok()
        } else if let Ok(ds) = self.file.dataset(object) {
            ds.attr(name).ok()
        } else {
            None
        };
        let Some(attr) = attr else {
            return Ok(self.store(key, None));
        };
        let d = h5::sync::sync(|| {
            // SAFETY: `attr` is an open attribute for the duration of the call.
            unsafe { read_object(attr.id(), true) }
        })
        .map_err(|message| Hdf5Error::Read {
            file: self.name(),
            object: key.clone(),
            message,
        })?;
        Ok(self.store(key, Some(d)))
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}/{b}")
    }
}

fn shape(d: &Datum) -> String {
    match d {
        Datum::Value(_) => "a scalar".into(),
        Datum::Compound(_) => "a compound record".into(),
        Datum::Array(items) => {
            let mut dims = vec![items.len()];
            let mut cur = items.first();
            while let Some(Datum::Array(inner)) = cur {
                dims.push(inner.len());
                cur = inner.first();
            }
            format!(
                "an array of shape ({})",
                dims.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Reads a whole dataset or attribute into a [`Datum`] with the native memory type.
///
/// # Safety
/// `id` must be an open dataset (`is_attr == false`) or attribute id.
unsafe fn read_object(id: hid_t, is_attr: bool) -> Result<Datum, String> {
    use sys::h5a::{H5Aget_space, H5Aget_type, H5Aread};
    use sys::h5d::{H5Dget_space, H5Dget_type, H5Dread, H5Dvlen_reclaim};
    use sys::h5s::{
        H5Sclose, H5Sget_simple_extent_dims, H5Sget_simple_extent_ndims,
        H5Sget_simple_extent_npoints,
    };
    use sys::h5t::{H5Tclose, H5Tget_native_type, H5Tget_size, H5T_DIR_ASCEND};

    let ftype = Hid(
        if is_attr {
            H5Aget_type(id)
        } else {
            H5Dget_type(id)
        },
        H5Tclose,
    );
    let space = Hid(
        if is_attr {
            H5Aget_space(id)
        } else {
            H5Dget_space(id)
        },
        H5Sclose,
    );
    if ftype.0 < 0 || space.0 < 0 {
        return Err("cannot get its type or shape".into());
    }
    let mtype = Hid(H5Tget_native_type(ftype.0, H5T_DIR_ASCEND), H5Tclose);
    if mtype.0 < 0 {
        return Err("its data type has no native equivalent".into());
    }
    let ndims = H5Sget_simple_extent_ndims(space.0);
    let npoints =
        usize::try_from(H5Sget_simple_extent_npoints(space.0)).map_err(|_| "bad shape")?;
    let mut dims = vec![0 as sys::h5::hsize_t; usize::try_from(ndims).unwrap_or(0)];
    if ndims > 0 {
        H5Sget_simple_extent_dims(space.0, dims.as_mut_ptr(), std::ptr::null_mut());
    }
    let size = H5Tget_size(mtype.0);
    let total = npoints.checked_mul(size).ok_or("too large")?;
    if total > MAX_BYTES {
        return Err(format!("{total} bytes is too large for a header value"));
    }
    if npoints == 0 {
        return Ok(Datum::Array(Vec::new()));
    }
    let mut buf = vec![0u8; total];
    let status = if is_attr {
        H5Aread(id, mtype.0, buf.as_mut_ptr().cast())
    } else {
        H5Dread(
            id,
            mtype.0,
            sys::h5s::H5S_ALL,
            sys::h5s::H5S_ALL,
            sys::h5p::H5P_DEFAULT,
            buf.as_mut_ptr().cast(),
        )
    };
    if status < 0 {
        return Err("libhdf5 could not read the data".into());
    }
    // The type is described once; its elements are then decoded without calling libhdf5.
    let decoded: Result<Vec<Datum>, String> = describe(mtype.0).and_then(|layout| {
        (0..npoints)
            // SAFETY: each element was just read with this layout; reclaimed below.
            .map(|i| unsafe { layout.decode(&buf[i * size..(i + 1) * size]) })
            .collect()
    });
    // Variable-length data (strings, vlen arrays) was allocated by libhdf5 while reading;
    // it is freed after decoding, whether decoding worked or not.
    H5Dvlen_reclaim(
        mtype.0,
        space.0,
        sys::h5p::H5P_DEFAULT,
        buf.as_mut_ptr().cast(),
    );
    let items = decoded?;
    if ndims <= 0 {
        return items
            .into_iter()
            .next()
            .ok_or_else(|| "no value".to_string());
    }
    let dims: Vec<usize> = dims
        .iter()
        .map(|&d| usize::try_from(d).unwrap_or(0))
        .collect();
    Ok(reshape(items, &dims))
}

/// Nests a flat row-major list into arrays of the given dimensions.
fn reshape(items: Vec<Datum>, dims: &[usize]) -> Datum {
    if dims.len() <= 1 {
        return Datum::Array(items);
    }
    let inner: usize = dims[1..].iter().product();
    if inner == 0 {
        return Datum::Array(Vec::new());
    }
    let mut rows = Vec::with_capacity(dims[0]);
    let mut it = items.into_iter();
    for _ in 0..dims[0] {
        let chunk: Vec<Datum> = it.by_ref().take(inner).collect();
        rows.push(reshape(chunk, &dims[1..]));
    }
    Datum::Array(rows)
}

fn ne_bytes<const N: usize>(b: &[u8]) -> Result<[u8; N], String> {
    b.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| "value shorter than its type".to_string())
}

/// The shape of a native HDF5 datatype, read from libhdf5 once per dataset or attribute:
/// every libhdf5 call takes the library's global lock and sets up an API context, so asking
/// for a compound's member names and types for every element cost more than the read.
#[derive(Debug)]
enum Layout {
    Int {
        size: usize,
        signed: bool,
    },
    Float {
        size: usize,
    },
    FixedString {
        size: usize,
    },
    VarString,
    /// An enum, as its base integer type; `bool` when it is h5py's FALSE/TRUE enum.
    Enum {
        base: Box<Layout>,
        bool: bool,
    },
    /// Members: name, byte offset, type.
    Compound(Vec<(String, usize, Layout)>),
    Array {
        dims: Vec<usize>,
        esize: usize,
        base: Box<Layout>,
    },
    Vlen {
        esize: usize,
        base: Box<Layout>,
    },
    /// A type we cannot decode: the message is the error given when an element is met
    /// (an empty dataset of such a type is still read, as an empty array).
    Unsupported(String),
}

/// Describes native type `tid`.
///
/// # Safety
/// `tid` must be a valid native datatype id.
unsafe fn describe(tid: hid_t) -> Result<Layout, String> {
    use sys::h5t::*;
    let size = H5Tget_size(tid);
    Ok(match H5Tget_class(tid) {
        H5T_class_t::H5T_INTEGER => match size {
            1 | 2 | 4 | 8 => Layout::Int {
                size,
                signed: H5Tget_sign(tid) == H5T_sign_t::H5T_SGN_2,
            },
            _ => Layout::Unsupported(format!("{size}-byte integers are not supported")),
        },
        H5T_class_t::H5T_FLOAT => match size {
            4 | 8 => Layout::Float { size },
            _ => Layout::Unsupported(format!("{size}-byte floats are not supported")),
        },
        H5T_class_t::H5T_STRING => {
            if H5Tis_variable_str(tid) > 0 {
                Layout::VarString
            } else {
                Layout::FixedString { size }
            }
        }
        H5T_class_t::H5T_ENUM => {
            let base = Hid(H5Tget_super(tid), H5Tclose);
            Layout::Enum {
                base: Box::new(describe(base.0)?),
                bool: is_bool_enum(tid),
            }
        }
        H5T_class_t::H5T_COMPOUND => {
            let n = u32::try_from(H5Tget_nmembers(tid)).map_err(|_| "bad compound type")?;
            let mut members = Vec::with_capacity(n as usize);
            for m in 0..n {
                let name_ptr = H5Tget_member_name(tid, m);
                if name_ptr.is_null() {
                    return Err("unnamed compound member".into());
                }
                let name = CStr::from_ptr(name_ptr).to_string_lossy().into_owned();
                sys::h5::H5free_memory(name_ptr.cast::<c_void>());
                let offset = H5Tget_member_offset(tid, m);
                let mt = Hid(H5Tget_member_type(tid, m), H5Tclose);
                members.push((name, offset, describe(mt.0)?));
            }
            Layout::Compound(members)
        }
        H5T_class_t::H5T_ARRAY => {
            let nd = usize::try_from(H5Tget_array_ndims(tid)).map_err(|_| "bad array type")?;
            let mut dims = vec![0 as sys::h5::hsize_t; nd];
            H5Tget_array_dims2(tid, dims.as_mut_ptr());
            let base = Hid(H5Tget_super(tid), H5Tclose);
            Layout::Array {
                dims: dims
                    .iter()
                    .map(|&d| usize::try_from(d).unwrap_or(0))
                    .collect(),
                esize: H5Tget_size(base.0),
                base: Box::new(describe(base.0)?),
            }
        }
        H5T_class_t::H5T_VLEN => {
            let base = Hid(H5Tget_super(tid), H5Tclose);
            Layout::Vlen {
                esize: H5Tget_size(base.0),
                base: Box::new(describe(base.0)?),
            }
        }
        other => Layout::Unsupported(format!("HDF5 type class {other:?} is not supported")),
    })
}

impl Layout {
    /// Decodes one element from `bytes`.
    ///
    /// # Safety
    /// `bytes` must be an element libhdf5 read with this type, whose variable-length data
    /// (string and array pointers inside it) has not been reclaimed yet.
    unsafe fn decode(&self, bytes: &[u8]) -> Result<Datum, String> {
        match self {
            Layout::Int { size, signed } => {
                let v = match (size, signed) {
                    (1, true) => i64::from(i8::from_ne_bytes(ne_bytes(bytes)?)),
                    (2, true) => i64::from(i16::from_ne_bytes(ne_bytes(bytes)?)),
                    (4, true) => i64::from(i32::from_ne_bytes(ne_bytes(bytes)?)),
                    (8, true) => i64::from_ne_bytes(ne_bytes(bytes)?),
                    (1, false) => i64::from(u8::from_ne_bytes(ne_bytes(bytes)?)),
                    (2, false) => i64::from(u16::from_ne_bytes(ne_bytes(bytes)?)),
                    (4, false) => i64::from(u32::from_ne_bytes(ne_bytes(bytes)?)),
                    _ => {
                        let u = u64::from_ne_bytes(ne_bytes(bytes)?);
                        match i64::try_from(u) {
                            Ok(v) => v,
                            Err(_) => return Ok(Datum::Value(Value::BigInteger(u.to_string()))),
                        }
                    }
                };
                Ok(Datum::Value(Value::Integer(v)))
            }
            Layout::Float { size: 4 } => Ok(Datum::Value(Value::Float(f64::from(
                f32::from_ne_bytes(ne_bytes(bytes)?),
            )))),
            Layout::Float { .. } => Ok(Datum::Value(Value::Float(f64::from_ne_bytes(ne_bytes(
                bytes,
            )?)))),
            Layout::VarString => {
                let p: [u8; std::mem::size_of::<*const c_char>()] = ne_bytes(bytes)?;
                let p = usize::from_ne_bytes(p) as *const c_char;
                let raw = if p.is_null() {
                    Vec::new()
                } else {
                    // SAFETY: libhdf5 wrote a pointer to a NUL-terminated string it
                    // allocated, which stays live until the caller reclaims it.
                    unsafe { CStr::from_ptr(p) }.to_bytes().to_vec()
                };
                Ok(Datum::Value(Value::String(
                    String::from_utf8_lossy(&raw).into_owned(),
                )))
            }
            Layout::FixedString { size } => {
                let b = bytes.get(..*size).ok_or("string shorter than its type")?;
                let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                Ok(Datum::Value(Value::String(
                    String::from_utf8_lossy(&b[..end]).into_owned(),
                )))
            }
            Layout::Enum { base, bool } => {
                // SAFETY: the enum's bytes are its base integer's.
                let v = unsafe { base.decode(bytes) }?;
                match v {
                    Datum::Value(Value::Integer(i)) if *bool => {
                        Ok(Datum::Value(Value::Logical(i != 0)))
                    }
                    v => Ok(v),
                }
            }
            Layout::Compound(members) => {
                let mut fields = Vec::with_capacity(members.len());
                for (name, offset, layout) in members {
                    let sub = bytes.get(*offset..).ok_or("member outside its record")?;
                    // SAFETY: the member lies inside this element, under the same contract.
                    fields.push((name.clone(), unsafe { layout.decode(sub) }?));
                }
                Ok(Datum::Compound(fields))
            }
            Layout::Array { dims, esize, base } => {
                let count: usize = dims.iter().product();
                let mut items = Vec::with_capacity(count);
                for i in 0..count {
                    let sub = bytes
                        .get(i * esize..(i + 1) * esize)
                        .ok_or("array element outside its value")?;
                    // SAFETY: the item lies inside this element, under the same contract.
                    items.push(unsafe { base.decode(sub) }?);
                }
                Ok(reshape(items, dims))
            }
            Layout::Vlen { esize, base } => {
                #[repr(C)]
                struct Hvl {
                    len: usize,
                    p: *const u8,
                }
                if bytes.len() < std::mem::size_of::<Hvl>() {
                    return Err("value shorter than its type".into());
                }
                // SAFETY: the length was checked; libhdf5 wrote an hvl_t here.
                let hvl = unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<Hvl>()) };
                let data = if hvl.p.is_null() || hvl.len == 0 {
                    &[][..]
                } else {
                    // SAFETY: libhdf5 allocated `len` elements of the base type at `p`,
                    // live until the caller reclaims them.
                    unsafe { std::slice::from_raw_parts(hvl.p, hvl.len * esize) }
                };
                let items = (0..hvl.len)
                    // SAFETY: libhdf5 wrote these items with the base type; still live.
                    .map(|i| unsafe { base.decode(&data[i * esize..(i + 1) * esize]) })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Datum::Array(items))
            }
            Layout::Unsupported(message) => Err(message.clone()),
        }
    }
}

/// h5py stores `bool` as an 8-bit enum with members FALSE = 0 and TRUE = 1.
///
/// # Safety
/// `tid` must be a valid enum datatype id.
unsafe fn is_bool_enum(tid: hid_t) -> bool {
    use sys::h5t::{H5Tget_member_name, H5Tget_nmembers};
    if H5Tget_nmembers(tid) != 2 {
        return false;
    }
    let mut names = Vec::new();
    for m in 0..2 {
        let p = H5Tget_member_name(tid, m);
        if p.is_null() {
            return false;
        }
        names.push(CStr::from_ptr(p).to_string_lossy().to_ascii_uppercase());
        sys::h5::H5free_memory(p.cast::<c_void>());
    }
    names == ["FALSE", "TRUE"]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_syntax() {
        let p = H5Path::parse("//header/object/obj_id").unwrap();
        assert_eq!(
            p.target,
            Target::File {
                object: "header/object".into(),
                field: "obj_id".into()
            }
        );
        let p = H5Path::parse("/sitedata/site{}/header/wcs/cd(0:1)").unwrap();
        assert_eq!(
            p.target,
            Target::PerExtension {
                parent: "sitedata".into(),
                prefix: "site".into(),
                rest: "header/wcs/cd".into()
            }
        );
        assert_eq!(p.indices, vec![0, 1]);
        let p = H5Path::parse("OBS_DATE").unwrap();
        assert_eq!(p.target, Target::RootAttribute("OBS_DATE".into()));
        let p = H5Path::parse("crpix(1)").unwrap();
        assert_eq!(p.indices, vec![1]);
        for bad in ["", "/a/b", "/a/x{}y/c", "//a/b(x)", "/a/s{}/", "x)"] {
            assert!(
                matches!(H5Path::parse(bad), Err(Hdf5Error::Syntax { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn datum_helpers() {
        let d = Datum::Array(vec![
            Datum::Array(vec![
                Datum::Value(Value::Integer(1)),
                Datum::Value(Value::Integer(2)),
            ]),
            Datum::Array(vec![
                Datum::Value(Value::Integer(3)),
                Datum::Value(Value::Integer(4)),
            ]),
        ]);
        assert_eq!(d.index(&[1, 0]), Some(&Datum::Value(Value::Integer(3))));
        assert_eq!(d.index(&[2]), None);
        assert_eq!(shape(&d), "an array of shape (2, 2)");
    }
}
