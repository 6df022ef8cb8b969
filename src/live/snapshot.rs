//! A whole snapshot of the workspace: the readers turn files into model,
//! the rules compute from it, and the worktree list, the run registry and
//! (for the commands that show it) each worktree's git state are passed in
//! here. The dashboard's workers and every subcommand load through this.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::live::{config, git, runs};
use crate::model::{RunView, Snapshot};
use crate::read::workspace::Reader as Files;

/// Loads a workspace again and again, re-parsing only the files that
/// changed.
pub struct Reader {
    files: Files,
    /// The live runs of the last load, for watching their ends.
    leaders: Vec<Leader>,
    /// The dashboard's state between loads (none for a one-shot read).
    kept: Option<kept::Kept>,
    /// The worktrees of the last full read.
    worktrees: Vec<crate::model::Worktree>,
    one_shot: bool,
}

mod kept;

/// A live run's supervisor (its process group leader), as recorded: the
/// dashboard learns of its end from the kernel instead of a timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub id: String,
    pub pgid: i32,
    pub start_ticks: u64,
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            files: Files::new(root),
            leaders: Vec::new(),
            kept: None,
            worktrees: Vec::new(),
            one_shot: false,
        }
    }

    /// A reader for one load: it keeps no cache, so it clones nothing.
    pub fn once(root: &Path) -> Reader {
        Reader {
            files: Files::once(root),
            leaders: Vec::new(),
            kept: None,
            worktrees: Vec::new(),
            one_shot: true,
        }
    }

    pub fn root(&self) -> &Path {
        self.files.root()
    }

    /// The live runs the last load saw.
    pub fn leaders(&self) -> &[Leader] {
        &self.leaders
    }

    /// Marks paths as changed (a watcher saw them), whatever their stamp says.
    pub fn invalidate(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        self.files.invalidate(paths);
    }

    /// Forgets everything: the next load re-reads every file.
    pub fn invalidate_all(&mut self) {
        self.files.invalidate_all();
        self.kept = None;
    }

    /// Reads what changed: `paths` are every path the watcher reported
    /// since the last load, and `trusted` says the watcher is live and lost
    /// nothing. Then only those files are read and only their milestones'
    /// rules run again, when the change allows (`read::fast`); otherwise,
    /// and whenever `trusted` is false, this is `invalidate` and `load`.
    pub fn load_changed(
        &mut self,
        paths: Vec<PathBuf>,
        trusted: bool,
        now: DateTime<Utc>,
    ) -> Snapshot {
        if trusted && let Some(snap) = self.load_fast(&paths, now) {
            return snap;
        }
        self.invalidate(paths);
        self.load(now)
    }

    fn load_fast(&mut self, paths: &[PathBuf], now: DateTime<Utc>) -> Option<Snapshot> {
        let root = self.root().to_path_buf();
        let kept = self.kept.as_mut()?;
        let (cfg, problems) = config::load(&root);
        if !problems.is_empty() || git::worktrees(&root) != self.worktrees {
            return None;
        }
        let changed = self.files.read_fast(paths, cfg.max_file_bytes)?;
        if !kept.apply(changed, &cfg.rules, now) {
            self.kept = None;
            return None;
        }
        let mut views = kept.views.clone();
        let (problems, current) = (kept.problems.clone(), kept.current.clone());
        self.attach_runs(&root, &mut views);
        Some(Snapshot {
            root,
            now,
            milestones: views,
            problems,
            current,
        })
    }

    /// Each view's run, from the registry (read on every load: a few small
    /// files), and the live runs' supervisors noted.
    fn attach_runs(&mut self, root: &Path, views: &mut [crate::model::MilestoneView]) {
        let records = runs::all(root);
        let runs: Vec<(String, RunView)> = records
            .iter()
            .map(|r| (r.id.clone(), runs::observe(r)))
            .collect();
        self.leaders = records
            .iter()
            .zip(&runs)
            .filter(|(_, (_, v))| v.state.is_live())
            .map(|(r, _)| Leader {
                id: r.id.clone(),
                pgid: r.pgid,
                start_ticks: r.start_ticks,
            })
            .collect();
        crate::rules::attach_runs(views, &runs);
    }

    /// Reads the workspace as of `now`, without per-worktree git state
    /// (that is a separate, slower read: `with_git`).
    pub fn load(&mut self, now: DateTime<Utc>) -> Snapshot {
        let root = self.root().to_path_buf();
        let (cfg, problems) = config::load(&root);
        let worktrees = git::worktrees(&root);
        if !self.one_shot {
            self.worktrees = worktrees.clone();
        }
        let read = self.files.read(worktrees, cfg.max_file_bytes, problems);
        let (mut views, problems, current) = if self.one_shot {
            let mut views = crate::rules::evaluate(
                read.milestones,
                read.events,
                read.sessions,
                &cfg.rules,
                now,
            );
            views.sort_by_key(|v| crate::rules::order_key(&v.milestone));
            (views, read.problems, read.current)
        } else {
            let kept = kept::Kept::new(read, &cfg.rules, now);
            let out = (
                kept.views.clone(),
                kept.problems.clone(),
                kept.current.clone(),
            );
            self.kept = Some(kept);
            out
        };
        self.attach_runs(&root, &mut views);
        Snapshot {
            root,
            now,
            milestones: views,
            problems,
            current,
        }
    }
}

/// Reads the workspace at `root` (already discovered) once, without git state.
pub fn load(root: &Path, now: DateTime<Utc>) -> Snapshot {
    Reader::once(root).load(now)
}

/// Reads the workspace and its worktrees' git state, as `mdash status` shows it.
pub fn load_with_git(root: &Path, now: DateTime<Utc>) -> Snapshot {
    let mut snap = load(root, now);
    with_git(root, &mut snap);
    snap
}

/// Attaches each milestone's worktree state.
pub fn with_git(root: &Path, snap: &mut Snapshot) {
    let (cfg, _) = config::load(root);
    let ids: Vec<String> = snap
        .milestones
        .iter()
        .map(|m| m.milestone.id.clone())
        .collect();
    let states = git::states_for(root, &ids, cfg.base_branch.as_deref());
    crate::rules::attach_worktrees(&mut snap.milestones, &states);
}

#[cfg(test)]
mod tests {
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
