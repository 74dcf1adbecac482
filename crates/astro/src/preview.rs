//! Previews and thumbnails of a FITS file: what [`make`] draws in a [`PreviewStyle`].
//!
//! An image HDU (a plane of a cube, or a collapse of its planes; trimmed to a section such
//! as `DATASEC`) becomes a gray raster whose long side is the preview size
//! ([`crate::render`]: streamed in bands, zscale / min-max / percentile limits, a stretch,
//! gray or inverted gray); a spectrum (one axis, or a long-slit frame averaged along the
//! slit) becomes a line plot ([`crate::spectrum`]). The thumbnail is the preview reduced by
//! area averaging. Both are encoded as JPEG or PNG ([`crate::encode`]).
//!
//! Input that cannot give a preview — no finite pixel, a constant image, fewer than 2 × 2
//! pixels, an axis longer than [`crate::render::MAX_AXIS`], a truncated data unit, a file
//! cfitsio cannot read — is an error that names the file, the HDU and the cause; nothing
//! is drawn.
//!
//! ```no_run
//! use astro::preview::{make, PreviewStyle};
//!
//! let p = make("frame.fits.fz", &PreviewStyle::default(), "frame")?;
//! std::fs::write("frame_prev.jpg", &p.preview.bytes)?;
//! std::fs::write("frame_prev_256.jpg", &p.thumbnail.bytes)?;
//! println!("{}", p.description); // e.g. "image HDU 1, 4096 × 4096, zscale 97.3 … 131.2, linear"
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use crate::encode::{self, EncodeError, ImageFormat};
use crate::pixels::{Image, PixelError};
use crate::render::{self, fit, ImageSpec, PlaneChoice, Raster, Rect, RenderError, Scaling};
use crate::spectrum;
use crate::zscale::ZScale;

// What is drawn is described by config.yml's preview styles.
use manage::preview::Scaling as StyleScaling;
pub use manage::preview::{ColorMap, PreviewKind, PreviewStyle, Section, Trim};

/// The pixels of `s` in an image of `width` × `height`, or `None` when it lies outside.
fn section_rect(s: Section, width: usize, height: usize) -> Option<Rect> {
    Rect::from_section(s.x1, s.x2, s.y1, s.y2, width, height)
}

/// The render crate's limits for a style's scaling (astropy's other zscale parameters).
fn render_scaling(s: StyleScaling) -> Scaling {
    match s {
        StyleScaling::ZScale { contrast, samples } => Scaling::ZScale(ZScale {
            n_samples: samples,
            contrast,
            ..ZScale::default()
        }),
        StyleScaling::MinMax => Scaling::MinMax,
        StyleScaling::Percentile { low, high } => Scaling::Percentile { low, high },
    }
}

/// An encoded picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub bytes: Vec<u8>,
    pub width: usize,
    pub height: usize,
    pub format: ImageFormat,
}

/// A preview and its thumbnail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Previews {
    pub preview: Picture,
    pub thumbnail: Picture,
    /// The HDU drawn.
    pub hdu: usize,
    /// What was drawn, for logs: kind, HDU, size, limits, stretch.
    pub description: String,
}

/// Why no preview was made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// Opening or reading failed (the message names file and HDU).
    #[error(transparent)]
    Pixels(#[from] PixelError),
    /// The pixels give nothing to show.
    #[error("{file}: HDU {hdu}: {source}")]
    Render {
        file: String,
        hdu: usize,
        #[source]
        source: RenderError,
    },
    #[error("{file}: {source}")]
    Encode {
        file: String,
        #[source]
        source: EncodeError,
    },
}

/// Draws the preview and thumbnail of `path` (plain, `.fz` or `.gz` FITS); `title` (after
/// the `OBJECT` keyword, when there is one) heads a spectrum's plot.
pub fn make(
    path: impl AsRef<Path>,
    style: &PreviewStyle,
    title: &str,
) -> Result<Previews, PreviewError> {
    let path = path.as_ref();
    let inverted = style.colormap == ColorMap::InvertedGray;
    let scaling = render_scaling(style.scaling);
    let image = match style.kind {
        PreviewKind::Image => Image::open(path, style.hdu)?,
        PreviewKind::Auto | PreviewKind::Spectrum => Image::open_data(path, style.hdu)?,
    };
    let file = image.file().to_string();
    let hdu = image.hdu();
    let render_error = |source: RenderError| match source {
        RenderError::Pixels(p) => PreviewError::Pixels(p),
        source => PreviewError::Render {
            file: file.clone(),
            hdu,
            source,
        },
    };
    image.check_data_length()?;
    let axis = match style.kind {
        PreviewKind::Image => None,
        PreviewKind::Auto => spectrum::dispersion_axis(&image),
        PreviewKind::Spectrum => Some(spectrum::dispersion_axis(&image).unwrap_or(1)),
    };
    let (preview, description) = match axis {
        Some(axis) => {
            let title = match image.keyword("OBJECT").filter(|o| !o.is_empty()) {
                Some(object) if !title.is_empty() => format!("{object} - {title}"),
                Some(object) => object,
                None => title.to_string(),
            };
            let s = spectrum::read(&image, style.plane, axis, &title).map_err(render_error)?;
            let w = style.preview_size as usize;
            let h = (w * 3 / 4).max(1);
            let along = if s.collapsed > 1 {
                format!(", mean of {} pixels along the slit", s.collapsed)
            } else {
                String::new()
            };
            let d = format!(
                "spectrum HDU {hdu}, {} pixels along axis {axis}{along}, {w} × {h} plot",
                s.flux.len()
            );
            (spectrum::plot(&s, w, h), d)
        }
        None => {
            let [nx, ny] = image.plane_shape();
            let trim = match &style.trim {
                Trim::None => None,
                Trim::Keyword(k) => image
                    .keyword(k)
                    .and_then(|v| Section::parse(&v))
                    .filter(|s| s.x2 <= nx && s.y2 <= ny)
                    .and_then(|s| section_rect(s, nx, ny)),
                Trim::Section(s) => Some(section_rect(*s, nx, ny).ok_or_else(|| {
                    render_error(RenderError::TooSmall {
                        width: 0,
                        height: 0,
                    })
                })?),
            };
            let (w, h) = trim.map_or((nx, ny), |r| (r.width, r.height));
            let scale_region = match style.scale_region {
                None => None,
                Some(s) => Some(section_rect(s, w, h).ok_or_else(|| {
                    render_error(RenderError::NoFinite {
                        where_: " in the scaling region (it lies outside the image)",
                    })
                })?),
            };
            let ispec = ImageSpec {
                plane: style.plane,
                trim,
                scale_region,
                scaling,
                stretch: style.stretch,
                inverted,
                size: style.preview_size as usize,
            };
            let (mut raster, summary) =
                render::render_image(&image, &ispec).map_err(render_error)?;
            if style.square && (raster.width != raster.height) {
                // padding has the colour of the low end, as blank pixels do
                let bg = if inverted { 255 } else { 0 };
                let side = raster.width.max(raster.height);
                raster = raster.padded(side, side, &[bg]);
            }
            let plane = match style.plane {
                PlaneChoice::Index(0) if image.planes() <= 1 => String::new(),
                PlaneChoice::Index(p) => format!(" plane {p}"),
                PlaneChoice::Mean => format!(" mean of {} planes", image.planes()),
                PlaneChoice::Sum => format!(" sum of {} planes", image.planes()),
                PlaneChoice::Max => format!(" maximum of {} planes", image.planes()),
            };
            let trimmed = match trim {
                Some(r) => format!(
                    " trimmed to [{}:{},{}:{}]",
                    r.x0 + 1,
                    r.x0 + r.width,
                    r.y0 + 1,
                    r.y0 + r.height
                ),
                None => String::new(),
            };
            let scaling = match scaling {
                Scaling::ZScale(z) => format!("zscale (contrast {})", z.contrast),
                Scaling::MinMax => "min-max".to_string(),
                Scaling::Percentile { low, high } => format!("percentiles {low}–{high}"),
            };
            let d = format!(
                "image HDU {hdu}{plane}, {} × {}{trimmed}, {scaling} limits {} … {}, {:?} stretch, {}{}",
                summary.width,
                summary.height,
                short(summary.limits.0),
                short(summary.limits.1),
                style.stretch,
                if inverted { "inverted gray" } else { "gray" },
                if summary.finite < summary.total {
                    format!(", {} blank pixels", summary.total - summary.finite)
                } else {
                    String::new()
                }
            );
            (raster, d)
        }
    };
    let (tw, th) = fit(preview.width, preview.height, style.thumbnail_size as usize);
    let thumbnail = preview.resized(tw, th);
    let encode = |r: &Raster| -> Result<Picture, PreviewError> {
        Ok(Picture {
            bytes: encode::encode(r, style.format).map_err(|source| PreviewError::Encode {
                file: file.clone(),
                source,
            })?,
            width: r.width,
            height: r.height,
            format: style.format,
        })
    };
    Ok(Previews {
        preview: encode(&preview)?,
        thumbnail: encode(&thumbnail)?,
        hdu,
        description,
    })
}

/// A limit with 6 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exponent = v.abs().log10().floor();
    if !(-3.0..6.0).contains(&exponent) {
        return format!("{v:.5e}");
    }
    let decimals = (5.0 - exponent).max(0.0) as usize;
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        assert_eq!(
            Section::parse("[ 5:100 , 2:50 ]"),
            Some(Section {
                x1: 5,
                x2: 100,
                y1: 2,
                y2: 50
            })
        );
        assert_eq!(Section::parse("[5:100]"), None);
        let r = section_rect(Section::parse("[5:100,2:50]").unwrap(), 60, 60).unwrap();
        assert_eq!((r.x0, r.y0, r.width, r.height), (4, 1, 56, 49));
        assert_eq!(short(131.23456789), "131.235");
        assert_eq!(short(0.5), "0.500000");
        assert_eq!(short(-2.5e7), "-2.50000e7");
    }

    #[test]
    fn style_scalings_become_render_limits() {
        assert_eq!(
            render_scaling(PreviewStyle::vlass().scaling),
            Scaling::ZScale(ZScale::with_contrast(0.99))
        );
        assert_eq!(
            render_scaling(StyleScaling::ZSCALE),
            Scaling::ZScale(ZScale::default())
        );
        assert_eq!(
            render_scaling(StyleScaling::Percentile {
                low: 2.0,
                high: 99.0
            }),
            Scaling::Percentile {
                low: 2.0,
                high: 99.0
            }
        );
        assert_eq!(render_scaling(StyleScaling::MinMax), Scaling::MinMax);
    }
}
