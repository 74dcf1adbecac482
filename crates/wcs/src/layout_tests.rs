//! The `#[repr(C)]` declarations in ffi.rs against the C compiler's view of wcslib's headers:
//! every field offset and every struct size, from `offsetof`/`sizeof` in a small C program.

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use crate::ffi;

/// `(C member path, Rust offset)` for each listed field; `r#type` becomes `type`.
macro_rules! offsets {
    ($out:ident, $ty:ty, $cname:literal, [$($field:ident),* $(,)?]) => {
        $(
            $out.push((
                format!("{}.{}", $cname, stringify!($field).trim_start_matches("r#")),
                offset_of!($ty, $field),
            ));
        )*
        $out.push((format!("sizeof.{}", $cname), size_of::<$ty>()));
    };
}

fn rust_layout() -> Vec<(String, usize)> {
    let mut v = Vec::new();
    offsets!(v, ffi::pvcard, "pvcard", [i, m, value]);
    offsets!(v, ffi::pscard, "pscard", [i, m, value]);
    offsets!(
        v,
        ffi::wcserr,
        "wcserr",
        [status, line_no, function, file, msg]
    );
    offsets!(
        v,
        ffi::linprm,
        "linprm",
        [
            flag, naxis, crpix, pc, cdelt, dispre, disseq, piximg, imgpix, i_naxis, unity, affine,
            simple, err, tmpcrd, m_flag, m_naxis, m_crpix, m_pc, m_cdelt, m_dispre, m_disseq,
        ]
    );
    offsets!(
        v,
        ffi::prjprm,
        "prjprm",
        [
            flag, code, r0, pv, phi0, theta0, bounds, name, category, pvrange, simplezen,
            equiareal, conformal, global, divergent, x0, y0, err, padding, w, m, n, prjx2s, prjs2x,
        ]
    );
    offsets!(
        v,
        ffi::celprm,
        "celprm",
        [flag, offset, phi0, theta0, r#ref, prj, euler, latpreq, isolat, err, padding]
    );
    offsets!(
        v,
        ffi::spcprm,
        "spcprm",
        [
            flag, r#type, code, crval, restfrq, restwav, pv, w, isGrism, padding1, err, padding2,
            spxX2P, spxP2S, spxS2P, spxP2X,
        ]
    );
    offsets!(
        v,
        ffi::wcsprm,
        "wcsprm",
        [
            flag, naxis, crpix, pc, cdelt, crval, cunit, ctype, lonpole, latpole, restfrq, restwav,
            npv, npvmax, pv, nps, npsmax, ps, cd, crota, altlin, velref, alt, colnum, colax, cname,
            crder, csyer, czphs, cperi, wcsname, timesys, trefpos, trefdir, plephem, timeunit,
            dateref, mjdref, timeoffs, dateobs, datebeg, dateavg, dateend, mjdobs, mjdbeg, mjdavg,
            mjdend, jepoch, bepoch, tstart, tstop, xposure, telapse, timsyer, timrder, timedel,
            timepixr, obsgeo, obsorbit, radesys, equinox, specsys, ssysobs, velosys, zsource,
            ssyssrc, velangl, aux, ntab, nwtb, tab, wtb, lngtyp, lattyp, lng, lat, spec, cubeface,
            types, lin, cel, spc, err, m_flag, m_naxis, m_crpix, m_pc, m_cdelt, m_crval, m_cunit,
            m_ctype, m_pv, m_ps, m_cd, m_crota, m_colax, m_cname, m_crder, m_csyer, m_czphs,
            m_cperi, m_aux, m_tab, m_wtb,
        ]
    );
    v
}

fn c_program(fields: &[(String, usize)]) -> String {
    let mut src = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <wcslib.h>\n#include <wcserr.h>\nint main(void) {\n",
    );
    for (name, _) in fields {
        let line = match name.split_once('.') {
            Some(("sizeof", ty)) => {
                format!("  printf(\"%s %zu\\n\", \"{name}\", sizeof(struct {ty}));\n")
            }
            Some((ty, field)) => {
                format!("  printf(\"%s %zu\\n\", \"{name}\", offsetof(struct {ty}, {field}));\n")
            }
            None => continue,
        };
        src.push_str(&line);
    }
    src.push_str("  return 0;\n}\n");
    src
}

fn cflags() -> Vec<String> {
    Command::new("pkg-config")
        .args(["--cflags", "wcslib"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_else(|| vec!["-I/usr/include/wcslib".to_string()])
}

#[test]
fn struct_layout_matches_gcc() {
    if Command::new("gcc").arg("--version").output().is_err() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "gcc is needed to check the wcslib struct layout");
        eprintln!("notice: gcc not found; skipping the wcslib layout check");
        return;
    }
    let fields = rust_layout();
    let dir = std::env::temp_dir().join(format!("wcs-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c_program(&fields)).expect("write C source");
    let out = Command::new("gcc")
        .args(cflags())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run gcc");
    assert!(
        out.status.success(),
        "gcc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().expect("run layout program");
    let _ = std::fs::remove_dir_all(&dir);
    let c: BTreeMap<String, usize> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect();
    assert_eq!(c.len(), fields.len(), "one C line per field");
    let wrong: Vec<String> = fields
        .iter()
        .filter(|(name, off)| c.get(name) != Some(off))
        .map(|(name, off)| format!("{name}: rust {off}, C {:?}", c.get(name)))
        .collect();
    assert!(
        wrong.is_empty(),
        "layout differs from C:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn run_time_size_check_passes() {
    crate::wcs::check_abi().expect("the linked wcslib matches the declarations");
}
