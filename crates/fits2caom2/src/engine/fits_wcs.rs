//! Chunk WCS from one HDU's header through wcslib, as the reference's `FitsWcsParser` does
//! it: axes are found by CTYPE prefix, lengths come from `ZNAXISn`/`NAXISn`, the spatial
//! function comes from the CD matrix (or CDELT plus CROTA; a PC matrix is ignored), units
//! are wcslib's normalised ones in astropy's spelling, and the time scalars are read
//! directly from the header.

use caom2::{
    Axis, Chunk, Coord2D, CoordAxis1D, CoordAxis2D, CoordError, CoordFunction1D, CoordFunction2D,
    CustomWcs, Dimension2D, ObservableAxis, PolarizationWcs, RefCoord, Slice, SpatialWcs,
    SpectralWcs, TemporalWcs,
};
use wcs::WcsInfo;

use crate::card::Value;
use crate::header::Header;

use super::units::astropy_unit;
use super::values::{py_str_value, Val};

/// CTYPE prefixes (text before the first `-`) by axis.
pub(crate) const RA: &[&str] = &["RA", "GLON", "ELON", "HLON", "SLON"];
pub(crate) const DEC: &[&str] = &["DEC", "GLAT", "ELAT", "HLAT", "SLAT"];
pub(crate) const ENERGY: &[&str] = &[
    "FREQ", "ENER", "WAVN", "VRAD", "WAVE", "VOPT", "ZOPT", "AWAV", "VELO", "BETA",
];
pub(crate) const TIME: &[&str] = &[
    "TIME", "TAI", "TT", "TDT", "ET", "IAT", "UT1", "UTC", "GMT", "GPS", "TCG", "TCB", "TDB",
    "LOCAL",
];
pub(crate) const POLARIZATION: &[&str] = &["STOKES"];
pub(crate) const OBSERVABLE: &[&str] = &["observable", "FLUX"];
pub(crate) const CUSTOM: &[&str] = &["RM", "FDEP"];

/// Why the WCS of an HDU does not fit CAOM.
#[derive(Debug)]
pub(crate) struct WcsShapeError(pub String);

/// One WCS axis as the mapping reads it.
#[derive(Clone, Debug, Default)]
pub(crate) struct AxisView {
    pub ctype: Option<String>,
    pub cunit: Option<String>,
    pub crval: f64,
    pub crpix: f64,
    pub cdelt: f64,
    pub crota: Option<f64>,
}

/// The values the mapping reads from an HDU's WCS: wcslib's, after fixing and setup, or, when
/// wcslib's setup fails (a singular matrix: an axis with CDELT 0), the header's own values
/// (the reference reads the struct as the failed setup left it, without complaint).
#[derive(Clone, Debug, Default)]
pub(crate) struct WcsView {
    pub axes: Vec<AxisView>,
    /// The CD matrix (row-major), when the header has one.
    pub cd: Option<Vec<f64>>,
    pub radesys: Option<String>,
    pub equinox: Option<f64>,
    pub specsys: Option<String>,
    pub ssysobs: Option<String>,
    pub ssyssrc: Option<String>,
    pub restfrq: Option<f64>,
    pub restwav: Option<f64>,
    pub velosys: Option<f64>,
    pub zsource: Option<f64>,
    pub velangl: Option<f64>,
}

impl WcsView {
    /// wcslib's values.
    pub fn from_info(info: &WcsInfo) -> WcsView {
        WcsView {
            axes: info
                .axes
                .iter()
                .map(|a| AxisView {
                    ctype: a.ctype.clone(),
                    cunit: a.cunit.clone(),
                    crval: a.crval,
                    crpix: a.crpix,
                    cdelt: a.cdelt,
                    crota: a.crota,
                })
                .collect(),
            cd: info.cd.clone(),
            radesys: info.radesys.clone(),
            equinox: info.equinox,
            specsys: info.specsys.clone(),
            ssysobs: info.ssysobs.clone(),
            ssyssrc: info.ssyssrc.clone(),
            restfrq: info.restfrq,
            restwav: info.restwav,
            velosys: info.velosys,
            zsource: info.zsource,
            velangl: info.velangl,
        }
    }

    /// The header's primary WCS keywords, for when wcslib's setup fails. Spectral units are
    /// converted to SI as wcslib's unit step (which runs before the failing matrix step) does.
    pub fn from_header(h: &Header) -> WcsView {
        let int = |k: &str| h.get(k).and_then(|v| Val::Header(v).to_i64().ok());
        let mut n = int("NAXIS")
            .unwrap_or(0)
            .max(int("WCSAXES").unwrap_or(0))
            .max(0) as usize;
        for c in h.cards() {
            let k = c.keyword.as_str();
            for p in ["CTYPE", "CUNIT", "CRVAL", "CRPIX", "CDELT", "CROTA"] {
                if let Some(i) = k.strip_prefix(p).and_then(|d| d.parse::<usize>().ok()) {
                    n = n.max(i);
                }
            }
        }
        let n = n.min(99);
        let text = |k: &str| match h.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim_end().to_string()),
            _ => None,
        };
        let has_crota = (1..=n).any(|i| h.contains(&format!("CROTA{i}")));
        let mut axes: Vec<AxisView> = (1..=n)
            .map(|i| AxisView {
                ctype: text(&format!("CTYPE{i}")),
                cunit: text(&format!("CUNIT{i}")),
                crval: header_f64(h, &format!("CRVAL{i}")).unwrap_or(0.0),
                crpix: header_f64(h, &format!("CRPIX{i}")).unwrap_or(0.0),
                cdelt: header_f64(h, &format!("CDELT{i}")).unwrap_or(1.0),
                crota: has_crota.then(|| header_f64(h, &format!("CROTA{i}")).unwrap_or(0.0)),
            })
            .collect();
        let has_cd = (1..=n).any(|i| (1..=n).any(|j| h.contains(&format!("CD{i}_{j}"))));
        let mut cd = has_cd.then(|| {
            let mut m = vec![0.0; n * n];
            for i in 1..=n {
                for j in 1..=n {
                    m[(i - 1) * n + (j - 1)] = header_f64(h, &format!("CD{i}_{j}")).unwrap_or(0.0);
                }
            }
            m
        });
        for (i, a) in axes.iter_mut().enumerate() {
            let head = a
                .ctype
                .as_deref()
                .unwrap_or("")
                .split('-')
                .next()
                .unwrap_or("");
            if !ENERGY.contains(&head) {
                continue;
            }
            if let Some((si, scale)) = a.cunit.as_deref().and_then(spectral_si) {
                a.crval *= scale;
                a.cdelt *= scale;
                if let Some(m) = cd.as_mut() {
                    for j in 0..n {
                        m[i * n + j] *= scale;
                    }
                }
                a.cunit = Some(si.to_string());
            }
        }
        let equinox = header_f64(h, "EQUINOX").or_else(|| header_f64(h, "EPOCH"));
        WcsView {
            axes,
            cd,
            radesys: text("RADESYS"),
            equinox,
            specsys: text("SPECSYS"),
            ssysobs: text("SSYSOBS"),
            ssyssrc: text("SSYSSRC"),
            restfrq: header_f64(h, "RESTFRQ")
                .or_else(|| header_f64(h, "RESTFREQ"))
                .filter(|v| *v != 0.0),
            restwav: header_f64(h, "RESTWAV").filter(|v| *v != 0.0),
            velosys: header_f64(h, "VELOSYS"),
            zsource: header_f64(h, "ZSOURCE"),
            velangl: header_f64(h, "VELANGL"),
        }
    }

    fn has_cd(&self) -> bool {
        self.cd.is_some()
    }

    fn cd(&self, i: usize, j: usize) -> Option<f64> {
        let n = self.axes.len();
        self.cd
            .as_ref()
            .and_then(|m| m.get(i * n + j).copied())
            .filter(|_| i < n && j < n)
    }
}

/// SI unit and scale of a spectral unit, for the units wcslib converts.
fn spectral_si(unit: &str) -> Option<(&'static str, f64)> {
    Some(match unit.trim() {
        "m" => ("m", 1.0),
        "km" => ("m", 1e3),
        "cm" => ("m", 1e-2),
        "mm" => ("m", 1e-3),
        "um" => ("m", 1e-6),
        "nm" => ("m", 1e-9),
        "Angstrom" => ("m", 1e-10),
        "Hz" => ("Hz", 1.0),
        "kHz" => ("Hz", 1e3),
        "MHz" => ("Hz", 1e6),
        "GHz" => ("Hz", 1e9),
        "m/s" => ("m/s", 1.0),
        "km/s" => ("m/s", 1e3),
        _ => return None,
    })
}

/// The WCS of one HDU and its (already modified) header.
pub(crate) struct HduWcs<'a> {
    pub info: &'a WcsView,
    pub header: &'a Header,
}

/// First axis whose CTYPE prefix is in `names` (the reference's `_get_axis_index`).
pub(crate) fn axis_index(ctypes: &[Option<&str>], names: &[&str]) -> Option<usize> {
    for (i, c) in ctypes.iter().enumerate() {
        let c = c.unwrap_or("");
        let head = c.split('-').next().unwrap_or("");
        if names.contains(&head) || (head.is_empty() && names.contains(&c)) {
            return Some(i);
        }
    }
    None
}

fn sanitize(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

fn header_f64(h: &Header, key: &str) -> Option<f64> {
    match h.get(key)? {
        Value::Float(f) => sanitize(*f),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

impl<'a> HduWcs<'a> {
    fn ctypes(&self) -> Vec<Option<&str>> {
        self.info.axes.iter().map(|a| a.ctype.as_deref()).collect()
    }

    fn index(&self, names: &[&str]) -> Option<usize> {
        axis_index(&self.ctypes(), names)
    }

    /// `ZNAXISn`, else `NAXISn`, as an integer; `Err` when neither is there (the reference's
    /// `ValueError`, which skips the axis).
    fn axis_length(&self, n: usize) -> Result<i64, ()> {
        for k in [format!("ZNAXIS{n}"), format!("NAXIS{n}")] {
            if let Some(v) = self.header.get(&k) {
                let ok = match v {
                    Value::Float(f) if f.is_nan() => None,
                    Value::String(s) if s.is_empty() => None,
                    v => Some(v),
                };
                if let Some(v) = ok {
                    return Val::Header(v).to_i64().map_err(|_| ());
                }
            }
        }
        Err(())
    }

    fn axis(&self, i: usize) -> Axis {
        let a = &self.info.axes[i];
        let unit = a
            .cunit
            .as_deref()
            .map(astropy_unit)
            .filter(|u| !u.is_empty());
        Axis::new(a.ctype.clone().unwrap_or_default(), unit.as_deref())
    }

    /// CSYERn / CRDERn as wcslib reads them (numeric keywords only).
    fn error(&self, i: usize) -> Option<CoordError> {
        let n = i + 1;
        let syser = header_f64(self.header, &format!("CSYER{n}"))?;
        let rnder = header_f64(self.header, &format!("CRDER{n}"))?;
        Some(CoordError { syser, rnder })
    }

    fn ref_coord(&self, i: usize) -> Option<RefCoord> {
        let a = &self.info.axes[i];
        Some(RefCoord::new(sanitize(a.crpix)?, sanitize(a.crval)?))
    }

    fn delta(&self, i: usize) -> f64 {
        if self.info.has_cd() {
            self.info.cd(i, i).unwrap_or(0.0)
        } else {
            self.info.axes[i].cdelt
        }
    }

    /// `augment_position`.
    pub fn position(&self, chunk: &mut Chunk, file: &str) -> Result<(), WcsShapeError> {
        let (x, y) = match (self.index(RA), self.index(DEC)) {
            (Some(x), Some(y)) => (x, y),
            (None, None) => return Ok(()),
            (x, y) => {
                return Err(WcsShapeError(format!(
                    "found only one position axis ra/dec: {x:?}/{y:?} in {file}"
                )))
            }
        };
        chunk.position_axis1 = Some(x as i32 + 1);
        chunk.position_axis2 = Some(y as i32 + 1);
        let (Ok(n1), Ok(n2)) = (self.axis_length(x + 1), self.axis_length(y + 1)) else {
            return Ok(());
        };
        if n1 <= 0 || n2 <= 0 {
            return Ok(());
        }
        let dimension = Dimension2D {
            naxis1: n1,
            naxis2: n2,
        };
        let cd = if self.info.has_cd() {
            match (
                self.info.cd(x, x),
                self.info.cd(x, y),
                self.info.cd(y, x),
                self.info.cd(y, y),
            ) {
                (Some(a), Some(b), Some(c), Some(d)) => Some((a, b, c, d)),
                _ => None,
            }
        } else {
            // CDELT plus CROTA; without CROTA (e.g. a PC matrix) there is no function
            let ax = &self.info.axes;
            match (ax[x].crota, ax[y].crota) {
                (Some(rx), Some(ry)) => Some((ax[x].cdelt, rx, ry, ax[y].cdelt)),
                _ => None,
            }
        };
        let function = match (self.ref_coord(x), self.ref_coord(y), cd) {
            (Some(c1), Some(c2), Some((cd11, cd12, cd21, cd22))) => Some(CoordFunction2D {
                dimension,
                ref_coord: Coord2D {
                    coord1: c1,
                    coord2: c2,
                },
                cd11,
                cd12,
                cd21,
                cd22,
            }),
            _ => None,
        };
        let mut axis = CoordAxis2D::new(self.axis(x), self.axis(y));
        axis.error1 = self.error(x);
        axis.error2 = self.error(y);
        axis.function = function;
        let pos = match &mut chunk.position {
            Some(p) => {
                p.axis = axis;
                p
            }
            None => chunk.position.insert(SpatialWcs::new(axis)),
        };
        pos.coordsys = self.info.radesys.clone();
        match self.info.equinox {
            Some(e) if !(1800.0..=2500.0).contains(&e) => {}
            e => pos.equinox = e,
        }
        Ok(())
    }

    /// `augment_energy`.
    pub fn energy(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(ENERGY) else { return };
        let Ok(length) = self.axis_length(i + 1) else {
            return;
        };
        if length == 0 {
            return;
        }
        chunk.energy_axis = Some(i as i32 + 1);
        let mut axis = CoordAxis1D::new(self.axis(i));
        axis.error = self.error(i);
        let delta = self.delta(i);
        if let (true, Some(r)) = (delta != 0.0 && !delta.is_nan(), self.ref_coord(i)) {
            axis.function = Some(CoordFunction1D {
                naxis: length,
                delta,
                ref_coord: r,
            });
        }
        let specsys = self.info.specsys.clone().unwrap_or_default();
        let e = match &mut chunk.energy {
            Some(e) => {
                e.axis = axis;
                e.specsys = specsys;
                e
            }
            None => chunk.energy.insert(SpectralWcs::new(axis, specsys)),
        };
        e.ssysobs = self.info.ssysobs.clone();
        if let Some(f) = self.info.restfrq {
            e.restfrq = Some(f);
        }
        if let Some(w) = self.info.restwav {
            e.restwav = Some(w);
        }
        e.velosys = self.info.velosys;
        e.zsource = self.info.zsource;
        e.ssyssrc = self.info.ssyssrc.clone();
        e.velang = self.info.velangl;
    }

    /// `augment_temporal`; the scalars come from the header.
    pub fn time(&self, chunk: &mut Chunk) -> Result<(), String> {
        let Some(i) = self.index(TIME) else {
            return Ok(());
        };
        chunk.time_axis = Some(i as i32 + 1);
        let Ok(length) = self.axis_length(i + 1) else {
            return Ok(());
        };
        if length == 0 {
            return Ok(());
        }
        let Some(r) = self.ref_coord(i) else {
            return Ok(());
        };
        let mut axis = CoordAxis1D::new(self.axis(i));
        axis.error = self.error(i);
        axis.function = Some(CoordFunction1D {
            naxis: length,
            delta: self.delta(i),
            ref_coord: r,
        });
        let t = match &mut chunk.time {
            Some(t) => {
                t.axis = axis;
                t
            }
            None => chunk.time.insert(TemporalWcs::new(axis)),
        };
        let h = self.header;
        let num = |k: &str| -> Result<Option<f64>, String> {
            match h.get(k) {
                None => Ok(None),
                Some(v) => Val::Header(v)
                    .to_f64()
                    .map(Some)
                    .map_err(|e| format!("keyword {k}: {}", e.0)),
            }
        };
        t.exposure = num("EXPTIME")?;
        t.resolution = num("TIMEDEL")?;
        t.timesys = Some(h.get("TIMESYS").map_or("UTC".to_string(), py_str_value));
        t.trefpos = h.get("TREFPOS").map(py_str_value);
        t.mjdref = match num("MJDREF")? {
            Some(m) => Some(m),
            None => num("MJDDATE")?,
        };
        Ok(())
    }

    /// `augment_polarization`.
    pub fn polarization(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(POLARIZATION) else {
            return;
        };
        let Ok(length) = self.axis_length(i + 1) else {
            return;
        };
        if length == 0 {
            return;
        }
        chunk.polarization_axis = Some(i as i32 + 1);
        let mut axis = CoordAxis1D::new(self.axis(i));
        let delta = self.delta(i);
        if let (true, Some(r)) = (delta != 0.0 && !delta.is_nan(), self.ref_coord(i)) {
            axis.function = Some(CoordFunction1D {
                naxis: length,
                delta,
                ref_coord: r,
            });
        }
        match &mut chunk.polarization {
            Some(p) => p.axis = axis,
            None => chunk.polarization = Some(PolarizationWcs { axis }),
        }
    }

    /// `augment_observable`: ctype, cunit and bin straight from the header.
    pub fn observable(&self, chunk: &mut Chunk) -> Result<(), String> {
        let Some(i) = self.index(OBSERVABLE) else {
            return Ok(());
        };
        let n = i + 1;
        chunk.observable_axis = Some(n as i32);
        let h = self.header;
        if let (Some(ctype), Some(cunit), Some(bin)) = (
            h.get(&format!("CTYPE{n}")),
            h.get(&format!("CUNIT{n}")),
            h.get(&format!("CRPIX{n}")),
        ) {
            let bin = Val::Header(bin)
                .to_i64()
                .map_err(|e| format!("keyword CRPIX{n}: {}", e.0))?;
            let cunit = py_str_value(cunit);
            let axis = Axis::new(
                py_str_value(ctype),
                (!cunit.is_empty()).then_some(cunit.as_str()),
            );
            chunk.observable = Some(ObservableAxis {
                dependent: Slice { axis, bin },
                independent: None,
            });
        }
        Ok(())
    }

    /// `augment_custom`.
    pub fn custom(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(CUSTOM) else { return };
        let Ok(length) = self.axis_length(i + 1) else {
            return;
        };
        if length == 0 {
            return;
        }
        chunk.custom_axis = Some(i as i32 + 1);
        let mut axis = CoordAxis1D::new(self.axis(i));
        let delta = self.delta(i);
        if let (true, Some(r)) = (delta != 0.0 && !delta.is_nan(), self.ref_coord(i)) {
            axis.function = Some(CoordFunction1D {
                naxis: length,
                delta,
                ref_coord: r,
            });
        }
        chunk.custom = Some(CustomWcs { axis });
    }
}
