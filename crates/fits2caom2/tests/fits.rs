//! FITS files through cfitsio: synthetic files written here (plain, tile-compressed,
//! gzipped, truncated) and the conformance binary FITS file.
#![cfg(feature = "fits")]

use std::path::{Path, PathBuf};

use fits2caom2::card::{Card, Value};
use fits2caom2::fits::{read_column, read_fits, FitsError, HduKind};
use fits2caom2::Header;

/// A primary HDU with a 4×3 16-bit image and the header features we care about.
fn primary() -> (Header, Vec<u8>) {
    let mut h = Header::new();
    h.push(Card::new("SIMPLE", true, "conforms to FITS"));
    h.push(Card::new("BITPIX", 16, ""));
    h.push(Card::new("NAXIS", 2, ""));
    h.push(Card::new("NAXIS1", 4, ""));
    h.push(Card::new("NAXIS2", 3, ""));
    h.push(Card::new("EXTEND", true, ""));
    h.push(Card::new("OBJECT", "M31", "target"));
    h.push(Card::new("EXPTIME", 30.5, "seconds"));
    h.push(Card::new("ESO DET CHIP ID", "ccd-1", "a HIERARCH keyword"));
    h.push(Card::new(
        "LONGSTR",
        "x".repeat(100).as_str(),
        "needs CONTINUE",
    ));
    h.push(Card::new(
        "BIGINT",
        Value::BigInteger("55200500000000038461".into()),
        "",
    ));
    h.push(Card::commentary("COMMENT", "first comment"));
    h.push(Card::commentary("HISTORY", "made by the fits2caom2 tests"));
    (h, vec![0u8; 4 * 3 * 2])
}

/// A binary table with a 20-character `Filename` column and a 32-bit integer column.
fn table(names: &[&str]) -> (Header, Vec<u8>) {
    let mut h = Header::new();
    h.push(Card::new("XTENSION", "BINTABLE", ""));
    h.push(Card::new("BITPIX", 8, ""));
    h.push(Card::new("NAXIS", 2, ""));
    h.push(Card::new("NAXIS1", 24, ""));
    h.push(Card::new("NAXIS2", names.len() as i64, ""));
    h.push(Card::new("PCOUNT", 0, ""));
    h.push(Card::new("GCOUNT", 1, ""));
    h.push(Card::new("TFIELDS", 2, ""));
    h.push(Card::new("TTYPE1", "Filename", ""));
    h.push(Card::new("TFORM1", "20A", ""));
    h.push(Card::new("TTYPE2", "Count", ""));
    h.push(Card::new("TFORM2", "1J", ""));
    h.push(Card::new("EXTNAME", "PROVENANCE", ""));
    let mut data = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let mut cell = n.as_bytes().to_vec();
        // NUL padding, as in the Gemini file; cfitsio stops at the NUL.
        cell.resize(20, 0);
        data.extend_from_slice(&cell);
        data.extend_from_slice(&(i as i32 + 1).to_be_bytes());
    }
    (h, data)
}

fn write_fits(path: &Path, hdus: &[(Header, Vec<u8>)]) {
    let mut bytes = Vec::new();
    for (h, data) in hdus {
        bytes.extend_from_slice(&h.to_fits_block());
        bytes.extend_from_slice(data);
        let rem = bytes.len() % 2880;
        if rem != 0 {
            bytes.resize(bytes.len() + 2880 - rem, 0);
        }
    }
    std::fs::write(path, bytes).unwrap();
}

fn sample(dir: &Path) -> PathBuf {
    let p = dir.join("sample.fits");
    write_fits(&p, &[primary(), table(&["a.fits", "b.fits", "c.fits"])]);
    p
}

#[test]
fn plain_file_headers() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    let hdus = read_fits(&p).unwrap();
    assert_eq!(hdus.len(), 2);
    let h = &hdus[0].header;
    assert_eq!(hdus[0].kind, HduKind::Image);
    let img = hdus[0].image.as_ref().unwrap();
    assert_eq!((img.bitpix, img.naxes.clone()), (16, vec![4, 3]));
    assert_eq!(h.get_str("OBJECT"), Some("M31"));
    assert_eq!(h.get_f64("EXPTIME"), Some(30.5));
    assert_eq!(h.get_str("ESO DET CHIP ID"), Some("ccd-1"));
    assert_eq!(h.get_str("LONGSTR"), Some("x".repeat(100).as_str()));
    assert_eq!(h.card("LONGSTR").unwrap().comment, "needs CONTINUE");
    assert_eq!(
        h.get("BIGINT"),
        Some(&Value::BigInteger("55200500000000038461".into()))
    );
    assert_eq!(h.comments().collect::<Vec<_>>(), vec!["first comment"]);
    assert_eq!(h.history().count(), 1);
    assert_eq!(hdus[1].kind, HduKind::BinaryTable);
    assert_eq!(hdus[1].image, None);
    assert_eq!(hdus[1].header.get_str("EXTNAME"), Some("PROVENANCE"));
}

#[test]
fn bintable_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    assert_eq!(
        read_column(&p, 1, "filename").unwrap(),
        vec!["a.fits", "b.fits", "c.fits"]
    );
    assert_eq!(read_column(&p, 1, "Count").unwrap(), vec!["1", "2", "3"]);
    let err = read_column(&p, 1, "Nope").unwrap_err();
    assert!(
        matches!(err, FitsError::NoSuchColumn { hdu: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("sample.fits"), "{err}");
    let err = read_column(&p, 0, "Filename").unwrap_err();
    assert!(matches!(err, FitsError::NotATable { hdu: 0, .. }), "{err}");
    let err = read_column(&p, 5, "Filename").unwrap_err();
    assert!(
        matches!(
            err,
            FitsError::NoSuchHdu {
                hdu: 5,
                count: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn names_are_literal() {
    // cfitsio would read "x.fits[1]" as "HDU 1 of x.fits"; we open the file of that name.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("odd[1].fits");
    write_fits(&p, &[primary()]);
    assert_eq!(read_fits(&p).unwrap().len(), 1);
    let missing = dir.path().join("missing.fits");
    let err = read_fits(&missing).unwrap_err();
    assert!(matches!(err, FitsError::Open { .. }), "{err}");
    assert!(err.to_string().contains("missing.fits"), "{err}");
}

#[test]
fn not_fits() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("text.fits");
    std::fs::write(&p, "SIMPLE  = T\nEND\n").unwrap();
    let err = read_fits(&p).unwrap_err();
    assert!(err.to_string().contains("text.fits"), "{err}");
}

fn truncated(len: usize) -> FitsError {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    let bytes = std::fs::read(&p).unwrap();
    let t = dir.path().join("cut.fits");
    std::fs::write(&t, &bytes[..len]).unwrap();
    let err = read_fits(&t).unwrap_err();
    assert!(err.to_string().contains("cut.fits"), "{err}");
    err
}

fn hdu_of(err: &FitsError) -> Option<usize> {
    match err {
        FitsError::Hdu { hdu, .. } | FitsError::Truncated { hdu, .. } => Some(*hdu),
        _ => None,
    }
}

#[test]
fn truncated_files_name_the_hdu() {
    // Layout: PHU header 2880, PHU data 2880, table header 2880, table data 2880.
    for (len, hdu) in [(2880 + 10, 0), (5760 + 1000, 1), (5760 + 2880 + 40, 1)] {
        let err = truncated(len);
        assert!(matches!(err, FitsError::Truncated { .. }), "{err}");
        assert_eq!(hdu_of(&err), Some(hdu), "cut at {len}: {err}");
    }
    // Cut inside the primary header: cfitsio cannot open it at all.
    let err = truncated(1000);
    assert!(
        matches!(err, FitsError::Open { .. } | FitsError::Hdu { hdu: 0, .. }),
        "{err}"
    );
}

#[test]
fn missing_padding_and_trailing_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = sample(dir.path());
    let bytes = std::fs::read(&p).unwrap();
    // All data present, final padding missing: astropy reads such files, so do we.
    let t = dir.path().join("short-pad.fits");
    std::fs::write(&t, &bytes[..5760 + 2880 + 72]).unwrap();
    assert_eq!(read_fits(&t).unwrap().len(), 2);
    // A trailing block of NULs is padding, not an HDU.
    let t = dir.path().join("zeros.fits");
    let mut z = bytes.clone();
    z.extend_from_slice(&[0u8; 2880]);
    std::fs::write(&t, &z).unwrap();
    assert_eq!(read_fits(&t).unwrap().len(), 2);
    // Half a header after the last HDU is a truncated file.
    let t = dir.path().join("half.fits");
    let mut h = bytes.clone();
    h.extend_from_slice(&table(&["x"]).0.to_fits_block()[..800]);
    std::fs::write(&t, &h).unwrap();
    let err = read_fits(&t).unwrap_err();
    assert_eq!(hdu_of(&err), Some(2), "{err}");
}

#[test]
fn tile_compressed_and_gzipped() {
    use fitsio::images::{ImageDescription, ImageType};
    let dir = tempfile::tempdir().unwrap();
    let fz = dir.path().join("c.fits.fz");
    {
        // cfitsio's "[compress]" suffix writes image extensions tile-compressed.
        let spec = format!("{}[compress]", fz.display());
        let mut f = fitsio::FitsFile::create(&spec).open().unwrap();
        let desc = ImageDescription {
            data_type: ImageType::Short,
            dimensions: &[30, 20],
        };
        let hdu = f.create_image("SCI", &desc).unwrap();
        hdu.write_key(&mut f, "OBJECT", "NGC 1").unwrap();
        hdu.write_image(&mut f, &vec![7i16; 600]).unwrap();
    }
    let hdus = read_fits(&fz).unwrap();
    assert_eq!(hdus.len(), 2);
    let h = &hdus[1];
    assert_eq!(h.kind, HduKind::CompressedImage);
    // The raw BINTABLE header, as CADC's fhead dumps show it.
    assert_eq!(h.header.get_str("XTENSION"), Some("BINTABLE"));
    assert_eq!(h.header.get("ZIMAGE"), Some(&Value::Logical(true)));
    assert_eq!(h.header.get_i64("ZNAXIS1"), Some(20));
    assert_eq!(h.header.get_i64("ZNAXIS2"), Some(30));
    assert_eq!(h.header.get_i64("ZBITPIX"), Some(16));
    assert_eq!(h.header.get_str("OBJECT"), Some("NGC 1"));
    // cfitsio's view of the image.
    let img = h.image.as_ref().unwrap();
    assert_eq!((img.bitpix, img.naxes.clone()), (16, vec![20, 30]));

    let plain = sample(dir.path());
    let gz = dir.path().join("s.fits.gz");
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(&std::fs::read(&plain).unwrap()).unwrap();
        enc.finish().unwrap();
    }
    let hdus = read_fits(&gz).unwrap();
    assert_eq!(hdus.len(), 2);
    assert_eq!(hdus[0].header.get_str("OBJECT"), Some("M31"));
    assert_eq!(
        read_column(&gz, 1, "Filename").unwrap(),
        vec!["a.fits", "b.fits", "c.fits"]
    );
}

#[test]
fn conformance_binary_fits() {
    let Some(dir) = testkit::conformance_dir() else {
        return;
    };
    let p = dir.join("fits2caom2/gemini/wrgnN20140428S0085_arc/wrgnN20140428S0085_arc.fits");
    let hdus = read_fits(&p).unwrap();
    assert_eq!(hdus.len(), 2);
    // 205 cards and 10 blank ones before END, which cfitsio treats as free header space.
    assert_eq!(hdus[0].header.len(), 205);
    assert_eq!(
        hdus[0].header.get_str("FLATIMAG"),
        Some("rgnN20140428S0169_flat")
    );
    assert_eq!(hdus[0].header.get_i64("NAXIS"), Some(0));
    assert_eq!(hdus[1].kind, HduKind::BinaryTable);
    assert_eq!(hdus[1].header.get_str("EXTNAME"), Some("PROVENANCE"));
    let members = read_column(&p, 1, "Filename").unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(members[0], "N20140428S0085.fits");
    assert_eq!(members[1], "N20140503S0161.fits");
    assert!(members.iter().all(|m| m.ends_with(".fits")), "{members:?}");
}
