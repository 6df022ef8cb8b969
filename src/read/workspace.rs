//! Finding the workspace, and the `Reader` that turns it into a `Snapshot`.
//!
//! Precedence when several files give the same id: a file in the root's
//! `completed/` (the milestone is finished), then the copy in the
//! milestone's own worktree, then the root's other files, then the legacy
//! `current.yaml`, then the JSON state side-store.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::model::Snapshot;
use crate::read::assemble;
use crate::live::config;
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
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            root: root.to_path_buf(),
            cache: Cache::default(),
            one_shot: false,
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
    }

    /// Reads the workspace as of `now`.
    pub fn load(&mut self, now: DateTime<Utc>) -> Snapshot {
        let (cfg, problems) = config::load(&self.root);
        let mut fence = Fence::new(&self.root, cfg.max_file_bytes);
        let worktrees = crate::live::git::worktrees(&self.root);
        for wt in worktrees.iter().filter(|w| !w.prunable) {
            fence.allow(&wt.path);
        }
        if self.cache.max_file_bytes != cfg.max_file_bytes {
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
        let snap = assemble::run(&fence, &cfg, &mut scan, now);
        self.cache = std::mem::take(&mut scan.cache);
        let generation = self.cache.generation;
        self.cache.docs.retain(|_, c| c.2 == generation);
        self.cache.logs.retain(|_, c| c.2 == generation);
        self.cache.stale.clear();
        self.cache.max_file_bytes = cfg.max_file_bytes;
        snap
    }
}

/// Reads the workspace at `root` (already discovered) once.
pub fn load(root: &Path, now: DateTime<Utc>) -> Snapshot {
    Reader::once(root).load(now)
}

#[cfg(test)]
mod reader_tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    #[test]
    fn reload_sees_changes_appends_and_removals() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, ".milestones/active/a.yaml", "id: a\nstatus: planned\n");
        write(r, ".milestones/active/b.yaml", "id: b\nstatus: planned\n");
        write(
            r,
            ".milestones/logs/execution-a.jsonl",
            "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"event\":\"one\"}\n",
        );
        let mut reader = Reader::new(r);
        let now = Utc::now();
        let s1 = reader.load(now);
        assert_eq!(s1.milestones.len(), 2);

        // Same length, new content: the stamp (mtime) still differs, and the
        // watcher's report makes it certain.
        write(r, ".milestones/active/a.yaml", "id: a\nstatus: blocked\n");
        reader.invalidate([r.join(".milestones/active/a.yaml")]);
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(r.join(".milestones/logs/execution-a.jsonl"))
            .expect("open");
        std::io::Write::write_all(
            &mut log,
            b"{\"timestamp\":\"2026-01-02T00:00:00Z\",\"event\":\"two\"}\n{\"partial\":",
        )
        .expect("append");
        std::fs::remove_file(r.join(".milestones/active/b.yaml")).expect("rm");
        let s2 = reader.load(now);
        assert_eq!(s2.milestones.len(), 1);
        let a = &s2.milestones[0];
        assert_eq!(a.status, crate::model::Status::Blocked);
        assert_eq!(a.last_event.as_ref().map(|e| e.name.as_str()), Some("two"));

        // The partial line completes later.
        std::io::Write::write_all(
            &mut log,
            b"1,\"timestamp\":\"2026-01-03T00:00:00Z\",\"event\":\"three\"}\n",
        )
        .expect("append");
        let s3 = reader.load(now);
        assert_eq!(
            s3.milestones[0]
                .last_event
                .as_ref()
                .map(|e| e.name.as_str()),
            Some("three")
        );
        assert!(s3.problems.is_empty(), "{:?}", s3.problems);
    }
}
