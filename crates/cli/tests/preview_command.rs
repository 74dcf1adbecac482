//! `caom2pipe preview FILE -o DIR [--collection NAME]` end to end on the demo's files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/demo/data")
        .join(name)
}

fn preview(args: &[&str], file: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caom2pipe"))
        .arg("preview")
        .arg(file)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("run caom2pipe")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn previews_in_each_style() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    // the default style: JPEG 1024 and 256, the StorageName's names
    let o = preview(&[], &demo("C170323_0155_SCI.fits"), &out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("C170323_0155_SCI_prev.jpg  1024 × 1024  image/jpeg")
            && stdout.contains("(preview, release data)")
            && stdout.contains("C170323_0155_SCI_prev_256.jpg  256 × 256  image/jpeg")
            && stdout.contains("(thumbnail, release meta)"),
        "{stdout}"
    );
    assert!(text(&o.stderr).contains("image HDU 0, 96 × 96, zscale"));
    let bytes = std::fs::read(out.join("C170323_0155_SCI_prev.jpg")).expect("preview");
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    // DAO: a spectrum as a PNG line plot, both release data
    let o = preview(
        &["--collection", "DAO"],
        &demo("dao_c180_2016_004568.fits.gz"),
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("dao_c180_2016_004568_1024.png  1024 × 768  image/png")
            && stdout.contains("dao_c180_2016_004568_256.png  256 × 192  image/png"),
        "{stdout}"
    );
    assert!(text(&o.stderr).contains("spectrum HDU 0, 1024 pixels along axis 1"));
    // options: an HDU of the mosaic, PNG, min-max, asinh
    let o = preview(
        &[
            "--hdu",
            "2",
            "--format",
            "png",
            "--scaling",
            "minmax",
            "--stretch",
            "asinh",
        ],
        &demo("2460392o.fits"),
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("2460392o_prev.png  512 × 1024  image/png"));
    assert!(text(&o.stderr).contains("image HDU 2, 64 × 128, min-max limits"));
}

#[test]
fn no_preview_and_usage_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    // the primary HDU of the mosaic has no pixels
    let o = preview(&["--hdu", "0"], &demo("2460392o.fits"), &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no preview: ")
            && text(&o.stderr).contains("HDU 0 has no pixel data"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists(), "nothing written");
    // a constant image
    let flat = tmp.path().join("flat.fits");
    std::fs::write(&flat, execute::synth::sky_image(10, 10, 0, vec![2.0; 100])).expect("write");
    let o = preview(&[], &flat, &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("flat.fits: HDU 0: constant image: every finite pixel is 2"),
        "{}",
        text(&o.stderr)
    );
    // bad options are usage errors
    let o = preview(&["--stretch", "cubic"], &flat, &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--stretch: \"cubic\" is not a stretch"));
    // VLASS makes no preview of rms images
    let rms = tmp.path().join("x.rms.fits");
    std::fs::copy(&flat, &rms).expect("copy");
    let o = preview(&["--collection", "VLASS"], &rms, &out);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("the style makes none for files named like this"));
}
