//! `Headers`: one interface over dumps, FITS files and HDF5 files.

use fits2caom2::{Card, Header, Headers, SourceError, SourceKind, Value};

#[cfg(feature = "fits")]
fn write_fits(path: &std::path::Path) {
    let mut phu = Header::new();
    phu.push(Card::new("SIMPLE", true, ""));
    phu.push(Card::new("BITPIX", 8, ""));
    phu.push(Card::new("NAXIS", 0, ""));
    phu.push(Card::new("EXTEND", true, ""));
    phu.push(Card::new("OBJECT", "Vega", ""));
    let mut tab = Header::new();
    for c in [
        Card::new("XTENSION", "BINTABLE", ""),
        Card::new("BITPIX", 8, ""),
        Card::new("NAXIS", 2, ""),
        Card::new("NAXIS1", 8, ""),
        Card::new("NAXIS2", 2, ""),
        Card::new("PCOUNT", 0, ""),
        Card::new("GCOUNT", 1, ""),
        Card::new("TFIELDS", 1, ""),
        Card::new("TTYPE1", "Filename", ""),
        Card::new("TFORM1", "8A", ""),
    ] {
        tab.push(c);
    }
    let mut bytes = phu.to_fits_block();
    bytes.extend_from_slice(&tab.to_fits_block());
    bytes.extend_from_slice(b"one.fitstwo.fits");
    bytes.resize(bytes.len() + 2880 - 16, 0);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn chooses_the_reader_by_name_and_content() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("a.fits.header");
    std::fs::write(
        &dump,
        "SIMPLE  = T\nOBJECT  = 'Vega'\nEND\nXTENSION= 'IMAGE'\nEND\n",
    )
    .unwrap();
    let h = Headers::read(&dump).unwrap();
    assert_eq!(h.kind(), SourceKind::Dump(fits2caom2::DumpStyle::Cards));
    assert_eq!(h.len(), 2);
    assert_eq!(h.get(0, "OBJECT"), Some(&Value::String("Vega".into())));
    let e = h.read_column(1, "Filename").unwrap_err();
    assert!(matches!(e, SourceError::Unsupported { .. }), "{e}");

    // A dump without ".header" in its name: cfitsio refuses it, the dump reader takes it.
    let text = dir.path().join("b.txt");
    std::fs::write(&text, "SIMPLE  = T\nOBJECT  = 'Deneb'\nEND\n").unwrap();
    let h = Headers::read(&text).unwrap();
    assert_eq!(h.get(0, "OBJECT"), Some(&Value::String("Deneb".into())));

    #[cfg(feature = "fits")]
    {
        let fits = dir.path().join("c.fits");
        write_fits(&fits);
        let mut h = Headers::read(&fits).unwrap();
        assert_eq!(h.kind(), SourceKind::Fits);
        assert_eq!(h.len(), 2);
        assert_eq!(h.hdu_kind(1), Some(fits2caom2::fits::HduKind::BinaryTable));
        assert_eq!(h.image_info(0).map(|i| i.naxes.len()), Some(0));
        assert_eq!(
            h.read_column(1, "FILENAME").unwrap(),
            vec!["one.fits", "two.fits"]
        );
        // The mapping engine writes blueprint defaults into the headers.
        h.hdu_mut(1).unwrap().set("CTYPE1", "RA---TAN");
        assert_eq!(h.get(1, "CTYPE1"), Some(&Value::String("RA---TAN".into())));
    }
}

#[cfg(feature = "hdf5")]
#[test]
fn hdf5_headers() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let h = Headers::read(dir.join("hdf5/cfht_sitelle_testz/testz.hdf5")).unwrap();
    assert_eq!(h.kind(), SourceKind::Hdf5);
    assert_eq!(h.len(), 1);
    assert_eq!(h.get(0, "RADESYS"), Some(&Value::String("FK5".into())));
    assert!(matches!(h.get(0, "object_name"), Some(Value::String(_))));
    let h = Headers::read(dir.join("hdf5/taos_20220201T200117/taos2_test.h5")).unwrap();
    let src = h.hdf5().unwrap();
    assert!(matches!(
        src.resolve("//header/run/run_seq").unwrap(),
        fits2caom2::hdf5::Resolved::File(_)
    ));
}

#[test]
fn missing_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = Headers::read(dir.path().join("nope.fits.header")).unwrap_err();
    assert!(e.to_string().contains("nope.fits.header"), "{e}");
    let empty = dir.path().join("empty.orig.header");
    std::fs::write(&empty, "").unwrap();
    let e = Headers::read(&empty).unwrap_err();
    assert!(e.to_string().contains("no header cards"), "{e}");
    #[cfg(feature = "fits")]
    {
        let e = Headers::read(dir.path().join("nope.fits")).unwrap_err();
        assert!(e.to_string().contains("nope.fits"), "{e}");
    }
    // A stand-in header built in memory, as the reference does for non-FITS inputs.
    let mut h = Header::new();
    h.push(Card::new("BITPIX", 8, ""));
    h.push(Card::new("NAXIS", 4, ""));
    let hs = Headers::from_headers("HD36486.orig", vec![h]);
    assert_eq!(hs.kind(), SourceKind::Memory);
    assert_eq!(hs.get(0, "NAXIS"), Some(&Value::Integer(4)));
}

#[test]
fn sources_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Headers>();
    send_sync::<Header>();
}

#[cfg(feature = "fits")]
#[test]
fn cfitsio_is_reentrant() {
    // The pipeline reads files on several threads at once; that needs a reentrant build.
    // SAFETY: a plain query without arguments.
    assert_eq!(unsafe { fitsio::sys::fits_is_reentrant() }, 1);
}
