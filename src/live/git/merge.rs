//! Merging a milestone's branch into the base (SPEC §9): planned in memory
//! first (fast-forward or merge commit, conflicts, the base checkout's
//! state), then done so that the base branch and its checkout move together
//! or not at all.

use std::path::{Path, PathBuf};

use git2::{BranchType, Oid, Repository, build::CheckoutBuilder};

/// How the base will move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    FastForward,
    MergeCommit,
}

/// What a merge would do, and what stands in its way.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub branch: String,
    pub base: String,
    pub kind: Kind,
    pub base_oid: Oid,
    pub tip: Oid,
    /// The worktree where the base branch is checked out, if any.
    pub checkout: Option<PathBuf>,
    /// Paths that would conflict; the merge is refused when any.
    pub conflicts: Vec<String>,
    /// Uncommitted paths in the base checkout (mdash's own `.milestones/`
    /// and `.worktrees/` aside); the merge is refused when any.
    pub dirty: Vec<String>,
    /// The branch tip is already in the base.
    pub merged: bool,
}

fn tip_of(repo: &Repository, branch: &str) -> Result<Oid, String> {
    repo.find_branch(branch, BranchType::Local)
        .map_err(|e| format!("branch {branch} not found: {}", e.message()))?
        .get()
        .target()
        .ok_or_else(|| format!("branch {branch} is not a plain reference"))
}

/// The worktree (main or linked) whose HEAD is `refs/heads/<base>`.
fn checkout_of(repo: &Repository, base: &str) -> Option<PathBuf> {
    let full = format!("refs/heads/{base}");
    let on_base = |r: &Repository| {
        r.find_reference("HEAD")
            .ok()
            .and_then(|h| h.symbolic_target().ok().flatten().map(str::to_string))
            .is_some_and(|t| t == full)
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    if !repo.is_bare()
        && let Some(w) = repo.workdir()
    {
        // Linked worktrees open to their own repository; the main one is the
        // common directory's parent.
        let main = repo.commondir().parent().map(Path::to_path_buf);
        dirs.extend(main.or_else(|| Some(w.to_path_buf())));
    }
    if let Ok(names) = repo.worktrees() {
        for n in names.iter().flatten().flatten() {
            if let Ok(wt) = repo.find_worktree(n) {
                dirs.push(wt.path().to_path_buf());
            }
        }
    }
    dirs.into_iter().find(|d| {
        Repository::open(d)
            .ok()
            .is_some_and(|r| !r.is_bare() && on_base(&r))
    })
}

fn uncommitted(dir: &Path) -> Result<Vec<String>, String> {
    let repo = Repository::open(dir).map_err(|e| e.message().to_string())?;
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(false);
    let st = repo
        .statuses(Some(&mut opts))
        .map_err(|e| e.message().to_string())?;
    Ok(st
        .iter()
        .filter(|e| !e.status().is_ignored() && !e.status().is_empty())
        .filter_map(|e| e.path().ok().map(str::to_string))
        .collect())
}

/// mdash's own `.milestones/` and `.worktrees/` may be dirty in the base
/// checkout, unless the merge changes them: then the checkout would refuse
/// ("1 conflict prevents checkout"), so they are named up front.
fn in_the_way(dirty: Vec<String>, touched: &[String]) -> Vec<String> {
    dirty
        .into_iter()
        .filter(|p| {
            let own = p.starts_with(".milestones/") || p.starts_with(".worktrees/");
            // An untracked directory is listed once, with a slash.
            !own || touched
                .iter()
                .any(|t| t == p || (p.ends_with('/') && t.starts_with(p.as_str())))
        })
        .collect()
}

/// The paths the merge brings into the base: what the branch changed since
/// the merge base (for a fast-forward, since the base's tip).
fn touched(repo: &Repository, base: Oid, tip: Oid) -> Vec<String> {
    let from = repo.merge_base(base, tip).unwrap_or(base);
    let tree = |o: Oid| repo.find_commit(o).and_then(|c| c.tree()).ok();
    let (Some(a), Some(b)) = (tree(from), tree(tip)) else {
        return Vec::new();
    };
    let Ok(diff) = repo.diff_tree_to_tree(Some(&a), Some(&b), None) else {
        return Vec::new();
    };
    diff.deltas()
        .flat_map(|d| [d.old_file().path(), d.new_file().path()])
        .flatten()
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

/// Plans merging `branch` into `base`, changing nothing.
pub fn plan(root: &Path, branch: &str, base: &str) -> Result<Plan, String> {
    let repo =
        Repository::open(root).map_err(|e| format!("{}: {}", root.display(), e.message()))?;
    let base_oid = tip_of(&repo, base)?;
    let tip = tip_of(&repo, branch)?;
    let merged = tip == base_oid || repo.graph_descendant_of(base_oid, tip).unwrap_or(false);
    let ff = !merged && repo.graph_descendant_of(tip, base_oid).unwrap_or(false);
    let mut conflicts = Vec::new();
    if !merged && !ff {
        let (b, t) = (
            repo.find_commit(base_oid)
                .map_err(|e| e.message().to_string())?,
            repo.find_commit(tip).map_err(|e| e.message().to_string())?,
        );
        let index = repo
            .merge_commits(&b, &t, None)
            .map_err(|e| format!("cannot merge {branch} into {base}: {}", e.message()))?;
        if index.has_conflicts() {
            for c in index
                .conflicts()
                .map_err(|e| e.message().to_string())?
                .flatten()
            {
                if let Some(e) = c.our.or(c.their).or(c.ancestor) {
                    conflicts.push(String::from_utf8_lossy(&e.path).into_owned());
                }
            }
            conflicts.sort();
            conflicts.dedup();
        }
    }
    let checkout = checkout_of(&repo, base);
    let dirty = match &checkout {
        Some(d) => in_the_way(uncommitted(d)?, &touched(&repo, base_oid, tip)),
        None => Vec::new(),
    };
    Ok(Plan {
        branch: branch.to_string(),
        base: base.to_string(),
        kind: if ff {
            Kind::FastForward
        } else {
            Kind::MergeCommit
        },
        base_oid,
        tip,
        checkout,
        conflicts,
        dirty,
        merged,
    })
}

fn signature(repo: &Repository) -> Result<git2::Signature<'static>, String> {
    repo.signature()
        .or_else(|_| git2::Signature::now("mdash", "mdash@localhost"))
        .map_err(|e| e.message().to_string())
}

/// Does a plan that has nothing in its way: the new base commit.
pub fn execute(root: &Path, plan: &Plan) -> Result<Oid, String> {
    let msg = |e: git2::Error| e.message().to_string();
    let repo = Repository::open(root).map_err(msg)?;
    if !plan.conflicts.is_empty() || !plan.dirty.is_empty() || plan.merged {
        return Err("the merge plan has something in its way".into());
    }
    let new = match plan.kind {
        Kind::FastForward => plan.tip,
        Kind::MergeCommit => {
            let (b, t) = (
                repo.find_commit(plan.base_oid).map_err(msg)?,
                repo.find_commit(plan.tip).map_err(msg)?,
            );
            let mut index = repo.merge_commits(&b, &t, None).map_err(msg)?;
            if index.has_conflicts() {
                return Err("the merge conflicts".into());
            }
            let tree = repo
                .find_tree(index.write_tree_to(&repo).map_err(msg)?)
                .map_err(msg)?;
            let sig = signature(&repo)?;
            // Not on any ref yet: an unreferenced commit is all a failure
            // below leaves behind.
            repo.commit(
                None,
                &sig,
                &sig,
                &format!("Merge {}", plan.branch),
                &tree,
                &[&b, &t],
            )
            .map_err(msg)?
        }
    };
    let refname = format!("refs/heads/{}", plan.base);
    let log = format!("mdash merge: {} into {}", plan.branch, plan.base);
    let Some(dir) = &plan.checkout else {
        repo.reference_matching(&refname, new, true, plan.base_oid, &log)
            .map_err(|e| format!("{} moved meanwhile: {}", plan.base, e.message()))?;
        return Ok(new);
    };
    // The checkout first, SAFE: it refuses before writing anything when a
    // file would be overwritten. Then the branch, compare-and-swap; should
    // that fail, the files just written are put back.
    let wt = Repository::open(dir).map_err(msg)?;
    let target = wt.find_commit(new).map_err(msg)?.tree().map_err(msg)?;
    // Each file in the way is named, with what to do about it.
    let blocked = std::cell::RefCell::new(Vec::<(String, bool)>::new());
    let mut co = CheckoutBuilder::new();
    co.safe()
        .overwrite_ignored(false)
        .notify_on(git2::CheckoutNotificationType::CONFLICT)
        .notify(|_, path, baseline, _, _| {
            if let Some(p) = path {
                blocked
                    .borrow_mut()
                    .push((p.to_string_lossy().into_owned(), baseline.is_some()));
            }
            true
        });
    let checked_out = wt.checkout_tree(target.as_object(), Some(&mut co));
    drop(co);
    checked_out.map_err(|e| {
        let how = blocked
            .borrow()
            .iter()
            .map(|(p, tracked)| how_to_clear(dir, p, *tracked))
            .collect::<Vec<_>>();
        format!(
            "cannot update the checkout of {} at {}: {}{}; nothing merged",
            plan.base,
            dir.display(),
            e.message(),
            if how.is_empty() {
                String::new()
            } else {
                format!(" ({})", how.join("; "))
            }
        )
    })?;
    if let Err(e) = wt.reference_matching(&refname, new, true, plan.base_oid, &log) {
        let old = wt
            .find_commit(plan.base_oid)
            .map_err(msg)?
            .tree()
            .map_err(msg)?;
        let mut back = CheckoutBuilder::new();
        back.force();
        if let Ok(diff) = wt.diff_tree_to_tree(Some(&old), Some(&target), None) {
            for d in diff.deltas() {
                for f in [d.old_file().path(), d.new_file().path()]
                    .into_iter()
                    .flatten()
                {
                    back.path(f);
                }
            }
        }
        let _ = wt.checkout_tree(old.as_object(), Some(&mut back));
        return Err(format!(
            "{} moved meanwhile; nothing merged: {}",
            plan.base,
            e.message()
        ));
    }
    Ok(new)
}

/// A file of the base checkout the merge would overwrite, and what to do.
fn how_to_clear(dir: &Path, path: &str, tracked: bool) -> String {
    let d = dir.display();
    if tracked {
        format!(
            "{path} has uncommitted changes there: commit them (`git -C {d} commit {path}`) or drop them (`git -C {d} checkout -- {path}`), then merge again"
        )
    } else {
        format!(
            "{path} is untracked there and the branch adds it: move it out of {d} (or delete it if it is a stale copy), then merge again"
        )
    }
}

/// Removes a milestone's git worktree (its directory included) and then its
/// branch. The caller has checked that nothing would be lost.
pub fn remove_worktree(root: &Path, dir: &Path, branch: Option<&str>) -> Result<(), String> {
    let msg = |e: git2::Error| e.message().to_string();
    let repo = Repository::open(root).map_err(msg)?;
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let names = repo.worktrees().map_err(msg)?;
    let wt = names
        .iter()
        .flatten()
        .flatten()
        .filter_map(|n| repo.find_worktree(n).ok())
        .find(|w| canon(w.path()) == canon(dir))
        .ok_or_else(|| format!("{} is not a git worktree of this repository", dir.display()))?;
    let mut opts = git2::WorktreePruneOptions::new();
    opts.valid(true).working_tree(true);
    wt.prune(Some(&mut opts))
        .map_err(|e| format!("cannot remove {}: {}", dir.display(), e.message()))?;
    if let Some(b) = branch
        && let Ok(mut br) = repo.find_branch(b, BranchType::Local)
    {
        br.delete()
            .map_err(|e| format!("removed the worktree, but not branch {b}: {}", e.message()))?;
    }
    Ok(())
}
