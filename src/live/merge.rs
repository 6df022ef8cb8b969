//! The checks and merge flows the command line and the dashboard share
//! (SPEC §9): which suite runs where and at which commit, why a merge is
//! refused, and the merge itself with its event and post-merge checks.

use std::path::{Path, PathBuf};

use crate::live::config::checks::Checks;
use crate::live::git::merge::{self, Kind, Plan};
use crate::live::runs::checks::{self as runner, Job, Outcome};
use crate::model::{MilestoneView, Snapshot, WorktreeState};

pub fn find<'a>(snap: &'a Snapshot, id: &str) -> Result<&'a MilestoneView, String> {
    snap.milestones
        .iter()
        .find(|m| m.milestone.id == id)
        .map(|m| &**m)
        // Said after `mdash: <id>: `: the id once is enough.
        .ok_or_else(|| "no such milestone in this workspace".to_string())
}

fn worktree(v: &MilestoneView) -> Result<&WorktreeState, String> {
    v.worktree
        .as_deref()
        .filter(|w| !w.prunable)
        .ok_or_else(|| {
            if v.is_merged() {
                // Done: a new worktree would be the wrong next step.
                let at = v.merged.as_deref().filter(|c| !c.is_empty());
                let at = at
                    .map(|c| format!(" (at {})", short(c)))
                    .unwrap_or_default();
                format!(
                    "already merged{at} and its worktree is gone: nothing left to test or merge"
                )
            } else {
                format!("no worktree yet (mdash worktree add {})", v.milestone.id)
            }
        })
}

pub fn abs(root: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

/// The suite, when it may run: configured, and approved if the workspace set it.
pub fn suite(root: &Path) -> Result<Checks, String> {
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

/// What a checks run of `id`'s worktree needs: the suite, where, at which commit.
pub struct Prepared {
    pub checks: Checks,
    pub cwd: PathBuf,
    pub head: String,
    /// Uncommitted paths in the worktree: the result is not HEAD's alone.
    pub dirty: usize,
}

pub fn prepare_test(root: &Path, snap: &Snapshot, id: &str) -> Result<Prepared, String> {
    let v = find(snap, id)?;
    let checks = suite(root)?;
    let wt = worktree(v)?;
    let head = wt
        .head_id
        .clone()
        .ok_or_else(|| format!("{}'s worktree has no commit to test", wt.path))?;
    Ok(Prepared {
        checks,
        cwd: abs(root, &wt.path),
        head,
        dirty: wt.dirty,
    })
}

/// Runs a prepared suite in the worktree.
pub fn test(
    root: &Path,
    id: &str,
    p: &Prepared,
    line: impl FnMut(&str),
) -> Result<Outcome, String> {
    runner::run(
        &Job {
            root,
            id,
            argv: &p.checks.command,
            cwd: &p.cwd,
            head: &p.head,
            base: false,
            dirty: p.dirty,
        },
        line,
    )
}

/// The merge `mdash merge ID` would do, or every reason it may not
/// (nothing is changed either way).
pub fn plan(snap: &Snapshot, root: &Path, id: &str, force: bool) -> Result<Plan, Vec<String>> {
    let one = |e: String| vec![e];
    let v = find(snap, id).map_err(one)?;
    let wt = worktree(v).map_err(one)?;
    let branch = wt
        .branch
        .clone()
        .ok_or_else(|| one("its worktree is on a detached HEAD".to_string()))?;
    let base = wt
        .base
        .clone()
        .ok_or_else(|| one("no base branch (git.base_branch, main or master)".into()))?;
    let plan = merge::plan(root, &branch, &base).map_err(one)?;
    let why = refusals(v, &plan, force);
    if why.is_empty() { Ok(plan) } else { Err(why) }
}

fn refusals(v: &MilestoneView, plan: &Plan, force: bool) -> Vec<String> {
    let mut out = Vec::new();
    if plan.merged {
        out.push(format!(
            "{} is already merged into {}",
            plan.branch, plan.base
        ));
        return out;
    }
    // Every reason at once; `--force` is offered only when it would do.
    let in_way = !plan.conflicts.is_empty() || !plan.dirty.is_empty();
    if !v.ready.ok() && !force {
        let gates: Vec<String> = v
            .ready
            .missing
            .iter()
            .map(|g| format!("{} (wants {})", g.name(), g.label()))
            .collect();
        let hint = if in_way {
            " (--force would not help: see below)"
        } else {
            "; --force merges anyway"
        };
        out.push(format!("not ready to merge: {}{hint}", gates.join(", ")));
    }
    if !plan.conflicts.is_empty() {
        out.push(format!(
            "merging {} into {} would conflict in {}: resolve it in the worktree first (merge {} into the branch there)",
            plan.branch,
            plan.base,
            plan.conflicts.join(", "),
            plan.base
        ));
    }
    if !plan.dirty.is_empty() {
        let at = plan
            .checkout
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        out.push(format!(
            "the checkout of {} at {at} has uncommitted changes: {} (commit, stash or discard them first)",
            plan.base,
            plan.dirty.join(", ")
        ));
    }
    out
}

/// How a merge went.
pub struct Merged {
    pub kind: Kind,
    /// The base's new commit, full id.
    pub commit: String,
    /// The post-merge checks, when they ran.
    pub post: Option<Result<Outcome, String>>,
    /// Why they did not run, when configured.
    pub note: Option<String>,
}

impl Merged {
    /// One line for a person.
    pub fn summary(&self, id: &str, plan: &Plan) -> String {
        let how = match self.kind {
            Kind::FastForward => "fast-forward",
            Kind::MergeCommit => "merge commit",
        };
        let post = match &self.post {
            Some(Ok(o)) if o.passed() => "; post-merge checks passed".to_string(),
            Some(Ok(o)) => format!("; post-merge checks FAILED ({})", o.failure()),
            Some(Err(e)) => format!("; post-merge checks did not run: {e}"),
            None => self
                .note
                .as_ref()
                .map(|n| format!("; {n}"))
                .unwrap_or_default(),
        };
        format!(
            "merged {id} into {} ({how} to {}){post}",
            plan.base,
            short(&self.commit)
        )
    }
}

pub fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// Does a plan: the merge, `milestone_merged`, then the checks in the base
/// checkout (`"where": "base"`) when a suite is configured.
pub fn merge(root: &Path, id: &str, plan: &Plan, line: impl FnMut(&str)) -> Result<Merged, String> {
    let new = merge::execute(root, plan)?;
    let commit = new.to_string();
    let details = serde_json::json!({"branch": plan.branch, "base": plan.base, "commit": commit});
    crate::live::runs::records::event(root, id, "milestone_merged", details)
        .map_err(|e| format!("merged, but milestone_merged was not recorded: {e}"))?;
    let configured = crate::live::config::checks::load(root).configured();
    let (post, note) = match (&plan.checkout, suite(root)) {
        (Some(dir), Ok(checks)) => {
            let job = Job {
                root,
                id,
                argv: &checks.command,
                cwd: dir,
                head: &commit,
                base: true,
                dirty: 0,
            };
            (Some(runner::run(&job, line)), None)
        }
        (None, Ok(_)) => (
            None,
            Some(format!(
                "no checkout of {}: post-merge checks not run",
                plan.base
            )),
        ),
        (_, Err(e)) if configured => (None, Some(format!("post-merge checks not run: {e}"))),
        _ => (None, None),
    };
    Ok(Merged {
        kind: plan.kind,
        commit,
        post,
        note,
    })
}

/// Removes `id`'s worktree and branch; refused while it has uncommitted
/// changes, or commits the base lacks (unless `force`).
pub fn remove(root: &Path, snap: &Snapshot, id: &str, force: bool) -> Result<String, String> {
    let v = find(snap, id)?;
    let wt = v
        .worktree
        .as_ref()
        .ok_or_else(|| "has no worktree".to_string())?;
    if let Some(why) = crate::rules::ready::live_run(v) {
        return Err(format!("the worktree stays: {why}"));
    }
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
}
