//! LOFAR Two-metre Sky Survey mosaics (`mosaic.fits.blueprint`).

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};

/// The module the LoTSS blueprint names.
pub fn module() -> Module {
    Module::new("mosaic").with("_get_observation_proposal_keywords", proposal_keywords)
}

/// The survey's keywords, as a set.
fn proposal_keywords(_: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let words = [
        "surveys",
        "catalogs",
        "radio continuum: general",
        "techniques: image processing",
    ];
    Ok(Some(FnValue::Set(
        words.iter().map(|w| w.to_string()).collect(),
    )))
}
