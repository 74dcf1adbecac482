//! `caom2pipe preview FILE -o DIR [--collection NAME]`: the preview and thumbnail the
//! pipeline would make for a file, by hand.

use std::path::PathBuf;
use std::process::ExitCode;

use ::astro::preview;
use ::astro::preview_visitor::file_names;
use anyhow::{Context, Result};
use clap::Args;
use manage::preview::{ImageFormat, PlaneChoice, PreviewStyle, Scaling, Stretch};
use manage::{Config, NamingContext, StorageName};

use crate::collections;
use crate::records::write_atomic;

/// Draws the preview (1024 pixels on the long side) and the thumbnail (256) of a FITS file
/// as the collection's previews look: zscale, min-max or percentile limits, a stretch, gray
/// or inverted gray, trimmed to DATASEC, a cube plane or a collapse, spectra as line plots;
/// JPEG or PNG, with the collection's file names. Prints the files written; exit status 1
/// (nothing written) when the pixels give no preview (all blank, constant, one pixel,
/// truncated, ...), with the reason.
#[derive(Args, Debug)]
pub struct PreviewArgs {
    /// A FITS file (plain, .fz or .gz).
    file: PathBuf,
    /// The directory for the two files (made when missing).
    #[arg(short, long)]
    output: PathBuf,
    /// The collection whose style and names to use: a registered plugin, or a built-in
    /// style (OMM, NEOSSat, DAO, VLASS); others get the reference default.
    #[arg(long)]
    collection: Option<String>,
    /// HDU to draw, 0 = primary (default: the style's, else the first with pixels).
    #[arg(long)]
    hdu: Option<usize>,
    /// Plane of a cube: a number (0-based), mean, sum or max.
    #[arg(long)]
    plane: Option<String>,
    /// zscale, zscale(CONTRAST), minmax or percentile(LOW, HIGH).
    #[arg(long)]
    scaling: Option<String>,
    /// linear, sqrt, power(A), log, log(A), lognorm, asinh or asinh(A).
    #[arg(long)]
    stretch: Option<String>,
    /// jpeg or png.
    #[arg(long)]
    format: Option<String>,
}

/// The style and names of `collection` for `file`.
fn style_and_names(
    collection: Option<&str>,
    file: &str,
) -> Result<(PreviewStyle, StorageName, String)> {
    let name = collection.unwrap_or("TEST");
    let naming = NamingContext::new(name, "cadc", "cadc");
    if let Some(factory) = collections::registry().get(name) {
        let mut config = Config::defaults(std::path::Path::new("."));
        config.collection = name.to_string();
        let c = factory(&config).map_err(|e| anyhow::anyhow!("collection {name}: {e}"))?;
        let sn = c
            .storage_name(file, &naming)
            .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        return Ok((c.preview_style(), sn, format!("{name} (plugin)")));
    }
    let sn = StorageName::from_entry(file, &naming);
    Ok(match collection.and_then(PreviewStyle::for_collection) {
        Some(s) => (s, sn, name.to_string()),
        None => (
            PreviewStyle::default(),
            sn,
            match collection {
                Some(c) => format!(
                    "default ({c} has no plugin and no built-in style; built in: {})",
                    PreviewStyle::BUILT_IN.join(", ")
                ),
                None => "default".to_string(),
            },
        ),
    })
}

pub fn preview(args: PreviewArgs) -> Result<ExitCode> {
    let file = args.file.display().to_string();
    let (mut style, sn, described) = style_and_names(args.collection.as_deref(), &file)?;
    if let Some(h) = args.hdu {
        style.hdu = Some(h);
    }
    if let Some(p) = &args.plane {
        style.plane = PlaneChoice::parse(p)
            .with_context(|| format!("--plane {p:?}: expected a plane number, mean, sum or max"))?;
    }
    if let Some(s) = &args.scaling {
        style.scaling = Scaling::parse(s).map_err(|e| anyhow::anyhow!("--scaling: {e}"))?;
    }
    if let Some(s) = &args.stretch {
        style.stretch = Stretch::parse(s).map_err(|e| anyhow::anyhow!("--stretch: {e}"))?;
    }
    if let Some(f) = &args.format {
        style.format = ImageFormat::parse(f)
            .ok_or_else(|| anyhow::anyhow!("--format {f:?}: expected jpeg or png"))?;
    }
    eprintln!("{file}: style {described}");
    if style.skips(&sn.file_name) {
        eprintln!(
            "{file}: no preview: the style makes none for files named like this ({})",
            style.skip.join(", ")
        );
        return Ok(ExitCode::from(1));
    }
    let previews = match preview::make(&args.file, &style, &sn.file_id) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("no preview: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    eprintln!("{file}: {}", previews.description);
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot make {}", args.output.display()))?;
    let (prev, thumb) = file_names(&style, &sn);
    for (name, picture, product, release) in [
        (
            &prev,
            &previews.preview,
            &style.preview_product,
            style.preview_release,
        ),
        (
            &thumb,
            &previews.thumbnail,
            &style.thumbnail_product,
            style.thumbnail_release,
        ),
    ] {
        let path = args.output.join(name);
        write_atomic(&path, &picture.bytes)?;
        println!(
            "{}  {} × {}  {}  {} bytes  ({product}, release {release})",
            path.display(),
            picture.width,
            picture.height,
            picture.format.content_type(),
            picture.bytes.len(),
        );
    }
    Ok(ExitCode::SUCCESS)
}
