//! A milestone's event history for the log pane: the tails of its own logs
//! and its lines in shared logs, oldest first.

use std::path::{Path, PathBuf};

use crate::model::{Event, Milestone};
use crate::read::file::Fence;
use crate::read::log;
use crate::read::workspace::MILESTONES;

/// At most this many events are kept for display.
pub const MAX_EVENTS: usize = 1000;

pub fn events(root: &Path, m: &Milestone, max_file_bytes: u64) -> Vec<Event> {
    let fence = Fence::new(root, max_file_bytes);
    let mut bases = vec![root.join(MILESTONES)];
    if let Some(wt) = &m.worktree_dir {
        bases.push(root.join(wt).join(MILESTONES));
    }
    let files: Vec<(PathBuf, bool)> = bases
        .iter()
        .flat_map(|b| log::files(b))
        .map(|(p, own)| (p, own.as_deref() == Some(m.id.as_str())))
        .collect();
    let mut keyed = Vec::new();
    for (n, (path, mine)) in files.iter().enumerate() {
        let Ok(read) = log::read_tail(&fence, path) else {
            continue;
        };
        for (i, e) in read.events.into_iter().enumerate() {
            if *mine || e.milestone_id.as_deref() == Some(m.id.as_str()) {
                keyed.push(((e.time, n, i), e));
            }
        }
    }
    keyed.sort_by_key(|k| k.0);
    let skip = keyed.len().saturating_sub(MAX_EVENTS);
    keyed.into_iter().skip(skip).map(|k| k.1).collect()
}
