//! CFHT MegaPipe stacks (`amegapipe.preview`, `bmegapipe.image`, `cmegapipe.weight`
//! blueprints): members and provenance inputs come from the `HISTORY` cards that list the
//! input exposures, the magnitude limit from the pipeline's limit keywords, and the energy
//! axis from the filter named in the file name.

use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};

/// The module the MegaPipe blueprints name.
pub fn module() -> Module {
    Module::new("mega2caom2")
        .with("getInputs", inputs)
        .with("getProvInputs", provenance_inputs)
        .with("getMagnitudeLimit", magnitude_limit)
        .with("getFilterWidth", filter_width)
        .with("getFilterCentre", filter_centre)
}

/// Filter token → (centre, width) in Angstrom. MegaPipe's table for the filters in the
/// example data; an unknown filter is an error rather than a guess.
const FILTERS: &[(&str, f64, f64)] = &[("Z.MP9801", 9083.0, 1848.0)];

/// Exposure numbers in the HISTORY cards: runs of 6 or 7 digits, in order (a longer run is
/// cut into pieces of 7 as a regular expression `[0-9]{6,7}` would).
fn exposure_numbers(ctx: &FunctionContext) -> Result<Vec<String>, FunctionError> {
    let h = ctx
        .header()
        .ok_or_else(|| ctx.error("needs the FITS header"))?;
    let text = h.history().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let mut run = &text[start..i];
            while run.len() >= 6 {
                let take = run.len().min(7);
                out.push(run[..take].to_string());
                run = &run[take..];
            }
        } else {
            i += 1;
        }
    }
    Ok(out)
}

/// `caom:CFHT/<exposure>` for each input exposure.
fn inputs(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let words: Vec<String> = exposure_numbers(ctx)?
        .iter()
        .map(|d| format!("caom:CFHT/{d}"))
        .collect();
    Ok(Some(words.join(" ").into()))
}

/// `caom:CFHT/<exposure>/<exposure>p` (the processed plane) for each input exposure.
fn provenance_inputs(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let words: Vec<String> = exposure_numbers(ctx)?
        .iter()
        .map(|d| format!("caom:CFHT/{d}/{d}p"))
        .collect();
    Ok(Some(words.join(" ").into()))
}

/// The first plausible (0 < m < 30) of ML_5SIGA, ML_5SIG2 and ML_50DET; 0 if none is.
fn magnitude_limit(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let h = ctx
        .header()
        .ok_or_else(|| ctx.error("needs the FITS header"))?;
    for k in ["ML_5SIGA", "ML_5SIG2", "ML_50DET"] {
        if let Some(v) = h.get_f64(k) {
            if v > 0.0 && v < 30.0 {
                return Ok(Some(v.into()));
            }
        }
    }
    Ok(Some(0.0.into()))
}

/// The filter token of a MegaPipe file name: upper-case letters, `.MP`, four digits.
fn filter_token(uri: &str) -> Option<&str> {
    let b = uri.as_bytes();
    for (i, _) in uri.match_indices(".MP") {
        let digits = b.get(i + 3..i + 7)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let start = b[..i]
            .iter()
            .rposition(|c| !c.is_ascii_uppercase())
            .map_or(0, |p| p + 1);
        if start < i {
            return Some(&uri[start..i + 7]);
        }
    }
    None
}

fn filter(ctx: &FunctionContext) -> Result<(f64, f64), FunctionError> {
    let token = filter_token(ctx.uri)
        .ok_or_else(|| ctx.error(format!("no MegaPipe filter name in {}", ctx.uri)))?;
    FILTERS
        .iter()
        .find(|(t, _, _)| *t == token)
        .map(|(_, c, w)| (*c, *w))
        .ok_or_else(|| {
            ctx.error(format!(
                "filter {token} is not in the MegaPipe filter table"
            ))
        })
}

fn filter_width(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(Some(filter(ctx)?.1.into()))
}

fn filter_centre(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(Some(filter(ctx)?.0.into()))
}

#[cfg(test)]
mod tests {
    use super::filter_token;

    #[test]
    fn filter_tokens() {
        assert_eq!(
            filter_token("cadc:CFHTSG/MegaPipe.080.156.Z.MP9801.fits"),
            Some("Z.MP9801")
        );
        assert_eq!(filter_token("cadc:CFHTSG/x.fits"), None);
    }
}
