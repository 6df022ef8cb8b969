//! The workspace's directory names, and the `Reader` that reads its files
//! again and again, re-parsing only what changed.
//!
//! Precedence when several files give the same id: a file in the root's
//! `completed/` (the milestone is finished), then the copy in the
//! milestone's own worktree, then the root's other files, then the legacy
//! `current.yaml`, then the JSON state side-store.

use std::path::{Path, PathBuf};

use crate::model::{Problem, Worktree};
use crate::read::assemble::{self, Assembled};
use crate::read::fast;
use crate::read::file::Fence;
use crate::read::scan::{self, Cache, Scan};

pub const MILESTONES: &str = ".milestones";
pub const BUNDLES: &str = ".milestone_bundles";
pub const TASK_BUNDLES: &str = ".task_bundles";
pub const WORKTREES: &str = ".worktrees";

/// Reads a workspace again and again, re-parsing only what changed.
pub struct Reader {
    root: PathBuf,
    cache: Cache,
    one_shot: bool,
    /// What lets a later change be read alone (`read::fast`).
    index: fast::Index,
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            root: root.to_path_buf(),
            cache: Cache::default(),
            one_shot: false,
            index: fast::Index::default(),
        }
    }

    /// A reader for one load: it keeps no cache, so it clones nothing.
    pub fn once(root: &Path) -> Reader {
        Reader {
            one_shot: true,
            ..Reader::new(root)
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Marks paths as changed (a watcher saw them), whatever their stamp says.
    pub fn invalidate(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        self.cache.stale.extend(paths);
    }

    /// Forgets everything: the next load re-reads every file.
    pub fn invalidate_all(&mut self) {
        self.cache = Cache::default();
        self.index = fast::Index::default();
    }

    /// Reads only the files at `paths`, the watcher having said they are
    /// all that changed since the last read: the milestones they hold, or
    /// `None` when the change needs a full `read`.
    pub fn read_fast(&mut self, paths: &[PathBuf], max_file_bytes: u64) -> Option<fast::Changes> {
        if self.one_shot {
            return None;
        }
        let fence = Fence::new(&self.root, max_file_bytes);
        let out = fast::read(&fence, &self.index, &mut self.cache, paths);
        if out.is_some() {
            for p in paths {
                self.cache.stale.remove(p);
            }
        }
        out
    }

    /// Before the first full read: the first `n` milestone files of the
    /// root's `active/` by name, read and kept in the cache (the full read
    /// that follows does not read them again), and how many files there
    /// are. `None` when the workspace has been read already or holds no
    /// more than `n` files (the full read is then as quick).
    pub fn read_first(
        &mut self,
        n: usize,
        max_file_bytes: u64,
    ) -> Option<(Vec<std::sync::Arc<crate::model::Milestone>>, usize)> {
        if self.one_shot || self.index.ready.is_some() || !self.cache.docs.is_empty() {
            return None;
        }
        let fence = Fence::new(&self.root, max_file_bytes);
        let dir = self.root.join(MILESTONES).join("active");
        let paths: Vec<PathBuf> = crate::read::file::list(&dir)
            .ok()?
            .into_iter()
            .filter(|p| scan::is_doc(p))
            .collect();
        if paths.len() <= n {
            return None;
        }
        self.cache.max_file_bytes = max_file_bytes;
        // Read and cached as the full read does, which then finds them.
        let mut scan = Scan {
            cache: std::mem::take(&mut self.cache),
            ..Scan::default()
        };
        let found = scan::read_docs(&fence, &paths[..n], crate::model::Origin::Active, &mut scan);
        self.cache = scan.cache;
        let out = found
            .into_iter()
            .filter_map(|f| match f {
                scan::Found::Milestone(m) => Some(m),
                _ => None,
            })
            .collect();
        Some((out, paths.len()))
    }

    /// Reads the workspace's files. `worktrees` are the repository's
    /// worktrees (their copies and logs are read too), `max_file_bytes` the
    /// size limit, `problems` those found before reading (the config's).
    pub fn read(
        &mut self,
        worktrees: Vec<Worktree>,
        max_file_bytes: u64,
        problems: Vec<Problem>,
    ) -> Assembled {
        let mut fence = Fence::new(&self.root, max_file_bytes);
        for wt in worktrees.iter().filter(|w| !w.prunable) {
            fence.allow(&wt.path);
        }
        if self.cache.max_file_bytes != max_file_bytes {
            // Cached reads were judged against another size limit.
            self.cache = Cache::default();
        }
        self.cache.generation += 1;
        let mut scan = Scan {
            cache: std::mem::take(&mut self.cache),
            problems,
            worktrees,
            one_shot: self.one_shot,
            ..Scan::default()
        };
        scan::run(&fence, &mut scan);
        if !self.one_shot {
            self.index = fast::Index::build(&fence.root, &scan, max_file_bytes);
        }
        let out = assemble::run(&fence, &mut scan);
        if !self.one_shot {
            self.index.logs = out.sole_logs.iter().cloned().collect();
        }
        self.cache = std::mem::take(&mut scan.cache);
        let generation = self.cache.generation;
        self.cache.docs.retain(|_, c| c.2 == generation);
        self.cache.logs.retain(|_, c| c.2 == generation);
        self.cache.plans.retain(|_, c| c.2 == generation);
        self.cache.stale.clear();
        self.cache.max_file_bytes = max_file_bytes;
        out
    }
}
