//! Watching the workspace with notify: the directories of SPEC §1 (root and
//! worktrees), never single files (editors save by rename) and never whole
//! worktrees. Debouncing happens in the event loop, so an idle watcher costs
//! nothing. When inotify cannot be used, the event loop polls instead: it
//! reloads on a timer, and the reader's stamps (nanosecond mtime, size,
//! inode) find what changed. notify's own poller keeps mtimes to the second
//! and misses a write made in the second of its first scan.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};
use tokio::sync::mpsc::UnboundedSender;

use crate::read::workspace::{BUNDLES, MILESTONES, TASK_BUNDLES, WORKTREES};

#[derive(Debug)]
pub enum WatchMsg {
    Paths(Vec<PathBuf>),
    /// Events were lost (queue overflow): re-read everything.
    Rescan,
    /// Live watching failed; polling from now on, for this reason.
    Degraded(String),
}

/// How often the event loop reloads when polling.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

enum Inner {
    Live(notify::RecommendedWatcher),
    /// The event loop polls; nothing to watch here.
    Polling,
}

pub struct Watcher {
    root: PathBuf,
    inner: Inner,
    watched: BTreeSet<(PathBuf, bool)>,
    tx: UnboundedSender<WatchMsg>,
    pub polling: Option<String>,
}

fn handler(
    tx: UnboundedSender<WatchMsg>,
) -> impl Fn(notify::Result<notify::Event>) + Send + 'static {
    move |res: notify::Result<notify::Event>| match res {
        Ok(ev) if ev.need_rescan() => {
            let _ = tx.send(WatchMsg::Rescan);
        }
        // Our own reads open files too; only changes matter.
        Ok(ev) if matches!(ev.kind, EventKind::Access(_)) => {}
        Ok(ev) => {
            if !ev.paths.is_empty() {
                let _ = tx.send(WatchMsg::Paths(ev.paths));
            }
        }
        Err(_) => {
            let _ = tx.send(WatchMsg::Rescan);
        }
    }
}

impl Watcher {
    pub fn start(root: &Path, force_poll: bool, tx: UnboundedSender<WatchMsg>) -> Watcher {
        let (inner, polling) = if force_poll {
            (Inner::Polling, Some("--poll".to_string()))
        } else {
            match notify::recommended_watcher(handler(tx.clone())) {
                Ok(w) => (Inner::Live(w), None),
                Err(e) => (Inner::Polling, Some(format!("no live watch ({e})"))),
            }
        };
        let mut w = Watcher {
            root: root.to_path_buf(),
            inner,
            watched: BTreeSet::new(),
            tx,
            polling,
        };
        w.refresh();
        w
    }

    /// The directories that should be watched now: (path, recursive).
    pub fn desired(root: &Path) -> BTreeSet<(PathBuf, bool)> {
        let mut out = BTreeSet::from([(root.to_path_buf(), false)]);
        let add_tree = |base: &Path, out: &mut BTreeSet<(PathBuf, bool)>| {
            for d in [MILESTONES, BUNDLES, TASK_BUNDLES] {
                let p = base.join(d);
                if p.is_dir() {
                    out.insert((p, true));
                }
            }
        };
        add_tree(root, &mut out);
        out.extend(crate::live::git::metadata_dirs(root));
        let wt = root.join(WORKTREES);
        if wt.is_dir() {
            out.insert((wt.clone(), false));
            for d in crate::read::file::list(&wt)
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d.is_dir())
            {
                out.insert((d.clone(), false));
                add_tree(&d, &mut out);
            }
        }
        out
    }

    /// Brings the watches in line with the directories that exist now:
    /// `.milestones/` deleted and re-created, a new worktree.
    pub fn refresh(&mut self) {
        let want = Watcher::desired(&self.root);
        let gone: Vec<_> = self.watched.difference(&want).cloned().collect();
        let new: Vec<_> = want.difference(&self.watched).cloned().collect();
        for (p, _) in gone {
            if let Inner::Live(w) = &mut self.inner {
                let _ = w.unwatch(&p);
            }
            self.watched.retain(|(q, _)| q != &p);
        }
        for (p, rec) in new {
            let mode = if rec {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            let res = match &mut self.inner {
                Inner::Live(w) => w.watch(&p, mode),
                Inner::Polling => return,
            };
            match res {
                Ok(()) => {
                    self.watched.insert((p, rec));
                }
                Err(e) if p.exists() => {
                    // Typically the inotify watch limit: poll everything
                    // rather than watch part of the tree.
                    let why = format!("inotify: {e}");
                    self.inner = Inner::Polling;
                    self.watched.clear();
                    self.polling = Some(why.clone());
                    let _ = self.tx.send(WatchMsg::Degraded(why));
                    return;
                }
                Err(_) => {}
            }
        }
    }
}
