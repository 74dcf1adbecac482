//! Celestial frames and the Earth's shape.
//!
//! Two families of frame conversions live here, because two references use two different
//! ones:
//!
//! * **jsky `wcscon`** ([`gal2fk5`], [`fk52gal`], [`fk425`], [`fk524`]): what the reference
//!   plane compute (Java `caom2-compute`) uses to bring chunk polygons to ICRS (treating FK5
//!   J2000 as ICRS). Ported operation by operation so computed plane bounds match it.
//! * **astropy** ([`fk5_to_icrs`], [`icrs_to_fk5`], [`fk5_precess`], [`galactic_to_icrs`],
//!   [`icrs_to_galactic`], [`fk4_to_icrs`]): what the reference pipeline (Python, astropy
//!   `SkyCoord`) uses, e.g. DAO's FK5 precession to J2000. Same matrices and steps as
//!   astropy 8 (IAU 2006 precession from ERFA `bp06` at the equinox's TT Julian date, the
//!   ICRS frame bias of USNO Circular 179, Newcomb's Besselian precession, the FK4 E-terms
//!   and Murray's B1950→J2000 matrix with its rotation correction). Checked against astropy
//!   8.0.2 values in `tests/astropy_values.rs` (agreement to about 1e-14).
//!
//! The two families differ by up to about 0.1″ (the FK5–ICRS frame bias and the E-terms
//! handling); each agrees with its own reference.
//!
//! [`geodetic_to_geocentric`] is ERFA's `gd2gce` on the WGS84 ellipsoid, as astropy's
//! `EarthLocation.from_geodetic` computes it.
//!
//! All angles are degrees; longitudes come back in [0, 360).

use std::f64::consts::PI;

/// `(x * PI) / 180`, the jsky spelling (not `x * (PI / 180)`, which rounds differently).
fn degrad(x: f64) -> f64 {
    (x * PI) / 180.0
}

fn raddeg(x: f64) -> f64 {
    (x * 180.0) / PI
}

/// Equatorial (FK5 J2000) → galactic, row-major (Blaauw et al. 1960, via Starlink/jsky).
const JGAL: [[f64; 3]; 3] = [
    [-0.054875539726, -0.873437108010, -0.483834985808],
    [0.494109453312, -0.444829589425, 0.746982251810],
    [-0.867666135858, -0.198076386122, 0.455983795705],
];

fn jsky_unit(lon: f64, lat: f64) -> [f64; 3] {
    let (l, b) = (degrad(lon), degrad(lat));
    [l.cos() * b.cos(), l.sin() * b.cos(), b.sin()]
}

fn jsky_angles(x: f64, y: f64, z: f64) -> (f64, f64) {
    let mut lon = if x == 0.0 && y == 0.0 {
        0.0
    } else {
        y.atan2(x)
    };
    if lon < 0.0 {
        // jsky writes 2π as 6.283185307179586, which is TAU
        lon += std::f64::consts::TAU;
    }
    let lat = z.atan2((x * x + y * y).sqrt());
    (raddeg(lon), raddeg(lat))
}

/// Galactic (l, b) → FK5 J2000 (α, δ), jsky `wcscon.gal2fk5`.
pub fn gal2fk5(l: f64, b: f64) -> (f64, f64) {
    let v = jsky_unit(l, b);
    let mut w = [0.0; 3];
    for (i, wi) in w.iter_mut().enumerate() {
        *wi = v[0] * JGAL[0][i] + v[1] * JGAL[1][i] + v[2] * JGAL[2][i];
    }
    jsky_angles(w[0], w[1], w[2])
}

/// FK5 J2000 (α, δ) → galactic (l, b), jsky `wcscon.fk52gal`.
pub fn fk52gal(ra: f64, dec: f64) -> (f64, f64) {
    let v = jsky_unit(ra, dec);
    let mut w = [0.0; 3];
    for (i, wi) in w.iter_mut().enumerate() {
        *wi = JGAL[i][0] * v[0] + JGAL[i][1] * v[1] + JGAL[i][2] * v[2];
    }
    jsky_angles(w[0], w[1], w[2])
}

/// E-terms of aberration (radians) and their rate, Standish/Yallop (Starlink `sla_fk425`).
const ETERM_A: [f64; 3] = [-1.62557e-6, -0.31919e-6, -0.13843e-6];
const ETERM_AD: [f64; 3] = [1.245e-3, -1.580e-3, -0.659e-3];

/// FK4 B1950 → FK5 J2000 6-space matrix; row j, column i (v2[i] = Σ_j EM[j][i]·v1[j]).
const EM: [[f64; 6]; 6] = [
    [
        0.999925678186902,
        0.011182059571766,
        0.004857946721186,
        -0.000541652366951,
        0.237917612131583,
        -0.436111276039270,
    ],
    [
        -0.011182059642247,
        0.999937478448132,
        -0.000027147426498,
        -0.237968129744288,
        -0.002660763319071,
        0.012259092261564,
    ],
    [
        -0.004857946558960,
        -0.000027176441185,
        0.999988199738770,
        0.436227555856097,
        -0.008537771074048,
        0.002119110818172,
    ],
    [
        0.000002423950176,
        0.000000027106627,
        0.000000011776559,
        0.999947035154614,
        0.011182506007242,
        0.004857669948650,
    ],
    [
        -0.000000027106627,
        0.000002423978783,
        -0.000000000065816,
        -0.011182506121805,
        0.999958833818833,
        -0.000027137309539,
    ],
    [
        -0.000000011776558,
        -0.000000000065874,
        0.000002424101735,
        -0.004857669684959,
        -0.000027184471371,
        1.000009560363559,
    ],
];

/// FK5 J2000 → FK4 B1950 6-space matrix; row j, column i.
const EMI: [[f64; 6]; 6] = [
    [
        0.999925679499910,
        -0.011181482788805,
        -0.004859004008828,
        -0.000541640798032,
        -0.237963047085011,
        0.436218238658637,
    ],
    [
        0.011181482840782,
        0.999937484898031,
        -0.000027155744957,
        0.237912530551179,
        -0.002660706488970,
        -0.008537588719453,
    ],
    [
        0.004859003889183,
        -0.000027177143501,
        0.999988194601879,
        -0.436101961325347,
        0.012258830424865,
        0.002119065556992,
    ],
    [
        -0.000002423898405,
        0.000000027105439,
        0.000000011777422,
        0.999904322043106,
        -0.011181451601069,
        -0.004858519608686,
    ],
    [
        -0.000000027105439,
        -0.000002423927017,
        0.000000000065851,
        0.011181451608968,
        0.999916125340107,
        -0.000027162614355,
    ],
    [
        -0.000000011777422,
        0.000000000065846,
        -0.000002424049954,
        0.004858519590501,
        -0.000027165866691,
        0.999966838131419,
    ],
];

/// FK4 B1950 (α, δ) → FK5 J2000, zero proper motion, jsky `wcscon.fk425`.
pub fn fk425(ra: f64, dec: f64) -> (f64, f64) {
    let r0 = jsky_unit(ra, dec);
    let r1 = [0.0; 3];
    let w = r0[0] * ETERM_A[0] + r0[1] * ETERM_A[1] + r0[2] * ETERM_A[2];
    let wd = r0[0] * ETERM_AD[0] + r0[1] * ETERM_AD[1] + r0[2] * ETERM_AD[2];
    let mut v1 = [0.0; 6];
    for i in 0..3 {
        v1[i] = r0[i] - ETERM_A[i] + w * r0[i];
        v1[i + 3] = r1[i] - ETERM_AD[i] + wd * r0[i];
    }
    let mut v2 = [0.0; 6];
    for (i, v) in v2.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, x) in v1.iter().enumerate() {
            s += EM[j][i] * x;
        }
        *v = s;
    }
    jsky_angles(v2[0], v2[1], v2[2])
}

/// FK5 J2000 (α, δ) → FK4 B1950, zero proper motion, jsky `wcscon.fk524`.
pub fn fk524(ra: f64, dec: f64) -> (f64, f64) {
    let r0 = jsky_unit(ra, dec);
    let v1 = [r0[0], r0[1], r0[2], 0.0, 0.0, 0.0];
    let mut v2 = [0.0; 6];
    for (i, v) in v2.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, x) in v1.iter().enumerate() {
            s += EMI[j][i] * x;
        }
        *v = s;
    }
    let (mut x, mut y, mut z) = (v2[0], v2[1], v2[2]);
    let r = (x * x + y * y + z * z).sqrt();
    x += ETERM_A[0] * r;
    y += ETERM_A[1] * r;
    z += ETERM_A[2] * r;
    jsky_angles(x, y, z)
}

// ---- astropy

type Mat = [[f64; 3]; 3];

fn mat_mul(a: &Mat, b: &Mat) -> Mat {
    let mut c = [[0.0; 3]; 3];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, cij) in row.iter_mut().enumerate() {
            *cij = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        }
    }
    c
}

fn transpose(a: &Mat) -> Mat {
    let mut t = [[0.0; 3]; 3];
    for (i, row) in a.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            t[j][i] = *x;
        }
    }
    t
}

fn apply(m: &Mat, v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

/// astropy `rotation_matrix(angle_deg, axis)`: rotates the frame (not the vector).
fn rotation(angle_deg: f64, axis: usize) -> Mat {
    let a = angle_deg.to_radians();
    let (s, c) = (a.sin(), a.cos());
    let (a1, a2) = ((axis + 1) % 3, (axis + 2) % 3);
    let mut r = [[0.0; 3]; 3];
    r[axis][axis] = 1.0;
    r[a1][a1] = c;
    r[a1][a2] = s;
    r[a2][a1] = -s;
    r[a2][a2] = c;
    r
}

const X: usize = 0;
const Y: usize = 1;
const Z: usize = 2;

/// Arcseconds to radians (ERFA).
const ERFA_DAS2R: f64 = 4.848_136_811_095_36e-6;
/// J2000.0 as a Julian date, and days per Julian century (ERFA).
const ERFA_DJ00: f64 = 2_451_545.0;
const ERFA_DJC: f64 = 36525.0;

fn unit(lon: f64, lat: f64) -> [f64; 3] {
    let (l, b) = (lon.to_radians(), lat.to_radians());
    [b.cos() * l.cos(), b.cos() * l.sin(), b.sin()]
}

fn angles(v: [f64; 3]) -> (f64, f64) {
    let s = v[0].hypot(v[1]);
    let lon = v[1].atan2(v[0]).to_degrees();
    let lat = v[2].atan2(s).to_degrees();
    (lon.rem_euclid(360.0), lat)
}

/// ERFA `eraRz`: rotate the frame of `r` about z by `psi` (radians).
fn era_rz(psi: f64, r: &mut Mat) {
    let (s, c) = (psi.sin(), psi.cos());
    let [r0, r1, _] = r;
    for (a, b) in r0.iter_mut().zip(r1.iter_mut()) {
        let (x, y) = (*a, *b);
        *a = c * x + s * y;
        *b = -s * x + c * y;
    }
}

/// ERFA `eraRx`.
fn era_rx(phi: f64, r: &mut Mat) {
    let (s, c) = (phi.sin(), phi.cos());
    let [_, r1, r2] = r;
    for (a, b) in r1.iter_mut().zip(r2.iter_mut()) {
        let (x, y) = (*a, *b);
        *a = c * x + s * y;
        *b = -s * x + c * y;
    }
}

/// ERFA `eraFw2m`: Fukushima-Williams angles to a rotation matrix.
fn fw2m(gamb: f64, phib: f64, psi: f64, eps: f64) -> Mat {
    let mut r = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    era_rz(gamb, &mut r);
    era_rx(phib, &mut r);
    era_rz(-psi, &mut r);
    era_rx(-eps, &mut r);
    r
}

/// ERFA `eraPfw06`: IAU 2006 precession angles (Fukushima-Williams), bias included.
fn pfw06(date1: f64, date2: f64) -> (f64, f64, f64, f64) {
    let t = ((date1 - ERFA_DJ00) + date2) / ERFA_DJC;
    let gamb = (-0.052928
        + (10.556378
            + (0.4932044 + (-0.00031238 + (-0.000002788 + 0.0000000260 * t) * t) * t) * t)
            * t)
        * ERFA_DAS2R;
    let phib = (84381.412819
        + (-46.811016
            + (0.0511268 + (0.00053289 + (-0.000000440 + -0.0000000176 * t) * t) * t) * t)
            * t)
        * ERFA_DAS2R;
    let psib = (-0.041775
        + (5038.481484
            + (1.5584175 + (-0.00018522 + (-0.000026452 + -0.0000000148 * t) * t) * t) * t)
            * t)
        * ERFA_DAS2R;
    let epsa = (84381.406
        + (-46.836769
            + (-0.0001831 + (0.00200340 + (-0.000000576 + -0.0000000434 * t) * t) * t) * t)
            * t)
        * ERFA_DAS2R;
    (gamb, phib, psib, epsa)
}

/// ERFA `eraBp06`'s precession matrix (bias removed) at TT Julian date `date1 + date2`.
fn bp06_rp(date1: f64, date2: f64) -> Mat {
    let (g, p, s, e) = pfw06(2_400_000.5, 51544.5);
    let rb = fw2m(g, p, s, e);
    let (g, p, s, e) = pfw06(date1, date2);
    let rbpw = fw2m(g, p, s, e);
    mat_mul(&rbpw, &transpose(&rb))
}

/// The two-part TT Julian date astropy holds for Julian epoch J`jyear` (`epj2jd`, then
/// astropy's day/fraction split).
fn jyear_jd12(jyear: f64) -> (f64, f64) {
    crate::time_scale::day_frac(2_400_000.5, 51544.5 + (jyear - 2000.0) * 365.25)
}

/// The two-part TT Julian date of Besselian epoch B`byear` (`epb2jd`, then the split).
fn byear_jd12(byear: f64) -> (f64, f64) {
    crate::time_scale::day_frac(2_400_000.5, 15019.81352 + (byear - 1900.0) * 365.242198781)
}

/// astropy's FK5 precession matrix between Julian epochs (IAU 2006 via ERFA `bp06`).
fn fk5_precession(from_jyear: f64, to_jyear: f64) -> Mat {
    let (a1, a2) = jyear_jd12(from_jyear);
    let (b1, b2) = jyear_jd12(to_jyear);
    mat_mul(&bp06_rp(b1, b2), &transpose(&bp06_rp(a1, a2)))
}

/// ICRS → FK5 J2000 frame bias (USNO Circular 179), as astropy builds it.
fn icrs_to_fk5_j2000() -> Mat {
    let eta0 = -19.9 / 3_600_000.0;
    let xi0 = 9.1 / 3_600_000.0;
    let da0 = -22.9 / 3_600_000.0;
    mat_mul(
        &mat_mul(&rotation(-eta0, X), &rotation(xi0, Y)),
        &rotation(da0, Z),
    )
}

/// FK5 (α, δ) at equinox J`equinox` → ICRS, as astropy's `FK5(equinox=...)` → `ICRS`.
pub fn fk5_to_icrs(ra: f64, dec: f64, equinox: f64) -> (f64, f64) {
    let m = mat_mul(
        &transpose(&icrs_to_fk5_j2000()),
        &fk5_precession(equinox, 2000.0),
    );
    angles(apply(&m, unit(ra, dec)))
}

/// ICRS → FK5 at equinox J`equinox`, as astropy does it.
pub fn icrs_to_fk5(ra: f64, dec: f64, equinox: f64) -> (f64, f64) {
    let m = mat_mul(&fk5_precession(2000.0, equinox), &icrs_to_fk5_j2000());
    angles(apply(&m, unit(ra, dec)))
}

/// FK5 from equinox J`from` to equinox J`to` (astropy's FK5 self-transform), e.g. DAO's
/// precession of header coordinates to J2000.
pub fn fk5_precess(ra: f64, dec: f64, from: f64, to: f64) -> (f64, f64) {
    angles(apply(&fk5_precession(from, to), unit(ra, dec)))
}

/// FK5 J2000 → galactic (astropy `fk5_to_gal` at equinox J2000, with astropy's pole and
/// zero point).
fn fk5_j2000_to_gal() -> Mat {
    let ngp_ra = 192.8594812065348;
    let ngp_dec = 27.12825118085622;
    let lon0 = 122.9319185680026;
    mat_mul(
        &mat_mul(
            &mat_mul(&rotation(180.0 - lon0, Z), &rotation(90.0 - ngp_dec, Y)),
            &rotation(ngp_ra, Z),
        ),
        &fk5_precession(2000.0, 2000.0),
    )
}

/// Galactic (l, b) → ICRS, as astropy does it (through FK5 J2000).
pub fn galactic_to_icrs(l: f64, b: f64) -> (f64, f64) {
    let m = mat_mul(
        &transpose(&icrs_to_fk5_j2000()),
        &transpose(&fk5_j2000_to_gal()),
    );
    angles(apply(&m, unit(l, b)))
}

/// ICRS → galactic (l, b), as astropy does it.
pub fn icrs_to_galactic(ra: f64, dec: f64) -> (f64, f64) {
    let m = mat_mul(&fk5_j2000_to_gal(), &icrs_to_fk5_j2000());
    angles(apply(&m, unit(ra, dec)))
}

/// ERFA `epb`: the Besselian epoch of a two-part Julian date.
fn epb(jd1: f64, jd2: f64) -> f64 {
    1900.0 + ((jd1 - ERFA_DJ00) + (jd2 + 36524.68648)) / 365.242198781
}

/// ERFA `epj`: the Julian epoch of a two-part Julian date.
fn epj(jd1: f64, jd2: f64) -> f64 {
    2000.0 + ((jd1 - ERFA_DJ00) + jd2) / 365.25
}

/// The E-terms of aberration at an equinox (astropy `fk4_e_terms`).
fn fk4_e_terms(equinox_jd: f64) -> [f64; 3] {
    let (b1, b2) = byear_jd12(1950.0);
    let jd1950 = b1 + b2;
    let t = (equinox_jd - jd1950) / 36525.0;
    let k = 0.0056932_f64;
    let ek = k.to_radians() * ((-0.000000126 * t - 0.00004193) * t + 0.01673011);
    let g = ((((0.012 * t + 1.65) * t + 6190.67) * t + 1015489.951) / 3600.0).to_radians();
    let minus_ek_cos_g = -ek * g.cos();
    // ERFA obl80: mean obliquity, IAU 1980
    let tc = ((equinox_jd - ERFA_DJ00) + 0.0) / ERFA_DJC;
    let o = ERFA_DAS2R * (84381.448 + (-46.8150 + (-0.00059 + 0.001813 * tc) * tc) * tc);
    [
        ek * g.sin(),
        minus_ek_cos_g * o.cos(),
        minus_ek_cos_g * o.sin(),
    ]
}

/// astropy's FK4 precession between Besselian epochs (Newcomb).
fn fk4_precession(from_byear: f64, to_byear: f64) -> Mat {
    let t1 = (from_byear - 1850.0) / 1000.0;
    let dt = (to_byear - 1850.0) / 1000.0 - t1;
    let dt_over_3600 = dt / 3600.0;
    let z1 = (0.060 * t1 + 139.720) * t1 + 23035.545;
    let zeta1 = z1;
    let zeta2 = -0.27 * t1 + 30.240;
    let zeta = ((17.995 * dt + zeta2) * dt + zeta1) * dt_over_3600;
    let z2 = 109.480 + 0.39 * t1;
    let z = ((18.325 * dt + z2) * dt + z1) * dt_over_3600;
    let theta1 = (-0.37 * t1 - 85.29) * t1 + 20051.12;
    let theta2 = -0.37 * t1 - 42.65;
    let theta = ((-41.8 * dt + theta2) * dt + theta1) * dt_over_3600;
    mat_mul(
        &mat_mul(&rotation(-z, Z), &rotation(theta, Y)),
        &rotation(-zeta, Z),
    )
}

const B1950_TO_J2000: Mat = [
    [0.9999256794956877, -0.0111814832204662, -0.0048590038153592],
    [0.0111814832391717, 0.9999374848933135, -0.0000271625947142],
    [0.0048590037723143, -0.0000271702937440, 0.9999881946023742],
];

const FK4_CORR: Mat = [
    [-0.0026455262e-6, -1.1539918689e-6, 2.1111346190e-6],
    [1.1540628161e-6, -0.0129042997e-6, 0.0236021478e-6],
    [-2.1112979048e-6, -0.0056024448e-6, 0.0102587734e-6],
];

/// FK4 (α, δ) with E-terms at equinox B`equinox` (observation epoch = equinox, astropy's
/// default) → ICRS, as astropy does it: remove the E-terms, precess to B1950 (Newcomb),
/// rotate to FK5 J2000 (Murray's matrix with the FK4 rotation correction), then the frame
/// bias.
pub fn fk4_to_icrs(ra: f64, dec: f64, equinox: f64) -> (f64, f64) {
    let (e1, e2) = byear_jd12(equinox);
    // FK4 → FK4NoETerms (same equinox)
    let r = unit(ra, dec);
    let a = fk4_e_terms(e1 + e2);
    let dot = a[0] * r[0] + a[1] * r[1] + a[2] * r[2];
    let mut v = [
        r[0] - a[0] + dot * r[0],
        r[1] - a[1] + dot * r[1],
        r[2] - a[2] + dot * r[2],
    ];
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    for x in &mut v {
        *x /= n;
    }
    // FK4NoETerms → FK5 J2000, the rotation correction at the observation epoch
    let t = (epj(e1, e2) - 1950.0) / 100.0;
    let mut b = B1950_TO_J2000;
    for (i, row) in b.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x += FK4_CORR[i][j] * t;
        }
    }
    let (b1, b2) = byear_jd12(1950.0);
    let m = mat_mul(
        &mat_mul(&fk5_precession(2000.0, 2000.0), &b),
        &fk4_precession(epb(e1, e2), epb(b1, b2)),
    );
    let m = mat_mul(
        &mat_mul(
            &transpose(&icrs_to_fk5_j2000()),
            &fk5_precession(2000.0, 2000.0),
        ),
        &m,
    );
    angles(apply(&m, v))
}

/// WGS84 equatorial radius (m) and flattening (ERFA `eraEform(ERFA_WGS84)`).
pub const WGS84_A: f64 = 6_378_137.0;
pub const WGS84_F: f64 = 1.0 / 298.257223563;

/// Geodetic longitude and latitude (degrees) and height (m) on WGS84 → geocentric
/// (x, y, z) in metres (ERFA `gd2gce`, as astropy `EarthLocation.from_geodetic`). None for
/// non-finite input.
pub fn geodetic_to_geocentric(lon: f64, lat: f64, height: f64) -> Option<[f64; 3]> {
    if !(lon.is_finite() && lat.is_finite() && height.is_finite()) {
        return None;
    }
    let (elong, phi) = (lon.to_radians(), lat.to_radians());
    let (sp, cp) = (phi.sin(), phi.cos());
    let w = 1.0 - WGS84_F;
    let w = w * w;
    let d = cp * cp + w * sp * sp;
    if d <= 0.0 {
        return None;
    }
    let ac = WGS84_A / d.sqrt();
    let a_s = w * ac;
    let r = (ac + height) * cp;
    Some([r * elong.cos(), r * elong.sin(), (a_s + height) * sp])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for &(a, d) in &[(10.0, 20.0), (359.9, -89.0), (180.0, 0.0), (0.0, 45.0)] {
            let (x, y) = fk5_to_icrs(a, d, 1975.0);
            let (p, q) = icrs_to_fk5(x, y, 1975.0);
            assert!(
                ((p - a + 180.0).rem_euclid(360.0) - 180.0).abs() < 1e-10,
                "{a} {p}"
            );
            assert!((q - d).abs() < 1e-10);
            let (l, b) = icrs_to_galactic(a, d);
            let (p, q) = galactic_to_icrs(l, b);
            assert!(
                ((p - a + 180.0).rem_euclid(360.0) - 180.0).abs() < 1e-9,
                "{a} {p}"
            );
            assert!((q - d).abs() < 1e-9);
            // jsky's matrix has 12 digits: orthogonal to about 1e-10 only
            let (l, b) = fk52gal(a, d);
            let (p, q) = gal2fk5(l, b);
            assert!(
                ((p - a + 180.0).rem_euclid(360.0) - 180.0).abs() < 1e-6,
                "{a} {p}"
            );
            assert!((q - d).abs() < 1e-6);
        }
    }

    #[test]
    fn wgs84_poles_and_equator() {
        let [x, y, z] = geodetic_to_geocentric(0.0, 0.0, 0.0).unwrap();
        assert_eq!((x, y, z), (WGS84_A, 0.0, 0.0));
        let [_, _, z] = geodetic_to_geocentric(0.0, 90.0, 0.0).unwrap();
        assert!((z - 6_356_752.314245).abs() < 1e-3);
        assert!(geodetic_to_geocentric(f64::NAN, 0.0, 0.0).is_none());
    }
}
