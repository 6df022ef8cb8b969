//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const NOW: &str = "2026-11-22T10:00:00Z";

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mdash"))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `mdash status --json --now NOW <dir>` and parses the output.
pub fn status_json(dir: &Path) -> serde_json::Value {
    let out = bin()
        .args(["status", "--json", "--now", NOW])
        .arg(dir)
        .output()
        .expect("run mdash");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

pub fn milestone<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no milestone {id} in {doc:#}"))
}

pub fn ids(doc: &serde_json::Value) -> Vec<String> {
    doc["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect()
}

pub fn error_paths(doc: &serde_json::Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].as_str().expect("path").to_string())
        .collect()
}

pub fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}
