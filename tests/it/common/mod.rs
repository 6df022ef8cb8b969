//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod claude;
pub mod edits;
pub mod merge;
pub mod model;
pub mod newb;
pub mod perf;
pub mod procs;
pub mod pty;
pub mod screen;
pub mod sec;
pub mod sec2;
pub mod sshd;
pub mod standin;
pub mod stream;

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

fn git_output(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git")
}

/// Runs git with a fixed identity and `main` as the initial branch, and
/// returns what it printed (success or not: a merge may conflict on purpose).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Like `git`, but the command must succeed.
pub fn git_ok(dir: &Path, args: &[&str]) {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with one commit (`a.txt`) on `branch`, with `.milestones/`
/// and `.worktrees/` kept out of git's status.
pub fn init_repo(dir: &Path, branch: &str) {
    git_ok(dir, &["init", "-q", "-b", branch]);
    std::fs::write(
        dir.join(".git/info/exclude"),
        "/.milestones/\n/.worktrees/\n",
    )
    .expect("exclude");
    std::fs::write(dir.join("a.txt"), "one\n").expect("write");
    git_ok(dir, &["add", "a.txt"]);
    git_ok(dir, &["commit", "-qm", "first"]);
}

/// `git worktree add .worktrees/milestone-<id> -b feature/milestone-<id>`.
pub fn add_worktree(dir: &Path, id: &str) -> PathBuf {
    let rel = format!(".worktrees/milestone-{id}");
    git_ok(
        dir,
        &[
            "worktree",
            "add",
            "-q",
            &rel,
            "-b",
            &format!("feature/milestone-{id}"),
        ],
    );
    dir.join(rel)
}
