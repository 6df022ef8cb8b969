//! Worktrees and their git state, through git2 (SPEC §6). Blocking: callers
//! run this on worker threads, never on the UI task.

pub mod discover;
pub mod forecast;
pub mod head;
pub mod merge;

use std::path::{Path, PathBuf};

use git2::{BranchType, Repository, RepositoryState, StatusOptions};

use crate::model::{Worktree, WorktreeState as State};
use crate::read::workspace::WORKTREES;

/// Every linked worktree of the repository at `root` (wherever it lives),
/// plus directories under `root/.worktrees/` git does not list.
pub fn worktrees(root: &Path) -> Vec<Worktree> {
    let mut out = Vec::new();
    if let Ok(repo) = Repository::open(root)
        && let Ok(names) = repo.worktrees()
    {
        for name in names.iter().flatten().flatten() {
            let Ok(wt) = repo.find_worktree(name) else {
                continue;
            };
            let path = wt.path().to_path_buf();
            let prunable = !path.exists();
            let branch = if prunable {
                None
            } else {
                Repository::open(&path).ok().and_then(|r| branch_of(&r))
            };
            out.push(Worktree {
                path,
                name: Some(name.to_string()),
                branch,
                locked: !matches!(wt.is_locked(), Ok(git2::WorktreeLockStatus::Unlocked)),
                prunable,
            });
        }
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let inside = canon(root);
    for dir in crate::read::file::list(&root.join(WORKTREES)).unwrap_or_default() {
        // Only git's own list may name a worktree elsewhere: a directory
        // entry (a symlink, say) that leads out of the workspace is not one,
        // or the fences would open to wherever it points.
        if dir.is_dir()
            && canon(&dir).starts_with(&inside)
            && !out.iter().any(|w| canon(&w.path) == canon(&dir))
        {
            let branch = Repository::open(&dir).ok().and_then(|r| branch_of(&r));
            out.push(Worktree {
                path: dir,
                name: None,
                branch,
                locked: false,
                prunable: false,
            });
        }
    }
    out
}

fn branch_of(repo: &Repository) -> Option<String> {
    let head = repo.head().ok()?;
    if !head.is_branch() {
        return None;
    }
    head.shorthand().ok().map(str::to_string)
}

/// The base branch: the configured one, else `main`, else `master`.
pub fn base_branch(repo: &Repository, configured: Option<&str>) -> Option<String> {
    let candidates: Vec<&str> = match configured {
        Some(c) => vec![c],
        None => vec!["main", "master"],
    };
    candidates
        .into_iter()
        .find(|b| repo.find_branch(b, BranchType::Local).is_ok())
        .map(str::to_string)
}

fn rel(root: &Path, p: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, p) = (canon(root), canon(p));
    match p.strip_prefix(&root) {
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => p.display().to_string(),
    }
}

/// Reads one worktree's state. A prunable worktree has only its path.
pub fn state(root: &Path, wt: &Worktree, configured_base: Option<&str>) -> State {
    let mut st = State {
        path: rel(root, &wt.path),
        branch: wt.branch.clone(),
        head: None,
        subject: None,
        ahead: None,
        behind: None,
        dirty: 0,
        conflicts: 0,
        operation: None,
        merged: None,
        forecast: Vec::new(),
        forecast_paths: Vec::new(),
        head_id: None,
        base: None,
        locked: wt.locked,
        prunable: wt.prunable,
        error: None,
    };
    if wt.prunable {
        return st;
    }
    let repo = match Repository::open(&wt.path) {
        Ok(r) => r,
        // A plain directory under `.worktrees/` is no repository, and no
        // error; one git lists, or with a `.git` of its own, is damaged.
        Err(e) => {
            if wt.name.is_some() || std::fs::symlink_metadata(wt.path.join(".git")).is_ok() {
                st.error = Some(format!(
                    "cannot read the worktree's git state (HEAD or .git damaged?): {}",
                    e.message()
                ));
            }
            return st;
        }
    };
    st.operation = match repo.state() {
        RepositoryState::Clean => None,
        RepositoryState::Merge => Some("merge"),
        RepositoryState::Revert | RepositoryState::RevertSequence => Some("revert"),
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => Some("cherry_pick"),
        RepositoryState::Bisect => Some("bisect"),
        RepositoryState::Rebase
        | RepositoryState::RebaseInteractive
        | RepositoryState::RebaseMerge
        | RepositoryState::ApplyMailbox
        | RepositoryState::ApplyMailboxOrRebase => Some("rebase"),
    };
    let head = match repo.head() {
        Ok(h) => match h.peel_to_commit() {
            Ok(c) => Some(c),
            Err(e) => {
                st.error = Some(format!("HEAD does not lead to a commit: {}", e.message()));
                None
            }
        },
        // A branch with no commit yet is a state, not damage.
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => {
            st.error = Some(format!("HEAD is unreadable: {}", e.message()));
            None
        }
    };
    if let Some(c) = &head {
        st.head = c
            .as_object()
            .short_id()
            .ok()
            .and_then(|b| b.as_str().ok().map(str::to_string));
        st.subject = c.summary().ok().flatten().map(str::to_string);
        st.head_id = Some(c.id().to_string());
    }
    if let (Some(c), Some(base)) = (&head, base_branch(&repo, configured_base)) {
        let base_oid = repo
            .find_branch(&base, BranchType::Local)
            .ok()
            .and_then(|b| b.get().target());
        if let Some(b) = base_oid {
            if let Ok((ahead, behind)) = repo.graph_ahead_behind(c.id(), b) {
                st.ahead = Some(ahead);
                st.behind = Some(behind);
            }
            st.merged = Some(c.id() == b || repo.graph_descendant_of(b, c.id()).unwrap_or(false));
        }
        st.base = Some(base);
    }
    let mut opts = StatusOptions::new();
    // As `git status --porcelain` counts: untracked directories as one entry,
    // ignored files not at all.
    opts.include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(false)
        .exclude_submodules(false);
    let statuses = repo.statuses(Some(&mut opts));
    if let Err(e) = &statuses
        && st.error.is_none()
    {
        st.error = Some(format!(
            "cannot read the worktree's status: {}",
            e.message()
        ));
    }
    if let Ok(statuses) = statuses {
        for e in statuses.iter() {
            let s = e.status();
            if s.is_ignored() || s.is_empty() {
                continue;
            }
            st.dirty += 1;
            if s.is_conflicted() {
                st.conflicts += 1;
            }
        }
    }
    st
}

/// The directories whose changes mean a worktree's git state changed:
/// its own git dir (HEAD, index, merge state) and the shared refs. Never the
/// object store, never the working tree.
pub fn metadata_dirs(root: &Path) -> Vec<(PathBuf, bool)> {
    let Ok(repo) = Repository::open(root) else {
        return Vec::new();
    };
    let common = repo.commondir().to_path_buf();
    let mut out = vec![
        (common.clone(), false),
        (common.join("refs").join("heads"), true),
    ];
    if let Ok(names) = repo.worktrees() {
        for n in names.iter().flatten().flatten() {
            out.push((common.join("worktrees").join(n), false));
        }
    }
    out.retain(|(p, _)| p.is_dir());
    out
}

/// Creates `.worktrees/milestone-<id>` on a new `feature/milestone-<id>`
/// branch from the base branch. Refuses what exists or would leave the
/// workspace, saying which.
/// How a refusal for a repository without a commit starts, in `worktree
/// add` and `run start` alike.
pub const NO_COMMITS: &str = "the repository has no commits yet";

/// Whether `root` is a git repository without a commit (nothing a
/// worktree could branch from).
pub fn no_commits(root: &Path) -> bool {
    Repository::open(root).is_ok_and(|r| no_commits_in(&r))
}

fn no_commits_in(repo: &Repository) -> bool {
    let no_branch = repo
        .branches(Some(BranchType::Local))
        .map(|mut b| b.next().is_none())
        .unwrap_or(false);
    repo.is_empty().unwrap_or(false) || no_branch
}

pub fn add_worktree(
    root: &Path,
    id: &str,
    configured_base: Option<&str>,
) -> Result<PathBuf, String> {
    if !crate::model::valid_id(id) {
        return Err(format!("invalid id \"{id}\": {}", crate::model::ID_RULE));
    }
    let repo = Repository::open(root).map_err(|e| {
        format!(
            "{} is not a git repository: {}",
            root.display(),
            e.message()
        )
    })?;
    if no_commits_in(&repo) {
        return Err(format!(
            "{NO_COMMITS}: a worktree branches from a commit; commit once, then try again"
        ));
    }
    let dir = root.join(WORKTREES);
    let path = dir.join(format!("milestone-{id}"));
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    // Everything that can be refused is checked before anything is made.
    let base = base_branch(&repo, configured_base).ok_or_else(|| match configured_base {
        Some(b) => format!("base branch {b} (git.base_branch) not found"),
        None => "no base branch: neither main nor master exists".to_string(),
    })?;
    let commit = repo
        .find_branch(&base, BranchType::Local)
        .and_then(|b| b.get().peel_to_commit())
        .map_err(|e| format!("cannot read {base}: {}", e.message()))?;
    // Fenced: a `.worktrees` leading out of the workspace gets nothing made in it.
    crate::live::write::Fence::new(root)
        .create_dirs(&dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let canon_root = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    let canon_dir = std::fs::canonicalize(&dir).map_err(|e| e.to_string())?;
    if !canon_dir.starts_with(&canon_root) {
        return Err(format!(
            "{} leads outside the workspace (to {}); refusing",
            dir.display(),
            canon_dir.display()
        ));
    }
    let branch_name = format!("feature/milestone-{id}");
    if repo.find_branch(&branch_name, BranchType::Local).is_ok() {
        return Err(format!("branch {branch_name} already exists"));
    }

    let wt_name = format!("milestone-{id}");
    if repo.find_worktree(&wt_name).is_ok() {
        return Err(format!("a git worktree named {wt_name} already exists"));
    }
    let branch = repo
        .branch(&branch_name, &commit, false)
        .map_err(|e| format!("cannot create {branch_name}: {}", e.message()))?;
    let mut opts = git2::WorktreeAddOptions::new();
    let reference = branch.into_reference();
    opts.reference(Some(&reference));
    repo.worktree(&wt_name, &path, Some(&opts)).map_err(|e| {
        // Leave nothing half-made behind.
        if let Ok(mut b) = repo.find_branch(&branch_name, BranchType::Local) {
            let _ = b.delete();
        }
        format!("cannot create the worktree: {}", e.message())
    })?;
    Ok(path)
}

/// Whether `.worktrees/` is ignored by the repository.
pub fn worktrees_ignored(root: &Path) -> bool {
    Repository::open(root)
        .and_then(|r| r.is_path_ignored(Path::new(".worktrees/x")))
        .unwrap_or(true)
}

/// Adds `.worktrees/` to `.git/info/exclude`.
pub fn exclude_worktrees(root: &Path) -> Result<(), String> {
    let repo = Repository::open(root).map_err(|e| e.message().to_string())?;
    let info = repo.commondir().join("info");
    std::fs::create_dir_all(&info).map_err(|e| e.to_string())?;
    let path = info.join("exclude");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if text
        .lines()
        .any(|l| l.trim() == ".worktrees/" || l.trim() == "/.worktrees/")
    {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("/.worktrees/\n");
    crate::live::write::replace(
        &crate::live::write::Fence::new(repo.commondir()),
        &path,
        text.as_bytes(),
    )
    .map_err(|e| e.to_string())
}

/// The state of every milestone's worktree: worktrees mapped to the known
/// ids (the first by path wins), read in parallel.
pub fn states_for(
    root: &Path,
    ids: &[String],
    configured_base: Option<&str>,
) -> Vec<(String, State)> {
    let mut wts = worktrees(root);
    wts.sort_by(|a, b| a.path.cmp(&b.path));
    let mut mapped: Vec<(String, Worktree)> = Vec::new();
    for wt in wts {
        if let Some(id) = wt.milestone(|id| ids.iter().any(|k| k == id))
            && !mapped.iter().any(|(m, _)| *m == id)
        {
            mapped.push((id, wt));
        }
    }
    let states = crate::util::par::map(&mapped, |(_, wt)| state(root, wt, configured_base));
    mapped.into_iter().map(|(id, _)| id).zip(states).collect()
}

/// `states_for`, with each worktree's conflict forecast (SPEC §9); `cache`
/// keeps the pairs merged before, so only moved tips cost a merge.
pub fn states_with_forecast(
    root: &Path,
    ids: &[String],
    configured_base: Option<&str>,
    cache: &mut forecast::Cache,
) -> Vec<(String, State)> {
    let mut states = states_for(root, ids, configured_base);
    forecast::attach(root, &mut states, configured_base, cache);
    states
}

/// Stages `files` (relative to the repository's work tree) and commits them
/// on HEAD (or as the first commit) with the given author.
pub fn commit_files(
    dir: &Path,
    files: &[&str],
    author: (&str, &str),
    msg: &str,
) -> Result<(), String> {
    let commit = || -> Result<(), git2::Error> {
        let repo = Repository::open(dir)?;
        let mut index = repo.index()?;
        for f in files {
            index.add_path(Path::new(f))?;
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let sig = git2::Signature::now(author.0, author.1)?;
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)?;
        Ok(())
    };
    commit().map_err(|e| e.message().to_string())
}

/// Creates a repository at `dir` whose first branch is `branch`.
pub fn init_repo(dir: &Path, branch: &str) -> Result<(), String> {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head(branch);
    Repository::init_opts(dir, &opts)
        .map(drop)
        .map_err(|e| e.message().to_string())
}
