//! Behaviour tests. Expected numbers come from closed-form formulas written out here (TAN,
//! SIP, TPV, CAR, FREQ → WAVE) and, where marked, from astropy 8.0.2's `Wcsprm` (its bundled
//! wcslib 8.x) run outside the repository.

use crate::*;

/// One FITS card: keyword padded to 8 columns, "= " in columns 9-10, then the value as given
/// (strings must bring their quotes).
fn card(keyword: &str, value: &str) -> String {
    format!("{:<80}", format!("{keyword:<8}= {value}"))
}

fn header(cards: &[(&str, &str)]) -> String {
    let mut h: String = cards.iter().map(|(k, v)| card(k, v)).collect();
    h.push_str(&format!("{:<80}", "END"));
    h
}

fn parse(cards: &[(&str, &str)]) -> Wcs {
    match Wcs::from_header(&header(cards), &ParseOptions::default()) {
        Ok(w) => w,
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn parse_err(cards: &[(&str, &str)]) -> WcsError {
    match Wcs::from_header(&header(cards), &ParseOptions::default()) {
        Ok(w) => panic!("expected an error, got {w:?}"),
        Err(e) => e,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn assert_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(close(*a, *e, tol), "{actual:?} vs {expected:?} (tol {tol})");
    }
}

/// Gnomonic (TAN) deprojection with the default LONPOLE = 180 (reference point not at the pole):
/// intermediate coordinates (degrees) → (RA, Dec) in degrees.
fn tan_to_sky(x_deg: f64, y_deg: f64, ra0: f64, dec0: f64) -> (f64, f64) {
    let (xi, eta) = (x_deg.to_radians(), y_deg.to_radians());
    let (a0, d0) = (ra0.to_radians(), dec0.to_radians());
    let denom = d0.cos() - eta * d0.sin();
    let ra = a0 + xi.atan2(denom);
    let dec = (eta * d0.cos() + d0.sin()).atan2((xi * xi + denom * denom).sqrt());
    (ra.to_degrees().rem_euclid(360.0), dec.to_degrees())
}

const TAN: &[(&str, &str)] = &[
    ("NAXIS", "2"),
    ("CTYPE1", "'RA---TAN'"),
    ("CTYPE2", "'DEC--TAN'"),
    ("CRVAL1", "210.8"),
    ("CRVAL2", "54.35"),
    ("CRPIX1", "1024.5"),
    ("CRPIX2", "1024.5"),
    ("CDELT1", "-0.0002"),
    ("CDELT2", "0.0002"),
];

#[test]
fn tan_image() {
    let w = parse(TAN);
    let info = w.info();
    assert_eq!(info.naxis, 2);
    assert_eq!(info.lng, Some(0));
    assert_eq!(info.lat, Some(1));
    assert_eq!(info.spec, None);
    assert_eq!(info.lngtyp.as_deref(), Some("RA"));
    assert_eq!(info.lattyp.as_deref(), Some("DEC"));
    assert_eq!(info.axes[0].kind, AxisKind::Longitude);
    assert_eq!(info.axes[1].kind, AxisKind::Latitude);
    assert_eq!(info.axes[0].type_code, 2200);
    assert_eq!(info.axes[0].cunit.as_deref(), Some("deg"));
    assert_eq!(info.lonpole, Some(180.0));
    // No EQUINOX and no RADESYS: wcsset defaults to ICRS with no equinox.
    assert_eq!(info.radesys.as_deref(), Some("ICRS"));
    assert_eq!(info.equinox, None);
    // Undefined auxiliary values read back as None, not as wcslib's 9.87654321e107.
    assert_eq!(info.restfrq, None);
    assert_eq!(info.velosys, None);
    assert_eq!(info.specsys, None);
    assert_eq!(info.mjdobs, None);
    assert_eq!(info.dateobs, None);
    assert!(!info.has_cd());
    assert!(w.fixes().iter().all(|f| !f.changed()));
    assert_eq!(
        w.fixes()
            .iter()
            .find(|f| f.fix == Fix::Cyl)
            .map(|f| f.outcome),
        Some(FixOutcome::NotRun)
    );

    let world = w.pixel_to_world(&[1024.5, 1024.5]).unwrap();
    assert_close(&world, &[210.8, 54.35], 1e-12);
    // Set up once: transformations do not have to re-run wcsset (and so never rewrite the
    // values read back).
    // SAFETY: reading one int of a struct no other code is using.
    assert_eq!(unsafe { (*w.raw()).flag }, crate::ffi::WCSSET);

    for pix in [[1.0, 1.0], [2048.0, 2048.0], [1.0, 2048.0]] {
        let x = -0.0002 * (pix[0] - 1024.5);
        let y = 0.0002 * (pix[1] - 1024.5);
        let (ra, dec) = tan_to_sky(x, y, 210.8, 54.35);
        let world = w.pixel_to_world(&pix).unwrap();
        assert_close(&world, &[ra, dec], 1e-10);
        let back = w.world_to_pixel(&world).unwrap();
        assert_close(&back, &pix, 1e-8);
    }
    // astropy 8.0.2: Wcsprm(h).p2s([[1, 1]]) = 211.14947084138998, 54.144794897557595
    assert_close(
        &w.pixel_to_world(&[1.0, 1.0]).unwrap(),
        &[211.14947084138998, 54.144794897557595],
        1e-10,
    );
}

#[test]
fn equinox_defaults_radesys() {
    let mut cards = TAN.to_vec();
    cards.push(("EQUINOX", "2000.0"));
    assert_eq!(parse(&cards).info().radesys.as_deref(), Some("FK5"));
    let mut cards = TAN.to_vec();
    // wcspih reads the AIPS EPOCH keyword even with relax = none (wcshdr.h, note 5).
    cards.push(("EPOCH", "1950.0"));
    let w = parse(&cards);
    assert_eq!(w.info().radesys.as_deref(), Some("FK4"));
    assert_eq!(w.info().equinox, Some(1950.0));
}

/// The same rotated, flipped 0.001-degree grid three ways: CD matrix, PC + CDELT, CDELT + CROTA2.
#[test]
fn cd_pc_and_crota_headers_agree() {
    let rho = 30f64.to_radians();
    let (c1, c2) = (-0.001f64, 0.001f64);
    let common = [
        ("NAXIS", "2".to_string()),
        ("CTYPE1", "'RA---TAN'".to_string()),
        ("CTYPE2", "'DEC--TAN'".to_string()),
        ("CRVAL1", "45.0".to_string()),
        ("CRVAL2", "-30.0".to_string()),
        ("CRPIX1", "100.0".to_string()),
        ("CRPIX2", "200.0".to_string()),
    ];
    let with = |extra: Vec<(&'static str, String)>| -> Wcs {
        let all: Vec<(&str, String)> = common.iter().cloned().chain(extra).collect();
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        parse(&refs)
    };
    let cd = [
        c1 * rho.cos(),
        -c2 * rho.sin(),
        c1 * rho.sin(),
        c2 * rho.cos(),
    ];
    let pc = [
        rho.cos(),
        -rho.sin() * c2 / c1,
        rho.sin() * c1 / c2,
        rho.cos(),
    ];
    let f = |v: f64| format!("{v:.17E}");
    let w_cd = with(vec![
        ("CD1_1", f(cd[0])),
        ("CD1_2", f(cd[1])),
        ("CD2_1", f(cd[2])),
        ("CD2_2", f(cd[3])),
    ]);
    let w_pc = with(vec![
        ("CDELT1", f(c1)),
        ("CDELT2", f(c2)),
        ("PC1_1", f(pc[0])),
        ("PC1_2", f(pc[1])),
        ("PC2_1", f(pc[2])),
        ("PC2_2", f(pc[3])),
    ]);
    let w_rot = with(vec![
        ("CDELT1", f(c1)),
        ("CDELT2", f(c2)),
        ("CROTA2", "30.0".to_string()),
    ]);

    let i = w_cd.info();
    assert_eq!(
        i.altlin,
        AltLin {
            pc: false,
            cd: true,
            crota: false
        }
    );
    assert!(i.has_cd());
    assert_close(i.cd.as_deref().unwrap(), &cd, 1e-18);
    assert_eq!(i.cd(1, 0), Some(cd[2]));
    // wcsset folds CD into PC with unit CDELT.
    assert_close(&i.pc, &cd, 1e-18);
    assert_eq!(i.axes[0].cdelt, 1.0);
    assert_eq!(i.axes[0].crota, None);

    let i = w_pc.info();
    assert_eq!(
        i.altlin,
        AltLin {
            pc: true,
            cd: false,
            crota: false
        }
    );
    assert_eq!(i.cd, None);
    assert_close(&i.pc, &pc, 1e-15);
    assert_eq!(i.pc(0, 1), Some(i.pc[1]));
    assert_eq!(i.axes[0].cdelt, c1);

    let i = w_rot.info();
    assert_eq!(
        i.altlin,
        AltLin {
            pc: false,
            cd: false,
            crota: true
        }
    );
    assert_eq!(i.axes[1].crota, Some(30.0));
    assert_eq!(i.axes[0].crota, Some(0.0));
    assert_close(&i.pc, &pc, 1e-15);

    for pix in [[1.0, 1.0], [100.0, 200.0], [350.0, 17.0]] {
        let a = w_cd.pixel_to_world(&pix).unwrap();
        let b = w_pc.pixel_to_world(&pix).unwrap();
        let c = w_rot.pixel_to_world(&pix).unwrap();
        assert_close(&a, &b, 1e-12);
        assert_close(&a, &c, 1e-12);
        let (u, v) = (pix[0] - 100.0, pix[1] - 200.0);
        let (ra, dec) = tan_to_sky(cd[0] * u + cd[1] * v, cd[2] * u + cd[3] * v, 45.0, -30.0);
        assert_close(&a, &[ra, dec], 1e-10);
    }
}

#[test]
fn spectral_axis_in_angstrom_is_normalised_to_metres() {
    let w = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'WAVE'"),
        ("CUNIT1", "'Angstrom'"),
        ("CRVAL1", "5000.0"),
        ("CDELT1", "2890.0"),
        ("CRPIX1", "1.0"),
    ]);
    let a = &w.info().axes[0];
    assert_eq!(a.cunit.as_deref(), Some("m"));
    assert!(close(a.cdelt, 2.89e-07, 1e-22), "{}", a.cdelt);
    assert!(close(a.crval, 5e-07, 1e-22), "{}", a.crval);
    assert_eq!(a.kind, AxisKind::Spectral);
    assert_eq!(w.info().spec, Some(0));
    let world = w.pixel_to_world(&[3.0]).unwrap();
    assert!(close(world[0], 5e-7 + 2.0 * 2.89e-7, 1e-20));
}

#[test]
fn aips_velo_lsr_becomes_vopt_with_specsys_lsrk() {
    let w = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'VELO-LSR'"),
        ("CUNIT1", "'km/s'"),
        ("CRVAL1", "-20.5"),
        ("CDELT1", "0.8"),
        ("CRPIX1", "33.0"),
    ]);
    let info = w.info();
    assert_eq!(info.axes[0].ctype.as_deref(), Some("VOPT"));
    assert_eq!(info.specsys.as_deref(), Some("LSRK"));
    assert_eq!(info.axes[0].cunit.as_deref(), Some("m/s"));
    assert!(close(info.axes[0].crval, -20500.0, 1e-9));
    assert!(close(info.axes[0].cdelt, 800.0, 1e-9));
    let spc = w.fixes().iter().find(|f| f.fix == Fix::Spc).unwrap();
    assert!(spc.changed());
    assert!(
        spc.message
            .as_deref()
            .unwrap_or("")
            .contains("'VELO-LSR' to 'VOPT'"),
        "{spc:?}"
    );
}

#[test]
fn freq_axis_translates_to_wave_f2w() {
    let w = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'FREQ'"),
        ("CUNIT1", "'MHz'"),
        ("CRVAL1", "1420.405752"),
        ("CDELT1", "0.5"),
        ("CRPIX1", "64.0"),
        ("RESTFRQ", "1.420405752E9"),
    ]);
    assert_eq!(w.info().axes[0].cunit.as_deref(), Some("Hz"));
    assert!(close(w.info().axes[0].crval, 1.420405752e9, 1e-3));
    assert_eq!(w.info().restfrq, Some(1.420405752e9));

    let t = w.spectral_translate("WAVE-???").unwrap();
    let a = &t.info().axes[0];
    assert_eq!(a.ctype.as_deref(), Some("WAVE-F2W"));
    assert_eq!(a.cunit.as_deref(), Some("m"));
    let c = 299_792_458.0;
    let nu0 = 1.420405752e9;
    assert!(close(a.crval, c / nu0, 1e-15));
    assert!(close(a.cdelt, -c / (nu0 * nu0) * 0.5e6, 1e-15));
    for p in [1.0, 64.0, 128.0] {
        let nu = nu0 + 0.5e6 * (p - 64.0);
        let lambda = t.pixel_to_world(&[p]).unwrap()[0];
        assert!(
            close(lambda, c / nu, 1e-15),
            "pixel {p}: {lambda} vs {}",
            c / nu
        );
        assert!(close(t.world_to_pixel(&[lambda]).unwrap()[0], p, 1e-8));
    }
    // The original is untouched.
    assert_eq!(w.info().axes[0].ctype.as_deref(), Some("FREQ"));

    let no_spec = parse(TAN).spectral_translate("WAVE-???").unwrap_err();
    assert_eq!(no_spec.wcslib_status(), Some(12), "{no_spec}");
    assert!(matches!(
        w.spectral_translate("WAVELENGTH"),
        Err(WcsError::InvalidOption(_))
    ));
}

#[test]
fn galactic_car() {
    let w = parse(&[
        ("NAXIS", "2"),
        ("CTYPE1", "'GLON-CAR'"),
        ("CTYPE2", "'GLAT-CAR'"),
        ("CUNIT1", "'DEG'"),
        ("CRVAL1", "120.0"),
        ("CRVAL2", "0.0"),
        ("CRPIX1", "100.0"),
        ("CRPIX2", "50.0"),
        ("CDELT1", "-0.05"),
        ("CDELT2", "0.05"),
    ]);
    let info = w.info();
    assert_eq!(info.lngtyp.as_deref(), Some("GLON"));
    assert_eq!(info.lattyp.as_deref(), Some("GLAT"));
    // Galactic coordinates have no RADESYS (the reference maps that to a null coordsys).
    assert_eq!(info.radesys, None);
    // unitfix: 'DEG' -> 'deg' is one of the safe translations.
    let unit = w.fixes().iter().find(|f| f.fix == Fix::Unit).unwrap();
    assert!(unit.changed(), "{unit:?}");
    assert_eq!(info.axes[0].cunit.as_deref(), Some("deg"));
    // CAR with the reference point on the equator is plain linear in both axes.
    for pix in [[1.0, 1.0], [200.0, 100.0], [100.0, 50.0]] {
        let expected = [120.0 - 0.05 * (pix[0] - 100.0), 0.05 * (pix[1] - 50.0)];
        let world = w.pixel_to_world(&pix).unwrap();
        assert_close(&world, &expected, 1e-10);
        assert_close(&w.world_to_pixel(&world).unwrap(), &pix, 1e-9);
    }
}

#[test]
fn stokes_axis_is_linear() {
    let w = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'STOKES'"),
        ("CRVAL1", "1.0"),
        ("CDELT1", "1.0"),
        ("CRPIX1", "1.0"),
    ]);
    let a = &w.info().axes[0];
    assert_eq!(a.kind, AxisKind::Stokes);
    assert_eq!(a.type_code, 1100);
    let pts = w.pixel_to_world_many(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(pts.as_flat(), &[1.0, 2.0, 3.0, 4.0]);
    // Circular products count down: -1 RR, -2 LL, …
    let rl = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'STOKES'"),
        ("CRVAL1", "-1.0"),
        ("CDELT1", "-1.0"),
        ("CRPIX1", "1.0"),
    ]);
    assert_eq!(rl.pixel_to_world(&[4.0]).unwrap(), vec![-4.0]);
}

#[test]
fn four_axis_cube() {
    let w = parse(&[
        ("NAXIS", "4"),
        ("CTYPE1", "'RA---SIN'"),
        ("CTYPE2", "'DEC--SIN'"),
        ("CTYPE3", "'FREQ'"),
        ("CTYPE4", "'STOKES'"),
        ("CRVAL1", "83.6"),
        ("CRVAL2", "22.0"),
        ("CRVAL3", "1.4E9"),
        ("CRVAL4", "1.0"),
        ("CRPIX1", "33.0"),
        ("CRPIX2", "33.0"),
        ("CRPIX3", "1.0"),
        ("CRPIX4", "1.0"),
        ("CDELT1", "-0.01"),
        ("CDELT2", "0.01"),
        ("CDELT3", "1.0E6"),
        ("CDELT4", "1.0"),
        ("CUNIT3", "'Hz'"),
    ]);
    let info = w.info();
    assert_eq!(info.naxis, 4);
    assert_eq!((info.lng, info.lat, info.spec), (Some(0), Some(1), Some(2)));
    let kinds: Vec<AxisKind> = info.axes.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            AxisKind::Longitude,
            AxisKind::Latitude,
            AxisKind::Spectral,
            AxisKind::Stokes
        ]
    );
    let pts = w
        .pixel_to_world_many(&[
            1.0, 1.0, 5.0, 2.0, 64.0, 64.0, 1.0, 4.0, 33.0, 33.0, 1.0, 1.0,
        ])
        .unwrap();
    assert_eq!(pts.len(), 3);
    // astropy 8.0.2 Wcsprm.p2s for the same header and pixels
    assert_close(
        pts.get(0).unwrap(),
        &[83.94436065108243, 21.679638094333654, 1404000000.0, 2.0],
        1e-9,
    );
    assert_close(
        pts.get(1).unwrap(),
        &[83.26491574073725, 22.309661929373465, 1400000000.0, 4.0],
        1e-9,
    );
    assert_close(pts.get(2).unwrap(), &[83.6, 22.0, 1.4e9, 1.0], 1e-12);
    let back = w.world_to_pixel_many(pts.as_flat()).unwrap();
    assert_close(
        back.as_flat(),
        &[
            1.0, 1.0, 5.0, 2.0, 64.0, 64.0, 1.0, 4.0, 33.0, 33.0, 1.0, 1.0,
        ],
        1e-8,
    );
    assert!(matches!(
        w.pixel_to_world(&[1.0, 2.0, 3.0]),
        Err(WcsError::DimensionMismatch { naxis: 4, got: 3 })
    ));
    assert!(w.pixel_to_world_many(&[]).unwrap().is_empty());
}

const DISTORTION_BASE: &[(&str, &str)] = &[
    ("NAXIS", "2"),
    ("CRVAL1", "10.0"),
    ("CRVAL2", "20.0"),
    ("CRPIX1", "50.0"),
    ("CRPIX2", "50.0"),
    ("CD1_1", "-0.001"),
    ("CD1_2", "0.0002"),
    ("CD2_1", "0.0001"),
    ("CD2_2", "0.001"),
];
const CD: [f64; 4] = [-0.001, 0.0002, 0.0001, 0.001];

#[test]
fn sip_distortion() {
    let mut cards = DISTORTION_BASE.to_vec();
    cards.extend_from_slice(&[
        ("CTYPE1", "'RA---TAN-SIP'"),
        ("CTYPE2", "'DEC--TAN-SIP'"),
        ("A_ORDER", "2"),
        ("B_ORDER", "2"),
        ("A_2_0", "1.0E-4"),
        ("A_1_1", "3.0E-5"),
        ("B_0_2", "2.0E-4"),
    ]);
    let h = header(&cards);
    let w = Wcs::from_header(&h, &ParseOptions::relaxed()).unwrap();
    // SIP keeps its CTYPE (the reference relies on that).
    assert_eq!(w.info().axes[0].ctype.as_deref(), Some("RA---TAN-SIP"));
    for pix in [[1.0, 1.0], [50.0, 50.0], [200.0, 10.0]] {
        let (u, v) = (pix[0] - 50.0, pix[1] - 50.0);
        let (du, dv) = (1e-4 * u * u + 3e-5 * u * v, 2e-4 * v * v);
        let (u, v) = (u + du, v + dv);
        let (ra, dec) = tan_to_sky(CD[0] * u + CD[1] * v, CD[2] * u + CD[3] * v, 10.0, 20.0);
        let world = w.pixel_to_world(&pix).unwrap();
        assert_close(&world, &[ra, dec], 1e-10);
        // The inverse has no AP/BP here, so wcslib iterates; it still has to come back.
        assert_close(&w.world_to_pixel(&world).unwrap(), &pix, 1e-6);
    }
    // astropy 8.0.2 for pixel (200, 10)
    assert_close(
        &w.pixel_to_world(&[200.0, 10.0]).unwrap(),
        &[9.829752139914286, 19.975445792224903],
        1e-10,
    );
    // wcslib reads SIP with relax = none as well, and evaluates it the same way.
    let strict = Wcs::from_header(&h, &ParseOptions::strict()).unwrap();
    assert_eq!(
        strict.pixel_to_world(&[200.0, 10.0]).unwrap(),
        w.pixel_to_world(&[200.0, 10.0]).unwrap()
    );
    // Copies carry the distortion along.
    let copy = w.try_clone().unwrap();
    assert_eq!(
        copy.pixel_to_world(&[1.0, 1.0]).unwrap(),
        w.pixel_to_world(&[1.0, 1.0]).unwrap()
    );
}

#[test]
fn tpv_distortion() {
    let mut cards = DISTORTION_BASE.to_vec();
    cards.extend_from_slice(&[
        ("CTYPE1", "'RA---TPV'"),
        ("CTYPE2", "'DEC--TPV'"),
        ("PV1_0", "0.0"),
        ("PV1_1", "1.0"),
        ("PV1_4", "0.01"),
        ("PV2_0", "0.0"),
        ("PV2_1", "1.0"),
        ("PV2_4", "0.02"),
    ]);
    let w = Wcs::from_header(&header(&cards), &ParseOptions::relaxed()).unwrap();
    // wcsset turns TPV into TAN plus a sequent distortion (astropy shows the same).
    assert_eq!(w.info().axes[0].ctype.as_deref(), Some("RA---TAN"));
    for pix in [[1.0, 1.0], [50.0, 50.0], [200.0, 10.0]] {
        let (u, v) = (pix[0] - 50.0, pix[1] - 50.0);
        let (x, y) = (CD[0] * u + CD[1] * v, CD[2] * u + CD[3] * v);
        // TPV: x' = PV1_1 x + PV1_4 x², y' = PV2_1 y + PV2_4 y² (in degrees; other terms 0).
        let (xp, yp) = (x + 0.01 * x * x, y + 0.02 * y * y);
        let (ra, dec) = tan_to_sky(xp, yp, 10.0, 20.0);
        let world = w.pixel_to_world(&pix).unwrap();
        assert_close(&world, &[ra, dec], 1e-10);
        assert_close(&w.world_to_pixel(&world).unwrap(), &pix, 1e-6);
    }
    // astropy 8.0.2 for pixel (1, 1)
    assert_close(
        &w.pixel_to_world(&[1.0, 1.0]).unwrap(),
        &[10.041717845153455, 19.946153249767953],
        1e-10,
    );
    let copy = w.try_clone().unwrap();
    assert_eq!(
        copy.pixel_to_world(&[200.0, 10.0]).unwrap(),
        w.pixel_to_world(&[200.0, 10.0]).unwrap()
    );
}

#[test]
fn nan_and_infinite_values() {
    let mut cards = TAN.to_vec();
    cards[3] = ("CRVAL1", "NaN");
    match parse_err(&cards) {
        WcsError::NonFinite { keyword, value } => {
            assert_eq!(keyword, "CRVAL1");
            assert_eq!(value, "NaN");
        }
        e => panic!("unexpected {e:?}"),
    }
    let mut cards = TAN.to_vec();
    cards[4] = ("CRVAL2", "1.0E999");
    match parse_err(&cards) {
        WcsError::NonFinite { keyword, value } => {
            assert_eq!(keyword, "CRVAL2");
            assert_eq!(value, "inf");
        }
        e => panic!("unexpected {e:?}"),
    }
    let mut cards = TAN.to_vec();
    cards.push(("PC1_2", "-Infinity"));
    assert!(matches!(parse_err(&cards), WcsError::NonFinite { keyword, .. } if keyword == "PC1_2"));

    // NaN in an auxiliary keyword: wcslib rejects the card, the value stays undefined, and the
    // rejection is reported rather than fatal.
    let mut cards = TAN.to_vec();
    cards.push(("VELOSYS", "NaN"));
    let w = parse(&cards);
    assert_eq!(w.info().velosys, None);
    let r = &w.rejected_keywords()[0];
    assert_eq!(r.keyword, "VELOSYS");
    assert!(r.reason.contains("floating-point"), "{r:?}");

    // Non-finite input coordinates are flagged per point (wcslib alone maps an infinite pixel
    // to a finite, meaningless RA with status 0).
    let w = parse(TAN);
    let p = w
        .pixel_to_world_many(&[f64::NAN, 1.0, 1.0, f64::INFINITY, 1024.5, 1024.5])
        .unwrap();
    assert_eq!((p.status(0), p.status(1), p.status(2)), (0b01, 0b10, 0));
    assert!(p.get(0).is_none() && p.get(1).is_none());
    assert!(p.as_flat()[..4].iter().all(|v| v.is_nan()));
    assert_close(p.get(2).unwrap(), &[210.8, 54.35], 1e-12);
    assert_eq!(
        w.world_to_pixel(&[f64::NEG_INFINITY, 0.0]).unwrap_err(),
        WcsError::InvalidCoordinate {
            what: "world",
            axes: vec![0],
            mask: 1
        }
    );
}

#[test]
fn rejected_keywords_are_reported() {
    let mut cards = TAN.to_vec();
    cards.push(("EQUINOX", "'J2000'"));
    cards.push(("CRPIX1A", "'x'"));
    let w = parse(&cards);
    let keys: Vec<&str> = w
        .rejected_keywords()
        .iter()
        .map(|r| r.keyword.as_str())
        .collect();
    assert_eq!(keys, ["EQUINOX", "CRPIX1A"]);
    assert_eq!(w.info().equinox, None);
}

#[test]
fn singular_cd_matrix() {
    let cd = |c: [&'static str; 4]| {
        vec![
            ("NAXIS", "2"),
            ("CTYPE1", "'RA---TAN'"),
            ("CTYPE2", "'DEC--TAN'"),
            ("CD1_1", c[0]),
            ("CD1_2", c[1]),
            ("CD2_1", c[2]),
            ("CD2_2", c[3]),
        ]
    };
    // A zero row: wcsset itself refuses it.
    let e = parse_err(&cd(["0.0", "0.0", "0.5", "1.0"]));
    assert_eq!(e.wcslib_status(), Some(3), "{e}");
    assert_eq!(
        e.to_string(),
        "wcsset: Linear transformation matrix is singular (wcslib status 3)"
    );
    // Rank-deficient but without a zero row: wcslib 7.12 accepts it (as the reference does),
    // pixel -> world is well defined, world -> pixel is refused here instead of returning noise.
    let w = parse(&cd(["1.0E-3", "2.0E-3", "2.0E-3", "4.0E-3"]));
    assert!(w.info().linear_is_singular());
    assert!(w.pixel_to_world(&[10.0, 10.0]).is_ok());
    assert_eq!(
        w.world_to_pixel(&[0.0, 0.0]).unwrap_err(),
        WcsError::SingularMatrix
    );
    assert!(!parse(TAN).info().linear_is_singular());
}

#[test]
fn contradictory_ctypes() {
    let e = parse_err(&[
        ("NAXIS", "2"),
        ("CTYPE1", "'RA---TAN'"),
        ("CTYPE2", "'RA---TAN'"),
    ]);
    assert_eq!(e.wcslib_status(), Some(4), "{e}");
    assert!(
        e.to_string().contains("Inconsistent projection types"),
        "{e}"
    );
    let e = parse_err(&[
        ("NAXIS", "2"),
        ("CTYPE1", "'RA---XYZ'"),
        ("CTYPE2", "'DEC--XYZ'"),
    ]);
    assert_eq!(e.wcslib_status(), Some(4), "{e}");
}

#[test]
fn garbage_text() {
    let opts = ParseOptions::default();
    assert_eq!(
        Wcs::from_header("", &opts).unwrap_err(),
        WcsError::EmptyHeader
    );
    assert_eq!(
        Wcs::from_header(&format!("{:<80}", "END"), &opts).unwrap_err(),
        WcsError::EmptyHeader
    );
    assert_eq!(
        Wcs::from_header("hello world, this is not a FITS header at all", &opts).unwrap_err(),
        WcsError::NoWcs
    );
    let noise: String = (0..4000u32)
        .map(|i| char::from_u32((i * 7919 + 13) % 0x2FF).unwrap_or('x'))
        .collect();
    let _ = Wcs::from_header(&noise, &opts);
    let _ = Wcs::from_header(&noise, &ParseOptions::relaxed());
    let _ = Wcs::from_header("CTYPE1  = 'RA---TAN\u{0}\u{7}'\nNAXIS = ='=", &opts);
    // Unclosed quote, value in the wrong column, keyword without value: rejected, no panic.
    let h = header(&[("NAXIS", "1"), ("CTYPE1", "'FREQ"), ("CRVAL1", "")]);
    let _ = Wcs::from_header(&h, &opts);
}

#[test]
fn out_of_domain_points_are_flagged_per_point() {
    let w = parse(TAN);
    // The antipode of the reference point has no TAN projection.
    let e = w.world_to_pixel(&[30.8, -54.35]).unwrap_err();
    assert!(
        matches!(e, WcsError::InvalidCoordinate { what: "world", .. }),
        "{e}"
    );
    let pts = w
        .world_to_pixel_many(&[210.8, 54.35, 30.8, -54.35])
        .unwrap();
    assert_eq!(pts.len(), 2);
    assert_close(pts.get(0).unwrap(), &[1024.5, 1024.5], 1e-9);
    assert_eq!(pts.get(1), None);
    assert_ne!(pts.status(1), 0);
    assert!(pts.as_flat()[2..].iter().all(|v| v.is_nan()));
    let results: Vec<bool> = pts.iter().map(|p| p.is_ok()).collect();
    assert_eq!(results, [true, false]);
}

#[test]
fn alternate_wcs() {
    let mut cards = TAN.to_vec();
    cards.extend_from_slice(&[
        ("CTYPE1A", "'LINEAR'"),
        ("CRVAL1A", "0.0"),
        ("CDELT1A", "0.015"),
        ("CRPIX1A", "1.0"),
        ("CUNIT1A", "'mm'"),
    ]);
    let h = header(&cards);
    let a = Wcs::from_header(&h, &ParseOptions::default().with_alt('A')).unwrap();
    assert_eq!(a.info().axes[0].ctype.as_deref(), Some("LINEAR"));
    assert_eq!(a.info().axes[0].cunit.as_deref(), Some("mm"));
    assert_eq!(a.pixel_to_world(&[11.0, 1.0]).unwrap()[0], 0.15);
    assert_eq!(
        Wcs::from_header(&h, &ParseOptions::default().with_alt('B')).unwrap_err(),
        WcsError::NoSuchAlternate('B')
    );
    assert!(matches!(
        Wcs::from_header(&h, &ParseOptions::default().with_alt('a')),
        Err(WcsError::InvalidOption(_))
    ));
}

#[test]
fn time_axis_and_time_keywords() {
    let w = parse(&[
        ("NAXIS", "1"),
        ("CTYPE1", "'TIME'"),
        ("CUNIT1", "'d'"),
        ("CRVAL1", "0.0"),
        ("CDELT1", "0.5"),
        ("CRPIX1", "1.0"),
        ("MJDREF", "58000.0"),
        ("TIMESYS", "'TT'"),
        ("TREFPOS", "'TOPOCENTER'"),
        ("DATE-OBS", "'2017-09-04T00:00:00'"),
    ]);
    let info = w.info();
    assert_eq!(info.axes[0].kind, AxisKind::Time);
    assert_eq!(info.mjdref, Some(58000.0));
    assert_eq!(info.timesys.as_deref(), Some("TT"));
    assert_eq!(info.trefpos.as_deref(), Some("TOPOCENTER"));
    assert_eq!(info.dateobs.as_deref(), Some("2017-09-04T00:00:00"));
    // datfix derives MJD-OBS from DATE-OBS.
    assert_eq!(info.mjdobs, Some(58000.0));
    assert!(w.fixes().iter().any(|f| f.fix == Fix::Dat && f.changed()));
    assert_eq!(w.pixel_to_world(&[3.0]).unwrap(), vec![1.0]);
}

#[test]
fn cylfix_runs_only_with_image_axes() {
    let h = header(TAN);
    let opts = ParseOptions::default().with_image_axes(&[2048, 2048]);
    let w = Wcs::from_header(&h, &opts).unwrap();
    let cyl = w.fixes().iter().find(|f| f.fix == Fix::Cyl).unwrap();
    assert_eq!(cyl.outcome, FixOutcome::NoChange);
    let opts = ParseOptions::default().with_image_axes(&[i64::MAX]);
    assert!(matches!(
        Wcs::from_header(&h, &opts),
        Err(WcsError::InvalidOption(_))
    ));
}

#[test]
fn newline_separated_header_text() {
    let text: String = TAN.iter().map(|(k, v)| format!("{k:<8}= {v}\n")).collect();
    let w = Wcs::from_header(&text, &ParseOptions::default()).unwrap();
    assert_close(
        &w.pixel_to_world(&[1024.5, 1024.5]).unwrap(),
        &[210.8, 54.35],
        1e-12,
    );
}

#[test]
fn wcs_moves_between_threads_and_copies_work_in_parallel() {
    fn assert_send<T: Send>() {}
    assert_send::<Wcs>();
    let w = parse(TAN);
    let expected = w.pixel_to_world(&[1.0, 1.0]).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let mine = w.clone();
            let exp = expected.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    assert_eq!(mine.pixel_to_world(&[1.0, 1.0]).unwrap(), exp);
                    // Parsing concurrently is fine too (wcspih is reentrant since 5.18).
                    let other = Wcs::from_header(&header(TAN), &ParseOptions::default()).unwrap();
                    assert_eq!(other.pixel_to_world(&[1.0, 1.0]).unwrap(), exp);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
