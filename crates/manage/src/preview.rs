//! How a collection's previews and thumbnails look: [`PreviewStyle`], the data that
//! [`crate::Collection::preview_style`] returns and the preview data visitor
//! (`astro::preview_visitor::PreviewVisitor`) renders from.
//!
//! A style says which pixels to show (HDU, cube plane or collapse, trim section such as
//! `DATASEC`, whether the data are an image or a spectrum), how to map them to gray levels
//! (limits by zscale, min-max or percentiles; a linear, sqrt, power, log or asinh stretch;
//! gray or inverted gray), and what to make of them (JPEG or PNG, preview and thumbnail
//! sizes, file names, product and release types). The reference's collections each draw
//! theirs differently (caom2pipe.md §4.2, collections.md); [`PreviewStyle::for_collection`]
//! has their recipes as data.
//!
//! ```
//! use manage::preview::{PreviewStyle, Scaling, Stretch};
//!
//! let omm = PreviewStyle::for_collection("OMM").unwrap();
//! assert_eq!(omm.stretch, Stretch::Power(3.0));
//! assert!(matches!(omm.scaling, Scaling::ZScale { .. }));
//! assert_eq!(omm.preview_file_name("C170324_0054", "C170324_0054_SCI", "C170324_0054_SCI"),
//!            Some("C170324_0054_SCI_prev.jpg".to_string()));
//! ```

use caom2::{ProductType, ReleaseType};

/// Image format of previews and thumbnails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
}

impl ImageFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
        }
    }

    /// The MIME type of the artifact.
    pub fn content_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }

    /// `jpeg`/`jpg` or `png`, any case.
    pub fn parse(text: &str) -> Option<ImageFormat> {
        match text.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => Some(ImageFormat::Jpeg),
            "png" => Some(ImageFormat::Png),
            _ => None,
        }
    }
}

/// How the data values that map to black and white are chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaling {
    /// IRAF's zscale as astropy's `ZScaleInterval` defines it: `samples` values taken at a
    /// regular stride over the finite pixels, sorted, a line fitted with iterative k-sigma
    /// rejection, its slope divided by `contrast` (astropy's default 0.25; VLASS uses 0.99).
    ZScale { contrast: f64, samples: usize },
    /// The smallest and largest finite values.
    MinMax,
    /// The `low` and `high` percentiles (0–100) of the finite values (ImageMagick's
    /// `-normalize` is 2 and 99).
    Percentile { low: f64, high: f64 },
}

impl Scaling {
    /// astropy's `ZScaleInterval()` defaults: 1000 samples, contrast 0.25.
    pub const ZSCALE: Scaling = Scaling::ZScale {
        contrast: 0.25,
        samples: 1000,
    };

    /// `zscale`, `zscale(CONTRAST)`, `zscale(CONTRAST, SAMPLES)`, `minmax`,
    /// `percentile(LOW, HIGH)` (the config.yml form).
    pub fn parse(text: &str) -> Result<Scaling, String> {
        let (name, args) = call(text)?;
        match (name.as_str(), args.as_slice()) {
            ("zscale", []) => Ok(Scaling::ZSCALE),
            ("zscale", [c]) | ("zscale", [c, _]) if !(*c > 0.0 && c.is_finite()) => {
                Err(format!("zscale contrast must be above 0, not {c}"))
            }
            ("zscale", [c]) => Ok(Scaling::ZScale {
                contrast: *c,
                samples: 1000,
            }),
            ("zscale", [c, n]) if *n >= 5.0 && *n <= 1e7 && n.fract() == 0.0 => {
                Ok(Scaling::ZScale {
                    contrast: *c,
                    samples: *n as usize,
                })
            }
            ("zscale", [_, n]) => Err(format!(
                "zscale samples must be a whole number from 5 to 10000000, not {n}"
            )),
            ("minmax", []) => Ok(Scaling::MinMax),
            ("percentile", [lo, hi]) if 0.0 <= *lo && lo < hi && *hi <= 100.0 => {
                Ok(Scaling::Percentile {
                    low: *lo,
                    high: *hi,
                })
            }
            ("percentile", [lo, hi]) => Err(format!(
                "percentile({lo}, {hi}): need 0 <= low < high <= 100"
            )),
            _ => Err(format!(
                "{text:?} is not a scaling (zscale, zscale(CONTRAST[, SAMPLES]), minmax, percentile(LOW, HIGH))"
            )),
        }
    }
}

/// `name` or `name(a, b, …)` with numbers.
fn call(text: &str) -> Result<(String, Vec<f64>), String> {
    let t = text.trim();
    let Some((name, rest)) = t.split_once('(') else {
        return Ok((t.to_ascii_lowercase(), Vec::new()));
    };
    let inner = rest
        .trim_end()
        .strip_suffix(')')
        .ok_or_else(|| format!("{text:?}: missing ')'"))?;
    let args = inner
        .split(',')
        .map(|a| {
            a.trim()
                .parse::<f64>()
                .map_err(|_| format!("{text:?}: {:?} is not a number", a.trim()))
        })
        .collect::<Result<Vec<f64>, String>>()?;
    Ok((name.trim().to_ascii_lowercase(), args))
}

/// The curve applied to values once they are scaled to 0..1 (astropy's stretches).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stretch {
    Linear,
    Sqrt,
    /// `x^a` (astropy `PowerStretch(a)`; OMM uses 3).
    Power(f64),
    /// `log(a·x + 1) / log(a + 1)` (astropy `LogStretch(a)`, default a = 1000).
    Log(f64),
    /// matplotlib's `LogNorm`: the logarithm of the data value between the limits, which is
    /// `Log(hi/lo − 1)`; falls back to `Log(1000)` when the low limit is not positive.
    LogNorm,
    /// `asinh(x/a) / asinh(1/a)` (astropy `AsinhStretch(a)`, default a = 0.1).
    Asinh(f64),
}

impl Stretch {
    /// The stretched value of `x` (clipped to 0..1 first), for limits `lo`..`hi` (only
    /// `LogNorm` uses them).
    pub fn apply(self, x: f64, lo: f64, hi: f64) -> f64 {
        let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
        match self {
            Stretch::Linear => x,
            Stretch::Sqrt => x.sqrt(),
            Stretch::Power(a) => x.powf(a),
            Stretch::Log(a) => log_stretch(x, a),
            Stretch::LogNorm => log_stretch(x, lognorm_a(lo, hi)),
            Stretch::Asinh(a) => (x / a).asinh() / (1.0 / a).asinh(),
        }
    }

    /// `linear`, `sqrt`, `power(A)`, `log`, `log(A)`, `lognorm`, `asinh`, `asinh(A)` (the
    /// config.yml form; astropy's defaults when A is left out).
    pub fn parse(text: &str) -> Result<Stretch, String> {
        let (name, args) = call(text)?;
        let positive = |a: f64| -> Result<f64, String> {
            if a > 0.0 && a.is_finite() {
                Ok(a)
            } else {
                Err(format!("{text:?}: the parameter must be above 0"))
            }
        };
        match (name.as_str(), args.as_slice()) {
            ("linear", []) => Ok(Stretch::Linear),
            ("sqrt", []) => Ok(Stretch::Sqrt),
            ("power", [a]) => Ok(Stretch::Power(positive(*a)?)),
            ("log", []) => Ok(Stretch::Log(1000.0)),
            ("log", [a]) => Ok(Stretch::Log(positive(*a)?)),
            ("lognorm", []) => Ok(Stretch::LogNorm),
            ("asinh", []) => Ok(Stretch::Asinh(0.1)),
            ("asinh", [a]) => Ok(Stretch::Asinh(positive(*a)?)),
            _ => Err(format!(
                "{text:?} is not a stretch (linear, sqrt, power(A), log, log(A), lognorm, asinh, asinh(A))"
            )),
        }
    }
}

fn log_stretch(x: f64, a: f64) -> f64 {
    if a <= 0.0 || !a.is_finite() {
        return x;
    }
    (a * x).ln_1p() / a.ln_1p()
}

/// The `a` of the log stretch equal to matplotlib's LogNorm between `lo` and `hi`.
fn lognorm_a(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 && hi > lo {
        hi / lo - 1.0
    } else {
        1000.0
    }
}

/// Gray levels: low values black (`Gray`) or white (`InvertedGray`, matplotlib's `gray_r`
/// and `binary`, ImageMagick's `-negate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMap {
    Gray,
    InvertedGray,
}

/// Which 2-D plane of a cube is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaneChoice {
    /// Plane n (0-based over NAXIS3 and up; VLASS shows `[0,0]`).
    Index(usize),
    /// The mean of every plane, pixel by pixel (NaN ignored).
    Mean,
    /// The sum of every plane (NaN ignored).
    Sum,
    /// The largest value of every pixel over the planes.
    Max,
}

impl PlaneChoice {
    /// A plane number, or `mean`, `sum` or `max` in any case (config.yml's and the
    /// command line's form).
    pub fn parse(text: &str) -> Option<PlaneChoice> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mean" => Some(PlaneChoice::Mean),
            "sum" => Some(PlaneChoice::Sum),
            "max" => Some(PlaneChoice::Max),
            n => n.parse().ok().map(PlaneChoice::Index),
        }
    }
}

/// Whether the data are drawn as an image or as a spectrum (a line plot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreviewKind {
    /// A spectrum when the data say so (one axis; a spectral CTYPE without celestial axes;
    /// DISPAXIS or a slit OBSMODE without celestial axes; a few rows of many pixels),
    /// otherwise an image.
    Auto,
    Image,
    Spectrum,
}

/// A pixel section, 1-based and inclusive as in `DATASEC = '[x1:x2,y1:y2]'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub x1: usize,
    pub x2: usize,
    pub y1: usize,
    pub y2: usize,
}

impl Section {
    /// Parses `[x1:x2,y1:y2]` (spaces allowed). Reversed ranges are put in order.
    pub fn parse(text: &str) -> Option<Section> {
        let t = text.trim().strip_prefix('[')?.strip_suffix(']')?;
        let (x, y) = t.split_once(',')?;
        let range = |r: &str| -> Option<(usize, usize)> {
            let (a, b) = r.split_once(':')?;
            let a: usize = a.trim().parse().ok()?;
            let b: usize = b.trim().parse().ok()?;
            (a >= 1 && b >= 1).then_some((a.min(b), a.max(b)))
        };
        let (x1, x2) = range(x)?;
        let (y1, y2) = range(y)?;
        Some(Section { x1, x2, y1, y2 })
    }
}

/// The part of the image that is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trim {
    /// All of it.
    None,
    /// The section named by a header keyword (e.g. `DATASEC`), when it is present and lies
    /// inside the image; the whole image otherwise (as NEOSSat's previews do).
    Keyword(String),
    /// A fixed section (clipped to the image).
    Section(Section),
}

/// How a collection's previews look and are named.
#[derive(Clone, Debug, PartialEq)]
pub struct PreviewStyle {
    /// The HDU to show (0 = primary); `None`: the first HDU with data.
    pub hdu: Option<usize>,
    /// The plane of a cube.
    pub plane: PlaneChoice,
    pub kind: PreviewKind,
    pub trim: Trim,
    /// Where the limits are measured (in trimmed pixels); `None`: everywhere (DAO's sky
    /// camera uses `[330:950,215:750]`).
    pub scale_region: Option<Section>,
    pub scaling: Scaling,
    pub stretch: Stretch,
    pub colormap: ColorMap,
    pub format: ImageFormat,
    /// Pixels on the long side of the preview.
    pub preview_size: u32,
    /// Pixels on the long side of the thumbnail (made from the preview).
    pub thumbnail_size: u32,
    /// Pad images to a square of the full size (NEOSSat's previews are exactly 1024² and
    /// 256²).
    pub square: bool,
    /// The preview file name without extension, with `{obs_id}`, `{product_id}` and
    /// `{file_id}` replaced; `None`: the StorageName's `prev` (its extension follows
    /// `format`).
    pub preview_name: Option<String>,
    /// As `preview_name`, for the thumbnail (`None`: the StorageName's `thumb`).
    pub thumbnail_name: Option<String>,
    pub preview_product: ProductType,
    pub thumbnail_product: ProductType,
    pub preview_release: ReleaseType,
    pub thumbnail_release: ReleaseType,
    /// Files whose name contains one of these get no preview (VLASS skips `.rms.`, …).
    pub skip: Vec<String>,
}

impl Default for PreviewStyle {
    /// The reference default (caom2pipe.md §4.1): `<obs_id>_prev.jpg`, 1024 px, release
    /// `data`, and `<obs_id>_prev_256.jpg`, 256 px, release `meta`; zscale, linear, gray.
    fn default() -> PreviewStyle {
        PreviewStyle {
            hdu: None,
            plane: PlaneChoice::Index(0),
            kind: PreviewKind::Auto,
            trim: Trim::None,
            scale_region: None,
            scaling: Scaling::ZSCALE,
            stretch: Stretch::Linear,
            colormap: ColorMap::Gray,
            format: ImageFormat::Jpeg,
            preview_size: 1024,
            thumbnail_size: 256,
            square: false,
            preview_name: None,
            thumbnail_name: None,
            preview_product: ProductType::PREVIEW,
            thumbnail_product: ProductType::THUMBNAIL,
            preview_release: ReleaseType::Data,
            thumbnail_release: ReleaseType::Meta,
            skip: Vec::new(),
        }
    }
}

impl PreviewStyle {
    /// The names of the built-in styles, for messages.
    pub const BUILT_IN: &'static [&'static str] = &["default", "OMM", "NEOSSat", "DAO", "VLASS"];

    /// The built-in style of a reference collection (case-insensitive; `default` too), or
    /// `None`.
    pub fn for_collection(name: &str) -> Option<PreviewStyle> {
        match name.to_ascii_uppercase().as_str() {
            "DEFAULT" => Some(PreviewStyle::default()),
            "OMM" => Some(PreviewStyle::omm()),
            "NEOSSAT" => Some(PreviewStyle::neossat()),
            "DAO" | "DAOCADC" => Some(PreviewStyle::dao()),
            "VLASS" => Some(PreviewStyle::vlass()),
            _ => None,
        }
    }

    /// OMM (collections.md §2.5): zscale with a power stretch of 3 on matplotlib's `binary`
    /// map, `{product_id}_prev.jpg` and `_prev_256.jpg`, both release `data`.
    pub fn omm() -> PreviewStyle {
        PreviewStyle {
            stretch: Stretch::Power(3.0),
            colormap: ColorMap::InvertedGray,
            preview_name: Some("{product_id}_prev".into()),
            thumbnail_name: Some("{product_id}_prev_256".into()),
            thumbnail_release: ReleaseType::Data,
            ..PreviewStyle::default()
        }
    }

    /// NEOSSat (collections.md §3.5): the primary HDU trimmed to `DATASEC`, `gray_r` with a
    /// logarithmic norm between the data limits, exactly 1024² and 256² PNG,
    /// `{obs_id}_{product_id}_prev.png` and `_prev_256.png`, both release `meta`.
    pub fn neossat() -> PreviewStyle {
        PreviewStyle {
            hdu: Some(0),
            kind: PreviewKind::Image,
            trim: Trim::Keyword("DATASEC".into()),
            scaling: Scaling::MinMax,
            stretch: Stretch::LogNorm,
            colormap: ColorMap::InvertedGray,
            format: ImageFormat::Png,
            square: true,
            preview_name: Some("{obs_id}_{product_id}_prev".into()),
            thumbnail_name: Some("{obs_id}_{product_id}_prev_256".into()),
            preview_release: ReleaseType::Meta,
            thumbnail_release: ReleaseType::Meta,
            ..PreviewStyle::default()
        }
    }

    /// DAO (collections.md §4.6): spectra as line plots, images as ImageMagick's
    /// `-normalize -negate` (2 % and 99 % percentiles, inverted gray), PNG
    /// `{file_id}_1024.png` and `{file_id}_256.png`, both release `data`.
    pub fn dao() -> PreviewStyle {
        PreviewStyle {
            scaling: Scaling::Percentile {
                low: 2.0,
                high: 99.0,
            },
            colormap: ColorMap::InvertedGray,
            format: ImageFormat::Png,
            preview_name: Some("{file_id}_1024".into()),
            thumbnail_name: Some("{file_id}_256".into()),
            thumbnail_release: ReleaseType::Data,
            ..PreviewStyle::default()
        }
    }

    /// VLASS (collections.md §5.4): plane `[0,0]` of the primary HDU, zscale with contrast
    /// 0.99, JPEG `{file_id}_prev.jpg` and `_prev_256.jpg`, both release `meta`; no preview
    /// for catalogues, rms, alpha and tt1 files.
    pub fn vlass() -> PreviewStyle {
        PreviewStyle {
            hdu: Some(0),
            kind: PreviewKind::Image,
            scaling: Scaling::ZScale {
                contrast: 0.99,
                samples: 1000,
            },
            preview_name: Some("{file_id}_prev".into()),
            thumbnail_name: Some("{file_id}_prev_256".into()),
            preview_release: ReleaseType::Meta,
            thumbnail_release: ReleaseType::Meta,
            skip: vec![
                ".csv".into(),
                ".rms.".into(),
                ".alpha".into(),
                ".tt1".into(),
            ],
            ..PreviewStyle::default()
        }
    }

    /// The preview file name for these names, or `None` when the style leaves it to the
    /// StorageName.
    pub fn preview_file_name(
        &self,
        obs_id: &str,
        product_id: &str,
        file_id: &str,
    ) -> Option<String> {
        self.preview_name
            .as_deref()
            .map(|t| self.fill(t, obs_id, product_id, file_id))
    }

    /// The thumbnail file name, or `None` when the style leaves it to the StorageName.
    pub fn thumbnail_file_name(
        &self,
        obs_id: &str,
        product_id: &str,
        file_id: &str,
    ) -> Option<String> {
        self.thumbnail_name
            .as_deref()
            .map(|t| self.fill(t, obs_id, product_id, file_id))
    }

    fn fill(&self, template: &str, obs_id: &str, product_id: &str, file_id: &str) -> String {
        format!(
            "{}.{}",
            template
                .replace("{obs_id}", obs_id)
                .replace("{product_id}", product_id)
                .replace("{file_id}", file_id),
            self.format.extension()
        )
    }

    /// The name with its extension replaced by the style's format (a StorageName's
    /// `x_prev.jpg` becomes `x_prev.png` for a PNG style).
    pub fn with_extension(&self, name: &str) -> String {
        let stem = match name.rsplit_once('.') {
            Some((stem, ext))
                if ["jpg", "jpeg", "png"].contains(&ext.to_ascii_lowercase().as_str()) =>
            {
                stem
            }
            _ => name,
        };
        format!("{stem}.{}", self.format.extension())
    }

    /// Whether a file gets no preview by name.
    pub fn skips(&self, file_name: &str) -> bool {
        self.skip.iter().any(|s| file_name.contains(s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_parse() {
        assert_eq!(
            Section::parse("[1:1024, 1:1024]"),
            Some(Section {
                x1: 1,
                x2: 1024,
                y1: 1,
                y2: 1024
            })
        );
        assert_eq!(
            Section::parse("[20:11,5:6]").map(|s| (s.x1, s.x2)),
            Some((11, 20))
        );
        assert_eq!(Section::parse("[0:10,1:2]"), None);
        assert_eq!(Section::parse("1:10,1:2"), None);
    }

    #[test]
    fn planes_parse() {
        assert_eq!(PlaneChoice::parse("3"), Some(PlaneChoice::Index(3)));
        assert_eq!(PlaneChoice::parse("Mean"), Some(PlaneChoice::Mean));
        assert_eq!(PlaneChoice::parse("sum"), Some(PlaneChoice::Sum));
        assert_eq!(PlaneChoice::parse("MAX"), Some(PlaneChoice::Max));
        assert_eq!(PlaneChoice::parse("-1"), None);
        assert_eq!(PlaneChoice::parse("median"), None);
    }

    #[test]
    fn scalings_and_stretches_parse() {
        assert_eq!(Scaling::parse("zscale"), Ok(Scaling::ZSCALE));
        assert_eq!(
            Scaling::parse("ZScale(0.99)"),
            Ok(Scaling::ZScale {
                contrast: 0.99,
                samples: 1000
            })
        );
        assert_eq!(
            Scaling::parse("zscale(0.5, 600)"),
            Ok(Scaling::ZScale {
                contrast: 0.5,
                samples: 600
            })
        );
        assert_eq!(
            Scaling::parse("percentile(2, 99)"),
            Ok(Scaling::Percentile {
                low: 2.0,
                high: 99.0
            })
        );
        assert_eq!(Scaling::parse("minmax"), Ok(Scaling::MinMax));
        assert!(Scaling::parse("percentile(99, 2)").is_err());
        assert!(Scaling::parse("zscale(0)").is_err());
        assert!(Scaling::parse("zscale(0.2, 3.5)").is_err());
        assert!(Scaling::parse("median").is_err());
        assert_eq!(Stretch::parse("power(3)"), Ok(Stretch::Power(3.0)));
        assert_eq!(Stretch::parse(" log "), Ok(Stretch::Log(1000.0)));
        assert_eq!(Stretch::parse("asinh"), Ok(Stretch::Asinh(0.1)));
        assert_eq!(Stretch::parse("lognorm"), Ok(Stretch::LogNorm));
        assert!(Stretch::parse("power").is_err());
        assert!(Stretch::parse("power(-1)").is_err());
        assert!(Stretch::parse("log(x)").is_err());
    }

    #[test]
    fn collection_styles_and_names() {
        let n = PreviewStyle::for_collection("neossat").unwrap();
        assert_eq!(
            n.preview_file_name("2019213173800", "cord", "NEOS_SCI_2019213173800_cord"),
            Some("2019213173800_cord_prev.png".into())
        );
        assert_eq!(
            n.thumbnail_file_name("2019213173800", "cord", "x"),
            Some("2019213173800_cord_prev_256.png".into())
        );
        let d = PreviewStyle::for_collection("DAO").unwrap();
        assert_eq!(
            d.thumbnail_file_name("o", "p", "dao_c122_2017_011124"),
            Some("dao_c122_2017_011124_256.png".into())
        );
        assert_eq!(
            (d.preview_release, d.thumbnail_release),
            (ReleaseType::Data, ReleaseType::Data)
        );
        let v = PreviewStyle::vlass();
        assert!(v.skips(
            "VLASS1.1.ql.T01t01.J000228-363000.10.2048.v1.I.iter1.image.pbcor.tt0.rms.subim.fits"
        ));
        assert!(!v.skips(
            "VLASS1.1.ql.T01t01.J000228-363000.10.2048.v1.I.iter1.image.pbcor.tt0.subim.fits"
        ));
        let def = PreviewStyle::default();
        assert_eq!(def.preview_file_name("a", "b", "c"), None);
        assert_eq!(n.with_extension("x_prev.jpg"), "x_prev.png");
        assert_eq!(def.with_extension("x_prev.JPG"), "x_prev.jpg");
        assert_eq!(def.with_extension("x_prev"), "x_prev.jpg");
        assert!(PreviewStyle::for_collection("GEMINI").is_none());
        assert_eq!(ImageFormat::parse("JPG"), Some(ImageFormat::Jpeg));
        assert_eq!(ImageFormat::Png.content_type(), "image/png");
    }
}
