//! The fleet over real OpenSSH (SPEC §13–14): a server started by the
//! test on 127.0.0.1 (`common::sshd`), the real binary on both ends.

use std::path::Path;

use serde_json::Value as J;

use crate::common::sshd::{HOST, Sshd};
use crate::common::stream::{Stream, apply};
use crate::common::{status_json, write};

fn bin_path() -> &'static str {
    env!("CARGO_BIN_EXE_mdash")
}

/// A workspace at `dir` with one milestone per id.
fn workspace(dir: &Path, ids: &[&str]) {
    for id in ids {
        write(
            dir,
            &format!(".milestones/active/{id}.yaml"),
            format!("id: {id}\ntitle: \"T {id}; $(x)\"\nstatus: planned\n"),
        );
    }
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).expect("json string")
}

fn without_now(mut doc: J) -> J {
    doc["now"] = J::Null;
    doc
}

/// Processes whose command line mentions `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().parse::<u32>().is_err() {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) && cmd.contains("watch") && !cmd.contains("sh -c") {
            out.push(cmd);
        }
    }
    out
}

#[test]
fn the_stream_through_ssh_and_nothing_left_behind() {
    if !crate::common::sshd::available() {
        panic!("openssh-server is needed: apt-get install -y openssh-server");
    }
    let sshd = Sshd::start();
    let w = tempfile::tempdir().expect("tmp");
    let ws = w.path().join("it's a $(touch PWNED); dir");
    workspace(&ws, &["a", "b"]);
    let quoted = format!("'{}'", ws.display().to_string().replace('\'', r"'\''"));
    let line = format!(
        "{} watch --json --now {} -- {quoted}",
        bin_path(),
        crate::common::NOW
    );
    let mut cmd = std::process::Command::new("ssh");
    cmd.arg("-F")
        .arg(sshd.client_config())
        .args(["-o", "BatchMode=yes", HOST, &line]);
    let s = Stream::spawn(cmd);
    assert_eq!(s.line()["type"], "hello");
    let snap = s.line();
    assert_eq!(snap["type"], "snapshot", "{snap}");
    let mut doc = snap["doc"].clone();
    assert_eq!(doc, status_json(&ws));
    write(
        &ws,
        ".milestones/active/b.yaml",
        "id: b\nstatus: in_progress\n",
    );
    let ch = s.line();
    assert_eq!(ch["milestones"].as_array().map(Vec::len), Some(1), "{ch}");
    apply(&mut doc, &ch);
    assert_eq!(doc, status_json(&ws));
    assert!(!w.path().join("PWNED").exists() && !Path::new("PWNED").exists());

    // The connection dropped (the local ssh killed): the remote mdash
    // sees its stdin end and exits.
    let needle = ws.display().to_string();
    assert!(
        !processes_naming(&needle).is_empty(),
        "the remote mdash runs"
    );
    drop(s);
    let deadline = std::time::Instant::now() + crate::common::stream::PATIENCE;
    while !processes_naming(&needle).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: {:?}",
            processes_naming(&needle)
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn fleet_file(dir: &Path, local: &[&Path], remote: &[&Path]) -> std::path::PathBuf {
    let mut y = String::from("workspaces:\n");
    for p in local {
        y.push_str(&format!(
            "  - path: {}\n",
            yaml_str(&p.display().to_string())
        ));
    }
    for (i, p) in remote.iter().enumerate() {
        y.push_str(&format!(
            "  - host: {HOST}\n    path: {}\n    name: remote {i}\n    mdash: {}\n",
            yaml_str(&p.display().to_string()),
            bin_path()
        ));
    }
    let f = dir.join("fleet.yaml");
    std::fs::write(&f, y).expect("fleet.yaml");
    f
}

fn fleet_status(sshd: &Sshd, file: &Path) -> J {
    let out = crate::common::bin()
        .args(["status", "--json", "--fleet"])
        .arg(file)
        .envs(sshd.envs())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn status_json_fleet_one_document_per_workspace_and_an_unreachable_host() {
    let mut sshd = Sshd::start();
    let w = tempfile::tempdir().expect("tmp");
    let (l1, r1) = (
        w.path().join("api"),
        w.path().join("srv/web; $(touch PWNED) 'x'"),
    );
    let r2 = w.path().join("srv/two");
    workspace(&l1, &["l"]);
    workspace(&r1, &["r1", "r2"]);
    workspace(&r2, &["q"]);
    let file = fleet_file(w.path(), &[&l1], &[&r1, &r2]);
    let v = fleet_status(&sshd, &file);
    let list = v["workspaces"].as_array().expect("workspaces");
    assert_eq!(list.len(), 3, "{v:#}");
    assert_eq!(list[0]["name"], "api");
    assert_eq!(list[0]["host"], J::Null);
    assert_eq!(list[0]["state"], "live");
    assert_eq!(
        without_now(list[0]["doc"].clone()),
        without_now(status_json(&l1))
    );
    assert_eq!(list[1]["name"], "remote 0");
    assert_eq!(list[1]["host"], HOST);
    assert_eq!(list[1]["state"], "live", "{v:#}");
    assert_eq!(
        without_now(list[1]["doc"].clone()),
        without_now(status_json(&r1))
    );
    assert_eq!(
        without_now(list[2]["doc"].clone()),
        without_now(status_json(&r2))
    );
    assert!(!w.path().join("srv/PWNED").exists());

    sshd.kill();
    let v = fleet_status(&sshd, &file);
    let list = v["workspaces"].as_array().expect("workspaces");
    assert_eq!(list[0]["state"], "live");
    for r in &list[1..] {
        assert_eq!(r["state"], "unreachable", "{v:#}");
        assert_eq!(r["doc"], J::Null);
        assert!(
            r["message"]
                .as_str()
                .is_some_and(|m| m.contains("refused") || m.contains("closed")),
            "{r}"
        );
    }
}
