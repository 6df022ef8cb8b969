//! What a run action needs of git: whether a directory is in a repository,
//! and the branch and commit its HEAD names (for the run's variables and a
//! pause's session file).

use std::path::Path;

use git2::Repository;

/// The directory opens as a git repository (a worktree's directory too).
pub fn is_repo(dir: &Path) -> bool {
    Repository::open(dir).is_ok()
}

/// The HEAD of the repository at `dir`: its branch's short name (none when
/// detached or unborn) and its commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub branch: Option<String>,
    pub commit: Option<String>,
}

pub fn head(dir: &Path) -> Head {
    let Ok(repo) = Repository::open(dir) else {
        return Head::default();
    };
    let Ok(h) = repo.head() else {
        return Head::default();
    };
    Head {
        branch: h.shorthand().ok().map(str::to_string),
        commit: h.target().map(|o| o.to_string()),
    }
}
