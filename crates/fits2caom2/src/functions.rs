//! Named blueprint functions written in Rust, grouped into modules that a blueprint run
//! selects by name (`--module NAME`), the counterpart of the reference's Python `--module`.
//!
//! A function gets a [`FunctionContext`] (artifact URI, the HDU and its header, all headers,
//! the HDF5 file) and returns a value, no value, or an error:
//!
//! ```
//! use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module, Registry};
//!
//! fn exposure(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
//!     let h = ctx.header().ok_or_else(|| ctx.error("needs a FITS header"))?;
//!     Ok(h.get_f64("EXPTIME").map(|t| FnValue::from(t * 2.0)))
//! }
//!
//! let mut registry = Registry::new();
//! registry.add(Module::new("example").with("double_exposure", exposure));
//! assert!(registry.module("example").unwrap().get("double_exposure").is_some());
//! ```
//!
//! A function error stops the mapping with a message naming the file, HDU, key and function
//! (the reference logs it and carries on with an empty value, which then silently keeps an
//! earlier value or the header's; [`crate::engine::MapOptions::lenient_functions`] restores
//! that behaviour).

use std::collections::BTreeMap;
use std::fmt;

use crate::card::Value;
use crate::header::Header;
use crate::headers::Headers;
use crate::keys::Key;

/// What a function returns.
#[derive(Clone, Debug, PartialEq)]
pub enum FnValue {
    /// One value (text, number, logical).
    Scalar(Value),
    /// A set of words (keywords, members, provenance inputs).
    Set(Vec<String>),
}

impl FnValue {
    /// Python truthiness (empty text, zero, false and empty sets are false).
    pub fn is_truthy(&self) -> bool {
        match self {
            FnValue::Scalar(v) => v.is_truthy(),
            FnValue::Set(s) => !s.is_empty(),
        }
    }
}

impl From<f64> for FnValue {
    fn from(v: f64) -> FnValue {
        FnValue::Scalar(Value::Float(v))
    }
}

impl From<i64> for FnValue {
    fn from(v: i64) -> FnValue {
        FnValue::Scalar(Value::Integer(v))
    }
}

impl From<bool> for FnValue {
    fn from(v: bool) -> FnValue {
        FnValue::Scalar(Value::Logical(v))
    }
}

impl From<&str> for FnValue {
    fn from(v: &str) -> FnValue {
        FnValue::Scalar(Value::String(v.to_string()))
    }
}

impl From<String> for FnValue {
    fn from(v: String) -> FnValue {
        FnValue::Scalar(Value::String(v))
    }
}

impl From<Value> for FnValue {
    fn from(v: Value) -> FnValue {
        FnValue::Scalar(v)
    }
}

impl From<Vec<String>> for FnValue {
    fn from(v: Vec<String>) -> FnValue {
        FnValue::Set(v)
    }
}

/// Why a function could not produce a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FunctionError {
    /// What went wrong, in the function's words.
    pub message: String,
}

impl FunctionError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> FunctionError {
        FunctionError {
            message: message.into(),
        }
    }
}

/// Everything a function may look at.
#[derive(Clone, Copy)]
pub struct FunctionContext<'a> {
    /// The key being evaluated.
    pub key: Key,
    /// The artifact URI.
    pub uri: &'a str,
    /// The HDU the key is evaluated for (0 for global keys; the part index for HDF5).
    pub hdu: usize,
    /// The input's headers (none for blueprint-only inputs such as previews).
    pub headers: Option<&'a Headers>,
}

impl<'a> FunctionContext<'a> {
    /// The header of the HDU being evaluated.
    pub fn header(&self) -> Option<&'a Header> {
        self.headers.and_then(|h| h.hdu(self.hdu))
    }

    /// The primary header.
    pub fn primary(&self) -> Option<&'a Header> {
        self.headers.and_then(|h| h.primary())
    }

    /// The primary header, or the error of a function that needs one (an input without
    /// FITS headers).
    pub fn require_primary(&self) -> Result<&'a Header, FunctionError> {
        self.primary()
            .ok_or_else(|| self.error("needs the FITS headers of the file"))
    }

    /// The open HDF5 file, for HDF5 input.
    #[cfg(feature = "hdf5")]
    pub fn hdf5(&self) -> Option<&'a crate::hdf5::Hdf5Source> {
        self.headers.and_then(|h| h.hdf5())
    }

    /// An error about this call (the engine adds file, HDU, key and function name).
    pub fn error(&self, message: impl Into<String>) -> FunctionError {
        FunctionError::new(message)
    }
}

impl fmt::Debug for FunctionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionContext")
            .field("key", &self.key)
            .field("uri", &self.uri)
            .field("hdu", &self.hdu)
            .finish()
    }
}

/// A blueprint function.
pub type Function = fn(&FunctionContext) -> Result<Option<FnValue>, FunctionError>;

/// Functions under one module name.
#[derive(Clone, Debug, Default)]
pub struct Module {
    name: String,
    functions: BTreeMap<String, Function>,
}

impl Module {
    /// An empty module.
    pub fn new(name: impl Into<String>) -> Module {
        Module {
            name: name.into(),
            functions: BTreeMap::new(),
        }
    }

    /// Adds a function (builder style).
    pub fn with(mut self, name: &str, f: Function) -> Module {
        self.functions.insert(name.to_string(), f);
        self
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A function by name.
    pub fn get(&self, name: &str) -> Option<Function> {
        self.functions.get(name).copied()
    }

    /// Function names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }
}

/// Modules by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    modules: BTreeMap<String, Module>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds (or replaces) a module.
    pub fn add(&mut self, module: Module) {
        self.modules.insert(module.name.clone(), module);
    }

    /// A module by name.
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.get(name)
    }

    /// Module names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }
}
