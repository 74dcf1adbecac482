//! The blueprint functions of `blueprints/omm/omm.yml` (module `omm`): the values that need
//! a rule rather than one keyword — a lookup table, a condition, a fallback.
//!
//! | function | key(s) | rule |
//! |---|---|---|
//! | `get_obs_type` | `Observation.type` | `DATATYPE` through [`OBS_TYPES`] |
//! | `get_obs_intent` | `Observation.intent` | science when `DATATYPE` says SCIENCE or REDUC, else calibration |
//! | `get_product_type` | `Artifact.productType`, `Part.productType` | science or calibration, as the intent |
//! | `get_plane_cal_level` | `Plane.calibrationLevel` | 2 for REDUC, else 1 |
//! | `get_data_release` | `Plane.dataRelease` | `RELEASE`, else `DATE` plus two years for science |
//! | `get_ambient_temp` | `Observation.environment.ambientTemp` | `TEMP_WMO`, unless it is the "unavailable" marker (below −99) |
//! | `get_position_error` | `Chunk.position.axis.error1/2.rnder` | `RMSASTR`, else `RMS2MASS`; −1 means unknown |
//!
//! ```
//! let m = omm::functions::module();
//! assert!(m.get("get_obs_type").is_some());
//! ```

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};
use fits2caom2::Header;

/// `DATATYPE` → `Observation.type`. Values not in the table give no type.
pub const OBS_TYPES: &[(&str, &str)] = &[
    ("CALIB", "flat"),
    ("SCIENCE", "object"),
    ("FOCUS", "focus"),
    ("REDUC", "reduc"),
    ("TEST", "test"),
    ("REJECT", "reject"),
    ("CALRED", "flat"),
];

/// The module the OMM blueprint is checked and run with.
pub fn module() -> Module {
    Module::new("omm")
        .with("get_obs_type", obs_type)
        .with("get_obs_intent", obs_intent)
        .with("get_product_type", product_type)
        .with("get_plane_cal_level", cal_level)
        .with("get_data_release", data_release)
        .with("get_ambient_temp", ambient_temp)
        .with("get_position_error", position_error)
}

/// `DATATYPE`, trimmed and upper case ("" when absent).
pub fn datatype(h: &Header) -> String {
    h.get_str("DATATYPE")
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase()
}

/// Whether the file holds science photons: `DATATYPE` SCIENCE, or REDUC (reduced science).
pub fn is_science(h: &Header) -> bool {
    let d = datatype(h);
    d.contains("SCIENCE") || d.contains("REDUC")
}

fn obs_type(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let d = datatype(ctx.require_primary()?);
    Ok(OBS_TYPES
        .iter()
        .find(|(k, _)| *k == d)
        .map(|(_, v)| FnValue::from(*v)))
}

fn obs_intent(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let science = is_science(ctx.require_primary()?);
    Ok(Some(if science { "science" } else { "calibration" }.into()))
}

fn product_type(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    obs_intent(ctx)
}

fn cal_level(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let reduced = datatype(ctx.require_primary()?).contains("REDUC");
    Ok(Some(FnValue::from(if reduced { 2_i64 } else { 1 })))
}

fn data_release(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let h = ctx.require_primary()?;
    if let Some(r) = h.get_text("RELEASE") {
        return Ok(Some(r.into()));
    }
    let Some(date) = h.get_text("DATE") else {
        return Ok(None);
    };
    if !is_science(h) {
        return Ok(Some(date.into()));
    }
    plus_two_years(date)
        .map(|d| Some(d.into()))
        .ok_or_else(|| ctx.error(format!("DATE {date:?} is not a YYYY-MM-DD date")))
}

/// `YYYY-MM-DD[...]` two calendar years later; 29 February becomes 28 February.
pub fn plus_two_years(date: &str) -> Option<String> {
    let year: i32 = date.get(..4)?.parse().ok()?;
    if date.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let rest = &date[4..];
    let year = year + 2;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if rest.starts_with("-02-29") && !leap {
        return Some(format!("{year:04}-02-28{}", &rest[6..]));
    }
    Some(format!("{year:04}{rest}"))
}

fn ambient_temp(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(ctx
        .require_primary()?
        .get_f64("TEMP_WMO")
        .filter(|t| *t >= -99.0)
        .map(FnValue::from))
}

fn position_error(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let Some(h) = ctx.header() else {
        return Ok(None);
    };
    Ok(["RMSASTR", "RMS2MASS"]
        .iter()
        .filter_map(|k| h.get_f64(k))
        .find(|v| *v != -1.0)
        .map(FnValue::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fits2caom2::Headers;

    fn headers(cards: &[&str]) -> Headers {
        let text = testkit::header_dump(cards);
        Headers::from_dump_bytes(text.as_bytes(), "t.fits.header").unwrap()
    }

    fn call(name: &str, h: &Headers) -> Option<FnValue> {
        let key = fits2caom2::keys::Key::from_name("Observation.type").unwrap();
        let ctx = FunctionContext {
            key,
            uri: "cadc:OMM/C1_0001_SCI.fits",
            hdu: 0,
            headers: Some(h),
        };
        (module().get(name).unwrap())(&ctx).unwrap()
    }

    #[test]
    fn types_intents_and_levels() {
        let sci = headers(&["DATATYPE= 'SCIENCE '"]);
        let red = headers(&["DATATYPE= 'REDUC   '"]);
        let cal = headers(&["DATATYPE= 'CALRED  '"]);
        let odd = headers(&["DATATYPE= 'OTHER'"]);
        assert_eq!(call("get_obs_type", &sci), Some("object".into()));
        assert_eq!(call("get_obs_type", &cal), Some("flat".into()));
        assert_eq!(call("get_obs_type", &odd), None);
        assert_eq!(call("get_obs_intent", &red), Some("science".into()));
        assert_eq!(call("get_product_type", &cal), Some("calibration".into()));
        assert_eq!(
            call("get_plane_cal_level", &red),
            Some(FnValue::from(2_i64))
        );
        assert_eq!(
            call("get_plane_cal_level", &cal),
            Some(FnValue::from(1_i64))
        );
    }

    #[test]
    fn release_dates() {
        let with_release = headers(&["DATATYPE= 'SCIENCE'", "RELEASE = '2018-09-24'"]);
        assert_eq!(
            call("get_data_release", &with_release),
            Some("2018-09-24".into())
        );
        let sci = headers(&["DATATYPE= 'SCIENCE'", "DATE    = '2019-06-19T03:50:24'"]);
        assert_eq!(
            call("get_data_release", &sci),
            Some("2021-06-19T03:50:24".into())
        );
        let cal = headers(&["DATATYPE= 'CALRED'", "DATE    = '2010-05-22'"]);
        assert_eq!(call("get_data_release", &cal), Some("2010-05-22".into()));
        assert_eq!(plus_two_years("2020-02-29"), Some("2022-02-28".into()));
        assert_eq!(plus_two_years("2022-02-29"), Some("2024-02-29".into()));
        assert_eq!(plus_two_years("20-02-29"), None);
    }

    #[test]
    fn temperature_and_astrometric_error() {
        let h = headers(&["TEMP_WMO= -999.0", "RMSASTR = -1", "RMS2MASS= 0.25"]);
        assert_eq!(call("get_ambient_temp", &h), None);
        assert_eq!(call("get_position_error", &h), Some(FnValue::from(0.25)));
        let h = headers(&["TEMP_WMO= -0.9", "RMSASTR = 0.48"]);
        assert_eq!(call("get_ambient_temp", &h), Some(FnValue::from(-0.9)));
        assert_eq!(call("get_position_error", &h), Some(FnValue::from(0.48)));
    }
}
