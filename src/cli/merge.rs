//! `mdash test ID`, `mdash merge ID [--force]` and `mdash worktree remove
//! ID` (SPEC §9): the suite in the milestone's worktree, the merge into the
//! base with its refusals, and the cleanup afterwards.

use std::path::{Path, PathBuf};

use crate::live::config::checks::Checks;
use crate::live::git::merge::{self, Kind};
use crate::live::runs::checks::{self as runner, Job};
use crate::model::{MilestoneView, Snapshot, WorktreeState};

fn snapshot(root: &Path) -> Snapshot {
    crate::live::snapshot::load_with_git(root, chrono::Utc::now())
}

fn find<'a>(snap: &'a Snapshot, id: &str) -> Result<&'a MilestoneView, String> {
    snap.milestones
        .iter()
        .find(|m| m.milestone.id == id)
        .ok_or_else(|| format!("no milestone \"{id}\" in this workspace"))
}

fn worktree(v: &MilestoneView) -> Result<&WorktreeState, String> {
    v.worktree.as_ref().filter(|w| !w.prunable).ok_or_else(|| {
        format!(
            "{} has no worktree (mdash worktree add {})",
            v.milestone.id, v.milestone.id
        )
    })
}

fn abs(root: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

/// The suite, when it may run: configured, and approved if the workspace set it.
fn suite(root: &Path) -> Result<Checks, String> {
    let checks = crate::live::config::checks::load(root);
    if !checks.configured() {
        return Err(format!(
            "no checks.command set (in {} or your user config): nothing to run",
            crate::live::config::FILE
        ));
    }
    if !checks.trusted(root) {
        return Err(format!(
            "this workspace's checks.command is not trusted yet: {}\nrun `mdash trust` in the workspace to approve it",
            checks.shown()
        ));
    }
    Ok(checks)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// Runs the suite, echoing its output; returns the shell-style status.
fn run_suite(job: &Job) -> i32 {
    let res = runner::run(job, |line| {
        // The suite the user approved, as if run by hand.
        println!("{line}");
    });
    match res {
        Ok(o) => {
            let what = if o.passed() {
                "passed".to_string()
            } else {
                format!(
                    "failed ({})",
                    crate::model::ChecksRun {
                        head: String::new(),
                        exit_code: o.exit_code.map(i64::from),
                        signal: o.signal.map(i64::from),
                        seconds: None,
                        at: None,
                    }
                    .failure()
                )
            };
            let place = if job.base {
                " in the base checkout"
            } else {
                ""
            };
            println!(
                "checks {what} for {}{place} at {} in {:.1}s (log: {})",
                job.id,
                short(job.head),
                o.seconds,
                runner::log_path(job.root, job.id).display()
            );
            o.status()
        }
        Err(e) => {
            eprintln!("mdash: {}: {e}", job.id);
            1
        }
    }
}

pub fn test(root: &Path, id: &str) -> i32 {
    let snap = snapshot(root);
    let prepared = find(&snap, id).and_then(|v| {
        let checks = suite(root)?;
        let wt = worktree(v)?;
        let head = wt
            .head_id
            .clone()
            .ok_or_else(|| format!("{}'s worktree has no commit to test", wt.path))?;
        Ok((checks, abs(root, &wt.path), head))
    });
    match prepared {
        Ok((checks, cwd, head)) => run_suite(&Job {
            root,
            id,
            argv: &checks.command,
            cwd: &cwd,
            head: &head,
            base: false,
        }),
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}

/// Why a merge may not happen; empty when it may.
fn refusals(v: &MilestoneView, plan: &merge::Plan, force: bool) -> Vec<String> {
    let mut out = Vec::new();
    if plan.merged {
        out.push(format!(
            "{} is already merged into {}",
            plan.branch, plan.base
        ));
        return out;
    }
    if !v.ready.ok() && !force {
        let gates: Vec<String> = v
            .ready
            .missing
            .iter()
            .map(|g| format!("{} (wants {})", g.name(), g.label()))
            .collect();
        out.push(format!(
            "not ready to merge: {}; --force merges anyway",
            gates.join(", ")
        ));
    }
    if !plan.conflicts.is_empty() {
        out.push(format!(
            "merging {} into {} would conflict in {}",
            plan.branch,
            plan.base,
            plan.conflicts.join(", ")
        ));
    }
    if !plan.dirty.is_empty() {
        let at = plan
            .checkout
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        out.push(format!(
            "the checkout of {} at {at} has uncommitted changes: {}",
            plan.base,
            plan.dirty.join(", ")
        ));
    }
    out
}

pub fn merge(root: &Path, id: &str, force: bool) -> i32 {
    let snap = snapshot(root);
    let planned = find(&snap, id).and_then(|v| {
        let wt = worktree(v)?;
        let branch = wt
            .branch
            .clone()
            .ok_or_else(|| format!("{}'s worktree is on a detached HEAD", id))?;
        let base = wt
            .base
            .clone()
            .ok_or_else(|| "no base branch (git.base_branch, main or master)".to_string())?;
        let plan = merge::plan(root, &branch, &base)?;
        Ok((refusals(v, &plan, force), plan))
    });
    let plan = match planned {
        Ok((why, _)) if !why.is_empty() => {
            for w in why {
                eprintln!("mdash: {id}: refused, nothing changed: {w}");
            }
            return 1;
        }
        Ok((_, plan)) => plan,
        Err(e) => {
            eprintln!("mdash: {id}: refused, nothing changed: {e}");
            return 1;
        }
    };
    let new = match merge::execute(root, &plan) {
        Ok(new) => new,
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            return 1;
        }
    };
    let commit = new.to_string();
    let how = match plan.kind {
        Kind::FastForward => "fast-forward",
        Kind::MergeCommit => "merge commit",
    };
    println!(
        "merged {} into {} ({how} to {})",
        plan.branch,
        plan.base,
        short(&commit)
    );
    let details = serde_json::json!({"branch": plan.branch, "base": plan.base, "commit": commit});
    if let Err(e) = crate::live::runs::records::event(root, id, "milestone_merged", details) {
        eprintln!("mdash: {id}: merged, but milestone_merged was not recorded: {e}");
    }
    let mut code = 0;
    let checks = crate::live::config::checks::load(root);
    match (&plan.checkout, suite(root)) {
        (Some(dir), Ok(checks)) => {
            println!("post-merge checks in {}:", dir.display());
            let status = run_suite(&Job {
                root,
                id,
                argv: &checks.command,
                cwd: dir,
                head: &commit,
                base: true,
            });
            if status != 0 {
                // Merged all the same: 3 tells a script the base now fails.
                code = 3;
            }
        }
        (None, Ok(_)) => println!("no checkout of {}: post-merge checks not run", plan.base),
        (_, Err(e)) if checks.configured() => println!("post-merge checks not run: {e}"),
        _ => {}
    }
    println!("remove its worktree and branch with: mdash worktree remove {id}");
    code
}

pub fn remove(root: &Path, id: &str, force: bool) -> i32 {
    let snap = snapshot(root);
    let done = find(&snap, id).and_then(|v| {
        let wt = v
            .worktree
            .as_ref()
            .ok_or_else(|| format!("{id} has no worktree"))?;
        if wt.dirty > 0 {
            return Err(format!(
                "{} has uncommitted changes ({} paths): commit or discard them first",
                wt.path, wt.dirty
            ));
        }
        if wt.merged != Some(true) && !wt.prunable && !force {
            return Err(format!(
                "{} is not merged into {}: its commits would be lost; --force removes anyway",
                wt.branch.as_deref().unwrap_or("its HEAD"),
                wt.base.as_deref().unwrap_or("the base")
            ));
        }
        merge::remove_worktree(root, &abs(root, &wt.path), wt.branch.as_deref())?;
        Ok(format!(
            "removed {}{}",
            wt.path,
            wt.branch
                .as_deref()
                .map(|b| format!(" and branch {b}"))
                .unwrap_or_default()
        ))
    });
    match done {
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
