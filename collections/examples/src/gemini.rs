//! Gemini spectrographs: MAROON-X (`N20250101M0624.blueprint`) and GHOST
//! (`S20230518S0121.blueprint`). Exposure and time axis come from the observing log or the
//! header; each arm's (or camera's) wavelength range is fixed.

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};

use crate::time::iso_to_mjd;

/// The MAROON-X module.
pub fn maroonx_module() -> Module {
    Module::new("N20250101M0624")
        .with("get_proposal_id", |_| Ok(Some("PROPOSAL ID".into())))
        .with("get_exposure", |_| Ok(Some(4.0.into())))
        .with("get_time_delta", |_| Ok(Some(12.0.into())))
        .with("get_time_function_val", maroonx_mjd)
        .with("get_energy_chunk_range_start_val", maroonx_start)
        .with("get_energy_chunk_range_end_val", maroonx_end)
}

fn header_text<'a>(ctx: &FunctionContext<'a>, key: &str) -> Result<Option<&'a str>, FunctionError> {
    let h = ctx
        .header()
        .ok_or_else(|| ctx.error("needs the FITS header"))?;
    Ok(h.get_str(key).map(str::trim))
}

/// The MJD keyword of the header.
fn maroonx_mjd(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let h = ctx
        .header()
        .ok_or_else(|| ctx.error("needs the FITS header"))?;
    Ok(h.get("MJD").cloned().map(FnValue::from))
}

/// Blue arm 499 nm, red arm 649 nm; no value for anything else.
fn maroonx_start(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(match header_text(ctx, "ARM")? {
        Some("RED") => Some(649.0.into()),
        Some("BLUE") => Some(499.0.into()),
        _ => None,
    })
}

/// Blue arm 663 nm, red arm 920 nm; anything else is an error (the arm must be known).
fn maroonx_end(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    match header_text(ctx, "ARM")? {
        Some("RED") => Ok(Some(920.0.into())),
        Some("BLUE") => Ok(Some(663.0.into())),
        other => Err(ctx.error(format!("unknown MAROON-X arm {other:?}"))),
    }
}

/// The GHOST module.
pub fn ghost_module() -> Module {
    Module::new("S20230518S0121")
        .with("get_exposure", |_| Ok(Some(1200.0.into())))
        .with("get_time_delta", ghost_time_delta)
        .with("get_time_function_val", ghost_time_start)
        .with("_get_energy_chunk_range_start_val", ghost_start)
        .with("_get_energy_chunk_range_end_val", ghost_end)
}

/// MJD of `DATE-OBS` at the time in `key`.
fn ghost_mjd(ctx: &FunctionContext, key: &str) -> Result<Option<f64>, FunctionError> {
    let (Some(date), Some(time)) = (header_text(ctx, "DATE-OBS")?, header_text(ctx, key)?) else {
        return Ok(None);
    };
    iso_to_mjd(&format!("{date} {time}"))
        .map(Some)
        .ok_or_else(|| {
            ctx.error(format!(
                "cannot read {date:?} {time:?} as a UTC date and time"
            ))
        })
}

/// Exposure length in days (UTEND − UTSTART).
fn ghost_time_delta(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(
        match (ghost_mjd(ctx, "UTSTART")?, ghost_mjd(ctx, "UTEND")?) {
            (Some(s), Some(e)) => Some((e - s).into()),
            _ => None,
        },
    )
}

fn ghost_time_start(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(ghost_mjd(ctx, "UTSTART")?.map(FnValue::from))
}

fn ghost_camera(
    ctx: &FunctionContext,
    red: f64,
    blue: f64,
) -> Result<Option<FnValue>, FunctionError> {
    Ok(match header_text(ctx, "CAMERA")? {
        Some("RED") => Some(red.into()),
        Some("BLUE") => Some(blue.into()),
        _ => None,
    })
}

fn ghost_start(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    ghost_camera(ctx, 520.0, 347.0)
}

fn ghost_end(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    ghost_camera(ctx, 1060.0, 530.0)
}
