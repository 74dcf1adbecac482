//! TAOS II light curves (`taos.blueprint`, HDF5): exposure, target position and the time
//! range come from the compound datasets `header/timeseries` and `header/object`.

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};
use fits2caom2::hdf5::Resolved;
use fits2caom2::Value;

/// The module the TAOS II blueprint names.
pub fn module() -> Module {
    Module::new("taosii")
        .with("get_exposure", exposure)
        .with("get_target_position_cval1", ra)
        .with("get_target_position_cval2", dec)
        .with("get_time_axis_range_end", last_epoch)
}

/// A field of a compound dataset, or `None` when the file has no such field.
fn field(ctx: &FunctionContext, path: &str) -> Result<Option<Value>, FunctionError> {
    let src = ctx.hdf5().ok_or_else(|| ctx.error("needs an HDF5 file"))?;
    match src.resolve(path) {
        Ok(Resolved::File(d)) => Ok(d.as_value().cloned()),
        Ok(Resolved::PerExtension(_)) => {
            Err(ctx.error(format!("{path} is not a once-per-file value")))
        }
        Err(fits2caom2::hdf5::Hdf5Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(ctx.error(e.to_string())),
    }
}

fn number(ctx: &FunctionContext, path: &str) -> Result<Option<f64>, FunctionError> {
    field(ctx, path)?
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| ctx.error(format!("{path} is not a number")))
        })
        .transpose()
}

/// Run length in days: mjdrunend − mjdrunstart; 0 when either is missing.
fn exposure(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let end = number(ctx, "//header/timeseries/mjdrunend")?;
    let start = number(ctx, "//header/timeseries/mjdrunstart")?;
    Ok(Some(match (end, start) {
        (Some(e), Some(s)) => (e - s).into(),
        _ => 0.0.into(),
    }))
}

/// `[+-]DD:MM:SS.s` (or hours) as a number.
fn sexagesimal(text: &str) -> Option<f64> {
    let t = text.trim();
    let (sign, body) = match t.as_bytes().first()? {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let mut parts = body.split(':');
    let d: f64 = parts.next()?.trim().parse().ok()?;
    let m: f64 = parts.next().unwrap_or("0").trim().parse().ok()?;
    let s: f64 = parts.next().unwrap_or("0").trim().parse().ok()?;
    if parts.next().is_some() || !(0.0..60.0).contains(&m) || !(0.0..60.0).contains(&s) {
        return None;
    }
    Some(sign * (d + m / 60.0 + s / 3600.0))
}

fn text(ctx: &FunctionContext, path: &str) -> Result<String, FunctionError> {
    match field(ctx, path)? {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(ctx.error(format!("{path}: expected text, got {other}"))),
        None => Err(ctx.error(format!("{path} is missing"))),
    }
}

/// Right ascension in degrees from `obj_ra` (sexagesimal hours, ICRS).
fn ra(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let t = text(ctx, "//header/object/obj_ra")?;
    let hours =
        sexagesimal(&t).ok_or_else(|| ctx.error(format!("obj_ra {t:?} is not hh:mm:ss")))?;
    Ok(Some(hours_to_degrees(hours).into()))
}

/// Hours of right ascension in degrees, with astropy's unit conversion (the ratio of the two
/// units' radian scales, 14.999999999999998) so that the values agree to the last bit.
fn hours_to_degrees(hours: f64) -> f64 {
    let degree = std::f64::consts::PI / 180.0;
    let hourangle = 15.0 * degree;
    hours * (hourangle / degree)
}

/// Declination in degrees from `obj_dec` (sexagesimal degrees).
fn dec(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let t = text(ctx, "//header/object/obj_dec")?;
    let deg = sexagesimal(&t).ok_or_else(|| ctx.error(format!("obj_dec {t:?} is not dd:mm:ss")))?;
    Ok(Some(deg.into()))
}

/// Index of the last epoch: numepochs − 1.
fn last_epoch(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    match field(ctx, "//header/timeseries/numepochs")? {
        Some(Value::Integer(n)) => Ok(Some((n - 1).into())),
        Some(other) => Err(ctx.error(format!("numepochs is not an integer: {other}"))),
        None => Err(ctx.error("numepochs is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::{hours_to_degrees, sexagesimal};

    #[test]
    fn sexagesimal_values() {
        assert_eq!(
            sexagesimal("05:02:32.50").map(hours_to_degrees),
            Some(75.63541666666666)
        );
        assert!((sexagesimal("+20:38:32.42").unwrap() - 20.64233888888889).abs() < 1e-12);
        assert_eq!(sexagesimal("-00:30:00"), Some(-0.5));
        assert_eq!(sexagesimal("junk"), None);
    }
}
