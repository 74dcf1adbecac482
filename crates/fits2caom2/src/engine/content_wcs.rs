//! Chunk WCS built from blueprint values alone (the reference's `WcsParser._set_wcs`, used
//! for inputs whose header is not read — a non-`cadc:` URI — and for HDF5 files).
//!
//! The reference fills an astropy `WCS(naxis=N)` with one axis per configured CAOM axis, in
//! the order position (2), time, energy, polarization, observable, custom, and reads it back.
//! Nothing there goes through wcslib's header parser; wcslib's setup (`wcsset`) runs only
//! when the position resolution is computed, and then fails on a singular matrix (any
//! configured axis without a delta), in which case there is no resolution. When it succeeds,
//! the axes read after position see wcslib's normalised values.

use caom2::{
    Axis, Chunk, Coord2D, CoordAxis1D, CoordAxis2D, CoordError, CoordFunction1D, CoordFunction2D,
    CustomWcs, Dimension2D, PolarizationWcs, RefCoord, SpatialWcs, SpectralWcs, TemporalWcs,
};

use crate::blueprint::Axes;
use crate::card::{format_float, Value};
use crate::functions::FnValue;
use crate::keys::Key;

use super::fits_wcs::{axis_index, CUSTOM, DEC, ENERGY, OBSERVABLE, POLARIZATION, RA, TIME};
use super::plan::{Entry, Resolved};
use super::units::astropy_unit;
use super::values::Val;

/// A value of the plan that cannot go into the WCS.
#[derive(Debug)]
pub(crate) struct ContentError {
    pub key: &'static str,
    pub message: String,
}

fn k(name: &'static str) -> Key {
    Key::from_name(name).unwrap_or_else(|| panic!("{name} is in the key table"))
}

/// The WCS of one part.
pub(crate) struct ContentWcs {
    n: usize,
    hdf5: bool,
    ctype: Vec<String>,
    cunit: Vec<String>,
    shape: Option<Vec<i64>>,
    crpix: Vec<f64>,
    crval: Vec<f64>,
    crder: Option<Vec<f64>>,
    csyer: Option<Vec<f64>>,
    cd: Vec<f64>,
    radesys: Option<String>,
    equinox: Option<f64>,
    specsys: Option<String>,
    ssysobs: Option<String>,
    ssyssrc: Option<String>,
    restfrq: Option<f64>,
    restwav: Option<f64>,
    velosys: Option<f64>,
    zsource: Option<f64>,
    velangl: Option<f64>,
    xposure: Option<f64>,
    timesys: Option<String>,
    trefpos: Option<String>,
    mjdref: Option<f64>,
    // fixed indices of the configured axes
    ra: usize,
    dec: usize,
    time: usize,
    energy: usize,
    pol: usize,
    obs: usize,
    custom: usize,
    /// Set once wcsset has run successfully.
    set: bool,
}

/// A raw plan value for a part (`_get(key, extension)`), or nothing for lookups and nulls.
fn raw<'a>(plan: &'a Resolved, key: Key, ext: usize) -> Option<Val<'a>> {
    match &plan.get(key, ext)?.entry {
        Entry::Text(t) => Some(Val::Text(t)),
        Entry::Value(v) => Some(Val::Fn(v)),
        _ => None,
    }
}

fn sanitized(v: Option<Val>) -> Option<Val> {
    v.filter(|v| match v {
        Val::Text(t) => !t.is_empty(),
        Val::Fn(FnValue::Scalar(Value::Float(f))) => !f.is_nan(),
        Val::Fn(FnValue::Scalar(Value::String(s))) => !s.is_empty(),
        Val::Header(_) => true,
        Val::Fn(_) => true,
    })
}

impl ContentWcs {
    /// Builds the WCS of part `ext` from the plan.
    pub fn build(
        plan: &Resolved,
        axes: &Axes,
        ext: usize,
        hdf5: bool,
    ) -> Result<ContentWcs, ContentError> {
        let n = axes.count();
        let mut w = ContentWcs {
            n,
            hdf5,
            ctype: vec![String::new(); n],
            cunit: vec![String::new(); n],
            shape: None,
            crpix: vec![0.0; n],
            crval: vec![0.0; n],
            crder: None,
            csyer: None,
            cd: vec![0.0; n * n],
            radesys: None,
            equinox: None,
            specsys: None,
            ssysobs: None,
            ssyssrc: None,
            restfrq: None,
            restwav: None,
            velosys: None,
            zsource: None,
            velangl: None,
            xposure: None,
            timesys: None,
            trefpos: None,
            mjdref: None,
            ra: 0,
            dec: 0,
            time: 0,
            energy: 0,
            pol: 0,
            obs: 0,
            custom: 0,
            set: false,
        };
        let mut shape = vec![0i64; n];
        let mut crder = vec![0.0; n];
        let mut csyer = vec![0.0; n];
        let f64_of =
            |key: &'static str, v: Val| v.to_f64().map_err(|e| ContentError { key, message: e.0 });
        let i64_of =
            |key: &'static str, v: Val| v.to_i64().map_err(|e| ContentError { key, message: e.0 });
        macro_rules! put_str {
            ($arr:expr, $i:expr, $key:literal, $sanitize:expr) => {{
                let v = raw(plan, k($key), ext);
                let v = if $sanitize { sanitized(v) } else { v };
                if let Some(v) = v {
                    $arr[$i] = v.py_str();
                }
            }};
        }
        macro_rules! put_f64 {
            ($arr:expr, $i:expr, $key:literal, $sanitize:expr) => {{
                let v = raw(plan, k($key), ext);
                let v = if $sanitize { sanitized(v) } else { v };
                if let Some(v) = v {
                    $arr[$i] = f64_of($key, v)?;
                }
            }};
        }
        macro_rules! put_i64 {
            ($arr:expr, $i:expr, $key:literal, $sanitize:expr) => {{
                let v = raw(plan, k($key), ext);
                let v = if $sanitize { sanitized(v) } else { v };
                if let Some(v) = v {
                    $arr[$i] = i64_of($key, v)?;
                }
            }};
        }
        let mut count = 0usize;
        if axes.position.is_some() {
            w.ra = count;
            w.dec = count + 1;
            put_str!(w.ctype, count, "Chunk.position.axis.axis1.ctype", true);
            put_str!(w.ctype, count + 1, "Chunk.position.axis.axis2.ctype", true);
            put_str!(w.cunit, count, "Chunk.position.axis.axis1.cunit", true);
            put_str!(w.cunit, count + 1, "Chunk.position.axis.axis2.cunit", true);
            put_i64!(
                shape,
                count,
                "Chunk.position.axis.function.dimension.naxis1",
                true
            );
            put_i64!(
                shape,
                count + 1,
                "Chunk.position.axis.function.dimension.naxis2",
                true
            );
            put_f64!(
                w.crpix,
                count,
                "Chunk.position.axis.function.refCoord.coord1.pix",
                true
            );
            put_f64!(
                w.crpix,
                count + 1,
                "Chunk.position.axis.function.refCoord.coord2.pix",
                true
            );
            put_f64!(
                w.crval,
                count,
                "Chunk.position.axis.function.refCoord.coord1.val",
                true
            );
            put_f64!(
                w.crval,
                count + 1,
                "Chunk.position.axis.function.refCoord.coord2.val",
                true
            );
            for (key, i, j) in [
                ("Chunk.position.axis.function.cd11", count, 0),
                ("Chunk.position.axis.function.cd12", count, 1),
                ("Chunk.position.axis.function.cd21", count + 1, 0),
                ("Chunk.position.axis.function.cd22", count + 1, 1),
            ] {
                if let Some(v) = raw(plan, k(key), ext) {
                    w.cd[i * n + j] = f64_of(key, v)?;
                }
            }
            put_f64!(crder, count, "Chunk.position.axis.error1.rnder", true);
            put_f64!(crder, count + 1, "Chunk.position.axis.error2.rnder", true);
            put_f64!(csyer, count, "Chunk.position.axis.error1.syser", true);
            put_f64!(csyer, count + 1, "Chunk.position.axis.error2.syser", true);
            count += 2;
        }
        // the delta of a 1-D axis: a lookup counts as 1, a value as itself
        let delta = |key: &'static str| -> Result<Option<f64>, ContentError> {
            match plan.get(k(key), ext).map(|s| &s.entry) {
                None | Some(Entry::Null) => Ok(None),
                Some(Entry::Lookup(_)) | Some(Entry::Table(_)) => Ok(Some(1.0)),
                Some(Entry::Text(t)) => f64_of(key, Val::Text(t)).map(Some),
                Some(Entry::Value(v)) => f64_of(key, Val::Fn(v)).map(Some),
                Some(Entry::Call(_)) => Ok(None),
            }
        };
        if axes.time.is_some() {
            w.time = count;
            put_str!(w.ctype, count, "Chunk.time.axis.axis.ctype", false);
            put_str!(w.cunit, count, "Chunk.time.axis.axis.cunit", false);
            put_i64!(shape, count, "Chunk.time.axis.function.naxis", false);
            put_f64!(
                w.crpix,
                count,
                "Chunk.time.axis.function.refCoord.pix",
                false
            );
            put_f64!(
                w.crval,
                count,
                "Chunk.time.axis.function.refCoord.val",
                false
            );
            put_f64!(crder, count, "Chunk.time.axis.error.rnder", true);
            put_f64!(csyer, count, "Chunk.time.axis.error.syser", true);
            if let Some(d) = delta("Chunk.time.axis.function.delta")? {
                w.cd[count * n + count] = d;
            }
            count += 1;
        }
        if axes.energy.is_some() {
            w.energy = count;
            put_str!(w.ctype, count, "Chunk.energy.axis.axis.ctype", false);
            put_str!(w.cunit, count, "Chunk.energy.axis.axis.cunit", false);
            put_i64!(shape, count, "Chunk.energy.axis.function.naxis", false);
            put_f64!(
                w.crpix,
                count,
                "Chunk.energy.axis.function.refCoord.pix",
                false
            );
            put_f64!(
                w.crval,
                count,
                "Chunk.energy.axis.function.refCoord.val",
                false
            );
            put_f64!(crder, count, "Chunk.energy.axis.error.rnder", true);
            put_f64!(csyer, count, "Chunk.energy.axis.error.syser", true);
            if let Some(d) = delta("Chunk.energy.axis.function.delta")? {
                w.cd[count * n + count] = d;
            }
            count += 1;
        }
        if axes.polarization.is_some() {
            w.pol = count;
            put_str!(w.ctype, count, "Chunk.polarization.axis.axis.ctype", false);
            put_str!(w.cunit, count, "Chunk.polarization.axis.axis.cunit", false);
            put_i64!(
                shape,
                count,
                "Chunk.polarization.axis.function.naxis",
                false
            );
            put_f64!(
                w.crpix,
                count,
                "Chunk.polarization.axis.function.refCoord.pix",
                false
            );
            put_f64!(
                w.crval,
                count,
                "Chunk.polarization.axis.function.refCoord.val",
                false
            );
            if let Some(d) = delta("Chunk.polarization.axis.function.delta")? {
                w.cd[count * n + count] = d;
            }
            count += 1;
        }
        if axes.observable.is_some() {
            w.obs = count;
            put_str!(w.ctype, count, "Chunk.observable.axis.axis.ctype", false);
            put_str!(w.cunit, count, "Chunk.observable.axis.axis.cunit", false);
            shape[count] = 1;
            put_f64!(
                w.crpix,
                count,
                "Chunk.observable.axis.function.refCoord.pix",
                false
            );
            w.crval[count] = 0.0;
            w.cd[count * n + count] = 1.0;
            count += 1;
        }
        if axes.custom.is_some() {
            w.custom = count;
            put_str!(w.ctype, count, "Chunk.custom.axis.axis.ctype", false);
            put_str!(w.cunit, count, "Chunk.custom.axis.axis.cunit", false);
            put_i64!(shape, count, "Chunk.custom.axis.function.naxis", false);
            put_f64!(
                w.crpix,
                count,
                "Chunk.custom.axis.function.refCoord.pix",
                false
            );
            put_f64!(
                w.crval,
                count,
                "Chunk.custom.axis.function.refCoord.val",
                false
            );
            if let Some(d) = delta("Chunk.custom.axis.function.delta")? {
                w.cd[count * n + count] = d;
            }
        }
        if shape.iter().any(|&s| s != 0) {
            w.shape = Some(shape);
        }
        if crder.iter().any(|&v| v != 0.0) {
            w.crder = Some(crder);
        }
        if csyer.iter().any(|&v| v != 0.0) {
            w.csyer = Some(csyer);
        }
        // the _finish_* steps: truthy literal values only
        let truthy = |key: &'static str| raw(plan, k(key), ext).filter(|v| v.is_truthy());
        if axes.position.is_some() {
            w.radesys = truthy("Chunk.position.coordsys").map(|v| v.py_str());
            if let Some(v) = truthy("Chunk.position.equinox") {
                w.equinox = Some(f64_of("Chunk.position.equinox", v)?);
            }
        }
        if axes.time.is_some() {
            if let Some(v) = truthy("Chunk.time.exposure") {
                w.xposure = Some(f64_of("Chunk.time.exposure", v)?);
            }
            w.timesys = truthy("Chunk.time.timesys").map(|v| v.py_str());
            w.trefpos = truthy("Chunk.time.trefpos").map(|v| v.py_str());
            if let Some(v) = truthy("Chunk.time.mjdref") {
                w.mjdref = Some(f64_of("Chunk.time.mjdref", v)?);
            }
        }
        if axes.energy.is_some() {
            w.specsys = truthy("Chunk.energy.specsys").map(|v| v.py_str());
            w.ssysobs = truthy("Chunk.energy.ssysobs").map(|v| v.py_str());
            w.ssyssrc = truthy("Chunk.energy.ssyssrc").map(|v| v.py_str());
            for (key, slot) in [
                ("Chunk.energy.restfrq", &mut w.restfrq),
                ("Chunk.energy.restwav", &mut w.restwav),
                ("Chunk.energy.velosys", &mut w.velosys),
                ("Chunk.energy.zsource", &mut w.zsource),
                ("Chunk.energy.velang", &mut w.velangl),
            ] {
                if let Some(v) = truthy(key) {
                    *slot = Some(f64_of(key, v)?);
                }
            }
        }
        Ok(w)
    }

    fn index(&self, names: &[&str]) -> Option<usize> {
        if self.hdf5 {
            // fixed positions by axis kind, as the reference's Hdf5WcsParser
            return Some(if names.contains(&"RA") {
                self.ra
            } else if names.contains(&"DEC") {
                self.dec
            } else if names.contains(&"TIME") {
                self.time
            } else if names.contains(&"FREQ") {
                self.energy
            } else if names.contains(&"STOKES") {
                self.pol
            } else if names.contains(&"FLUX") {
                self.obs
            } else {
                self.custom
            });
        }
        let c: Vec<Option<&str>> = self.ctype.iter().map(|s| Some(s.as_str())).collect();
        axis_index(&c, names)
    }

    fn length(&self, for_axis: usize) -> i64 {
        match &self.shape {
            None => 0,
            Some(s) if s.len() == 1 => s[0],
            Some(s) => s.get(for_axis - 1).copied().unwrap_or(0),
        }
    }

    fn axis(&self, i: usize) -> Axis {
        let u = astropy_unit(&self.cunit[i]);
        Axis::new(self.ctype[i].clone(), (!u.is_empty()).then_some(u.as_str()))
    }

    fn error(&self, i: usize) -> Option<CoordError> {
        let s = self.csyer.as_ref()?.get(i).copied()?;
        let r = self.crder.as_ref()?.get(i).copied()?;
        Some(CoordError { syser: s, rnder: r })
    }

    fn ref_coord(&self, i: usize) -> Option<RefCoord> {
        let (p, v) = (self.crpix[i], self.crval[i]);
        (!p.is_nan() && !v.is_nan()).then(|| RefCoord::new(p, v))
    }

    fn cd(&self, i: usize, j: usize) -> f64 {
        self.cd[i * self.n + j]
    }

    /// `augment_position` and the resolution of `_finish_chunk_position`.
    pub fn position(&mut self, chunk: &mut Chunk) -> Result<(), String> {
        let (x, y) = if self.hdf5 {
            (self.ra, self.dec)
        } else {
            match (self.index(RA), self.index(DEC)) {
                (Some(x), Some(y)) => (x, y),
                (None, None) => return Ok(()),
                (x, y) => return Err(format!("found only one position axis ra/dec: {x:?}/{y:?}")),
            }
        };
        chunk.position_axis1 = Some(x as i32 + 1);
        chunk.position_axis2 = Some(y as i32 + 1);
        let (n1, n2) = (self.length(x + 1), self.length(y + 1));
        if n1 <= 0 || n2 <= 0 {
            return Ok(());
        }
        let function = match (self.ref_coord(x), self.ref_coord(y)) {
            (Some(c1), Some(c2)) => Some(CoordFunction2D {
                dimension: Dimension2D {
                    naxis1: n1,
                    naxis2: n2,
                },
                ref_coord: Coord2D {
                    coord1: c1,
                    coord2: c2,
                },
                cd11: self.cd(x, x),
                cd12: self.cd(x, y),
                cd21: self.cd(y, x),
                cd22: self.cd(y, y),
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
        pos.coordsys = self.radesys.clone().filter(|s| !s.is_empty());
        match self.equinox {
            Some(e) if !(1800.0..=2500.0).contains(&e) => {}
            e => pos.equinox = e,
        }
        if pos.resolution.is_none() {
            pos.resolution = self.wcsset();
        }
        Ok(())
    }

    /// Runs wcslib's setup on the WCS as it stands; on success, later reads see the
    /// normalised values and the first column of the pixel scale matrix gives the
    /// resolution. Failure (typically a singular matrix) gives no resolution, as in the
    /// reference.
    fn wcsset(&mut self) -> Option<f64> {
        let n = self.n;
        let mut text = String::new();
        let mut card = |k: String, v: String| {
            text.push_str(&format!("{:<8}= {:>20}", k, v));
            let pad = 80 - (10 + v.len().max(20));
            text.push_str(&" ".repeat(pad));
        };
        let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
        card("NAXIS".into(), n.to_string());
        for i in 0..n {
            let a = i + 1;
            if !self.ctype[i].is_empty() {
                card(format!("CTYPE{a}"), q(&self.ctype[i]));
            }
            if !self.cunit[i].is_empty() {
                card(format!("CUNIT{a}"), q(&self.cunit[i]));
            }
            card(format!("CRPIX{a}"), format_float(self.crpix[i]));
            card(format!("CRVAL{a}"), format_float(self.crval[i]));
            for j in 0..n {
                card(format!("CD{a}_{}", j + 1), format_float(self.cd(i, j)));
            }
        }
        if let Some(r) = &self.radesys {
            card("RADESYS".into(), q(r));
        }
        if let Some(e) = self.equinox {
            card("EQUINOX".into(), format_float(e));
        }
        if let Some(s) = &self.specsys {
            card("SPECSYS".into(), q(s));
        }
        if let Some(f) = self.restfrq {
            card("RESTFRQ".into(), format_float(f));
        }
        if let Some(w) = self.restwav {
            card("RESTWAV".into(), format_float(w));
        }
        if !text.len().is_multiple_of(80) || text.lines().any(|l| l.len() > 80) {
            return None;
        }
        let wcs = wcs::Wcs::from_header(&text, &wcs::ParseOptions::default()).ok()?;
        let info = wcs.info();
        if info.naxis != n || info.linear_is_singular() {
            return None;
        }
        for (i, a) in info.axes.iter().enumerate() {
            self.crval[i] = a.crval;
            self.crpix[i] = a.crpix;
            if let Some(u) = &a.cunit {
                self.cunit[i] = u.clone();
            }
        }
        if let Some(cd) = &info.cd {
            self.cd = cd.clone();
        }
        self.set = true;
        let col0: f64 = (0..n)
            .map(|i| {
                let m = info.axes[i].cdelt * info.pc.get(i * n).copied().unwrap_or(0.0);
                m * m
            })
            .sum();
        Some(col0.sqrt())
    }

    fn one_d(&self, i: usize, length: i64, with_error: bool, check_delta: bool) -> CoordAxis1D {
        let mut axis = CoordAxis1D::new(self.axis(i));
        if with_error {
            axis.error = self.error(i);
        }
        let delta = self.cd(i, i);
        if let Some(r) = self.ref_coord(i) {
            if !check_delta || (delta != 0.0 && !delta.is_nan()) {
                axis.function = Some(CoordFunction1D {
                    naxis: length,
                    delta,
                    ref_coord: r,
                });
            }
        }
        axis
    }

    /// `augment_energy`.
    pub fn energy(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(ENERGY) else { return };
        let length = self.length(i + 1);
        if length == 0 {
            return;
        }
        chunk.energy_axis = Some(i as i32 + 1);
        let axis = self.one_d(i, length, true, true);
        let specsys = self.specsys.clone().unwrap_or_default();
        let e = match &mut chunk.energy {
            Some(e) => {
                e.axis = axis;
                e.specsys = specsys;
                e
            }
            None => chunk.energy.insert(SpectralWcs::new(axis, specsys)),
        };
        e.ssysobs = self.ssysobs.clone();
        if let Some(f) = self.restfrq.filter(|f| *f != 0.0) {
            e.restfrq = Some(f);
        }
        if let Some(w) = self.restwav.filter(|w| *w != 0.0) {
            e.restwav = Some(w);
        }
        e.velosys = self.velosys;
        e.zsource = self.zsource;
        e.ssyssrc = self.ssyssrc.clone();
        e.velang = self.velangl;
    }

    /// `augment_temporal`.
    pub fn time(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(TIME) else { return };
        chunk.time_axis = Some(i as i32 + 1);
        let length = self.length(i + 1);
        if length == 0 || self.ref_coord(i).is_none() {
            return;
        }
        let axis = self.one_d(i, length, true, false);
        let t = match &mut chunk.time {
            Some(t) => {
                t.axis = axis;
                t
            }
            None => chunk.time.insert(TemporalWcs::new(axis)),
        };
        if let Some(x) = self.xposure {
            t.exposure = Some(x);
        }
        if let Some(s) = self.timesys.clone().filter(|s| !s.is_empty()) {
            t.timesys = Some(s);
        }
        if let Some(s) = self.trefpos.clone().filter(|s| !s.is_empty()) {
            t.trefpos = Some(s);
        }
        if let Some(m) = self.mjdref.filter(|m| *m != 0.0) {
            t.mjdref = Some(m);
        }
    }

    /// `augment_polarization`.
    pub fn polarization(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(POLARIZATION) else {
            return;
        };
        let length = self.length(i + 1);
        if length == 0 {
            return;
        }
        chunk.polarization_axis = Some(i as i32 + 1);
        let axis = self.one_d(i, length, false, true);
        match &mut chunk.polarization {
            Some(p) => p.axis = axis,
            None => chunk.polarization = Some(PolarizationWcs { axis }),
        }
    }

    /// `augment_observable` (content version: ctype for both ctype and cunit, as the
    /// reference does).
    pub fn observable(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(OBSERVABLE) else {
            return;
        };
        chunk.observable_axis = Some(i as i32 + 1);
        let bin = self.crpix[i];
        if !bin.is_nan() {
            let ctype = self.ctype[i].clone();
            chunk.observable = Some(caom2::ObservableAxis {
                dependent: caom2::Slice {
                    axis: Axis::new(ctype.clone(), (!ctype.is_empty()).then_some(ctype.as_str())),
                    bin: bin.trunc() as i64,
                },
                independent: None,
            });
        }
    }

    /// `augment_custom`.
    pub fn custom(&self, chunk: &mut Chunk) {
        let Some(i) = self.index(CUSTOM) else { return };
        let length = self.length(i + 1);
        if length == 0 {
            return;
        }
        chunk.custom_axis = Some(i as i32 + 1);
        chunk.custom = Some(CustomWcs {
            axis: self.one_d(i, length, false, true),
        });
    }
}
