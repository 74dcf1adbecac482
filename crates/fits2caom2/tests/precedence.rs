//! The reference's precedence rules, on small synthetic headers: first truthy keyword wins,
//! defaults and literal WCS values are written into the header before wcslib reads it (so a
//! header's genuine 0 is replaced by a default), HDU 0 for non-chunk keys, `Chunk: ignore`
//! for HDU 0 only, the CD/PC/CROTA rule, blueprint ranges replacing WCS axes, functions.

use caom2::{Chunk, Observation};
use fits2caom2::blueprint::yaml;
use fits2caom2::engine::{Engine, Input, InputData, MapError, MapOptions};
use fits2caom2::functions::{FnValue, FunctionContext, FunctionError, Module};
use fits2caom2::Headers;

const URI: &str = "cadc:TEST/file.fits";

/// Cards, one per line, HDUs separated by `END`.
fn dump(text: &str) -> Headers {
    let padded: String = text
        .lines()
        .map(|l| format!("{:<80}\n", l.trim()))
        .collect();
    Headers::from_dump_bytes(padded.as_bytes(), "test.fits.header").unwrap()
}

fn map_with(
    yaml_text: &str,
    headers: Headers,
    module: Option<&Module>,
    options: MapOptions,
) -> Result<Observation, MapError> {
    let bp = yaml::load_str(yaml_text, "test.yml").unwrap();
    let engine = Engine::new(module, options);
    let mut obs = Engine::new_observation("TEST", "obs", &[&bp]);
    engine.augment(
        &mut obs,
        Input {
            product_id: "p".into(),
            uri: URI.into(),
            blueprint: &bp,
            data: InputData::Headers(headers),
        },
    )?;
    Ok(obs)
}

fn map(yaml_text: &str, headers: Headers) -> Observation {
    map_with(yaml_text, headers, None, MapOptions::default()).unwrap()
}

fn chunk(obs: &Observation, part: &str) -> Option<Chunk> {
    obs.planes[0].artifacts[0]
        .part(part)
        .and_then(|p| p.chunks.first().cloned())
}

const BASE: &str = "\
plan:
  Plane.dataProductType: image
  Plane.calibrationLevel: '1'
";

const IMAGE: &str = "\
SIMPLE  = T
BITPIX  = 16
NAXIS   = 2
NAXIS1  = 100
NAXIS2  = 200
CTYPE1  = 'RA---TAN'
CTYPE2  = 'DEC--TAN'
CRPIX1  = 50.0
CRPIX2  = 100.0
CRVAL1  = 10.0
CRVAL2  = 20.0
CD1_1   = -0.001
CD1_2   = 0.0
CD2_1   = 0.0
CD2_2   = 0.001
END";

#[test]
fn first_truthy_keyword_wins_and_falsy_last_keyword_is_kept() {
    let bp = format!("{BASE}  Observation.target.name: {{keywords: [OBJ1, OBJ2, OBJ3]}}\n  Observation.proposal.id: {{keywords: [PID1, PID2]}}\n  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n");
    let obs = map(
        &bp,
        dump(&format!(
            "{}\nOBJ1    = ''\nOBJ2    = 'M31'\nOBJ3    = 'M32'\nPID1    = 'A'\nPID2    = 'B'\nEND",
            IMAGE.trim_end_matches("END")
        )),
    );
    assert_eq!(obs.target.unwrap().name, "M31");
    assert_eq!(obs.proposal.unwrap().id, "A");
}

#[test]
fn a_default_is_written_into_the_header_and_replaces_a_genuine_zero() {
    // CRVAL1 = 0.0 is falsy: the default replaces it, and wcslib reads the replaced value
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n  Chunk.position.axis.function.refCoord.coord1.val: {{keywords: [CRVAL1], default: '99.0'}}\n");
    let headers = dump(&IMAGE.replace("CRVAL1  = 10.0", "CRVAL1  = 0.0"));
    let obs = map(&bp, headers);
    let f = chunk(&obs, "0")
        .unwrap()
        .position
        .unwrap()
        .axis
        .function
        .unwrap();
    assert_eq!(f.ref_coord.coord1.val, 99.0);
    assert_eq!(f.ref_coord.coord2.val, 20.0);
}

#[test]
fn a_literal_for_a_wcs_key_goes_into_every_hdu() {
    let two = format!(
        "{}\nXTENSION= 'IMAGE'\n{}",
        IMAGE,
        IMAGE.trim_start_matches("SIMPLE  = T\n")
    );
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n  Chunk.position.axis.function.refCoord.coord2.val: '45.5'\n");
    let obs = map(&bp, dump(&two));
    for part in ["0", "1"] {
        let f = chunk(&obs, part)
            .unwrap()
            .position
            .unwrap()
            .axis
            .function
            .unwrap();
        assert_eq!(f.ref_coord.coord2.val, 45.5, "part {part}");
    }
}

#[test]
fn non_chunk_keys_read_hdu_0_and_chunk_keys_their_own_hdu() {
    let two = format!(
        "{}\nXTENSION= 'IMAGE'\nOBJECT  = 'only in HDU 1'\nEXPTIME = 30.0\n{}",
        IMAGE.replace("CRPIX1  = 50.0", "EXPTIME = 10.0\nCRPIX1  = 50.0"),
        IMAGE.trim_start_matches("SIMPLE  = T\n")
    );
    let bp = format!(
        "{BASE}  Observation.target.name: {{keywords: [OBJECT]}}\n  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n  Chunk.time.exposure: {{keywords: [EXPTIME]}}\n  Chunk.time.axis.axis.ctype: TIME\n  Chunk.time.axis.axis.cunit: d\n  Chunk.time.axis.function.naxis: '1'\n  Chunk.time.axis.function.delta: '0.1'\n  Chunk.time.axis.function.refCoord.pix: '0.5'\n  Chunk.time.axis.function.refCoord.val: '50000.0'\n"
    );
    let obs = map(&bp, dump(&two));
    assert!(obs.target.is_none());
    let t0 = chunk(&obs, "0").unwrap().time.unwrap();
    let t1 = chunk(&obs, "1").unwrap().time.unwrap();
    assert_eq!(t0.exposure, Some(10.0));
    assert_eq!(t1.exposure, Some(30.0));
    // the literal TIME is written as CTYPE4 (the inferred time axis) into every HDU
    assert_eq!(chunk(&obs, "1").unwrap().time_axis, Some(4));
}

#[test]
fn chunk_ignore_drops_the_primary_chunk_only() {
    let two = format!(
        "{}\nXTENSION= 'IMAGE'\n{}",
        IMAGE,
        IMAGE.trim_start_matches("SIMPLE  = T\n")
    );
    let bp = format!("{BASE}  Chunk: ignore\n  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n");
    let obs = map(&bp, dump(&two));
    let parts = &obs.planes[0].artifacts[0].parts;
    assert_eq!(parts.len(), 2);
    assert!(parts[0].chunks.is_empty());
    assert_eq!(parts[1].chunks.len(), 1);
    // per HDU: ignore HDU 1 instead
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\nextensions:\n  1:\n    Chunk: ignore\n");
    let obs = map(&bp, dump(&two));
    let parts = &obs.planes[0].artifacts[0].parts;
    assert_eq!(parts[0].chunks.len(), 1);
    assert!(parts[1].chunks.is_empty());
}

#[test]
fn cd_matrix_cdelt_with_crota_and_pc_matrix() {
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n");
    let cd = map(&bp, dump(IMAGE));
    let f = chunk(&cd, "0")
        .unwrap()
        .position
        .unwrap()
        .axis
        .function
        .unwrap();
    assert_eq!((f.cd11, f.cd12, f.cd21, f.cd22), (-0.001, 0.0, 0.0, 0.001));

    let crota = IMAGE
        .replace("CD1_1   = -0.001", "CDELT1  = -0.002")
        .replace("CD2_2   = 0.001", "CDELT2  = 0.002\nCROTA2  = 5.0")
        .replace("CD1_2   = 0.0\n", "")
        .replace("CD2_1   = 0.0\n", "");
    let obs = map(&bp, dump(&crota));
    let f = chunk(&obs, "0")
        .unwrap()
        .position
        .unwrap()
        .axis
        .function
        .unwrap();
    // CDELT on the diagonal, CROTA off it (the reference's rule, not a rotation matrix)
    assert_eq!((f.cd11, f.cd12, f.cd21, f.cd22), (-0.002, 0.0, 5.0, 0.002));

    let pc = crota.replace("CROTA2  = 5.0", "PC1_2   = 0.1");
    let obs = map(&bp, dump(&pc));
    let p = chunk(&obs, "0").unwrap().position.unwrap();
    // a PC matrix is ignored, and without CD or CROTA there is no function
    assert!(p.axis.function.is_none());
    assert_eq!(p.axis.axis1.ctype, "RA---TAN");
}

#[test]
fn a_blueprint_range_replaces_the_wcs_axis() {
    let cube = IMAGE.replace("NAXIS   = 2", "NAXIS   = 3\nNAXIS3  = 10\nCTYPE3  = 'WAVE'\nCUNIT3  = 'Angstrom'\nCRVAL3  = 5000.0\nCDELT3  = 2.0\nCRPIX3  = 1.0");
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n  Chunk.energy.axis.axis.ctype: {{keywords: [CTYPE3]}}\n");
    let obs = map(&bp, dump(&cube));
    let e = chunk(&obs, "0").unwrap().energy.unwrap();
    // wcslib's normalisation: Angstrom to m, also for the CD diagonal copied from CDELT3
    assert_eq!(e.axis.axis.cunit.as_deref(), Some("m"));
    let f = e.axis.function.unwrap();
    assert!((f.delta - 2e-10).abs() < 1e-22 && (f.ref_coord.val - 5e-7).abs() < 1e-19);

    let ranged = format!("{bp}  Chunk.energy.axis.range.start.pix: '0.5'\n  Chunk.energy.axis.range.start.val: '400.0'\n  Chunk.energy.axis.range.end.pix: '10.5'\n  Chunk.energy.axis.range.end.val: '700.0'\n  Chunk.energy.axis.axis.cunit: nm\n");
    let obs = map(&ranged, dump(&cube));
    let c = chunk(&obs, "0").unwrap();
    let e = c.energy.unwrap();
    assert!(e.axis.function.is_none());
    assert_eq!(e.axis.range.unwrap().end.val, 700.0);
    // the blueprint's unit is written into the header too (CUNIT3 = 'nm')
    assert_eq!(e.axis.axis.cunit.as_deref(), Some("nm"));
    assert_eq!(c.energy_axis, None);
}

fn exposure(ctx: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    let t = ctx
        .header()
        .and_then(|h| h.get_f64("EXPTIME"))
        .ok_or_else(|| ctx.error("no EXPTIME"))?;
    Ok(Some((t * 2.0).into()))
}

fn no_value(_: &FunctionContext) -> Result<Option<FnValue>, FunctionError> {
    Ok(None)
}

#[test]
fn functions_their_errors_and_lenient_mode() {
    let module = Module::new("test")
        .with("exposure", exposure)
        .with("nothing", no_value);
    let bp = format!("{BASE}  Chunk.position.axis.axis1.ctype: {{keywords: [CTYPE1]}}\n  Chunk.position.axis.axis2.ctype: {{keywords: [CTYPE2]}}\n  Observation.environment.seeing: {{function: exposure, arg: header}}\n  Observation.target.name: {{function: nothing}}\n");
    let with = IMAGE.replace("NAXIS   = 2", "NAXIS   = 2\nEXPTIME = 4.0");
    let obs = map_with(&bp, dump(&with), Some(&module), MapOptions::default()).unwrap();
    assert_eq!(obs.environment.unwrap().seeing, Some(8.0));
    assert!(obs.target.is_none());

    let err = map_with(&bp, dump(IMAGE), Some(&module), MapOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "test.fits.header: HDU 0: Observation.environment.seeing: function exposure failed: no EXPTIME"
    );
    let lenient = MapOptions {
        lenient_functions: true,
        ..MapOptions::default()
    };
    let obs = map_with(&bp, dump(IMAGE), Some(&module), lenient).unwrap();
    assert!(obs.environment.is_none());

    // unknown function, and a function without a module: errors with the blueprint position
    let unknown = bp.replace("function: nothing", "function: missing");
    let err = map_with(&unknown, dump(&with), Some(&module), MapOptions::default()).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "test.yml:7:3: Observation.target.name: no function missing in module test"
        ),
        "{err}"
    );
    let err = map_with(&bp, dump(&with), None, MapOptions::default()).unwrap_err();
    assert!(err.to_string().contains("needs a function module"), "{err}");
}

#[test]
fn missing_product_type_is_an_error_naming_the_key() {
    let bp = "plan:\n  Plane.calibrationLevel: '1'\n  Chunk.position.axis.axis1.ctype: {keywords: [CTYPE1]}\n  Chunk.position.axis.axis2.ctype: {keywords: [CTYPE2]}\n";
    let err = map_with(bp, dump(IMAGE), None, MapOptions::default()).unwrap_err();
    assert!(err.to_string().contains("Plane.dataProductType"), "{err}");
}
