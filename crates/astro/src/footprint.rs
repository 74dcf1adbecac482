//! Footprints: the sky outline of the illuminated pixels of an image HDU, for a chunk's
//! position bounds (what the reference pipeline gets from CADC's `footprintfinder`).
//!
//! From pixels ([`from_image`]):
//! 1. every plane of the HDU is read a block of rows at a time ([`crate::pixels`]); a pixel
//!    is illuminated when it is finite (BLANK and NaN are not); pixels are pooled into
//!    square blocks so that the grid has at most [`FootprintOptions::grid`] blocks a side (a
//!    block counts when any of its pixels does: the outline errs outwards, by less than a
//!    block);
//! 2. the 4-connected regions of illuminated blocks are found; the largest is outlined
//!    (holes ignored), or, when other regions hold more than
//!    [`FootprintOptions::min_region_fraction`] of the illuminated blocks, the convex hull of
//!    all those regions is taken so that no significant data lies outside;
//! 3. the outline (along pixel edges) is simplified with Douglas–Peucker, the tolerance
//!    doubling from one block until at most [`FootprintOptions::max_vertices`] remain;
//! 4. its vertices go through the HDU's WCS (wcslib, informal keywords accepted) to the
//!    celestial frame of the header; the polygon is turned counter-clockwise in the CAOM
//!    sense and validated (no self-intersection); if simplification made it cross itself,
//!    the convex hull of the outline is used instead.
//!
//! Fallback to the WCS corners ([`from_header`]): when every pixel is illuminated, when
//! there are no pixels at hand (a header dump, an HDU without data), or when the image's
//! first two axes are not the celestial ones, the footprint is the pixel grid's boundary —
//! the corners of the outer pixel edges `(0.5, 0.5)` … `(NAXIS1 + 0.5, NAXIS2 + 0.5)` plus
//! points along each edge, kept only where the edge departs from a great circle by more
//! than [`FootprintOptions::edge_tolerance_arcsec`] (so a TAN image gives its four corners).
//!
//! ```no_run
//! use astro::footprint::{from_file, FootprintOptions};
//!
//! let fp = from_file("image.fits", None, &FootprintOptions::default())?;
//! for p in &fp.points {
//!     println!("{} {}", p.cval1, p.cval2);
//! }
//! # Ok::<(), astro::footprint::FootprintError>(())
//! ```

use crate::hull;
use crate::pixels::{Image, PixelError};
use caom2::geometry::{self, PolygonError};
use caom2::Point;
use fits2caom2::{Header, Headers, SourceError, SourceKind};
use std::path::Path;
use wcs::{ParseOptions, Wcs, WcsError};

/// How footprints are made.
#[derive(Clone, Debug, PartialEq)]
pub struct FootprintOptions {
    /// At most this many vertices in the polygon (at least 4).
    pub max_vertices: usize,
    /// At most this many blocks along each side of the illumination grid.
    pub grid: usize,
    /// Regions besides the largest that together hold more than this fraction of the
    /// illuminated blocks make the footprint their convex hull.
    pub min_region_fraction: f64,
    /// Points along the edges of the WCS-corner footprint are kept where the edge departs
    /// from a great circle by more than this.
    pub edge_tolerance_arcsec: f64,
}

impl Default for FootprintOptions {
    fn default() -> Self {
        FootprintOptions {
            max_vertices: 32,
            grid: 1024,
            min_region_fraction: 0.01,
            edge_tolerance_arcsec: 0.05,
        }
    }
}

/// How a footprint was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The outline of the illuminated pixels.
    Pixels,
    /// The pixel grid's boundary, because every pixel is illuminated.
    CornersFullyIlluminated,
    /// The pixel grid's boundary, because no pixels were read (header only).
    CornersNoPixels,
    /// The pixel grid's boundary, because the image's first two axes are not the sky axes
    /// (a spectrum or a position-velocity slice).
    CornersNotSky,
}

impl Method {
    pub fn describe(self) -> &'static str {
        match self {
            Method::Pixels => "outline of the illuminated pixels",
            Method::CornersFullyIlluminated => "WCS corners (every pixel is illuminated)",
            Method::CornersNoPixels => "WCS corners (no pixel data)",
            Method::CornersNotSky => "WCS corners (the image axes are not the sky axes)",
        }
    }
}

/// A footprint on the sky.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// (longitude, latitude) in degrees, in the header's celestial frame, counter-clockwise
    /// in the CAOM sense, valid as a CAOM polygon.
    pub points: Vec<Point>,
    /// The same vertices as FITS pixel coordinates (1-based pixel centres).
    pub pixels: Vec<[f64; 2]>,
    pub method: Method,
    /// Fraction of the pixels that are illuminated (None without pixels).
    pub illuminated: Option<f64>,
    /// CTYPE prefixes of the celestial axes, e.g. `RA`/`DEC`, `GLON`/`GLAT`.
    pub lng_type: String,
    pub lat_type: String,
    /// RADESYS as wcslib reads or defaults it (`ICRS`, `FK5`, `FK4`…), for RA/DEC.
    pub radesys: Option<String>,
    pub equinox: Option<f64>,
}

/// Why no footprint could be made. Every variant names the file or says what is missing.
#[derive(Debug, thiserror::Error)]
pub enum FootprintError {
    #[error(transparent)]
    Pixels(#[from] PixelError),
    #[error(transparent)]
    Headers(#[from] SourceError),
    #[error("{file}: there is no HDU {hdu}")]
    NoSuchHdu { file: String, hdu: usize },
    #[error("{file}: HDU {hdu}: cannot read the WCS: {source}")]
    Wcs {
        file: String,
        hdu: usize,
        #[source]
        source: WcsError,
    },
    #[error("{file}: HDU {hdu}: no celestial WCS (no RA/DEC, GLON/GLAT… axis pair)")]
    NoCelestialWcs { file: String, hdu: usize },
    #[error("{file}: HDU {hdu}: {why}")]
    NoImage {
        file: String,
        hdu: usize,
        why: String,
    },
    #[error("{file}: HDU {hdu}: no illuminated pixels (every pixel is NaN or BLANK)")]
    NothingIlluminated { file: String, hdu: usize },
    #[error("{file}: HDU {hdu}: the WCS cannot place {what} on the sky")]
    Projection {
        file: String,
        hdu: usize,
        what: String,
    },
    #[error("{file}: HDU {hdu}: the footprint is not a valid polygon: {source}")]
    Polygon {
        file: String,
        hdu: usize,
        #[source]
        source: PolygonError,
    },
}

/// Where the HDU is, for messages.
struct Place<'a> {
    file: &'a str,
    hdu: usize,
}

impl Place<'_> {
    fn projection(&self, what: &str) -> FootprintError {
        FootprintError::Projection {
            file: self.file.to_string(),
            hdu: self.hdu,
            what: what.to_string(),
        }
    }
}

/// The celestial part of an HDU's WCS.
struct SkyWcs {
    wcs: Wcs,
    lng: usize,
    lat: usize,
    /// Axis lengths of the image (NAXISn, or ZNAXISn of a compressed image).
    naxes: Vec<i64>,
}

impl SkyWcs {
    fn new(header: &Header, naxes: Vec<i64>, place: &Place<'_>) -> Result<SkyWcs, FootprintError> {
        let options = ParseOptions::relaxed().with_image_axes(&naxes);
        let wcs = Wcs::from_header(&header.to_card_string(), &options).map_err(|source| {
            FootprintError::Wcs {
                file: place.file.to_string(),
                hdu: place.hdu,
                source,
            }
        })?;
        let (Some(lng), Some(lat)) = (wcs.info().lng, wcs.info().lat) else {
            return Err(FootprintError::NoCelestialWcs {
                file: place.file.to_string(),
                hdu: place.hdu,
            });
        };
        Ok(SkyWcs {
            wcs,
            lng,
            lat,
            naxes,
        })
    }

    /// The length of pixel axis `i`; 0 when the image does not have that axis (a header
    /// with NAXIS = 0, or fewer image axes than WCS axes).
    fn axis_len(&self, i: usize) -> i64 {
        self.naxes.get(i).copied().unwrap_or(0)
    }

    /// Sky positions of pixel points given along the two celestial pixel axes; None where
    /// the WCS cannot place a point.
    fn to_sky(&self, pix: &[[f64; 2]]) -> Result<Vec<Option<Point>>, WcsError> {
        let n = self.wcs.naxis();
        let mut flat = vec![1.0; n * pix.len()];
        for (k, p) in pix.iter().enumerate() {
            flat[k * n + self.lng] = p[0];
            flat[k * n + self.lat] = p[1];
        }
        let world = self.wcs.pixel_to_world_many(&flat)?;
        Ok((0..pix.len())
            .map(|k| {
                world.get(k).and_then(|w| {
                    let (lon, lat) = (w[self.lng], w[self.lat]);
                    (lon.is_finite() && lat.is_finite() && (-90.0..=90.0).contains(&lat))
                        .then(|| Point::new(lon.rem_euclid(360.0), lat))
                })
            })
            .collect())
    }

    fn footprint(
        &self,
        points: Vec<Point>,
        pixels: Vec<[f64; 2]>,
        method: Method,
        illuminated: Option<f64>,
    ) -> Footprint {
        let info = self.wcs.info();
        let prefix = |i: usize| {
            info.axes
                .get(i)
                .and_then(|a| a.ctype.clone())
                .map(|c| c.split('-').next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        Footprint {
            points,
            pixels,
            method,
            illuminated,
            lng_type: prefix(self.lng),
            lat_type: prefix(self.lat),
            radesys: info.radesys.clone(),
            equinox: info.equinox,
        }
    }
}

/// The image axis lengths a header describes (`ZNAXISn` for a compressed image).
fn header_axes(header: &Header) -> Vec<i64> {
    let compressed = matches!(header.get("ZIMAGE"), Some(fits2caom2::Value::Logical(true)));
    let (naxis_key, prefix) = if compressed {
        ("ZNAXIS", "ZNAXIS")
    } else {
        ("NAXIS", "NAXIS")
    };
    let n = header.get_i64(naxis_key).unwrap_or(0).clamp(0, 999);
    (1..=n)
        .map(|i| header.get_i64(&format!("{prefix}{i}")).unwrap_or(0))
        .collect()
}

/// The footprint of HDU `hdu` of a file (None: the first HDU with a celestial WCS and an
/// image). FITS files (plain, `.fz`, `.gz`) use their pixels; header dumps use the WCS
/// corners.
pub fn from_file(
    path: impl AsRef<Path>,
    hdu: Option<usize>,
    options: &FootprintOptions,
) -> Result<Footprint, FootprintError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let headers = Headers::read(path)?;
    let candidates: Vec<usize> = match hdu {
        Some(h) => {
            if h >= headers.len() {
                return Err(FootprintError::NoSuchHdu { file, hdu: h });
            }
            vec![h]
        }
        None => (0..headers.len()).collect(),
    };
    let mut first_error = None;
    for h in candidates {
        let Some(header) = headers.hdu(h) else {
            continue;
        };
        let result = if headers.kind() == SourceKind::Fits {
            match Image::open(path, Some(h)) {
                Ok(image) => from_image(&image, header, options),
                // a header-only HDU (NAXIS = 0) of a FITS file: the WCS is all there is
                Err(PixelError::NotAnImage { .. }) => from_header_at(header, &file, h, options),
                Err(e) => Err(e.into()),
            }
        } else {
            from_header_at(header, &file, h, options)
        };
        match result {
            Ok(fp) => return Ok(fp),
            Err(e) if hdu.is_none() => {
                // keep the most telling error: one about an HDU that does have a sky WCS
                let replace = match &first_error {
                    None => true,
                    Some(f) => !is_telling(f) && is_telling(&e),
                };
                if replace {
                    first_error = Some(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(first_error.unwrap_or(FootprintError::NoCelestialWcs { file, hdu: 0 }))
}

fn is_telling(e: &FootprintError) -> bool {
    !matches!(
        e,
        FootprintError::NoCelestialWcs { .. }
            | FootprintError::Wcs { .. }
            | FootprintError::NoImage { .. }
    )
}

/// The WCS-corner footprint of one header (no pixels at hand).
pub fn from_header(
    header: &Header,
    options: &FootprintOptions,
) -> Result<Footprint, FootprintError> {
    from_header_at(header, "header", 0, options)
}

fn from_header_at(
    header: &Header,
    file: &str,
    hdu: usize,
    options: &FootprintOptions,
) -> Result<Footprint, FootprintError> {
    let place = Place { file, hdu };
    let naxes = header_axes(header);
    let sky = SkyWcs::new(header, naxes, &place)?;
    corners(&sky, &place, Method::CornersNoPixels, None, options)
}

/// The footprint of an open image, whose header is `header`.
pub fn from_image(
    image: &Image,
    header: &Header,
    options: &FootprintOptions,
) -> Result<Footprint, FootprintError> {
    let place = Place {
        file: image.file(),
        hdu: image.hdu(),
    };
    let sky = SkyWcs::new(header, image.shape().to_vec(), &place)?;
    if !((sky.lng == 0 && sky.lat == 1) || (sky.lng == 1 && sky.lat == 0)) {
        // the image planes are not the sky (e.g. a position-velocity slice): corners only
        return corners(&sky, &place, Method::CornersNotSky, None, options);
    }
    let mask = Mask::read(image, options.grid)?;
    if mask.finite == 0 {
        return Err(FootprintError::NothingIlluminated {
            file: place.file.to_string(),
            hdu: place.hdu,
        });
    }
    let fraction = mask.finite as f64 / mask.total as f64;
    if mask.finite == mask.total {
        return corners(
            &sky,
            &place,
            Method::CornersFullyIlluminated,
            Some(1.0),
            options,
        );
    }
    let outline = mask.outline(options.min_region_fraction);
    let pixel_outline: Vec<[f64; 2]> = outline.iter().map(|&c| mask.corner_to_pixel(c)).collect();
    let fp = polygon_from_outline(&sky, &place, &pixel_outline, mask.block as f64, options)?;
    let (points, pixels) = fp;
    Ok(sky.footprint(points, pixels, Method::Pixels, Some(fraction)))
}

/// Simplifies the pixel outline, maps it to the sky and makes it a valid CAOM polygon;
/// falls back to the outline's convex hull if simplification made it cross itself.
fn polygon_from_outline(
    sky: &SkyWcs,
    place: &Place<'_>,
    outline: &[[f64; 2]],
    block: f64,
    options: &FootprintOptions,
) -> Result<(Vec<Point>, Vec<[f64; 2]>), FootprintError> {
    let max = options.max_vertices.max(4);
    // a straight edge traced along block boundaries departs from the line by up to about
    // √2 blocks: those stairs are not shape
    let tol = 1.5 * block.max(1.0);
    let kept = simplify_closed(outline, tol, max, &[]);
    let simplified: Vec<[f64; 2]> = kept.iter().map(|&i| outline[i]).collect();
    match sky_polygon(sky, place, &simplified) {
        Ok(r) => Ok(r),
        Err(FootprintError::Polygon { .. }) => {
            // an ordered subset of a convex polygon is convex: it cannot cross itself
            let hull = pixel_convex_hull(outline);
            let kept = simplify_closed(&hull, tol, max, &[]);
            let simplified: Vec<[f64; 2]> = kept.iter().map(|&i| hull[i]).collect();
            sky_polygon(sky, place, &simplified)
        }
        Err(e) => Err(e),
    }
}

/// Maps pixel vertices to the sky, orders them counter-clockwise (CAOM) and validates.
fn sky_polygon(
    sky: &SkyWcs,
    place: &Place<'_>,
    pixels: &[[f64; 2]],
) -> Result<(Vec<Point>, Vec<[f64; 2]>), FootprintError> {
    let world = sky
        .to_sky(pixels)
        .map_err(|_| place.projection("the footprint's vertices"))?;
    let mut points = Vec::with_capacity(world.len());
    let mut kept_pixels = Vec::with_capacity(world.len());
    for (w, p) in world.iter().zip(pixels) {
        if let Some(w) = w {
            points.push(*w);
            kept_pixels.push(*p);
        }
    }
    if points.len() < 3 {
        return Err(place.projection("enough of the footprint's vertices"));
    }
    if !geometry::polygon_properties(&points).ccw {
        points.reverse();
        kept_pixels.reverse();
    }
    geometry::validate_polygon_points(&points).map_err(|source| FootprintError::Polygon {
        file: place.file.to_string(),
        hdu: place.hdu,
        source,
    })?;
    Ok((points, kept_pixels))
}

/// Points along each edge of the WCS-corner footprint (corners included).
const EDGE_SAMPLES: usize = 16;

/// The pixel grid's boundary on the sky, with edge points where the edges curve.
fn corners(
    sky: &SkyWcs,
    place: &Place<'_>,
    method: Method,
    illuminated: Option<f64>,
    options: &FootprintOptions,
) -> Result<Footprint, FootprintError> {
    let (n1, n2) = (sky.axis_len(sky.lng), sky.axis_len(sky.lat));
    if n1 <= 0 || n2 <= 0 {
        return Err(FootprintError::NoImage {
            file: place.file.to_string(),
            hdu: place.hdu,
            why: format!(
                "no image size for the celestial axes (NAXIS = {:?})",
                sky.naxes
            ),
        });
    }
    let (x1, x2) = (0.5, n1 as f64 + 0.5);
    let (y1, y2) = (0.5, n2 as f64 + 0.5);
    let corners = [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
    let mut pix = Vec::with_capacity(4 * EDGE_SAMPLES);
    let mut is_corner = Vec::with_capacity(4 * EDGE_SAMPLES);
    for k in 0..4 {
        let (a, b) = (corners[k], corners[(k + 1) % 4]);
        for s in 0..EDGE_SAMPLES {
            let t = s as f64 / EDGE_SAMPLES as f64;
            pix.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
            is_corner.push(s == 0);
        }
    }
    let world = sky
        .to_sky(&pix)
        .map_err(|_| place.projection("the image corners"))?;
    if world.iter().any(Option::is_none) {
        return Err(place.projection("every image corner and edge"));
    }
    let points: Vec<Point> = world.into_iter().flatten().collect();
    let keep = match gnomonic(&points) {
        Some(plane) => {
            let tol = (options.edge_tolerance_arcsec / 3600.0).to_radians();
            simplify_closed(&plane, tol, options.max_vertices.max(4), &is_corner)
        }
        // wider than a hemisphere: keep every sample
        None => (0..points.len()).collect(),
    };
    let pixels: Vec<[f64; 2]> = keep.iter().map(|&i| pix[i]).collect();
    let (points, pixels) = sky_polygon(sky, place, &pixels)?;
    Ok(sky.footprint(points, pixels, method, illuminated))
}

/// The points in the gnomonic projection about their mean direction, where great circles
/// are straight lines; None if some point is 90° or more from the centre.
fn gnomonic(points: &[Point]) -> Option<Vec<[f64; 2]>> {
    let units: Vec<[f64; 3]> = points
        .iter()
        .map(|p| geometry::to_unit_sphere(p.cval1, p.cval2))
        .collect();
    let mut c = [0.0; 3];
    for u in &units {
        for k in 0..3 {
            c[k] += u[k];
        }
    }
    let norm = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return None;
    }
    let c = [c[0] / norm, c[1] / norm, c[2] / norm];
    // east = z × c, north = c × east
    let mut e = [-c[1], c[0], 0.0];
    let en = (e[0] * e[0] + e[1] * e[1]).sqrt();
    if en < 1e-12 {
        e = [1.0, 0.0, 0.0];
    } else {
        e = [e[0] / en, e[1] / en, 0.0];
    }
    let n = [
        c[1] * e[2] - c[2] * e[1],
        c[2] * e[0] - c[0] * e[2],
        c[0] * e[1] - c[1] * e[0],
    ];
    let dot = |a: &[f64; 3], b: &[f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    units
        .iter()
        .map(|u| {
            let w = dot(u, &c);
            (w > 1e-6).then(|| [dot(u, &e) / w, dot(u, &n) / w])
        })
        .collect()
}

/// Douglas–Peucker importance of every vertex of a closed polygon: the distance at which
/// DP would keep it, never more than that of the vertex whose split exposed it (so keeping
/// the most important ones keeps a consistent DP subset). Vertices flagged in `forced` are
/// the anchors and infinitely important; without two of them, the first vertex and the one
/// farthest from it anchor the chains.
fn dp_importance(points: &[[f64; 2]], forced: &[bool]) -> Vec<f64> {
    let n = points.len();
    let mut importance = vec![0.0; n];
    if n <= 3 {
        return vec![f64::INFINITY; n];
    }
    let mut anchors: Vec<usize> = (0..n).filter(|&i| forced.get(i) == Some(&true)).collect();
    if anchors.len() < 2 {
        let d2 = |i: usize| {
            let (dx, dy) = (points[i][0] - points[0][0], points[i][1] - points[0][1]);
            dx * dx + dy * dy
        };
        let far = (1..n).fold(1, |best, i| if d2(i) > d2(best) { i } else { best });
        anchors.extend([0, far]);
        anchors.sort_unstable();
        anchors.dedup();
    }
    for &a in &anchors {
        importance[a] = f64::INFINITY;
    }
    let mut stack: Vec<(usize, usize, f64)> = Vec::new();
    for (k, &a) in anchors.iter().enumerate() {
        stack.push((a, anchors[(k + 1) % anchors.len()], f64::INFINITY));
    }
    while let Some((a, b, cap)) = stack.pop() {
        // the chain a → b going forward around the loop
        let len = (b + n - a) % n;
        if len < 2 {
            continue;
        }
        let (pa, pb) = (points[a], points[b]);
        let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
        let l = (dx * dx + dy * dy).sqrt();
        let mut worst = (-1.0, None);
        for s in 1..len {
            let i = (a + s) % n;
            let p = points[i];
            let d = if l > 0.0 {
                ((p[0] - pa[0]) * dy - (p[1] - pa[1]) * dx).abs() / l
            } else {
                ((p[0] - pa[0]).powi(2) + (p[1] - pa[1]).powi(2)).sqrt()
            };
            if d > worst.0 {
                worst = (d, Some(i));
            }
        }
        if let (d, Some(i)) = worst {
            let d = d.min(cap);
            importance[i] = d;
            stack.push((a, i, d));
            stack.push((i, b, d));
        }
    }
    importance
}

/// The vertices to keep, in order: those more important than `tol`, the tolerance doubling
/// while more than `max` remain; if doubling would leave fewer than three, the `max` most
/// important (never fewer than three when there are three).
fn simplify_closed(points: &[[f64; 2]], tol: f64, max: usize, forced: &[bool]) -> Vec<usize> {
    let importance = dp_importance(points, forced);
    let above =
        |t: f64| -> Vec<usize> { (0..points.len()).filter(|&i| importance[i] > t).collect() };
    let top = |k: usize| -> Vec<usize> {
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by(|&x, &y| importance[y].total_cmp(&importance[x]).then(x.cmp(&y)));
        order.truncate(k.min(points.len()));
        order.sort_unstable();
        order
    };
    let max = max.max(3);
    let mut t = tol;
    let mut kept = above(t);
    if kept.len() < 3 {
        return top(3);
    }
    while kept.len() > max {
        t *= 2.0;
        let next = above(t);
        if next.len() < 3 || !t.is_finite() {
            return top(max);
        }
        kept = next;
    }
    kept
}

/// The convex hull of pixel points (counter-clockwise), for outlines simplification broke.
fn pixel_convex_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let pts: Vec<Point> = points.iter().map(|p| Point::new(p[0], p[1])).collect();
    match hull::graham_scan(&pts) {
        Ok(h) => h.iter().map(|p| [p.cval1, p.cval2]).collect(),
        Err(_) => points.to_vec(),
    }
}

/// Which blocks of the image hold illuminated pixels.
struct Mask {
    /// Blocks per row and per column.
    nx: usize,
    ny: usize,
    /// Pixels per block side.
    block: usize,
    /// Image size in pixels.
    width: usize,
    height: usize,
    lit: Vec<bool>,
    finite: u64,
    total: u64,
}

impl Mask {
    fn read(image: &Image, grid: usize) -> Result<Mask, FootprintError> {
        let [width, height] = image.plane_shape();
        let grid = grid.max(16);
        let block = width.max(height).div_ceil(grid).max(1);
        let (nx, ny) = (width.div_ceil(block), height.div_ceil(block));
        let mut mask = Mask {
            nx,
            ny,
            block,
            width,
            height,
            lit: vec![false; nx * ny],
            finite: 0,
            total: (width as u64) * (height as u64) * image.planes() as u64,
        };
        // Bands of whole blocks, about 256 rows (at most ~16 MB of floats): few calls into
        // cfitsio, and a tile-compressed image with tall tiles is not decompressed again
        // for every few rows.
        let band_rows = (block * (256 / block).max(1))
            .min((4 << 20) / width.max(1) / block * block)
            .max(block);
        let mut buf: Vec<f32> = Vec::new();
        for plane in 0..image.planes() {
            let mut row = 0;
            while row < height {
                let rows = band_rows.min(height - row);
                image.read_rows(plane, row, rows, &mut buf)?;
                for (k, r) in buf.chunks_exact(width).enumerate() {
                    let by = (row + k) / block;
                    for (bx, cells) in r.chunks(block).enumerate() {
                        let n = cells.iter().filter(|v| v.is_finite()).count();
                        if n > 0 {
                            mask.lit[by * nx + bx] = true;
                            mask.finite += n as u64;
                        }
                    }
                }
                row += rows;
            }
        }
        Ok(mask)
    }

    fn is_lit(&self, x: isize, y: isize) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.nx
            && (y as usize) < self.ny
            && self.lit[y as usize * self.nx + x as usize]
    }

    /// A block corner (grid units) as a FITS pixel coordinate on the outer pixel edges.
    fn corner_to_pixel(&self, c: (isize, isize)) -> [f64; 2] {
        let x = (c.0.max(0) as usize * self.block).min(self.width);
        let y = (c.1.max(0) as usize * self.block).min(self.height);
        [x as f64 + 0.5, y as f64 + 0.5]
    }

    /// 4-connected regions: a label per block (0 = dark) and each region's size.
    fn regions(&self) -> (Vec<u32>, Vec<usize>) {
        let mut label = vec![0u32; self.lit.len()];
        let mut sizes = vec![0usize];
        let mut stack = Vec::new();
        for start in 0..self.lit.len() {
            if !self.lit[start] || label[start] != 0 {
                continue;
            }
            let id = sizes.len() as u32;
            sizes.push(0);
            label[start] = id;
            stack.push(start);
            while let Some(i) = stack.pop() {
                sizes[id as usize] += 1;
                let (x, y) = (i % self.nx, i / self.nx);
                let mut visit = |j: usize| {
                    if self.lit[j] && label[j] == 0 {
                        label[j] = id;
                        stack.push(j);
                    }
                };
                if x > 0 {
                    visit(i - 1);
                }
                if x + 1 < self.nx {
                    visit(i + 1);
                }
                if y > 0 {
                    visit(i - self.nx);
                }
                if y + 1 < self.ny {
                    visit(i + self.nx);
                }
            }
        }
        (label, sizes)
    }

    /// The outline (block corners, counter-clockwise with y up) of the largest region, or
    /// the convex hull of all significant regions' outlines.
    fn outline(&self, min_fraction: f64) -> Vec<(isize, isize)> {
        let (label, sizes) = self.regions();
        let lit: usize = sizes.iter().sum();
        let (largest, &big) = sizes
            .iter()
            .enumerate()
            .skip(1)
            .max_by_key(|(_, s)| **s)
            .unwrap_or((0, &0));
        let others = lit - big;
        let start_of = |id: usize| label.iter().position(|&l| l as usize == id);
        if (others as f64) <= min_fraction * lit as f64 {
            return start_of(largest).map_or_else(Vec::new, |s| self.trace(s));
        }
        // several significant regions: the hull of the outlines of those above a small size
        let floor = ((min_fraction * lit as f64) as usize).max(1);
        let mut all: Vec<Point> = Vec::new();
        for (id, &size) in sizes.iter().enumerate().skip(1) {
            if size >= floor {
                if let Some(s) = start_of(id) {
                    all.extend(
                        self.trace(s)
                            .into_iter()
                            .map(|(x, y)| Point::new(x as f64, y as f64)),
                    );
                }
            }
        }
        match hull::graham_scan(&all) {
            Ok(h) => h
                .into_iter()
                .map(|p| (p.cval1 as isize, p.cval2 as isize))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Follows the outer boundary of the 4-connected region holding block `start` (its
    /// lowest, leftmost block) along block edges, region on the left; returns the corners
    /// where the direction changes.
    fn trace(&self, start: usize) -> Vec<(isize, isize)> {
        let (sx, sy) = ((start % self.nx) as isize, (start / self.nx) as isize);
        // directions: 0 east, 1 north, 2 west, 3 south
        const STEP: [(isize, isize); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];
        let ahead = |x: isize, y: isize, d: usize| -> (bool, bool) {
            // the blocks front-left and front-right of corner (x, y) facing d
            let (fl, fr) = match d {
                0 => ((x, y), (x, y - 1)),
                1 => ((x - 1, y), (x, y)),
                2 => ((x - 1, y - 1), (x - 1, y)),
                _ => ((x, y - 1), (x - 1, y - 1)),
            };
            (self.is_lit(fl.0, fl.1), self.is_lit(fr.0, fr.1))
        };
        let (mut x, mut y, mut d) = (sx, sy, 0usize);
        let mut out = vec![(x, y)];
        let limit = 4 * (self.nx + 1) * (self.ny + 1) + 8;
        for _ in 0..limit {
            x += STEP[d].0;
            y += STEP[d].1;
            let (fl, fr) = ahead(x, y, d);
            let nd = match (fl, fr) {
                (true, true) => (d + 3) % 4,
                (true, false) => d,
                (false, _) => (d + 1) % 4,
            };
            if (x, y) == (sx, sy) && nd == 0 {
                break;
            }
            if nd != d {
                out.push((x, y));
            }
            d = nd;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(rows: &[&str]) -> Mask {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut lit = vec![false; nx * ny];
        // rows are given top (high y) first
        for (r, line) in rows.iter().enumerate() {
            let y = ny - 1 - r;
            for (x, ch) in line.chars().enumerate() {
                lit[y * nx + x] = ch == '#';
            }
        }
        Mask {
            nx,
            ny,
            block: 1,
            width: nx,
            height: ny,
            finite: lit.iter().filter(|&&l| l).count() as u64,
            total: (nx * ny) as u64,
            lit,
        }
    }

    #[test]
    fn traces_a_square_counter_clockwise() {
        let m = mask(&["....", ".##.", ".##.", "...."]);
        assert_eq!(m.outline(0.01), vec![(1, 1), (3, 1), (3, 3), (1, 3)]);
    }

    #[test]
    fn traces_an_l_shape_and_ignores_holes() {
        let m = mask(&["#...", "#...", "####"]);
        assert_eq!(
            m.outline(0.01),
            vec![(0, 0), (4, 0), (4, 1), (1, 1), (1, 3), (0, 3)]
        );
        let ring = mask(&["###", "#.#", "###"]);
        assert_eq!(ring.outline(0.01), vec![(0, 0), (3, 0), (3, 3), (0, 3)]);
    }

    #[test]
    fn diagonal_touch_is_not_a_connection() {
        // two blocks touching at a corner are separate regions: the hull covers both
        let m = mask(&[".#", "#."]);
        let o = m.outline(0.01);
        assert!(o.contains(&(0, 0)) && o.contains(&(2, 2)), "{o:?}");
    }

    #[test]
    fn a_tilted_rectangle_traced_on_blocks_keeps_four_corners() {
        let (n, block) = (256usize, 4usize);
        let mut lit = vec![false; n * n];
        let (c, s) = (0.3f64.cos(), 0.3f64.sin());
        for y in 0..n {
            for x in 0..n {
                let (dx, dy) = (x as f64 - 128.0, y as f64 - 128.0);
                let (u, v) = (c * dx + s * dy, -s * dx + c * dy);
                lit[y * n + x] = u.abs() < 90.0 && v.abs() < 60.0;
            }
        }
        let m = Mask {
            nx: n,
            ny: n,
            block,
            width: n * block,
            height: n * block,
            finite: 1,
            total: 2,
            lit,
        };
        let outline: Vec<[f64; 2]> = m
            .outline(0.01)
            .iter()
            .map(|&c| m.corner_to_pixel(c))
            .collect();
        assert!(outline.len() > 100);
        let kept = simplify_closed(&outline, 1.5 * block as f64, 32, &[]);
        assert_eq!(
            kept.len(),
            4,
            "the stairs of the traced edges are not shape"
        );
    }

    #[test]
    fn simplification_keeps_forced_vertices_and_drops_collinear_ones() {
        let square: Vec<[f64; 2]> = vec![
            [0.0, 0.0],
            [1.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [2.0, 2.0],
            [1.0, 2.0],
            [0.0, 2.0],
            [0.0, 1.0],
        ];
        assert_eq!(simplify_closed(&square, 0.1, 32, &[]), vec![0, 2, 4, 6]);
        let forced = [false, true, false, false, false, false, false, false];
        assert!(simplify_closed(&square, 0.1, 32, &forced).contains(&1));
        // a cap below what the tolerance keeps takes the most important, at least three
        assert_eq!(simplify_closed(&square, 0.1, 3, &[]).len(), 3);
        assert_eq!(simplify_closed(&square, 100.0, 32, &[]).len(), 3);
    }
}
