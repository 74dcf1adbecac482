//! BRITE-Constellation photometry (`HD36486.blueprint`): the product type and the time range
//! of the light curve are fixed by the pipeline that made the file.

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};

/// The module the BRITE blueprints name.
pub fn module() -> Module {
    Module::new("HD36486")
        .with("_get_artifact_product_type", artifact_product_type)
        .with("_get_time_axis_range_start_val", time_range_start)
        .with("_get_time_axis_range_end_val", time_range_end)
}

fn artifact_product_type(_: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(Some("science".into()))
}

/// MJD of the first photometric point.
fn time_range_start(_: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(Some(59468.76826100005.into()))
}

/// MJD of the last photometric point.
fn time_range_end(_: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(Some(59640.65652099997.into()))
}
