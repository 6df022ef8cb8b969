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
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            files: Files::new(root),
        }
    }

    /// A reader for one load: it keeps no cache, so it clones nothing.
    pub fn once(root: &Path) -> Reader {
        Reader {
            files: Files::once(root),
        }
    }

    pub fn root(&self) -> &Path {
        self.files.root()
    }

    /// Marks paths as changed (a watcher saw them), whatever their stamp says.
    pub fn invalidate(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        self.files.invalidate(paths);
    }

    /// Forgets everything: the next load re-reads every file.
    pub fn invalidate_all(&mut self) {
        self.files.invalidate_all();
    }

    /// Reads the workspace as of `now`, without per-worktree git state
    /// (that is a separate, slower read: `with_git`).
    pub fn load(&mut self, now: DateTime<Utc>) -> Snapshot {
        let root = self.root().to_path_buf();
        let (cfg, problems) = config::load(&root);
        let worktrees = git::worktrees(&root);
        let read = self.files.read(worktrees, cfg.max_file_bytes, problems);
        let mut views =
            crate::rules::evaluate(read.milestones, read.events, read.sessions, &cfg.rules, now);
        let runs: Vec<(String, RunView)> = runs::all(&root)
            .iter()
            .map(|r| (r.id.clone(), runs::observe(&root, r)))
            .collect();
        crate::rules::attach_runs(&mut views, &runs);
        views.sort_by_key(|v| crate::rules::order_key(&v.milestone));
        let failed_output = runs
            .iter()
            .filter(|(_, r)| r.state == crate::model::RunState::Failed)
            .filter_map(|(id, _)| Some((id.clone(), last_line(&root, id)?)))
            .collect();
        Snapshot {
            root,
            now,
            milestones: views,
            problems: read.problems,
            current: read.current,
            failed_output,
        }
    }
}

/// The last non-empty line of a run's output (`logs/agent-<id>.log`), from
/// its last 4 KiB; not through a symlink.
fn last_line(root: &Path, id: &str) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let path = root
        .join(".milestones/logs")
        .join(format!("agent-{id}.log"));
    if !std::fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    // The whole path through the read fence: a symlinked `logs/` that
    // leads out of the workspace is not read.
    let real = crate::read::file::Fence::new(root, u64::MAX)
        .check(&path)
        .ok()?;
    let mut f = crate::read::file::open_regular(&real).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(4096))).ok()?;
    let mut buf = Vec::new();
    f.take(4096).read_to_end(&mut buf).ok()?;
    String::from_utf8_lossy(&buf)
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
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
    // A worktree whose state cannot be read is an error on that worktree.
    for (_, st) in &states {
        if let Some(e) = &st.error {
            snap.problems
                .push(crate::model::Problem::error(&st.path, e.clone()));
        }
    }
    snap.problems
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
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
