//! The preview and thumbnail images shown in README.md (`docs/previews/`) are what our code
//! makes from our generated sample data: a 2048 × 2048 sky (`synth::sky_fits`) in the
//! default style (the demo's), and the demo's DAO-like spectrum in DAO's style; every picture
//! has its size, and the sky's are neither blank nor saturated. After a
//! change to the generator or the rendering, write them again with
//! `UPDATE_PREVIEWS=1 cargo test -p execute --test readme_previews`.

use astro::preview_visitor::file_names;
use manage::preview::PreviewStyle;
use manage::{NamingContext, StorageName};

/// (file name, bytes) of every picture in docs/previews.
fn pictures(tmp: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let sky = tmp.join("sky.fits");
    std::fs::write(&sky, execute::synth::sky_fits(2048, 2048, 1)).expect("write");
    let dao = tmp.join("dao_c180_2016_004567.fits");
    let demo = execute::synth::demo_files();
    let spectrum = demo
        .iter()
        .find(|f| f.name == "dao_c180_2016_004567.fits")
        .expect("the demo spectrum");
    std::fs::write(&dao, &spectrum.bytes).expect("write");
    for (path, collection, style) in [
        (&sky, "DEMO", PreviewStyle::default()),
        (&dao, "DAO", PreviewStyle::dao()),
    ] {
        let naming = NamingContext::new(collection, "cadc", "cadc");
        let sn = StorageName::from_entry(&path.display().to_string(), &naming);
        let p = astro::preview::make(path, &style, &sn.file_id).expect("preview");
        let (prev, thumb) = file_names(&style, &sn);
        out.push((prev, p.preview.bytes));
        out.push((thumb, p.thumbnail.bytes));
    }
    out
}

#[test]
fn readme_previews_are_current() {
    let dir = testkit::workspace_root().join("docs/previews");
    let tmp = tempfile::tempdir().expect("tmp");
    let made = pictures(tmp.path());
    if std::env::var_os("UPDATE_PREVIEWS").is_some() {
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (name, bytes) in &made {
            std::fs::write(dir.join(name), bytes).expect("write");
        }
    }
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/previews")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut names: Vec<String> = made.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    let hint = "run `UPDATE_PREVIEWS=1 cargo test -p execute --test readme_previews`";
    assert_eq!(committed, names, "{hint}");
    for (name, bytes) in made {
        let on_disk = std::fs::read(dir.join(&name)).expect("read");
        assert!(on_disk == bytes, "docs/previews/{name} is stale; {hint}");
        let (_, w, h) = astro::encode::dimensions(&bytes).expect("an image");
        assert_eq!(w.max(h), if name.contains("256") { 256 } else { 1024 });
        if name.ends_with(".jpg") {
            let mut d = jpeg_decoder::Decoder::new(&bytes[..]);
            let px = d.decode().expect("a JPEG");
            let info = d.info().expect("JPEG info");
            assert_eq!((usize::from(info.width), usize::from(info.height)), (w, h));
            // a zscale rendering of noise, clouds and stars has many levels, few at the ends
            testkit::assert_not_blank_or_saturated(&px, &name, 0.2, 64);
        }
    }
    let readme =
        std::fs::read_to_string(testkit::workspace_root().join("README.md")).expect("README");
    for name in [
        "sky_prev.jpg",
        "sky_prev_256.jpg",
        "dao_c180_2016_004567_1024.png",
    ] {
        assert!(
            readme.contains(&format!("](docs/previews/{name})")),
            "README.md shows docs/previews/{name}"
        );
    }
}
