//! The blueprint functions of `blueprints/template/template.yml` (module `template`).
//!
//! A function gets the context of the value being mapped (artifact URI, HDU, headers) and
//! returns a value, no value (`Ok(None)`), or an error that rejects the file with a message
//! naming the file, HDU, key and function. Add a function here, register it in [`module`],
//! and use it in the blueprint as `{function: NAME}`.
//!
//! ```
//! assert!(template::functions::module().get("get_obs_intent").is_some());
//! ```

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};

/// The module the blueprint is checked and run with (its name is what
/// `caom2pipe blueprint check --module NAME` takes).
pub fn module() -> Module {
    Module::new("template")
        .with("get_obs_intent", obs_intent)
        .with("get_product_type", product_type)
}

/// Science unless the header says the exposure is a calibration (`OBSTYPE` or `IMAGETYP`
/// bias, dark, flat, arc).
fn obs_intent(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let h = ctx
        .primary()
        .ok_or_else(|| ctx.error("needs the FITS headers of the file"))?;
    let kind = ["OBSTYPE", "IMAGETYP"]
        .iter()
        .find_map(|k| h.get_str(k))
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let calibration = ["bias", "dark", "flat", "arc"]
        .iter()
        .any(|c| kind.contains(c));
    Ok(Some(
        if calibration {
            "calibration"
        } else {
            "science"
        }
        .into(),
    ))
}

fn product_type(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    obs_intent(ctx)
}
