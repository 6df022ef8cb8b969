//! Worktrees as listed, and the git state of one as `status --json`
//! reports it (SPEC §6). Filled in by `live::git`.

use std::path::PathBuf;

use serde::Serialize;

use super::ids::{ids_for_branch, ids_for_dir};

/// A worktree of the workspace's repository, or a directory under `.worktrees/`.
#[derive(Debug, Clone, PartialEq)]
pub struct Worktree {
    pub path: PathBuf,
    /// The git worktree name, when git knows it.
    pub name: Option<String>,
    pub branch: Option<String>,
    pub locked: bool,
    /// Its directory is gone; `git worktree prune` would remove it.
    pub prunable: bool,
}

impl Worktree {
    /// The milestone ids it may belong to, most specific first: directory
    /// name, then branch.
    pub fn candidate_ids(&self) -> Vec<String> {
        let mut ids = self
            .path
            .file_name()
            .map(|n| ids_for_dir(&n.to_string_lossy()))
            .unwrap_or_default();
        if let Some(b) = &self.branch {
            ids.extend(ids_for_branch(b));
        }
        ids
    }

    /// The id it belongs to among `known`.
    pub fn milestone<'a>(&self, known: impl Fn(&str) -> bool + 'a) -> Option<String> {
        self.candidate_ids().into_iter().find(|id| known(id))
    }
}

/// A worktree's state as `status --json` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorktreeState {
    /// Workspace-relative when inside the workspace, else absolute.
    pub path: String,
    pub branch: Option<String>,
    pub head: Option<String>,
    #[serde(skip)]
    pub subject: Option<String>,
    pub ahead: Option<usize>,
    pub behind: Option<usize>,
    pub dirty: usize,
    pub conflicts: usize,
    pub operation: Option<&'static str>,
    pub merged: Option<bool>,
    #[serde(skip)]
    pub base: Option<String>,
    #[serde(skip)]
    pub locked: bool,
    #[serde(skip)]
    pub prunable: bool,
}
