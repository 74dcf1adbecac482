//! The record tools as a user runs them: exit statuses and output through a closed pipe.

use std::io::Read;
use std::process::{Command, Stdio};

fn records() -> std::path::PathBuf {
    testkit::workspace_root().join("testdata/records")
}

#[test]
fn xml_check_and_validate_pass_on_the_sample_records() {
    for sub in [["xml", "check"], ["validate", ""]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_caom2pipe"));
        cmd.args(sub.iter().filter(|s| !s.is_empty()));
        for f in [
            "complete-derived.xml",
            "minimal-simple.xml",
            "mosaic-36-extensions.xml",
        ] {
            cmd.arg(records().join(f));
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{sub:?}: {text}");
        assert!(text.ends_with("3 passed, 0 failed\n"), "{text}");
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // many lines of output, read one byte, close the pipe: no panic message on stderr
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caom2pipe"));
    cmd.arg("validate");
    for _ in 0..2000 {
        cmd.arg(records().join("minimal-simple.xml"));
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
