//! Our time scales, frames and geocentric positions against astropy's values
//! (`tests/data/astropy_values.json`, made by `tools/astropy_reference_values.py`): 1e-12
//! relative, where the reference pipeline's outputs depend on them.

use astro::{frames, time_scale};
use serde_json::Value;

fn data() -> Value {
    let text = include_str!("data/astropy_values.json");
    serde_json::from_str(text).expect("astropy_values.json parses")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// 1e-12 relative; angles near 0 compared with 1e-12 degrees absolute, and 360 ≡ 0.
fn agrees(got: f64, want: f64) -> bool {
    let d = (got - want).abs();
    d <= 1e-12 * want.abs().max(1.0) || ((d - 360.0).abs() <= 1e-12 * 360.0)
}

#[test]
fn frames_agree_with_astropy() {
    let d = data();
    let mut worst: f64 = 0.0;
    let mut bad = Vec::new();
    let list = d["frames"].as_array().expect("frames");
    for c in list {
        let (a, b) = (f(&c["input"][0]), f(&c["input"][1]));
        let eq = c.get("equinox").map(f);
        let got = match c["kind"].as_str().expect("kind") {
            "fk5_to_icrs" => frames::fk5_to_icrs(a, b, eq.expect("equinox")),
            "fk5_precess" => frames::fk5_precess(a, b, eq.expect("equinox"), 2000.0),
            "icrs_to_fk5" => frames::icrs_to_fk5(a, b, eq.expect("equinox")),
            "galactic_to_icrs" => frames::galactic_to_icrs(a, b),
            "icrs_to_galactic" => frames::icrs_to_galactic(a, b),
            "fk4_to_icrs" => frames::fk4_to_icrs(a, b, eq.expect("equinox")),
            k => panic!("kind {k}"),
        };
        let want = (f(&c["expected"][0]), f(&c["expected"][1]));
        // near the pole the longitude is ill-defined: compare positions on the sphere there
        let polar = want.1.abs() > 89.99;
        let ok = if polar {
            let sep = separation(got, want);
            worst = worst.max(sep / 1.0);
            sep <= 1e-12 * 360.0
        } else {
            worst = worst
                .max(((got.0 - want.0).abs() % 360.0) / want.0.abs().max(1.0))
                .max((got.1 - want.1).abs() / want.1.abs().max(1.0));
            agrees(got.0, want.0) && agrees(got.1, want.1)
        };
        if !ok {
            bad.push(format!("{c}: got {got:?}"));
        }
    }
    eprintln!(
        "frames: {} of {} agree with astropy (largest relative difference {worst:e})",
        list.len() - bad.len(),
        list.len()
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

fn separation(a: (f64, f64), b: (f64, f64)) -> f64 {
    let u = |p: (f64, f64)| {
        let (l, b) = (p.0.to_radians(), p.1.to_radians());
        [b.cos() * l.cos(), b.cos() * l.sin(), b.sin()]
    };
    let (x, y) = (u(a), u(b));
    let c = [
        x[1] * y[2] - x[2] * y[1],
        x[2] * y[0] - x[0] * y[2],
        x[0] * y[1] - x[1] * y[0],
    ];
    let s = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
    let dot = x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
    s.atan2(dot).to_degrees()
}

#[test]
fn times_agree_with_astropy() {
    let d = data();
    let list = d["times"].as_array().expect("times");
    let mut bad = Vec::new();
    let mut worst: f64 = 0.0;
    for c in list {
        let want = f(&c["expected"]);
        let got = match c["kind"].as_str().expect("kind") {
            "iso_to_mjd_utc" => time_scale::iso_to_mjd_utc(c["input"].as_str().expect("text"))
                .map_err(|e| e.to_string()),
            "add_seconds_utc" => time_scale::add_seconds_utc(f(&c["input"][0]), f(&c["input"][1]))
                .map_err(|e| e.to_string()),
            "tai_to_utc" => time_scale::tai_mjd_to_utc(0.0, f(&c["input"]))
                .and_then(|x| x.checked())
                .map_err(|e| e.to_string()),
            "tt_to_utc" => time_scale::tt_mjd_to_utc(0.0, f(&c["input"]))
                .and_then(|x| x.checked())
                .map_err(|e| e.to_string()),
            "utc_to_tai" => time_scale::utc_mjd_to_tai(0.0, f(&c["input"]))
                .and_then(|x| x.checked())
                .map_err(|e| e.to_string()),
            "utc_to_tt" => time_scale::utc_mjd_to_tt(0.0, f(&c["input"]))
                .and_then(|x| x.checked())
                .map_err(|e| e.to_string()),
            k => panic!("kind {k}"),
        };
        match got {
            Ok(g) => {
                worst = worst.max((g - want).abs() / want.abs());
                if !agrees(g, want) {
                    bad.push(format!("{c}: got {g}"));
                }
            }
            Err(e) => bad.push(format!("{c}: {e}")),
        }
    }
    eprintln!(
        "times: {} of {} agree with astropy (largest relative difference {worst:e})",
        list.len() - bad.len(),
        list.len()
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn geocentric_agrees_with_astropy() {
    let d = data();
    let list = d["geocentric"].as_array().expect("geocentric");
    for c in list {
        let got =
            frames::geodetic_to_geocentric(f(&c["input"][0]), f(&c["input"][1]), f(&c["input"][2]))
                .expect("finite");
        for (k, g) in got.iter().enumerate() {
            let want = f(&c["expected"][k]);
            // metres: relative to the Earth's radius for components near zero
            assert!(
                (g - want).abs() <= 1e-12 * want.abs().max(6.4e6),
                "{c}: {got:?}"
            );
        }
    }
    eprintln!(
        "geocentric: {} of {} agree with astropy",
        list.len(),
        list.len()
    );
}
