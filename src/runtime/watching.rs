//! The watcher's messages: which changed paths matter, the debounce, the
//! watch mode shown in the header, and the first full read once the
//! watches are up.

use std::path::Path;

use tokio::time::Instant;

use super::DEBOUNCE;
use super::runner::Runner;
use crate::app::{App, WatchMode};
use crate::live::watch::WatchMsg;

pub(super) fn watch_msg(runner: &mut Runner, app: &mut App, w: WatchMsg) {
    match w {
        WatchMsg::Paths(paths) => {
            for p in paths {
                match seen(&runner.root, runner.git_dir.as_deref(), &p) {
                    Seen::Git => runner.git_pending = true,
                    Seen::File => _ = runner.pending.insert(p),
                    Seen::Nothing => {}
                }
            }
        }
        WatchMsg::Rescan => runner.rescan = true,
        WatchMsg::Degraded(why) => {
            let mode = WatchMode::Polling(why);
            runner.trusted = false;
            app.dirty |= app.watch != mode;
            app.watch = mode;
            runner.rescan = true;
        }
        WatchMsg::Started(polling) => {
            // A `Degraded` sent while the watches were set up still holds.
            runner.trusted = polling.is_none() && !matches!(app.watch, WatchMode::Polling(_));
            if let Some(why) = polling {
                let mode = WatchMode::Polling(why);
                app.dirty |= app.watch != mode;
                app.watch = mode;
            }
            // The first full read starts once the watches are up, so a
            // change made meanwhile is either read or in an event.
            runner.reload();
            return;
        }
        WatchMsg::Live => {
            runner.trusted = true;
            app.dirty |= app.watch != WatchMode::Live;
            app.watch = WatchMode::Live;
            runner.rescan = true;
        }
    }
    if (runner.rescan || runner.git_pending || !runner.pending.is_empty())
        && runner.debounce_at.is_none()
    {
        runner.debounce_at = Some(Instant::now() + DEBOUNCE);
    }
}

/// Changes that can alter what is shown: under the watched trees, or the
/// creation and removal of those trees. Other files in the root and the
/// worktree roots (source files an agent writes) are not.
/// What a path the watcher names is to a reload (the dashboard's and
/// `mdash watch`'s alike).
pub(crate) enum Seen {
    /// A change of git state (`.git`, but its objects).
    Git,
    /// A workspace file to read again.
    File,
    Nothing,
}

pub(crate) fn seen(root: &Path, git_dir: Option<&Path>, p: &Path) -> Seen {
    if git_dir.is_some_and(|g| p.starts_with(g)) {
        if p.components().any(|c| c.as_os_str() == "objects") {
            Seen::Nothing
        } else {
            Seen::Git
        }
    } else if relevant(root, p) {
        Seen::File
    } else {
        Seen::Nothing
    }
}

pub(crate) fn relevant(root: &Path, p: &Path) -> bool {
    let Ok(rel) = p.strip_prefix(root) else {
        return true;
    };
    if rel.as_os_str().is_empty() {
        // The workspace directory itself: moved, deleted.
        return true;
    }
    let mut parts = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let first = parts.next().unwrap_or_default();
    match first.as_str() {
        ".milestones" | ".milestone_bundles" | ".task_bundles" => true,
        // Plan documents (SPEC §11).
        "project_sdd_on_claude" | "specs" => true,
        ".worktrees" => match (parts.next(), parts.next()) {
            (None, _) | (Some(_), None) => true,
            (Some(_), Some(third)) => {
                matches!(
                    third.as_str(),
                    ".milestones" | ".milestone_bundles" | ".task_bundles"
                ) || crate::read::plan::watched::contains(root, p)
            }
        },
        // The coordination database and its journals (SPEC §12), wherever
        // `coordination.path` puts it; SQLite's `-shm` changes on reads.
        _ => {
            crate::live::registry::is_db_file(root, p)
                || crate::read::plan::watched::contains(root, p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_workspace_files_matter() {
        let r = Path::new("/w");
        assert!(relevant(r, Path::new("/w/.milestones/active/a.yaml")));
        assert!(relevant(r, Path::new("/w/.worktrees/m-1")));
        assert!(relevant(
            r,
            Path::new("/w/.worktrees/m-1/.milestones/logs/x.jsonl")
        ));
        assert!(!relevant(r, Path::new("/w/.worktrees/m-1/src/main.rs")));
        assert!(!relevant(r, Path::new("/w/README.md")));
        assert!(relevant(r, Path::new("/w/.milestones")));
        assert!(relevant(r, Path::new("/w")));
    }
}
