//! Worktrees and git state on real repositories built with `git` itself;
//! counts are checked against git's own porcelain output.

use crate::common;
use common::*;

use std::path::Path;

fn commit(dir: &Path, file: &str, text: &str, msg: &str) {
    std::fs::write(dir.join(file), text).expect("write");
    git(dir, &["add", file]);
    git(dir, &["commit", "-qm", msg]);
}

fn porcelain_count(dir: &Path) -> usize {
    git(dir, &["status", "--porcelain"])
        .lines()
        .filter(|l| !l.is_empty())
        .count()
}

/// A repository with milestones 2a, 2b, 3a, 4a and worktrees in every shape.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path().join("ws");
    std::fs::create_dir(&r).expect("mkdir");
    init_repo(&r, "main");
    for id in ["2a", "2b", "3a", "4a", "5a"] {
        write(
            &r,
            &format!(".milestones/active/{id}.yaml"),
            format!("id: {id}\ntitle: M {id}\nstatus: in_progress\n"),
        );
    }
    d
}

#[test]
fn ahead_behind_dirty_and_conflicts_are_exact() {
    let d = repo();
    let r = d.path().join("ws");
    // 2a: three commits ahead, one behind, and every kind of dirt.
    let w = add_worktree(&r, "2a");
    for i in 0..3 {
        commit(&w, &format!("f{i}.txt"), "x\n", &format!("work {i}"));
    }
    commit(&r, "b.txt", "main moves\n", "main moves");
    std::fs::write(w.join("a.txt"), "changed\n").expect("write");
    std::fs::write(w.join("staged.txt"), "new\n").expect("write");
    git(&w, &["add", "staged.txt"]);
    std::fs::write(w.join("untracked.txt"), "u\n").expect("write");
    std::fs::create_dir(w.join("newdir")).expect("mkdir");
    std::fs::write(w.join("newdir/x"), "x").expect("write");
    std::fs::write(w.join("newdir/y"), "y").expect("write");
    std::fs::write(w.join(".gitignore"), "*.log\n").expect("write");
    std::fs::write(w.join("ignored.log"), "i").expect("write");

    // 2b: a worktree outside the workspace on a milestone/<id> branch.
    git(
        &r,
        &["worktree", "add", "-q", "../outside", "-b", "milestone/2b"],
    );
    // 3a: a conflict in the middle of a merge.
    let c = add_worktree(&r, "3a");
    commit(&c, "a.txt", "theirs\n", "3a edits a");
    commit(&r, "a.txt", "ours\n", "main edits a");
    git(&c, &["merge", "main"]);
    // 4a: detached HEAD, mapped by its directory name.
    git(
        &r,
        &["worktree", "add", "-q", "--detach", ".worktrees/4a", "HEAD"],
    );

    let doc = status_json(&r);
    let w2a = &milestone(&doc, "2a")["worktree"];
    assert_eq!(w2a["path"], ".worktrees/milestone-2a");
    assert_eq!(w2a["branch"], "feature/milestone-2a");
    assert_eq!(
        (w2a["ahead"].as_u64(), w2a["behind"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(w2a["dirty"].as_u64(), Some(porcelain_count(&w) as u64));
    assert_eq!(
        w2a["dirty"], 5,
        "a.txt, staged.txt, untracked.txt, newdir/, .gitignore"
    );
    assert_eq!(
        (w2a["conflicts"].as_u64(), w2a["merged"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(w2a["head"].as_str().map(str::len), Some(7));

    let w2b = &milestone(&doc, "2b")["worktree"];
    let outside = std::fs::canonicalize(d.path().join("outside")).expect("canon");
    assert_eq!(w2b["path"], outside.display().to_string());
    assert_eq!(w2b["branch"], "milestone/2b");
    assert_eq!(w2b["merged"], true, "no commits of its own yet");

    let m3 = milestone(&doc, "3a");
    assert_eq!(m3["worktree"]["conflicts"], 1);
    assert_eq!(m3["worktree"]["operation"], "merge");
    assert_eq!(
        m3["worktree"]["dirty"].as_u64(),
        Some(porcelain_count(&c) as u64)
    );
    assert!(
        m3["blockers"]
            .as_array()
            .expect("b")
            .iter()
            .any(|b| b["kind"] == "git_conflict" && b["detail"] == "1")
    );
    assert!(
        doc["blockers"]
            .as_array()
            .expect("b")
            .iter()
            .any(|b| b["id"] == "3a" && b["kind"] == "git_conflict")
    );

    let w4 = &milestone(&doc, "4a")["worktree"];
    assert!(w4["branch"].is_null());
    assert!(w4["head"].is_string());
    assert!(milestone(&doc, "5a")["worktree"].is_null());
    assert_eq!(doc["errors"], serde_json::json!([]));
}

#[test]
fn missing_base_branch_prunable_and_locked() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    init_repo(r, "trunk");
    write(r, ".milestones/active/2a.yaml", "id: 2a\n");
    write(r, ".milestones/active/2b.yaml", "id: 2b\n");
    add_worktree(r, "2a");
    add_worktree(r, "2b");
    git(r, &["worktree", "lock", ".worktrees/milestone-2a"]);
    std::fs::remove_dir_all(r.join(".worktrees/milestone-2b")).expect("rm");

    let doc = status_json(r);
    let w = &milestone(&doc, "2a")["worktree"];
    assert!(
        w["ahead"].is_null() && w["behind"].is_null() && w["merged"].is_null(),
        "no main or master: {w}"
    );
    assert_eq!(
        doc["errors"],
        serde_json::json!([]),
        "a prunable worktree is not an error"
    );
    let wts = milestone_dash::live::git::worktrees(r);
    let locked = wts
        .iter()
        .find(|w| w.path.ends_with("milestone-2a"))
        .expect("2a");
    let gone = wts
        .iter()
        .find(|w| w.path.ends_with("milestone-2b"))
        .expect("2b");
    assert!(locked.locked && !locked.prunable);
    assert!(gone.prunable);

    write(
        r,
        ".milestones/config/mdash.yaml",
        "git:\n  base_branch: trunk\n",
    );
    let doc = status_json(r);
    assert_eq!(milestone(&doc, "2a")["worktree"]["ahead"], 0);
    assert_eq!(milestone(&doc, "2a")["worktree"]["merged"], true);
}

#[test]
fn worktree_add_and_its_refusals() {
    let d = repo();
    let r = d.path().join("ws");
    let run = |args: &[&str]| {
        let out = bin().args(args).current_dir(&r).output().expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&["worktree", "add", "2a"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(r.join(".worktrees/milestone-2a/a.txt").exists());
    assert!(
        git(&r, &["branch", "--list", "feature/milestone-2a"]).contains("feature/milestone-2a")
    );
    assert_eq!(
        milestone(&status_json(&r), "2a")["worktree"]["branch"],
        "feature/milestone-2a"
    );

    let (code, out) = run(&["worktree", "add", "2a"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("milestone-2a already exists"), "{out}");
    git(&r, &["branch", "feature/milestone-2b"]);
    let (code, out) = run(&["worktree", "add", "2b"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("branch feature/milestone-2b already exists"),
        "{out}"
    );
    assert!(!r.join(".worktrees/milestone-2b").exists());
    let (code, out) = run(&["worktree", "add", "../escape"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("invalid id"), "{out}");

    // .worktrees as a symlink out of the workspace is refused.
    let e = tempfile::tempdir().expect("tmp");
    let d2 = repo();
    let r2 = d2.path().join("ws");
    std::os::unix::fs::symlink(e.path(), r2.join(".worktrees")).expect("ln");
    let out = bin()
        .args(["worktree", "add", "3a"])
        .current_dir(&r2)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the workspace"));
    assert_eq!(std::fs::read_dir(e.path()).expect("ls").count(), 0);
}

#[test]
fn worktree_add_offers_the_exclude() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    git(r, &["init", "-q"]);
    commit(r, "a.txt", "one\n", "first");
    write(r, ".milestones/active/2a.yaml", "id: 2a\n");
    let out = bin()
        .args(["worktree", "add", "2a"])
        .current_dir(r)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("not ignored"));
    let out = bin()
        .args(["worktree", "add", "2b", "--exclude"])
        .current_dir(r)
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("added /.worktrees/"),
        "{out:?}"
    );
    assert!(
        std::fs::read_to_string(r.join(".git/info/exclude"))
            .expect("read")
            .contains("/.worktrees/")
    );
    assert!(milestone_dash::live::git::worktrees_ignored(r));
}
