//! The blueprint functions of `blueprints/neossat/neossat.yml` (module `neossat`).
//!
//! NEOSSat files carry no usable celestial WCS: the spacecraft's pointing (`RA`/`DEC`, or
//! `OBJCTRA`/`OBJCTDEC`, sexagesimal) and roll (`OBJCTROL`) give it. The position functions
//! below build a tangent-plane WCS from them, which the mapping writes into the header
//! before wcslib reads it (as the reference writes CRVAL/CRPIX/CD into the header):
//!
//! * reference pixel: the image centre, `NAXISn / 2`;
//! * reference value: the pointing;
//! * CD matrix: 3″ pixels times the binning (`XBINNING`, `YBINNING`), rotated by
//!   90° − `OBJCTROL`.
//!
//! | function | key(s) | rule |
//! |---|---|---|
//! | `get_obs_intent` | `Observation.intent` | science in the fine pointing modes (`MODE` FINE_POINT, FINE_SLEW, FINE_HOLD) unless a dark, else calibration |
//! | `get_obs_type` | `Observation.type` | `dark` when `MODE` is DESAT or `OBJECT` is DARK, else `object` |
//! | `get_product_type` | `Artifact.productType`, `Part.productType` | follows the intent |
//! | `get_instrument_keywords` | `Observation.instrument.keywords` | `MODE` without blanks (`16-FINE_POINT`) |
//! | `get_target_type` | `Observation.target.type` | `TARGTYPE`, lower case |
//! | `get_target_moving` | `Observation.target.moving` | false only when `MOVING = 'F'` |
//! | `get_plane_cal_level` | `Plane.calibrationLevel` | 2 for the processed products (`cor`, `cord`, `clean`), else 1 |
//! | `get_ra`, `get_dec` | position reference value | the pointing, in degrees (`TBD` means none) |
//! | `get_crpix1`, `get_crpix2` | position reference pixel | `NAXISn / 2` |
//! | `get_cd11` … `get_cd22` | CD matrix | 3″ × binning, rotated by 90° − `OBJCTROL` |
//! | `get_time_start` | time reference value | MJD (UTC) of `DATE-OBS` |
//! | `get_time_delta` | time function delta | `EXPOSURE` in days |
//!
//! ```
//! assert_eq!(neossat::functions::sexagesimal("04:26:23.1", true).unwrap(), Some(66.59625));
//! assert_eq!(neossat::functions::sexagesimal("TBD", true).unwrap(), None);
//! ```

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};
use fits2caom2::Header;

use crate::naming;

/// Pixel size of the science CCD without binning, in degrees (3″).
pub const PIXEL_SCALE_DEG: f64 = 3.0 / 3600.0;

/// The pointing modes in which the science camera observes a target.
pub const SCIENCE_MODES: &[&str] = &["FINE_POINT", "FINE_SLEW", "FINE_HOLD"];

/// The module the NEOSSat blueprint is checked and run with.
pub fn module() -> Module {
    Module::new("neossat")
        .with("get_obs_intent", obs_intent)
        .with("get_obs_type", obs_type)
        .with("get_product_type", obs_intent)
        .with("get_instrument_keywords", instrument_keywords)
        .with("get_target_type", target_type)
        .with("get_target_moving", target_moving)
        .with("get_plane_cal_level", cal_level)
        .with("get_ra", ra)
        .with("get_dec", dec)
        .with("get_crpix1", crpix1)
        .with("get_crpix2", crpix2)
        .with("get_cd11", cd11)
        .with("get_cd12", cd12)
        .with("get_cd21", cd21)
        .with("get_cd22", cd22)
        .with("get_time_start", time_start)
        .with("get_time_delta", time_delta)
}

type R = Result<Option<FnValue>, FunctionError>;

/// A dark frame: the desaturation mode, or a target called DARK.
pub fn is_dark(h: &Header) -> bool {
    h.get_text("MODE").is_some_and(|m| m.contains("DESAT"))
        || h.get_text("OBJECT").is_some_and(|o| o == "DARK")
}

/// Whether the exposure observed a target (see [`SCIENCE_MODES`]).
pub fn is_science(h: &Header) -> bool {
    let mode = h.get_text("MODE").unwrap_or("");
    SCIENCE_MODES.iter().any(|m| mode.contains(m)) && !is_dark(h)
}

fn obs_intent(ctx: &FunctionContext) -> R {
    let science = is_science(ctx.require_primary()?);
    Ok(Some(if science { "science" } else { "calibration" }.into()))
}

fn obs_type(ctx: &FunctionContext) -> R {
    let dark = is_dark(ctx.require_primary()?);
    Ok(Some(if dark { "dark" } else { "object" }.into()))
}

fn instrument_keywords(ctx: &FunctionContext) -> R {
    Ok(ctx.require_primary()?.get_text("MODE").map(|m| {
        let word: String = m.chars().filter(|c| !c.is_whitespace()).collect();
        FnValue::Set(vec![word])
    }))
}

fn target_type(ctx: &FunctionContext) -> R {
    Ok(ctx
        .require_primary()?
        .get_text("TARGTYPE")
        .map(|t| FnValue::from(t.to_ascii_lowercase())))
}

fn target_moving(ctx: &FunctionContext) -> R {
    // 'F' as the files write it; a logical F means the same (the reference reads only the
    // text, and would call such a target moving)
    let h = ctx.require_primary()?;
    let fixed = h.get_text("MOVING") == Some("F")
        || h.get("MOVING").and_then(|v| v.as_bool()) == Some(false);
    Ok(Some(FnValue::from(!fixed)))
}

fn cal_level(ctx: &FunctionContext) -> R {
    Ok(Some(FnValue::from(if naming::is_processed(ctx.uri) {
        2_i64
    } else {
        1
    })))
}

/// `hh:mm:ss.s` (or `hh mm ss.s`) hours when `hours`, else `±dd:mm:ss.s` degrees, as
/// degrees, the way astropy reads them (`sign · (|a| + m/60 + s/3600)`, times 15 for
/// hours). `TBD` and blanks mean no value; anything else that is not sexagesimal is an
/// error.
pub fn sexagesimal(value: &str, hours: bool) -> Result<Option<f64>, String> {
    let v = value.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("TBD") {
        return Ok(None);
    }
    let negative = v.starts_with('-');
    let parts: Vec<&str> = v
        .trim_start_matches(['-', '+'])
        .split([':', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.len() > 3 {
        return Err(format!("{value:?} is not sexagesimal"));
    }
    let mut nums = [0.0_f64; 3];
    for (i, p) in parts.iter().enumerate() {
        nums[i] = p
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("{value:?} is not sexagesimal"))?;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    let a = sign * (nums[0] + nums[1] / 60.0 + nums[2] / 3600.0);
    Ok(Some(if hours { a * 15.0 } else { a }))
}

/// The pointing (RA, Dec) in degrees: `RA`/`DEC`, else `OBJCTRA`/`OBJCTDEC`.
pub fn pointing(h: &Header) -> Result<Option<(f64, f64)>, String> {
    for (rk, dk) in [("RA", "DEC"), ("OBJCTRA", "OBJCTDEC")] {
        let (Some(r), Some(d)) = (h.get_text(rk), h.get_text(dk)) else {
            continue;
        };
        let (Some(ra), Some(dec)) = (
            sexagesimal(r, true).map_err(|e| format!("{rk}: {e}"))?,
            sexagesimal(d, false).map_err(|e| format!("{dk}: {e}"))?,
        ) else {
            continue;
        };
        return Ok(Some((ra, dec)));
    }
    Ok(None)
}

fn hdu_pointing(ctx: &FunctionContext) -> Result<Option<(f64, f64)>, FunctionError> {
    let Some(h) = ctx.header() else {
        return Ok(None);
    };
    pointing(h).map_err(|e| ctx.error(e))
}

fn ra(ctx: &FunctionContext) -> R {
    Ok(hdu_pointing(ctx)?.map(|(r, _)| r.into()))
}

fn dec(ctx: &FunctionContext) -> R {
    Ok(hdu_pointing(ctx)?.map(|(_, d)| d.into()))
}

fn half_axis(ctx: &FunctionContext, key: &str) -> R {
    Ok(ctx
        .header()
        .and_then(|h| h.get_f64(key))
        .map(|n| FnValue::from(n / 2.0)))
}

fn crpix1(ctx: &FunctionContext) -> R {
    half_axis(ctx, "NAXIS1")
}

fn crpix2(ctx: &FunctionContext) -> R {
    half_axis(ctx, "NAXIS2")
}

/// The CD matrix `[[cd11, cd12], [cd21, cd22]]` of a header with a roll angle: pixel size
/// times binning per axis, rotated by 90° − roll.
pub fn cd_matrix(h: &Header) -> Option<[[f64; 2]; 2]> {
    let roll = h.get_f64("OBJCTROL")?;
    let xs = PIXEL_SCALE_DEG * h.get_f64("XBINNING").unwrap_or(1.0);
    let ys = PIXEL_SCALE_DEG * h.get_f64("YBINNING").unwrap_or(1.0);
    let theta = (90.0 - roll).to_radians();
    let (s, c) = theta.sin_cos();
    Some([[xs * c, ys * s], [-xs * s, ys * c]])
}

fn cd(ctx: &FunctionContext, i: usize, j: usize) -> R {
    // only an image with a pointing gets a celestial WCS
    if hdu_pointing(ctx)?.is_none() {
        return Ok(None);
    }
    Ok(ctx
        .header()
        .and_then(cd_matrix)
        .map(|m| FnValue::from(m[i][j])))
}

fn cd11(ctx: &FunctionContext) -> R {
    cd(ctx, 0, 0)
}

fn cd12(ctx: &FunctionContext) -> R {
    cd(ctx, 0, 1)
}

fn cd21(ctx: &FunctionContext) -> R {
    cd(ctx, 1, 0)
}

fn cd22(ctx: &FunctionContext) -> R {
    cd(ctx, 1, 1)
}

fn time_start(ctx: &FunctionContext) -> R {
    let Some(date) = ctx.header().and_then(|h| h.get_text("DATE-OBS")) else {
        return Ok(None);
    };
    astro::time_scale::iso_to_mjd_utc(date)
        .map(|m| Some(m.into()))
        .map_err(|e| ctx.error(format!("DATE-OBS {date:?}: {e}")))
}

fn time_delta(ctx: &FunctionContext) -> R {
    Ok(ctx
        .header()
        .and_then(|h| h.get_f64("EXPOSURE"))
        .map(|e| FnValue::from(e / 86400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fits2caom2::Headers;

    fn header(cards: &[&str]) -> Header {
        let text = testkit::header_dump(cards);
        Headers::from_dump_bytes(text.as_bytes(), "t.fits.header")
            .unwrap()
            .primary()
            .unwrap()
            .clone()
    }

    #[test]
    fn sexagesimal_like_astropy() {
        assert_eq!(sexagesimal("04 26 23.1", true).unwrap(), Some(66.59625));
        let d = sexagesimal("-42:59:44.4", false).unwrap().unwrap();
        assert!((d + 42.995666666666665).abs() < 1e-13);
        assert_eq!(
            sexagesimal("+28:28:47.2", false).unwrap(),
            Some(28.479777777777777)
        );
        assert_eq!(sexagesimal(" ", false).unwrap(), None);
        assert!(sexagesimal("12:xx:00", true).is_err());
        assert!(sexagesimal("1:2:3:4", true).is_err());
    }

    #[test]
    fn pointing_falls_back_to_the_objct_keywords() {
        let h = header(&[
            "RA      = 'TBD'",
            "DEC     = 'TBD'",
            "OBJCTRA = '08 18 20.9'",
            "OBJCTDEC= '-07 32 13.9'",
        ]);
        let (ra, dec) = pointing(&h).unwrap().unwrap();
        assert!((ra - 124.58708333333334).abs() < 1e-12);
        assert!((dec + 7.537194444444444).abs() < 1e-12);
        assert_eq!(pointing(&header(&["RA      = '01:00:00'"])).unwrap(), None);
    }

    #[test]
    fn cd_matrix_from_roll() {
        let h = header(&[
            "OBJCTROL=            114.00105",
            "XBINNING= 1",
            "YBINNING= 1",
        ]);
        let m = cd_matrix(&h).unwrap();
        assert!((m[0][0] - 0.0007612816697090899).abs() < 1e-15);
        assert!((m[0][1] + 0.0003389611538353397).abs() < 1e-15);
        assert!((m[1][0] - 0.0003389611538353397).abs() < 1e-15);
        assert!((m[1][1] - 0.0007612816697090899).abs() < 1e-15);
        let binned = header(&["OBJCTROL= 90.0", "XBINNING= 2", "YBINNING= 4"]);
        let m = cd_matrix(&binned).unwrap();
        assert!((m[0][0] - 2.0 * PIXEL_SCALE_DEG).abs() < 1e-15);
        assert!((m[1][1] - 4.0 * PIXEL_SCALE_DEG).abs() < 1e-15);
    }

    #[test]
    fn modes_and_darks() {
        let sci = header(&["MODE    = '16 - FINE_POINT'", "OBJECT  = 'P10Q3Du'"]);
        assert!(is_science(&sci) && !is_dark(&sci));
        let dark = header(&["MODE    = '16 - FINE_POINT'", "OBJECT  = 'DARK'"]);
        assert!(!is_science(&dark) && is_dark(&dark));
        let settle = header(&["MODE    = '14 - FINE_SETTLE'"]);
        assert!(!is_science(&settle) && !is_dark(&settle));
        assert!(is_dark(&header(&["MODE    = '21 - DESAT'"])));
    }
}
