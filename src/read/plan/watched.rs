//! The plan documents of a workspace's last full read (the ones used and
//! the ones bundles name, there or not yet), for the watcher: a plan a
//! bundle names may lie outside the four places, so its directory is
//! watched and its changes are not filtered out (SPEC §11).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

type Known = Vec<(PathBuf, Arc<HashSet<PathBuf>>)>;

static KNOWN: Mutex<Known> = Mutex::new(Vec::new());

/// At most this many workspaces are remembered (a process reads one, the
/// tests and a fleet a few).
const WORKSPACES: usize = 64;

/// Remembers `plans` as the plan documents of the workspace at `root`.
pub fn remember(root: &Path, plans: HashSet<PathBuf>) {
    let Ok(mut known) = KNOWN.lock() else { return };
    known.retain(|(r, _)| r != root);
    if known.len() >= WORKSPACES {
        known.remove(0);
    }
    known.push((root.to_path_buf(), Arc::new(plans)));
}

/// The plan documents last remembered for `root`.
pub fn of(root: &Path) -> Arc<HashSet<PathBuf>> {
    KNOWN
        .lock()
        .ok()
        .and_then(|k| k.iter().find(|(r, _)| r == root).map(|(_, p)| p.clone()))
        .unwrap_or_default()
}

/// Whether `p` is one of `root`'s plan documents.
pub fn contains(root: &Path, p: &Path) -> bool {
    of(root).contains(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_workspace() {
        let (a, b) = (Path::new("/w-a"), Path::new("/w-b"));
        remember(a, HashSet::from([PathBuf::from("/w-a/docs/p.md")]));
        remember(b, HashSet::new());
        assert!(contains(a, Path::new("/w-a/docs/p.md")));
        assert!(!contains(b, Path::new("/w-a/docs/p.md")));
        remember(a, HashSet::new());
        assert!(!contains(a, Path::new("/w-a/docs/p.md")));
    }
}
