//! HDF5 sources: the reference path syntax on the conformance files (TAOS II compound
//! datasets, SITELLE root attributes) and on a synthetic file written here.
#![cfg(feature = "hdf5")]

use fits2caom2::hdf5::{Datum, Hdf5Error, Hdf5Source, Resolved};
use fits2caom2::Value;
use hdf5_metno as h5;

fn scalar(v: Value) -> Datum {
    Datum::Value(v)
}

fn per_ext(r: Resolved) -> Vec<(String, Datum)> {
    match r {
        Resolved::PerExtension(v) => v,
        other => panic!("expected per-extension values, got {other:?}"),
    }
}

fn file(r: Resolved) -> Datum {
    match r {
        Resolved::File(d) => d,
        other => panic!("expected one value, got {other:?}"),
    }
}

#[test]
fn taos_compound_datasets() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let s = Hdf5Source::open(dir.join("hdf5/taos_20220201T200117/taos2_test.h5")).unwrap();
    // Values the expected XML holds.
    assert_eq!(
        file(s.resolve("//header/run/run_seq").unwrap()),
        scalar(Value::Integer(129))
    );
    assert_eq!(
        file(s.resolve("//header/object/obj_id").unwrap()),
        scalar(Value::Integer(4239531))
    );
    assert_eq!(
        file(s.resolve("//header/object/epoch").unwrap()),
        scalar(Value::Float(2000.0))
    );
    assert_eq!(
        file(s.resolve("//header/timeseries/mjdrunend").unwrap()),
        scalar(Value::Float(59611.92638888889))
    );
    // Fixed-length strings come back as text, without NUL padding.
    assert_eq!(
        file(s.resolve("//header/object/obj_ra").unwrap()),
        scalar(Value::String("05:02:32.50".into()))
    );

    let crpix = per_ext(s.resolve("/sitedata/site{}/header/wcs/crpix(0)").unwrap());
    let names: Vec<&str> = crpix.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["site0", "site1", "site2"]);
    assert_eq!(crpix[0].1, scalar(Value::Float(-284.445770264)));
    assert_eq!(crpix[1].1, scalar(Value::Float(-279.44511413600003)));
    let crval2 = per_ext(s.resolve("/sitedata/site{}/header/wcs/crval(1)").unwrap());
    assert_eq!(crval2[2].1, scalar(Value::Float(0.36083189800706844)));
    // (i:j) indexes the 2-D cd array field: cd(0:1) is CD1_2.
    let cd12 = per_ext(s.resolve("/sitedata/site{}/header/wcs/cd(0:1)").unwrap());
    assert_eq!(cd12[0].1, scalar(Value::Float(5.17684229864217e-09)));
    let cd21 = per_ext(s.resolve("/sitedata/site{}/header/wcs/cd(1:0)").unwrap());
    assert_eq!(cd21[1].1, scalar(Value::Float(-8.530093204777965e-09)));
    let ctype = per_ext(s.resolve("/sitedata/site{}/header/wcs/ctype(1)").unwrap());
    assert_eq!(ctype[0].1, scalar(Value::String("DEC--TAN-SIP".into())));
    let cunit = per_ext(s.resolve("/sitedata/site{}/header/wcs/cunit(0)").unwrap());
    assert_eq!(cunit[2].1, scalar(Value::String("rad".into())));
    // Without an index, the whole array.
    let cd = per_ext(s.resolve("/sitedata/site{}/header/wcs/cd").unwrap());
    assert!(matches!(&cd[0].1, Datum::Array(rows) if rows.len() == 2));
}

#[test]
fn taos_errors_name_file_and_path() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let s = Hdf5Source::open(dir.join("hdf5/taos_20220201T200117/taos2_test.h5")).unwrap();
    let err = s.resolve("//header/object/nope").unwrap_err();
    assert!(matches!(err, Hdf5Error::NotFound { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("taos2_test.h5") && text.contains("//header/object/nope"),
        "{text}"
    );
    let err = s
        .resolve("/sitedata/site{}/header/wcs/cd(2:0)")
        .unwrap_err();
    assert!(matches!(err, Hdf5Error::Index { .. }), "{err}");
    assert!(
        err.to_string().contains("/sitedata/site0/header/wcs/cd"),
        "{err}"
    );
    let err = s.resolve("/sitedata/nosuch{}/header/wcs/cd").unwrap_err();
    assert!(matches!(err, Hdf5Error::NotFound { .. }), "{err}");
    let err = s.resolve("/nogroup/site{}/header").unwrap_err();
    assert!(err.to_string().contains("/nogroup"), "{err}");
    let err = s.resolve("NO_SUCH_ATTRIBUTE").unwrap_err();
    assert!(matches!(err, Hdf5Error::NotFound { .. }), "{err}");
}

#[test]
fn sitelle_root_attributes() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let s = Hdf5Source::open(dir.join("hdf5/cfht_sitelle_testz/testz.hdf5")).unwrap();
    assert_eq!(
        file(s.resolve("OBS_DATE").unwrap()),
        scalar(Value::String("2022-03-04".into()))
    );
    assert_eq!(
        file(s.resolve("program").unwrap()),
        scalar(Value::String("Created/modified with ORB".into()))
    );
    assert!(matches!(file(s.resolve("filter_range").unwrap()), Datum::Array(v) if v.len() == 2));
    let h = s.root_header().unwrap();
    // 103 attributes, 5 of them arrays.
    assert_eq!(h.len(), 98);
    assert_eq!(h.get_i64("BITPIX"), Some(-32));
    assert_eq!(h.get_str("CTYPE1"), Some("RA---TAN-SIP"));
    assert_eq!(h.get("SIMPLE"), Some(&Value::Logical(true)));
    assert_eq!(h.get_i64("step_nb"), h.get_i64("STEP_NB"));
    assert_eq!(
        h.get_str("image_list_path_2")
            .map(|p| p.split('/').count() > 4),
        Some(true)
    );
    // The header renders as 80-character cards for wcslib.
    assert_eq!(h.to_card_string().len() % 80, 0);
}

#[derive(h5::H5Type, Clone, Copy)]
#[repr(C)]
struct Record {
    id: u64,
    name: h5::types::FixedAscii<12>,
    crpix: [f64; 2],
    cd: [[f32; 2]; 2],
    ok: bool,
}

fn record(id: u64, name: &str, x: f64) -> Record {
    Record {
        id,
        name: h5::types::FixedAscii::from_ascii(name.as_bytes()).unwrap(),
        crpix: [x, x + 1.0],
        cd: [[0.5, 0.25], [0.125, 0.1]],
        ok: (id & 1) == 0,
    }
}

fn synthetic(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("synthetic.h5");
    let f = h5::File::create(&p).unwrap();
    f.new_attr::<f64>()
        .create("EXPTIME")
        .unwrap()
        .write_scalar(&30.5)
        .unwrap();
    f.new_attr::<bool>()
        .create("FLAG")
        .unwrap()
        .write_scalar(&true)
        .unwrap();
    let s: h5::types::VarLenUnicode = "2022-02-01".parse().unwrap();
    f.new_attr::<h5::types::VarLenUnicode>()
        .create("DATE")
        .unwrap()
        .write_scalar(&s)
        .unwrap();
    let hdr = f.create_group("header").unwrap();
    hdr.new_dataset::<Record>()
        .create("object")
        .unwrap()
        .write_scalar(&record(7, "star", 1.0))
        .unwrap();
    // A table of records: a field gives one value per row.
    hdr.new_dataset::<Record>()
        .shape(3)
        .create("rows")
        .unwrap()
        .write(&[
            record(1, "a", 1.0),
            record(2, "b", 2.0),
            record(3, "c", 3.0),
        ])
        .unwrap();
    hdr.new_dataset::<i32>()
        .shape(4)
        .create("plain")
        .unwrap()
        .write(&[1, 2, 3, 4])
        .unwrap();
    // A variable-length array (libhdf5 allocates it while reading).
    hdr.new_dataset::<h5::types::VarLenArray<i32>>()
        .create("vlen")
        .unwrap()
        .write_scalar(&h5::types::VarLenArray::from_slice(&[5, 6, 7]))
        .unwrap();
    let data = f.create_group("data").unwrap();
    // Python's sorted(): "ccd10" before "ccd2".
    for (name, x) in [("ccd2", 2.0), ("ccd10", 10.0), ("ccd1", 1.0)] {
        let g = data.create_group(name).unwrap();
        g.new_dataset::<Record>()
            .create("wcs")
            .unwrap()
            .write_scalar(&record(x as u64, name, x))
            .unwrap();
        g.new_attr::<i64>()
            .create("NAXIS1")
            .unwrap()
            .write_scalar(&(x as i64 * 100))
            .unwrap();
    }
    data.create_group("other").unwrap();
    p
}

#[test]
fn synthetic_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = synthetic(dir.path());
    let s = Hdf5Source::open(&p).unwrap();
    assert_eq!(
        file(s.resolve("EXPTIME").unwrap()),
        scalar(Value::Float(30.5))
    );
    assert_eq!(
        file(s.resolve("FLAG").unwrap()),
        scalar(Value::Logical(true))
    );
    assert_eq!(
        file(s.resolve("DATE").unwrap()),
        scalar(Value::String("2022-02-01".into()))
    );
    assert_eq!(
        file(s.resolve("//header/object/id").unwrap()),
        scalar(Value::Integer(7))
    );
    assert_eq!(
        file(s.resolve("//header/object/name").unwrap()),
        scalar(Value::String("star".into()))
    );
    assert_eq!(
        file(s.resolve("//header/object/crpix(1)").unwrap()),
        scalar(Value::Float(2.0))
    );
    // float32 widened exactly, as Python's float(numpy.float32(x)).
    assert_eq!(
        file(s.resolve("//header/object/cd(1:1)").unwrap()),
        scalar(Value::Float(f64::from(0.1f32)))
    );
    assert_eq!(
        file(s.resolve("//header/object/ok").unwrap()),
        scalar(Value::Logical(false))
    );
    assert_eq!(
        file(s.resolve("//header/rows/name").unwrap()),
        Datum::Array(vec![
            scalar(Value::String("a".into())),
            scalar(Value::String("b".into())),
            scalar(Value::String("c".into()))
        ])
    );
    assert_eq!(
        file(s.resolve("//header/rows/id(2)").unwrap()),
        scalar(Value::Integer(3))
    );
    // A plain dataset named by the last component.
    assert_eq!(
        file(s.resolve("//header/plain(3)").unwrap()),
        scalar(Value::Integer(4))
    );

    let per = per_ext(s.resolve("/data/ccd{}/wcs/crpix(0)").unwrap());
    let names: Vec<&str> = per.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ccd1", "ccd10", "ccd2"]);
    assert_eq!(per[1].1, scalar(Value::Float(10.0)));
    // An attribute of each matching group.
    let naxis = per_ext(s.resolve("/data/ccd{}/NAXIS1").unwrap());
    assert_eq!(naxis[2].1, scalar(Value::Integer(200)));

    let h = s.root_header().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h.get_f64("exptime"), Some(30.5));

    assert_eq!(
        file(s.resolve("//header/vlen(2)").unwrap()),
        scalar(Value::Integer(7))
    );

    let err = s.resolve("//header/object/nope").unwrap_err();
    assert!(err.to_string().contains("synthetic.h5"), "{err}");
    // Lookups are remembered, misses too: asking again gives the same answer.
    assert_eq!(
        s.resolve("//header/object/nope").unwrap_err().to_string(),
        err.to_string()
    );
    assert_eq!(per_ext(s.resolve("/data/ccd{}/wcs/crpix(0)").unwrap()), per);
    let err = s.resolve("//header/object/id(0)").unwrap_err();
    assert!(matches!(err, Hdf5Error::Index { .. }), "{err}");
}

#[test]
fn not_hdf5() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.h5");
    std::fs::write(&p, b"not an HDF5 file").unwrap();
    let err = Hdf5Source::open(&p).unwrap_err();
    assert!(matches!(err, Hdf5Error::Open { .. }), "{err}");
    assert!(err.to_string().contains("x.h5"), "{err}");
}
