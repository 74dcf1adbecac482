//! The preview data visitor: files into storage, artifacts into the plane of the science
//! artifact; bad pixels give no preview, a note for the report and no failure.

use astro::preview_visitor::PreviewVisitor;
use caom2::*;
use fits2caom2::Headers;
use manage::preview::{ImageFormat, PreviewStyle};
use manage::{
    BackendError, Config, FileInfo, FileMeta, Logger, NamingContext, PutOutcome, Reason, Storage,
    StorageName, VisitContext, Visitor,
};
use md5::{Digest, Md5};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

/// Storage in memory.
#[derive(Default)]
struct Memory(Mutex<BTreeMap<String, (String, Vec<u8>)>>);

impl Storage for Memory {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn info(&self, _uri: &str) -> Result<Option<FileInfo>, BackendError> {
        Ok(None)
    }
    fn get(&self, uri: &str, _dest: &Path) -> Result<FileInfo, BackendError> {
        Err(BackendError::new(manage::BackendErrorKind::NotFound, uri))
    }
    fn put(
        &self,
        uri: &str,
        data: &mut dyn Read,
        content_type: &str,
    ) -> Result<(PutOutcome, FileInfo), BackendError> {
        let mut bytes = Vec::new();
        data.read_to_end(&mut bytes)
            .map_err(|e| BackendError::new(manage::BackendErrorKind::Io, e.to_string()))?;
        let info = FileInfo {
            size: Some(bytes.len() as u64),
            ..FileInfo::default()
        };
        self.0
            .lock()
            .expect("lock")
            .insert(uri.into(), (content_type.into(), bytes));
        Ok((PutOutcome::Stored, info))
    }
    fn headers(&self, uri: &str) -> Result<Headers, BackendError> {
        Err(BackendError::new(manage::BackendErrorKind::NotFound, uri))
    }
    fn remove(&self, _uri: &str) -> Result<(), BackendError> {
        Ok(())
    }
}

/// A float image (`constant` makes every pixel 5).
fn fits(path: &Path, constant: bool) {
    let (nx, ny) = (64usize, 48usize);
    let data: Vec<f32> = (0..nx * ny)
        .map(|i| {
            if constant {
                5.0
            } else {
                ((i * 37) % 101) as f32
            }
        })
        .collect();
    let mut bytes = Vec::new();
    let mut header = String::new();
    for (k, v) in [
        ("SIMPLE", "T".to_string()),
        ("BITPIX", "-32".into()),
        ("NAXIS", "2".into()),
        ("NAXIS1", nx.to_string()),
        ("NAXIS2", ny.to_string()),
    ] {
        header.push_str(&format!("{k:<8}= {v:>20}{:50}", ""));
    }
    header.push_str(&format!("{:<80}", "END"));
    bytes.extend_from_slice(header.as_bytes());
    bytes.resize(2880, b' ');
    for v in data {
        bytes.extend_from_slice(&v.to_be_bytes());
    }
    bytes.resize(bytes.len().div_ceil(2880) * 2880, 0);
    std::fs::write(path, bytes).expect("write");
}

fn observation(product: &str, uri: &str) -> Observation {
    let mut plane = Plane::new(product);
    plane.artifacts.push(Artifact::new(
        Uri::parse(uri).expect("uri"),
        ProductType::SCIENCE,
        ReleaseType::Data,
    ));
    let mut obs = Observation::simple("OMM", "C170324_0054");
    obs.planes.push(Plane::new("other"));
    obs.planes.push(plane);
    obs
}

#[test]
fn previews_go_to_storage_and_join_the_plane() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("C170324_0054_SCI.fits");
    fits(&path, false);
    let mut config = Config::defaults(dir.path());
    config.collection = "OMM".into();
    let naming = NamingContext::new("OMM", "cadc", "cadc");
    let sn = StorageName::from_entry(&path.display().to_string(), &naming);
    let uri = sn.file_uri().to_string();
    let files = [FileMeta {
        uri: uri.clone(),
        local_path: Some(path.clone()),
        info: None,
        headers: None,
    }];
    let storage = Memory::default();
    let log = Logger::silent().entry(None);
    let ctx = VisitContext {
        storage_name: &sn,
        config: &config,
        files: &files,
        workspace: dir.path(),
        log_file_directory: dir.path(),
        storage: Some(&storage),
        log: &log,
        is_new: true,
        meta_producer: "test",
    };
    let visitor = PreviewVisitor::new(PreviewStyle::omm());
    let mut obs = observation("C170324_0054_SCI", &uri);
    let report = visitor.visit(&mut obs, &ctx).expect("visit");
    assert_eq!(
        (report.get("previews"), report.get("artifacts")),
        (1, 2),
        "{report}"
    );
    assert!(log.take_notes().is_empty());
    let plane = &obs.planes[1];
    let stored = storage.0.lock().expect("lock").clone();
    assert_eq!(
        stored.keys().collect::<Vec<_>>(),
        [
            "cadc:OMM/C170324_0054_SCI_prev.jpg",
            "cadc:OMM/C170324_0054_SCI_prev_256.jpg"
        ]
    );
    for (name, product, size) in [
        ("C170324_0054_SCI_prev.jpg", ProductType::PREVIEW, 1024),
        ("C170324_0054_SCI_prev_256.jpg", ProductType::THUMBNAIL, 256),
    ] {
        let a = plane
            .artifacts
            .iter()
            .find(|a| a.uri.as_str() == format!("cadc:OMM/{name}"))
            .expect(name);
        let (ct, bytes) = &stored[a.uri.as_str()];
        assert_eq!(a.product_type, product);
        // OMM: both release type data
        assert_eq!(a.release_type, ReleaseType::Data);
        assert_eq!(a.content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(ct, "image/jpeg");
        assert_eq!(a.content_length, Some(bytes.len() as i64));
        let md5: String = Md5::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            a.content_checksum.as_ref().map(Uri::as_str),
            Some(format!("md5:{md5}").as_str())
        );
        assert_eq!(
            astro::encode::dimensions(bytes).map(|d| d.1.max(d.2)),
            Some(size)
        );
    }
    assert!(
        obs.planes[0].artifacts.is_empty(),
        "the other plane is left alone"
    );

    // again: the artifacts are updated, not added twice
    let report = visitor.visit(&mut obs, &ctx).expect("visit");
    assert_eq!((report.get("previews"), report.get("artifacts")), (1, 0));
    assert_eq!(obs.planes[1].artifacts.len(), 3);

    // NEOSSat's style: PNG, both meta, other names
    let mut obs = observation("C170324_0054_SCI", &uri);
    let neossat = PreviewVisitor::new(PreviewStyle::neossat());
    neossat.visit(&mut obs, &ctx).expect("visit");
    let names: Vec<&str> = obs.planes[1]
        .artifacts
        .iter()
        .map(|a| a.uri.as_str())
        .collect();
    assert!(
        names.contains(&"cadc:OMM/C170324_0054_SCI_C170324_0054_SCI_prev.png"),
        "{names:?}"
    );
    assert!(obs.planes[1].artifacts[1..]
        .iter()
        .all(|a| a.release_type == ReleaseType::Meta
            && a.content_type.as_deref() == Some("image/png")));

    // offline (scrape): the files stay in the workspace
    let ws = dir.path().join("ws");
    let offline = VisitContext {
        storage: None,
        workspace: &ws,
        ..ctx
    };
    let png = PreviewVisitor::new(PreviewStyle {
        format: ImageFormat::Png,
        ..PreviewStyle::default()
    });
    let mut obs = observation("C170324_0054_SCI", &uri);
    png.visit(&mut obs, &offline).expect("visit");
    assert!(ws.join("C170324_0054_SCI_prev.png").is_file());
    assert!(ws.join("C170324_0054_SCI_prev_256.png").is_file());
}

#[test]
fn bad_pixels_give_no_preview_and_a_note() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("flat.fits");
    fits(&path, true);
    let config = Config::defaults(dir.path());
    let naming = NamingContext::new("TEST", "cadc", "cadc");
    let sn = StorageName::from_entry(&path.display().to_string(), &naming);
    let uri = sn.file_uri().to_string();
    let files = [FileMeta {
        uri: uri.clone(),
        local_path: Some(path.clone()),
        info: None,
        headers: None,
    }];
    let storage = Memory::default();
    let log = Logger::silent().entry(None);
    let ctx = VisitContext {
        storage_name: &sn,
        config: &config,
        files: &files,
        workspace: dir.path(),
        log_file_directory: dir.path(),
        storage: Some(&storage),
        log: &log,
        is_new: true,
        meta_producer: "test",
    };
    let mut obs = observation("flat", &uri);
    let report = PreviewVisitor::new(PreviewStyle::default())
        .visit(&mut obs, &ctx)
        .expect("bad pixels do not fail the entry");
    assert_eq!(report.get("no_preview"), 1);
    assert_eq!(obs.planes[1].artifacts.len(), 1);
    assert!(storage.0.lock().expect("lock").is_empty());
    let notes = log.take_notes();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].0, Reason::NoPreview);
    assert!(
        notes[0]
            .1
            .starts_with("no preview for cadc:TEST/flat.fits: ")
            && notes[0].1.ends_with(
                "flat.fits: HDU 0: constant image: every finite pixel is 5, nothing to show"
            ),
        "{}",
        notes[0].1
    );
    // a file skipped by name, and a header dump, get nothing and no note
    let mut vlass = PreviewStyle::vlass();
    vlass.skip.push("flat".into());
    let report = PreviewVisitor::new(vlass)
        .visit(&mut obs, &ctx)
        .expect("visit");
    assert_eq!(report.get("skipped"), 1);
    let dump = dir.path().join("x.fits.header");
    std::fs::write(&dump, "SIMPLE  =                    T\nEND\n").expect("write");
    let files = [FileMeta {
        uri: "cadc:TEST/x.fits".into(),
        local_path: Some(dump),
        info: None,
        headers: None,
    }];
    let ctx = VisitContext {
        files: &files,
        ..ctx
    };
    let report = PreviewVisitor::new(PreviewStyle::default())
        .visit(&mut obs, &ctx)
        .expect("visit");
    assert_eq!(report, manage::VisitReport::new());
    assert!(log.take_notes().is_empty());
}
