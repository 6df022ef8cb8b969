//! The dashboard never goes stale silently (issue 16 item 6): the inotify
//! watch limit reached after start-up, the workspace directory moved away
//! and made again at the same path, a log rewritten in place with the same
//! size. And a dense dependency graph is capped (issue 16 item 7): what one
//! milestone contributes to the blockers is bounded, ordinary lists are not
//! touched.

use crate::common;
use common::perf::*;
use common::pty::*;
use common::*;

use std::io::Write;
use std::time::{Duration, Instant};

fn eventually(what: &str, limit: Duration, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_watch_limit_reached_after_start_up_is_said_and_polled() {
    if let Err(why) = can_limit_watches() {
        eprintln!("SKIPPED: the inotify watch limit cannot be lowered here ({why})");
        return;
    }
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/active/a.yaml",
        "id: a\ntitle: Watched\nstatus: in_progress\n",
    );
    // A few watches are needed at start-up (root, .milestones, active);
    // 40 leaves room for those and not for the 60 directories below.
    let mut p = spawn_with_watch_limit(r, 40, 120, 30);
    p.wait_for("start", |s| s.contains("Watched"));
    let pid = p.child.process_id().expect("pid");
    eventually("watches in place", Duration::from_secs(10), || {
        watches(pid) >= 2
    });
    assert!(
        !p.screen().contains("polling"),
        "polling before the limit was reached:\n{}",
        p.screen()
    );
    // Agents create directories as they go: the recursive watch needs one
    // watch per directory, and runs out.
    for i in 0..60 {
        std::fs::create_dir_all(r.join(format!(".milestones/state/events/d{i}"))).expect("mkdir");
    }
    p.wait_for("the header saying it polls", |s| s.contains("polling"));
    // And polling does see changes.
    write(
        r,
        ".milestones/active/a.yaml",
        "id: a\ntitle: Seen by polling\nstatus: in_progress\n",
    );
    p.wait_for("a change seen by polling", |s| {
        s.contains("Seen by polling")
    });
    p.send(b"q");
    assert!(p.wait_exit().success());
}

#[test]
fn a_workspace_moved_away_and_made_again_is_reopened() {
    let d = tempfile::tempdir().expect("tmp");
    let ws = d.path().join("ws");
    write(
        &ws,
        ".milestones/active/a.yaml",
        "id: a\ntitle: Before the move\nstatus: in_progress\n",
    );
    let mut p = Pty::spawn(&ws, 120, 30);
    p.wait_for("start", |s| s.contains("Before the move"));
    std::fs::rename(&ws, d.path().join("ws.gone")).expect("move away");
    // Its old directory is still watched; the new one at the same path is
    // not, unless the dashboard notices the move.
    write(
        &ws,
        ".milestones/active/a.yaml",
        "id: a\ntitle: After the move\nstatus: in_progress\n",
    );
    p.wait_for("the new directory read", |s| s.contains("After the move"));
    // And it is followed from now on.
    write(
        &ws,
        ".milestones/active/b.yaml",
        "id: b\ntitle: Added later\nstatus: planned\n",
    );
    p.wait_for("a later change", |s| s.contains("Added later"));
    p.send(b"q");
    assert!(p.wait_exit().success());
}

#[test]
fn a_log_rewritten_in_place_with_the_same_size_is_read_again() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/active/a.yaml",
        "id: a\ntitle: Logged\nstatus: in_progress\n",
    );
    let line = |name: &str| {
        format!(
            "{{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"{name}\",\"milestone_id\":\"a\"}}\n"
        )
    };
    let log = r.join(".milestones/logs/execution-a.jsonl");
    write(r, ".milestones/logs/execution-a.jsonl", line("alpha_one"));
    let mut p = Pty::spawn(r, 120, 30);
    p.wait_for("the first event", |s| s.contains("alpha_one"));
    let before = std::fs::metadata(&log).expect("meta");
    // In place: same inode, truncated and written again, same length.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&log)
        .expect("open");
    f.write_all(line("omega_two").as_bytes()).expect("write");
    drop(f);
    let after = std::fs::metadata(&log).expect("meta");
    assert_eq!(before.len(), after.len(), "the test needs the same size");
    p.wait_for("the rewritten event", |s| {
        s.contains("omega_two") && !s.contains("alpha_one")
    });
    p.send(b"q");
    assert!(p.wait_exit().success());
}

/// The cap on one milestone's `unmet_dependency` blockers.
const UNMET_CAP: usize = 100;

fn unmet(doc: &serde_json::Value, id: &str) -> Vec<String> {
    milestone(doc, id)["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["kind"] == "unmet_dependency")
        .map(|b| b["detail"].as_str().expect("detail").to_string())
        .collect()
}

#[test]
fn a_dense_graph_is_capped_per_milestone() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    let n = 300;
    let ids: Vec<String> = (0..n).map(|i| format!("d{i:03}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let reqs: Vec<&str> = ids
            .iter()
            .filter(|o| *o != id)
            .map(String::as_str)
            .collect();
        write(
            r,
            &format!(".milestones/active/{id}.yaml"),
            format!(
                "id: {id}\ntitle: Dense {i}\nstatus: planned\ndependencies:\n  requires: [{}]\n",
                reqs.join(", ")
            ),
        );
    }
    // Exactly at the cap: every id listed, no summary.
    let wide: Vec<String> = (0..UNMET_CAP).map(|i| format!("x{i:03}")).collect();
    write(
        r,
        ".milestones/active/wide.yaml",
        format!(
            "id: wide\ntitle: Wide\nstatus: planned\ndependencies:\n  requires: [{}]\n",
            wide.join(", ")
        ),
    );
    let doc = status_json(r);

    let w = unmet(&doc, "wide");
    assert_eq!(w, wide, "at the cap every unmet id is its own blocker");

    let dense = unmet(&doc, "d000");
    assert_eq!(dense.len(), UNMET_CAP, "{dense:?}");
    assert_eq!(
        dense[..UNMET_CAP - 1],
        ids[1..UNMET_CAP],
        "the first ids, in order"
    );
    let rest = n - 1 - (UNMET_CAP - 1);
    assert!(
        dense[UNMET_CAP - 1].contains(&format!("{rest} more")),
        "a summary of the rest: {:?}",
        dense[UNMET_CAP - 1]
    );
    // The requires list itself is complete.
    assert_eq!(
        milestone(&doc, "d000")["requires"]
            .as_array()
            .expect("requires")
            .len(),
        n - 1
    );
    let total = doc["blockers"].as_array().expect("blockers").len();
    // Per dense milestone: the capped unmet list and one cycle.
    assert_eq!(total, n * (UNMET_CAP + 1) + UNMET_CAP, "blockers in all");
}

#[test]
fn a_supervisor_killed_outright_is_seen_at_once() {
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path().join("ws");
    let cfg = d.path().join("cfg");
    write(
        &root,
        ".milestones/active/k.yaml",
        "id: k\ntitle: Killed run\nstatus: in_progress\n",
    );
    write(
        &root,
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [\"sleep\", \"600\"]\n  create_worktree: false\n",
    );
    let cli = |args: &[&str]| {
        bin()
            .args(args)
            .current_dir(&root)
            .env("XDG_CONFIG_HOME", &cfg)
            .output()
            .expect("run")
    };
    assert!(cli(&["trust", "--yes"]).status.success());
    let out = cli(&["run", "start", "k"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(root.join(".milestones/sessions/mdash-runs/k.yaml"))
        .expect("registry");
    let pgid: i32 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("pgid:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("pgid");
    let mut p = Pty::spawn_env(&root, 120, 30, &[], &[("XDG_CONFIG_HOME", &cfg)]);
    p.wait_for("the live run", |s| s.contains("1 run"));
    // SAFETY: killpg only sends a signal, to the group this test started.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
    p.wait_for("the run's end", |s| s.contains("died without"));
    p.send(b"q");
    assert!(p.wait_exit().success());
}
