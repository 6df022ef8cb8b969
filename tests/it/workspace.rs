//! Workspace discovery and the precedence of copies (SPEC §1, §6).

use crate::common;
use common::*;
use serde_json::json;

#[test]
fn worktree_copy_wins_and_stale_copies_are_ignored() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Ingest\nstatus: planned\n",
    );
    write(
        r,
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Alerts\nstatus: planned\nrequires: []\ndependencies: {requires: [2a]}\n",
    );
    write(
        r,
        ".worktrees/milestone-2a/.milestones/active/2a.yaml",
        "id: 2a\ntitle: Ingest\nstatus: executing\n",
    );
    write(
        r,
        ".worktrees/milestone-2a/.milestones/active/2b.yaml",
        "id: 2b\ntitle: STALE\nstatus: completed\n",
    );
    write(
        r,
        ".worktrees/milestone-2a/.milestones/logs/execution-2a.jsonl",
        "{\"timestamp\":\"2026-11-22T09:59:00Z\",\"event\":\"task_completed\"}\n",
    );
    let doc = status_json(r);
    let a = milestone(&doc, "2a");
    assert_eq!(
        a["source"],
        ".worktrees/milestone-2a/.milestones/active/2a.yaml"
    );
    assert_eq!(a["status"], "in_progress");
    assert_eq!(a["stage"], "2");
    assert_eq!(a["last_event"]["event"], "task_completed");
    let b = milestone(&doc, "2b");
    assert_eq!(
        (b["title"].as_str(), b["source"].as_str()),
        (Some("Alerts"), Some(".milestones/active/2b.yaml"))
    );
    assert_eq!(
        b["blockers"],
        json!([{"kind": "unmet_dependency", "detail": "2a", "source": "computed"}])
    );
    assert_eq!(doc["errors"], json!([]));
}

#[test]
fn completed_dir_marks_done_and_graph_files_merge() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/active/1a.yaml",
        "id: 1a\nstatus: in_progress\n",
    );
    write(
        r,
        ".milestones/completed/1a.yaml",
        "id: 1a\nstatus: in_progress\n",
    );
    write(r, ".milestones/active/1b.yaml", "id: 1b\n");
    write(r, ".milestones/active/2a.yaml", "id: 2a\n");
    write(
        r,
        ".milestones/active/dependencies.yaml",
        "milestones:\n  - {id: 2a, depends_on: [1a, 1b], enables: [3a]}\n  - {id: ghost, depends_on: [2a]}\n",
    );
    let doc = status_json(r);
    assert_eq!(ids(&doc), ["1a", "1b", "2a"]);
    let a = milestone(&doc, "1a");
    assert_eq!(
        (a["status"].as_str(), a["source"].as_str()),
        (Some("completed"), Some(".milestones/completed/1a.yaml"))
    );
    let m = milestone(&doc, "2a");
    assert_eq!(m["requires"], json!(["1a", "1b"]));
    assert_eq!(m["enables"], json!(["3a"]));
    assert_eq!(
        m["blockers"],
        json!([{"kind": "unmet_dependency", "detail": "1b", "source": "computed"}])
    );
}

#[test]
fn cycles_duplicates_and_sorting() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/a.yaml", "id: x1\ndepends_on: [x2]\n");
    write(r, ".milestones/active/b.yaml", "id: x2\ndepends_on: [x1]\n");
    write(r, ".milestones/active/c.yaml", "id: x1\ntitle: dup\n");
    write(r, ".milestones/active/10a.yaml", "id: 10a\n");
    write(r, ".milestones/active/9z.yaml", "id: 9z\n");
    let doc = status_json(r);
    // No stage first, then stages in numeric order.
    assert_eq!(ids(&doc), ["x1", "x2", "9z", "10a"]);
    assert_eq!(
        milestone(&doc, "x1")["blockers"][0],
        json!({"kind": "dependency_cycle", "detail": "x1 -> x2 -> x1", "source": "computed"})
    );
    assert_eq!(
        milestone(&doc, "x2")["blockers"][0]["detail"],
        "x2 -> x1 -> x2"
    );
    assert_eq!(milestone(&doc, "x1")["source"], ".milestones/active/a.yaml");
    let e = &doc["errors"][0];
    assert_eq!(e["path"], ".milestones/active/c.yaml");
    assert!(
        e["message"]
            .as_str()
            .expect("m")
            .contains("duplicate id \"x1\"")
    );
    // Top-level blockers carry the id and sort by (id, kind, detail).
    let top: Vec<&str> = doc["blockers"]
        .as_array()
        .expect("b")
        .iter()
        .map(|b| b["id"].as_str().expect("id"))
        .collect();
    assert_eq!(top, ["x1", "x1", "x2", "x2"]);
}

#[test]
fn discovery_walks_up_and_fails_cleanly() {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), ".milestones/active/a.yaml", "id: a\n");
    std::fs::create_dir_all(d.path().join("src/deep")).expect("mkdir");
    let doc = status_json(&d.path().join("src/deep"));
    assert_eq!(
        doc["root"],
        std::fs::canonicalize(d.path())
            .expect("canon")
            .display()
            .to_string()
    );

    let empty = tempfile::tempdir().expect("tmp");
    let out = bin()
        .args(["status", "--json"])
        .arg(empty.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace found"));
}

#[test]
fn linked_worktree_resolves_to_the_main_workspace() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    let repo = git2::Repository::init(r).expect("init");
    write(r, ".milestones/active/2a.yaml", "id: 2a\n");
    let sig = git2::Signature::now("t", "t@example.com").expect("sig");
    let mut idx = repo.index().expect("index");
    idx.add_path(std::path::Path::new(".milestones/active/2a.yaml"))
        .expect("add");
    let tree = repo
        .find_tree(idx.write_tree().expect("tree"))
        .expect("tree");
    let c = repo
        .commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .expect("commit");
    let commit = repo.find_commit(c).expect("commit");
    repo.branch("feature/milestone-2a", &commit, false)
        .expect("branch");
    std::fs::create_dir_all(r.join(".worktrees")).expect("mkdir");
    let branch = repo
        .find_reference("refs/heads/feature/milestone-2a")
        .expect("ref");
    let mut opts = git2::WorktreeAddOptions::new();
    opts.reference(Some(&branch));
    repo.worktree(
        "milestone-2a",
        &r.join(".worktrees/milestone-2a"),
        Some(&opts),
    )
    .expect("worktree");
    let doc = status_json(&r.join(".worktrees/milestone-2a"));
    assert_eq!(
        doc["root"],
        std::fs::canonicalize(r)
            .expect("canon")
            .display()
            .to_string()
    );
    assert_eq!(
        milestone(&doc, "2a")["source"],
        ".worktrees/milestone-2a/.milestones/active/2a.yaml"
    );
}
