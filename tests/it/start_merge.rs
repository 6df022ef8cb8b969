//! From `s` to merged without touching git by hand (issue 29 item 1): the
//! status edit of a start goes to the copy that is shown, the worktree's,
//! never to the base checkout's; the agent commits it with its work and
//! the merge goes through. And where git still refuses to update the base
//! checkout, the refusal names the file and what to do.

use crate::common;
use common::merge::*;
use common::procs::eventually;

const FILE: &str = ".milestones/active/2a.yaml";

/// A repository whose milestone files are committed, and an agent that
/// marks its milestone completed in its worktree and commits everything.
fn tracked_ws() -> Ws {
    let ws = Ws::new();
    std::fs::write(ws.root.join(".git/info/exclude"), "/.worktrees/\n").expect("exclude");
    std::fs::write(
        ws.root.join(".gitignore"),
        ".milestones/logs/\n.milestones/sessions/\n",
    )
    .expect("gitignore");
    commit(
        &ws.root,
        &[
            (FILE, "id: 2a\ntitle: Tracked\nstatus: planned\n"),
            (".gitignore", ".milestones/logs/\n.milestones/sessions/\n"),
        ],
        "plan 2a",
    );
    let script = "sed -i 's/^status: .*/status: completed/' .milestones/active/2a.yaml && git add -A && git -c user.name=agent -c user.email=agent@example.com commit -qm 'agent: 2a done'";
    let p = ws.root.join(".milestones/config/mdash.yaml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &p,
        format!(
            "agent:\n  command: [sh, -c, \"{}\"]\n  create_worktree: true\n",
            script.replace('"', "\\\"")
        ),
    )
    .expect("config");
    let (code, out, err) = ws.run(&["trust", "--yes"]);
    assert_eq!(code, Some(0), "trust: {out}{err}");
    ws
}

#[test]
fn start_then_merge_needs_no_git_by_hand() {
    let ws = tracked_ws();
    let base_copy = std::fs::read(ws.root.join(FILE)).expect("base copy");
    let (code, out, err) = ws.run(&["run", "start", "2a"]);
    assert_eq!(code, Some(0), "start: {out}{err}");
    let wt = ws.root.join(".worktrees/milestone-2a");
    assert!(wt.is_dir(), "start made the worktree: {out}");
    // The base checkout's copy is untouched; the worktree's is the one shown.
    assert_eq!(std::fs::read(ws.root.join(FILE)).expect("base"), base_copy);
    eventually("the agent's commit", || {
        ws.tip("feature/milestone-2a") != ws.tip("main")
    });
    eventually("the run's end", || {
        let doc = ws.status_at(&chrono::Utc::now().to_rfc3339());
        common::milestone(&doc, "2a")["run"]["state"] == "exited"
    });
    assert_eq!(std::fs::read(ws.root.join(FILE)).expect("base"), base_copy);
    let (code, out, err) = ws.run(&["merge", "2a"]);
    assert_eq!(code, Some(0), "merge: {out}{err}");
    assert_eq!(ws.tip("main"), ws.tip("feature/milestone-2a"));
    let merged = std::fs::read_to_string(ws.root.join(FILE)).expect("merged");
    assert!(merged.contains("status: completed"), "{merged}");
}

#[test]
fn a_refused_checkout_names_the_file_and_what_to_do() {
    let ws = tracked_ws();
    let (code, out, err) = ws.run(&["run", "start", "2a"]);
    assert_eq!(code, Some(0), "start: {out}{err}");
    eventually("the agent's commit", || {
        ws.tip("feature/milestone-2a") != ws.tip("main")
    });
    // An edit by hand in the base checkout's copy (exempt from the dirt
    // gate: it is mdash's own directory) is in the merge's way.
    std::fs::write(
        ws.root.join(FILE),
        "id: 2a\ntitle: Tracked\nstatus: blocked\n",
    )
    .expect("edit");
    let (code, out, err) = ws.run(&["merge", "2a"]);
    assert_ne!(code, Some(0), "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains(FILE), "names the file: {all}");
    assert!(
        // Named up front (the dirt gate knows what the merge changes), or
        // by the checkout that refused: either way, what to do.
        all.contains("commit") && (all.contains("merge again") || all.contains("first")),
        "says what to do: {all}"
    );
    assert_ne!(
        ws.tip("main"),
        ws.tip("feature/milestone-2a"),
        "nothing merged"
    );
}
