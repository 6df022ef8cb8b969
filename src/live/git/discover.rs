//! Finding the workspace root from a path (SPEC §1): the first directory
//! holding `.milestones/` or `.milestone_bundles/`, else the git root; from
//! a linked worktree, the repository's main worktree.

use std::path::{Path, PathBuf};

use crate::read::workspace::{BUNDLES, MILESTONES};

/// Walks up from `start` to the workspace root (SPEC §1).
pub fn discover(start: &Path) -> Result<PathBuf, String> {
    let start = std::fs::canonicalize(start).map_err(|e| format!("{}: {e}", start.display()))?;
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    let found = start
        .ancestors()
        .find(|d| d.join(MILESTONES).is_dir() || d.join(BUNDLES).is_dir())
        .map(Path::to_path_buf)
        .or_else(|| git_root(&start));
    let Some(dir) = found else {
        return Err(format!(
            "no workspace found at or above {}: expected a directory holding .milestones/ or .milestone_bundles/, or a git repository (run `mdash init` to create one)",
            start.display()
        ));
    };
    Ok(main_worktree_of(&dir).unwrap_or(dir))
}

fn git_root(start: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(start).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// When `dir` is a linked git worktree, the repository's main worktree.
fn main_worktree_of(dir: &Path) -> Option<PathBuf> {
    if !dir.join(".git").is_file() {
        return None;
    }
    let repo = git2::Repository::open(dir).ok()?;
    if !repo.is_worktree() {
        return None;
    }
    // commondir is <main>/.git for a linked worktree.
    let common = repo.commondir().canonicalize().ok()?;
    let main = common.parent()?.to_path_buf();
    (main.join(MILESTONES).is_dir() || main.join(BUNDLES).is_dir() || main.join(".git").is_dir())
        .then_some(main)
}
