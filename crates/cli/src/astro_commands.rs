//! `caom2pipe compute` (plane metadata from chunks) and `caom2pipe footprint` (a polygon
//! from pixel data).

use crate::records::{read_observation, write_atomic};
use ::astro::compute;
use ::astro::footprint::{self, Footprint, FootprintOptions};
use anyhow::{Context, Result};
use caom2::{checksum, xml};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Computes every plane's position, energy, time, polarization and custom axis from its
/// chunks, as the archive's repository service does (CAOM 2.4 compute), then validates the
/// record, updates its checksums and writes it. Exit status 1, and nothing written, when a
/// plane cannot be computed or the result is invalid; every problem is printed with the
/// plane and chunk it is about.
#[derive(Args, Debug)]
pub struct ComputeArgs {
    /// The observation (CAOM XML 2.2–2.4).
    input: PathBuf,
    /// Where to write the computed observation (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn compute(args: ComputeArgs) -> Result<ExitCode> {
    let mut obs = read_observation(&args.input)?;
    let name = args.input.display();
    if let Err(errors) = compute::compute_observation(&mut obs) {
        for e in &errors {
            eprintln!("{name}: {e}");
        }
        eprintln!(
            "{name}: {} plane metadata error(s); nothing written",
            errors.len()
        );
        return Ok(ExitCode::from(1));
    }
    let problems = caom2::validate::validate(&obs);
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{name}: {p}");
        }
        eprintln!(
            "{name}: {} validation error(s) after compute; nothing written",
            problems.len()
        );
        return Ok(ExitCode::from(1));
    }
    checksum::update_checksums(&mut obs);
    let text = xml::write(&obs);
    match &args.output {
        Some(out) => write_atomic(out, text.as_bytes())?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    eprintln!("{name}: computed {} plane(s)", obs.planes.len());
    Ok(ExitCode::SUCCESS)
}

/// Prints the footprint of an image HDU: the outline of its illuminated (finite, not BLANK)
/// pixels, through the HDU's WCS, simplified to at most --max-vertices vertices, valid as a
/// CAOM polygon (counter-clockwise, not crossing itself). Falls back to the WCS corners (the
/// outer pixel edges, with points along edges that curve on the sky) when every pixel is
/// illuminated, or when the file has no pixels (a header dump such as `x.fits.header`).
///
/// Output: one STC-S line, `Polygon <frame> lon lat lon lat …` (degrees, the header's own
/// frame), or a JSON object with --json. How the polygon was made goes to standard error.
#[derive(Args, Debug)]
pub struct FootprintArgs {
    /// A FITS file (plain, .fz, .gz) or a header dump.
    file: PathBuf,
    /// HDU, 0 = primary (default: the first HDU with an image and a celestial WCS).
    #[arg(long)]
    hdu: Option<usize>,
    /// At most this many vertices.
    #[arg(long, default_value_t = 32)]
    max_vertices: usize,
    /// Print the plane polygon compute would make with this footprint as the chunk's
    /// bounds (the convex hull in ICRS, smoothed) instead of the footprint itself.
    #[arg(long)]
    plane: bool,
    /// Print JSON: file, hdu, method, illuminated fraction, frame and points.
    #[arg(long)]
    json: bool,
}

/// The STC-S frame of a footprint's celestial axes.
fn frame(fp: &Footprint) -> String {
    match fp.lng_type.as_str() {
        "RA" => fp.radesys.clone().unwrap_or_else(|| "ICRS".into()),
        "GLON" => "GALACTIC".into(),
        "ELON" => "ECLIPTIC".into(),
        other => other.to_string(),
    }
}

/// The plane polygon of a chunk whose bounds are the footprint.
fn plane_polygon(fp: &Footprint) -> Result<Vec<caom2::Point>> {
    use caom2::*;
    let mut axis = CoordAxis2D::new(
        Axis::new(&fp.lng_type, Some("deg")),
        Axis::new(&fp.lat_type, Some("deg")),
    );
    axis.bounds = Some(::astro::visitor::chunk_bounds(
        fp,
        &fp.lng_type,
        &fp.lat_type,
    ));
    let mut wcs = SpatialWcs::new(axis);
    if fp.lng_type == "RA" {
        wcs.coordsys = fp.radesys.clone();
        wcs.equinox = fp.equinox;
    }
    let mut chunk = Chunk::new();
    chunk.position = Some(wcs);
    let mut part = Part::new("0");
    part.chunks.push(chunk);
    let uri = Uri::parse("cadc:FOOTPRINT/footprint").context("artifact URI")?;
    let mut artifact = Artifact::new(uri, ProductType::SCIENCE, ReleaseType::Data);
    artifact.parts.push(part);
    let position = compute::compute(&[artifact])
        .position
        .map_err(|f| anyhow::anyhow!("cannot make the plane polygon: {f}"))?;
    match position.bounds {
        Some(Shape::Polygon(p)) => Ok(p.points),
        other => anyhow::bail!(
            "the plane polygon could not be made (coordinate system not supported by compute: {other:?})"
        ),
    }
}

pub fn footprint(args: FootprintArgs) -> Result<ExitCode> {
    let options = FootprintOptions {
        max_vertices: args.max_vertices.max(4),
        ..FootprintOptions::default()
    };
    let fp = match footprint::from_file(&args.file, args.hdu, &options) {
        Ok(fp) => fp,
        Err(e) => {
            eprintln!("caom2pipe footprint: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let (points, frame) = if args.plane {
        let f = frame(&fp);
        // compute takes FK5 as ICRS and converts galactic and FK4 to it
        let f = if matches!(f.as_str(), "GALACTIC" | "FK4") {
            "ICRS".to_string()
        } else {
            f
        };
        (plane_polygon(&fp)?, f)
    } else {
        (fp.points.clone(), frame(&fp))
    };
    let coords: Vec<String> = points
        .iter()
        .map(|p| format!("{} {}", p.cval1, p.cval2))
        .collect();
    let illuminated = fp
        .illuminated
        .map(|f| format!("{:.1}% of the pixels illuminated; ", 100.0 * f))
        .unwrap_or_default();
    eprintln!(
        "{}: {}; {illuminated}{} vertices",
        args.file.display(),
        fp.method.describe(),
        points.len()
    );
    let mut out = std::io::stdout().lock();
    if args.json {
        let pts: Vec<String> = points
            .iter()
            .map(|p| format!("[{:?}, {:?}]", p.cval1, p.cval2))
            .collect();
        writeln!(
            out,
            "{{\"file\": {}, \"method\": {}, \"illuminated\": {}, \"frame\": {}, \"plane\": {}, \"points\": [{}]}}",
            json_string(&args.file.display().to_string()),
            json_string(&format!("{:?}", fp.method)),
            fp.illuminated
                .map_or("null".to_string(), |f| format!("{f:?}")),
            json_string(&frame),
            args.plane,
            pts.join(", ")
        )?;
    } else {
        writeln!(out, "Polygon {frame} {}", coords.join(" "))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
