//! A milestone's event history for the log pane: the tails of its own logs
//! and its lines in shared logs, oldest first. As in `assemble`, the own
//! log of another known milestone speaks only for that one: it is not read.

use std::path::{Path, PathBuf};

use crate::model::{Event, Milestone};
use crate::read::file::Fence;
use crate::read::log;
use crate::read::workspace::MILESTONES;

/// At most this many events are kept for display.
pub const MAX_EVENTS: usize = 1000;

/// `known` says which ids are milestones of the workspace.
pub fn events(
    root: &Path,
    m: &Milestone,
    max_file_bytes: u64,
    known: impl Fn(&str) -> bool,
) -> Vec<Event> {
    let fence = Fence::new(root, max_file_bytes);
    let mut bases = vec![root.join(MILESTONES)];
    if let Some(wt) = &m.worktree_dir {
        bases.push(root.join(wt).join(MILESTONES));
    }
    let files: Vec<(PathBuf, bool)> = bases
        .iter()
        .flat_map(|b| log::files(b))
        .filter(|(_, own)| {
            own.as_deref()
                .is_none_or(|o| o == m.id.as_str() || !known(o))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_known_milestones_own_log_is_not_read() {
        let d = tempfile::tempdir().expect("tmp");
        let logs = d.path().join(".milestones/logs");
        std::fs::create_dir_all(&logs).expect("mkdir");
        let line = |event: &str| {
            format!(
                "{{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"{event}\",\"milestone_id\":\"b\"}}\n"
            )
        };
        std::fs::write(logs.join("execution-a.jsonl"), line("in_a_log")).expect("write");
        std::fs::write(logs.join("execution-old.jsonl"), line("in_old_log")).expect("write");
        std::fs::write(logs.join("shared.jsonl"), line("in_shared_log")).expect("write");
        std::fs::write(logs.join("execution-b.jsonl"), line("in_own_log")).expect("write");
        let v = crate::read::yaml::parse("id: b\n").expect("yaml");
        let m = crate::read::milestone::read(&v, crate::model::Origin::Active, "b.yaml", "b");
        let mut names: Vec<String> = events(d.path(), &m, 1 << 20, |o| o == "a" || o == "b")
            .into_iter()
            .map(|e| e.name)
            .collect();
        names.sort();
        assert_eq!(names, ["in_old_log", "in_own_log", "in_shared_log"]);
        assert_eq!(
            crate::read::log::owner(&logs.join("execution-a.jsonl")).as_deref(),
            Some("a")
        );
        assert_eq!(crate::read::log::owner(&logs.join("shared.jsonl")), None);
        assert_eq!(crate::read::log::owner(&logs.join("agent-a.log")), None);
    }
}
