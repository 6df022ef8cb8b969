//! The coordination database (SPEC §12) on every load: found at
//! `coordination.path` in `mdash.yaml`, read again only when the database,
//! its `-wal` or its `-journal` changed (a failed read is tried again on the
//! next load), and grouped by milestone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{RegAgent, Registry};
use crate::read::file::{self, Fence, Stamp};

/// Where the database is when `mdash.yaml` does not say.
pub const DEFAULT_PATH: &str = ".milestones/coordination.db";

/// The configured path (`coordination.path`), workspace-relative as written.
pub fn configured(root: &Path) -> String {
    // The workspace file through the read fence. A path that is absolute
    // or climbs out is kept as written: the database's read fence refuses
    // it and says so in `registry_error` (and `mdash check` names the key).
    crate::live::config::workspace_text(root)
        .and_then(Result::ok)
        .and_then(|t| crate::read::yaml::parse(&t).ok())
        .and_then(|v| crate::read::doc::text_at(&v, &["coordination", "path"]))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PATH.to_string())
}

/// The database's path under `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(configured(root))
}

/// The database and the files SQLite keeps beside it.
pub fn files(db: &Path) -> [PathBuf; 4] {
    let with = |s: &str| {
        let mut o = db.as_os_str().to_os_string();
        o.push(s);
        PathBuf::from(o)
    };
    [
        db.to_path_buf(),
        with("-wal"),
        with("-journal"),
        with("-shm"),
    ]
}

/// A file's identity, size and mtime: not its ctime, which SQLite's own
/// open changes when run as root (it `fchown`s the `-wal` to the database's
/// owner), so a read would look like a change.
type Key = (u64, u64, u64, i128);

fn key_of(p: &Path) -> Option<Key> {
    file::stamp(p).map(|s| (s.dev, s.ino, s.len, s.mtime_ns))
}

/// The last read, and the stamps it was made at.
#[derive(Default)]
pub struct Cache {
    key: Option<(PathBuf, [Option<Key>; 3])>,
    last: Arc<Registry>,
}

/// The registry as of now: the last read when nothing changed.
pub fn load(root: &Path, cache: &mut Cache) -> Arc<Registry> {
    let db = path(root);
    let [a, b, c, _] = files(&db);
    let key = (db.clone(), [key_of(&a), key_of(&b), key_of(&c)]);
    if cache.key.as_ref() == Some(&key) && cache.last.error.is_none() {
        return cache.last.clone();
    }
    let fence = Fence::new(root, u64::MAX);
    let mut reg = Registry {
        path: fence.rel(&db),
        ..Registry::default()
    };
    match crate::read::registry::read(&fence, &db) {
        Ok(None) => {}
        Ok(Some(t)) => {
            for a in t.agents {
                if let Some(m) = a.milestone.clone() {
                    reg.agents.entry(m).or_default().push(a);
                }
            }
            for list in reg.agents.values_mut() {
                list.sort_by(|x, y| newest(y).cmp(&newest(x)).then(x.agent_id.cmp(&y.agent_id)));
            }
            reg.messages = t.messages;
        }
        Err(e) => reg.error = Some(format!("{}: {e}", reg.path)),
    }
    cache.last = Arc::new(reg);
    cache.key = Some(key);
    cache.last.clone()
}

fn newest(a: &RegAgent) -> (Option<DateTime<Utc>>, Option<&str>) {
    (a.updated(), a.updated_at.as_deref())
}

/// Drops the database's own files from changed paths: the registry is read
/// on every load anyway, so they need no full read of the milestones.
pub fn without_db(root: &Path, paths: &[PathBuf]) -> Vec<PathBuf> {
    let db = files(&path(root));
    paths.iter().filter(|p| !db.contains(p)).cloned().collect()
}

/// Directories to watch beyond the trees: the database's, and the plan
/// documents' (SPEC §11), when they exist.
pub fn watch_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = crate::read::plan::DIRS
        .iter()
        .map(|d| root.join(d))
        .collect();
    if let Some(parent) = path(root).parent() {
        out.push(parent.to_path_buf());
    }
    out.extend(crate::read::plan::bundle_dirs(root));
    // The last full read's plan documents (a worktree's bundle's too).
    let plans = crate::read::plan::watched::of(root);
    out.extend(plans.iter().filter_map(|p| Some(p.parent()?.to_path_buf())));
    let inside = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    out.retain(|d| std::fs::canonicalize(d).is_ok_and(|c| c.starts_with(&inside) && c.is_dir()));
    out.sort();
    out.dedup();
    out
}

/// Whether a changed path is the configured database or its `-wal` /
/// `-journal` (the watcher's filter: `mdash.yaml` is read again only when
/// its stamp changes), or looks like one.
pub fn is_db_file(root: &Path, p: &Path) -> bool {
    use std::sync::Mutex;
    type Known = Option<(PathBuf, Option<Stamp>, PathBuf)>;
    static KNOWN: Mutex<Known> = Mutex::new(None);
    let cfg = file::stamp(&root.join(crate::live::config::FILE));
    let Ok(mut known) = KNOWN.lock() else {
        return may_be_db(p);
    };
    let db = match &*known {
        Some((r, st, db)) if r == root && *st == cfg => db.clone(),
        _ => {
            let db = path(root);
            *known = Some((root.to_path_buf(), cfg, db.clone()));
            db
        }
    };
    files(&db)[..3].iter().any(|f| f == p) || may_be_db(p)
}

/// Whether a file's name is a database's or its `-wal` / `-journal`'s.
pub fn may_be_db(p: &Path) -> bool {
    let name = file::name(p);
    let name = name
        .strip_suffix("-wal")
        .or_else(|| name.strip_suffix("-journal"))
        .unwrap_or(&name);
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("db" | "sqlite" | "sqlite3" | "db3"))
}
