//! `caom2pipe serve`, `caom2pipe run` pointed at it, and `caom2pipe visit`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_caom2pipe")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_demo(to: &Path) {
    let demo = root().join("examples/demo");
    for sub in ["data", "blueprints"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for e in std::fs::read_dir(demo.join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(demo.join("config.yml"), to.join("config.yml")).unwrap();
}

/// `caom2pipe serve` on a free port; killed when dropped.
struct Served(Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path) -> Served {
    let mut child = Command::new(bin())
        .args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    // keep reading, so the service never writes into a closed pipe
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    Served(child, url)
}

fn run(config: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin())
        .arg("run")
        .args(extra)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_against_serve_then_visit() {
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("wd");
    copy_demo(&wd);
    let served = serve(&tmp.path().join("sandbox"));
    let url = &served.1;
    // through the registry override file, as against CADC
    std::fs::write(
        wd.join("resource-caps"),
        format!("ivo://example.org/sandbox = {url}/capabilities\n"),
    )
    .unwrap();
    let mut config = std::fs::read_to_string(wd.join("config.yml")).unwrap();
    config.push_str(
        "resource_id: ivo://example.org/sandbox\nstorage_inventory_resource_id: ivo://example.org/sandbox\n\
         registry_file_name: resource-caps\nobserve_execution: true\nobservable_directory: metrics\n",
    );
    std::fs::write(wd.join("config.yml"), &config).unwrap();
    std::fs::create_dir_all(wd.join("metrics")).unwrap();
    let cfg = wd.join("config.yml");

    let (code, out, err) = run(&cfg, &["--check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("repository:  caom2 service ivo://example.org/sandbox"),
        "{out}"
    );
    assert!(
        out.contains("storage:     Storage Inventory ivo://example.org/sandbox"),
        "{out}"
    );

    let (code, out, err) = run(&cfg, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("6 entries: 6 succeeded"), "{out}");
    assert!(out.contains("  services: "), "{out}");
    assert!(!wd.join("repository").exists() && !wd.join("storage").exists());
    let prom = std::fs::read_to_string(wd.join("metrics/caom2pipe.prom")).unwrap();
    assert!(
        prom.contains("caom2pipe_http_calls_total{service=\"caom2\",action=\"create\"} 6"),
        "{prom}"
    );
    let yml = std::fs::read_dir(wd.join("metrics"))
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().ends_with(".caom2.yml"));
    assert!(yml, "the reference's metrics YAML too");

    // a second run: nothing new is created or stored
    let (code, out, _) = run(&cfg, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("6 entries: 6 succeeded"), "{out}");
    let prom = std::fs::read_to_string(wd.join("metrics/caom2pipe.prom")).unwrap();
    assert!(!prom.contains("action=\"create\""), "{prom}");
    assert!(!prom.contains("service=\"si\",action=\"put\""), "{prom}");

    let out = Command::new(bin())
        .args(["visit", "--plugin", "checksums", "DEMO", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("6 listed"), "{text}");
    let out = Command::new(bin())
        .args(["visit", "--plugin", "nope", "DEMO", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unreachable_service_is_a_configuration_error() {
    let tmp = tempfile::tempdir().unwrap();
    let wd = tmp.path().join("wd");
    copy_demo(&wd);
    let mut config = std::fs::read_to_string(wd.join("config.yml")).unwrap();
    config.push_str("resource_id: http://127.0.0.1:9\nhttp_retries: 0\n");
    std::fs::write(wd.join("config.yml"), &config).unwrap();
    let (code, _, err) = run(&wd.join("config.yml"), &["--check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("resource_id: GET http://127.0.0.1:9/capabilities"),
        "{err}"
    );
    // an expired or missing proxy certificate is reported before anything runs
    config.push_str("proxy_file_name: cadcproxy.pem\n");
    std::fs::write(wd.join("config.yml"), &config).unwrap();
    let (code, _, err) = run(&wd.join("config.yml"), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("proxy_file_name") && err.contains("cadcproxy.pem does not exist"),
        "{err}"
    );
}
