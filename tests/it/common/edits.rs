//! A workspace with real agent runs for the status-edit tests: the real
//! binary, a trusted `agent.command`, and cleanup of every run it started.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{bin, write};

pub struct Runs {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub cfg: PathBuf,
}

impl Drop for Runs {
    /// Whatever happened, leave no agent behind.
    fn drop(&mut self) {
        super::procs::reap_runs(&self.root);
    }
}

/// A process's start time in clock ticks (`/proc/PID/stat` field 22).
pub fn proc_start(pid: i32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// A workspace whose agent is a shell loop, approved with `mdash trust`.
pub fn runs() -> Runs {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("ws");
    let cfg = dir.path().join("cfg");
    write(
        &root,
        "agent.sh",
        "#!/bin/sh\nwhile true; do sleep 1; done\n",
    );
    chmod(&root.join("agent.sh"), 0o755);
    write(
        &root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{id}}\"]\n  stop_grace_secs: 2\n  create_worktree: false\n",
            root.join("agent.sh").display()
        ),
    );
    let r = Runs { dir, root, cfg };
    // `trust --yes` approves without a terminal; an older binary without
    // the flag approves on plain `trust`.
    let (mut code, mut out) = r.mdash(&["trust", "--yes"]);
    if code == 2 {
        (code, out) = r.mdash(&["trust"]);
    }
    assert_eq!(code, 0, "trust: {out}");
    r
}

pub fn chmod(p: &Path, mode: u32) {
    let mut perm = std::fs::metadata(p).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, mode);
    std::fs::set_permissions(p, perm).expect("chmod");
}

pub fn mode(p: &Path) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).expect("meta").permissions())
        & 0o7777
}

impl Runs {
    pub fn mdash(&self, args: &[&str]) -> (i32, String) {
        let out = bin()
            .args(args)
            .current_dir(&self.root)
            .env("XDG_CONFIG_HOME", &self.cfg)
            .output()
            .expect("run mdash");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    pub fn status(&self) -> serde_json::Value {
        let out = bin()
            .args(["status", "--json"])
            .current_dir(&self.root)
            .env("XDG_CONFIG_HOME", &self.cfg)
            .output()
            .expect("run mdash");
        serde_json::from_slice(&out.stdout).expect("json")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).expect("read")
    }

    pub fn record(&self, id: &str) -> PathBuf {
        self.path(&format!(".milestones/sessions/mdash-runs/{id}.yaml"))
    }

    /// Starts a run and waits until its record names a live group.
    pub fn start(&self, id: &str) {
        let (code, out) = self.mdash(&["run", "start", id]);
        assert_eq!(code, 0, "run start {id}: {out}");
        eventually(&format!("{id}'s run recorded"), || {
            std::fs::read_to_string(self.record(id)).is_ok_and(|t| t.contains("start_ticks"))
        });
    }

    /// One field of the run record, as text.
    pub fn record_field(&self, id: &str, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.record(id)).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
    }
}

pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Shows bytes readably in assertion messages.
pub fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Start, pause and resume milestone `id` whose file `rel` holds `before`:
/// the pause must leave exactly `paused`, the resume exactly `before` again.
pub fn pause_resume_exact(r: &Runs, id: &str, rel: &str, before: &[u8], paused: &[u8]) {
    pause_resume(r, id, rel, before, paused, before);
}

/// As `pause_resume_exact`, the resume leaving `resumed`.
pub fn pause_resume(r: &Runs, id: &str, rel: &str, before: &[u8], paused: &[u8], resumed: &[u8]) {
    write(&r.root, rel, before);
    let doc = r.status();
    assert!(
        doc["milestones"]
            .as_array()
            .expect("milestones")
            .iter()
            .any(|m| m["id"] == id && m["status"] == "in_progress"),
        "the reader sees {id} in progress before any edit: {doc:#}"
    );
    r.start(id);
    assert_eq!(
        r.read(rel),
        before,
        "starting an in-progress run edits nothing"
    );
    let (code, out) = r.mdash(&["run", "pause", id]);
    assert_eq!(code, 0, "pause: {out}");
    let got = r.read(rel);
    assert_eq!(
        show(&got),
        show(paused),
        "a pause changes exactly the status value"
    );
    let doc = r.status();
    let m = super::milestone(&doc, id);
    assert_eq!(m["status"], "paused", "{doc:#}");
    let (code, out) = r.mdash(&["run", "resume", id]);
    assert_eq!(code, 0, "resume: {out}");
    assert_eq!(
        show(&r.read(rel)),
        show(resumed),
        "a resume changes exactly the status value back"
    );
    let (code, out) = r.mdash(&["run", "stop", id]);
    assert_eq!(code, 0, "stop: {out}");
}
