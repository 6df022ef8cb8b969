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
    /// Watching is live again (the workspace directory came back).
    Live,
    /// The watches are set up (on a worker: watching a large tree walks
    /// all of it): live, or polling for this reason.
    Started(Option<String>),
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
    /// The workspace directory's identity when its watches were set up.
    root_id: Option<(u64, u64)>,
    /// The last `refresh` found the directory gone (said once).
    gone: bool,
    /// The directories of the watched trees, as last walked.
    trees: BTreeSet<(PathBuf, bool)>,
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
        // A directory made after start-up could not be watched: the
        // inotify watch limit. Part of the tree would go unseen, silently.
        Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
            let _ = tx.send(WatchMsg::Degraded(LIMIT_REACHED.to_string()));
        }
        Err(_) => {
            let _ = tx.send(WatchMsg::Rescan);
        }
    }
}

/// Claude Code's transcripts of sessions in worktree `dir` (SPEC §8): only
/// for worktrees that exist, and only when Claude Code has been there.
fn add_transcripts(dir: &Path, out: &mut BTreeSet<(PathBuf, bool)>) {
    let Some(config) = crate::read::transcript::config_dir() else {
        return;
    };
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    for d in [dir.to_path_buf(), real] {
        let t = crate::read::transcript::dir_for(&config, &d);
        if t.is_dir() {
            out.insert((t, false));
        }
    }
}

/// At most this many directories are watched in the trees (a safeguard
/// against a tree of generated directories; far more than any workspace).
const MAX_TREE_DIRS: usize = 4096;

/// Said in the header when the watch limit is reached after start-up.
pub const LIMIT_REACHED: &str =
    "inotify watch limit reached (fs.inotify.max_user_watches); polling every 2 s";

/// Said in the header while the workspace directory is gone.
pub const ROOT_GONE: &str = "the workspace directory is gone; looking for it every 2 s";

/// What `refresh` found about the workspace directory itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The directory watched so far.
    Same,
    /// Another directory now at the same path (moved away and made again):
    /// every watch was set up again, and everything must be read again.
    Reopened,
    /// Nothing at the path.
    Gone,
}

/// (device, inode) of a directory, to tell a new one at the same path.
fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p)
        .ok()
        .filter(std::fs::Metadata::is_dir)
        .map(|m| (m.dev(), m.ino()))
}

impl Watcher {
    /// `start` on a thread of its own, the watcher put in `slot` and
    /// `WatchMsg::Started` sent when its watches are set up.
    pub fn start_in(
        slot: std::sync::Arc<std::sync::Mutex<Option<Watcher>>>,
        root: &Path,
        force_poll: bool,
        tx: UnboundedSender<WatchMsg>,
    ) {
        let root = root.to_path_buf();
        let said = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("mdash-watch".into())
            .spawn(move || {
                let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    Watcher::start(&root, force_poll, tx.clone())
                }));
                // Whatever happens, the event loop hears of it: its first
                // full read waits for this.
                let polling = match started {
                    Ok(w) => {
                        let polling = w.polling.clone();
                        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(w);
                        polling
                    }
                    Err(_) => Some("the watcher failed to start".to_string()),
                };
                let _ = tx.send(WatchMsg::Started(polling));
            });
        if let Err(e) = spawned {
            // No thread for the watcher: the event loop polls.
            let _ = said.send(WatchMsg::Started(Some(format!("no watcher thread ({e})"))));
        }
    }

    pub fn start(root: &Path, force_poll: bool, tx: UnboundedSender<WatchMsg>) -> Watcher {
        let (inner, polling) = if force_poll {
            (Inner::Polling, Some("--poll".to_string()))
        } else {
            match notify::recommended_watcher(handler(tx.clone())) {
                Ok(w) => (Inner::Live(w), None),
                Err(e) => {
                    crate::util::log::decided!("watch: no live watch, polling ({e})");
                    (Inner::Polling, Some(format!("no live watch ({e})")))
                }
            }
        };
        let mut w = Watcher {
            root: root.to_path_buf(),
            inner,
            watched: BTreeSet::new(),
            tx,
            polling,
            root_id: identity(root),
            gone: false,
            trees: BTreeSet::new(),
        };
        w.refresh();
        w
    }

    /// The directories of the workspace's trees (SPEC §1, in the root and
    /// in each worktree), each watched on its own: the walk reads entry
    /// types from the listings (no `stat` of every file, as notify's
    /// recursive mode does when it follows links), and follows a symlink
    /// only to a directory inside the workspace, each real directory once
    /// (a planted `.milestones/x -> /` is not walked).
    pub fn trees(root: &Path) -> BTreeSet<(PathBuf, bool)> {
        let mut out = BTreeSet::new();
        let Ok(inside) = std::fs::canonicalize(root) else {
            return out;
        };
        let mut bases = vec![root.to_path_buf()];
        let wt = root.join(WORKTREES);
        if wt.is_dir() {
            bases.extend(
                crate::read::file::list(&wt)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.is_dir()),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for base in bases {
            let mut stack: Vec<PathBuf> = [MILESTONES, BUNDLES, TASK_BUNDLES]
                .iter()
                .map(|d| base.join(d))
                .collect();
            while let Some(d) = stack.pop() {
                let inside_ws = std::fs::canonicalize(&d)
                    .ok()
                    .filter(|real| real.starts_with(&inside) && real.is_dir());
                let Some(real) = inside_ws else { continue };
                if !seen.insert(real) || out.len() >= MAX_TREE_DIRS {
                    continue;
                }
                if let Ok(rd) = std::fs::read_dir(&d) {
                    for e in rd.flatten() {
                        let linked_dir = |e: &std::fs::DirEntry| {
                            e.file_type().is_ok_and(|t| t.is_symlink()) && e.path().is_dir()
                        };
                        if e.file_type().is_ok_and(|t| t.is_dir()) || linked_dir(&e) {
                            stack.push(e.path());
                        }
                    }
                }
                out.insert((d, false));
            }
        }
        out
    }

    /// The other directories that should be watched now: (path, recursive).
    pub fn desired(root: &Path) -> BTreeSet<(PathBuf, bool)> {
        let mut out = BTreeSet::from([(root.to_path_buf(), false)]);
        out.extend(crate::live::git::metadata_dirs(root));
        // Plan documents' and the coordination database's directories.
        out.extend(
            crate::live::registry::watch_dirs(root)
                .into_iter()
                .map(|d| (d, false)),
        );
        let wt = root.join(WORKTREES);
        if wt.is_dir() {
            out.insert((wt.clone(), false));
            for d in crate::read::file::list(&wt)
                .unwrap_or_default()
                .into_iter()
                .filter(|d| d.is_dir())
            {
                out.insert((d.clone(), false));
                add_transcripts(&d, &mut out);
            }
        }
        if let Some(p) = crate::read::transcript::config_dir()
            .map(|c| c.join("projects"))
            .filter(|p| p.is_dir())
        {
            // A worktree's first session creates its directory here.
            out.insert((p, false));
        }
        out
    }

    /// Brings the watches in line with the directories that exist now:
    /// `.milestones/` deleted and re-created, a new worktree, the workspace
    /// directory itself moved away and made again at the same path (its
    /// old watches follow the moved directory, so all are set up again).
    pub fn refresh(&mut self) -> Root {
        self.refresh_changed(None)
    }

    /// `refresh`, walking the trees again only when `changed` (the paths
    /// the watcher reported) may hold a directory made, moved or removed;
    /// `None` walks them in any case.
    pub fn refresh_changed(&mut self, changed: Option<&[PathBuf]>) -> Root {
        let walk = changed.is_none_or(|paths| {
            paths
                .iter()
                .any(|p| p.is_dir() || self.trees.contains(&(p.clone(), false)))
        });
        let now = identity(&self.root);
        let root = match now {
            None => {
                if !self.gone {
                    self.gone = true;
                    let _ = self.tx.send(WatchMsg::Degraded(ROOT_GONE.to_string()));
                }
                return Root::Gone;
            }
            Some(id) if Some(id) != self.root_id => {
                for (p, _) in std::mem::take(&mut self.watched) {
                    if let Inner::Live(w) = &mut self.inner {
                        let _ = w.unwatch(&p);
                    }
                }
                self.root_id = Some(id);
                Root::Reopened
            }
            Some(_) => Root::Same,
        };
        if std::mem::take(&mut self.gone) && self.polling.is_none() {
            let _ = self.tx.send(WatchMsg::Live);
        }
        if walk || root == Root::Reopened {
            self.trees = Watcher::trees(&self.root);
        }
        self.sync();
        root
    }

    fn sync(&mut self) {
        let mut want = Watcher::desired(&self.root);
        want.extend(self.trees.iter().cloned());
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
                    let why = if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                        LIMIT_REACHED.to_string()
                    } else {
                        format!("inotify: {e}")
                    };
                    crate::util::log::decided!("watch: falling back to polling: {why}");
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
