//! `mdash test ID`, `mdash merge ID [--force]` and `mdash worktree remove
//! ID` (SPEC §9): the flows are `live::merge`'s; this prints them.

use std::path::Path;

use crate::live::merge::{self as flow, short};
use crate::live::runs::checks::{Outcome, log_path};
use crate::model::Snapshot;

fn snapshot(root: &Path) -> Snapshot {
    crate::live::snapshot::load_with_git(root, chrono::Utc::now())
}

/// A wrong id is a wrong argument (exit 2), said as `mdash run` says it.
fn known(snap: &Snapshot, id: &str) -> Result<(), i32> {
    match crate::cli::run::unknown_milestone(snap, id) {
        Some(why) => {
            eprintln!("mdash: {why}");
            Err(crate::cli::EXIT_USAGE)
        }
        None => Ok(()),
    }
}

/// The suite the user approved, echoed as if run by hand.
fn echo(line: &str) {
    println!("{line}");
}

fn report(root: &Path, id: &str, head: &str, base: bool, res: Result<Outcome, String>) -> i32 {
    match res {
        Ok(o) => {
            let what = if o.passed() {
                "passed".to_string()
            } else {
                format!("failed ({})", o.failure())
            };
            let place = if base { " in the base checkout" } else { "" };
            println!(
                "checks {what} for {id}{place} at {} in {:.1}s (log: {})",
                short(head),
                o.seconds,
                log_path(root, id).display()
            );
            o.status()
        }
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}

pub fn test(root: &Path, id: &str) -> i32 {
    let snap = snapshot(root);
    if let Err(code) = known(&snap, id) {
        return code;
    }
    match flow::prepare_test(root, &snap, id) {
        Ok(p) => {
            let res = flow::test(root, id, &p, echo);
            let code = report(root, id, &p.head, false, res);
            if p.dirty > 0 {
                println!(
                    "note: the worktree had {} uncommitted path(s): not counted as a result of HEAD alone (commit, then test again)",
                    p.dirty
                );
            }
            code
        }
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}

/// 0 merged; 1 refused (nothing changed); 3 merged, but the post-merge
/// checks failed.
pub fn merge(root: &Path, id: &str, force: bool) -> i32 {
    let snap = snapshot(root);
    if let Err(code) = known(&snap, id) {
        return code;
    }
    let plan = match flow::plan(&snap, root, id, force) {
        Ok(p) => p,
        Err(why) => {
            for w in why {
                eprintln!("mdash: {id}: refused, nothing changed: {w}");
            }
            return 1;
        }
    };
    let done = match flow::merge(root, id, &plan, echo) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            return 1;
        }
    };
    let how = match done.kind {
        crate::live::git::merge::Kind::FastForward => "fast-forward",
        crate::live::git::merge::Kind::MergeCommit => "merge commit",
    };
    println!(
        "merged {} into {} ({how} to {})",
        plan.branch,
        plan.base,
        short(&done.commit)
    );
    let mut code = 0;
    // Merged all the same: 3 tells a script the base now fails.
    if let Some(res) = done.post
        && report(root, id, &done.commit, true, res) != 0
    {
        code = 3;
    }
    if let Some(n) = &done.note {
        println!("{n}");
    }
    println!("remove its worktree and branch with: mdash worktree remove {id}");
    code
}

pub fn remove(root: &Path, id: &str, force: bool) -> i32 {
    let snap = snapshot(root);
    if let Err(code) = known(&snap, id) {
        return code;
    }
    match flow::remove(root, &snap, id, force) {
        Ok(msg) => {
            println!("{msg}");
            0
        }
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}
