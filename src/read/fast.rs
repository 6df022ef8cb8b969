//! Reloads in proportion to the change: when the watcher is trusted and
//! every changed path is one of a few well-understood kinds, the files that
//! changed are read again and nothing else is listed, stat'ed or parsed.
//! Anything else (a new or deleted file, a second copy of an id, a graph
//! file, a log, a session, the configuration) takes the full read, which
//! stays the reference: `tests/it/incremental.rs` holds the two equal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{Event, Milestone, Origin};
use crate::read::file::{self, Fence};
use crate::read::scan::{self, Found, RANK_ROOT, Scan};
use crate::read::workspace::MILESTONES;
use crate::util::hash::FastMap;

/// What the last full read found that lets a later change be read alone.
#[derive(Default)]
pub struct Index {
    /// Root `active/` documents that were the only copy of their id: path → id.
    pub sole: FastMap<PathBuf, String>,
    /// Root event logs that alone give their milestone its events: path → id.
    pub logs: FastMap<PathBuf, String>,
    /// A full read happened, with this size limit.
    pub ready: Option<u64>,
    /// Plan documents (SPEC §11) read alone when they change.
    pub plans: crate::read::plan::fast::PlanIndex,
}

impl Index {
    /// Notes, before assembling, which candidates stand alone.
    pub fn build(root: &Path, scan: &Scan, max_file_bytes: u64) -> Index {
        let mut count: FastMap<&str, usize> = FastMap::default();
        for c in &scan.candidates {
            *count.entry(c.milestone.id.as_str()).or_default() += 1;
        }
        // A graph file adds to milestones' lists: their copies are not the
        // files' own, so none is read alone.
        let sole = if scan.graph.is_empty() {
            scan.candidates
                .iter()
                .filter(|c| {
                    c.rank == RANK_ROOT
                        && c.milestone.origin == Origin::Active
                        && c.milestone.worktree_dir.is_none()
                        && count.get(c.milestone.id.as_str()) == Some(&1)
                })
                .map(|c| (root.join(&c.milestone.source), c.milestone.id.clone()))
                .collect()
        } else {
            FastMap::default()
        };
        let plans = crate::read::plan::fast::PlanIndex::build(root, scan, &count, &sole);
        Index {
            sole,
            logs: FastMap::default(),
            ready: Some(max_file_bytes),
            plans,
        }
    }
}

/// What one changed path means for a fast read.
enum Kind {
    /// Nothing the files layer reads (a temp file beside the milestones,
    /// an agent's output, a run record: the runs are read on every load
    /// anyway).
    Ignored,
    /// A milestone document read alone.
    Sole(String),
    /// An event log read alone, for this milestone.
    Log(String),
    /// A plan document read alone.
    Plan,
    /// Needs the full read.
    Full,
}

fn kind(root: &Path, index: &Index, p: &Path) -> Kind {
    let ms = root.join(MILESTONES);
    if p.starts_with(ms.join("sessions").join("mdash-runs")) && p != ms.join("sessions/mdash-runs")
    {
        return Kind::Ignored;
    }
    if let Some(id) = index.logs.get(p) {
        return Kind::Log(id.clone());
    }
    if index.plans.users.contains_key(p) {
        return Kind::Plan;
    }
    // Beside the event logs, agents' and checks' output (`agent-<id>.log`):
    // the files layer reads only `.jsonl` there (a failed run's last line
    // is read on every load, with the runs).
    if crate::read::log::in_log_dir(&ms, p) && file::ext(p) != "jsonl" && !p.is_dir() {
        return Kind::Ignored;
    }
    if p.parent() == Some(ms.join("active").as_path()) {
        if let Some(id) = index.sole.get(p) {
            return Kind::Sole(id.clone());
        }
        if !scan::is_doc(p) && file::name(p) != "current.txt" && !p.is_dir() {
            return Kind::Ignored;
        }
    }
    Kind::Full
}

/// What a fast read found: milestones read again, and milestones' events.
#[derive(Default)]
pub struct Changes {
    pub milestones: Vec<Arc<Milestone>>,
    /// A milestone's events and its log's earliest zoned time (pace's start).
    pub events: Vec<(String, Vec<Event>, Option<chrono::DateTime<chrono::Utc>>)>,
    /// Plans read again: milestone id, its plan, its new title (a milestone
    /// that only its plan gives).
    pub plans: Vec<crate::read::plan::fast::PlanChange>,
}

/// The milestones and event logs whose files changed, read again, or
/// `None` when the change needs the full read. `cache` entries of the files
/// read are brought up to date.
pub fn read(
    fence: &Fence,
    index: &Index,
    cache: &mut scan::Cache,
    paths: &[PathBuf],
) -> Option<Changes> {
    if index.ready != Some(fence.max_bytes) {
        return None;
    }
    let mut out = Changes::default();
    for p in paths {
        let id = match kind(&fence.root, index, p) {
            Kind::Ignored => continue,
            Kind::Full => return None,
            Kind::Log(id) => {
                file::stamp(p)?;
                let (events, first) = crate::read::assemble::reread_log(fence, p, cache)?;
                out.events.retain(|(o, _, _)| *o != id);
                out.events.push((id, events, first));
                continue;
            }
            Kind::Plan => {
                let changed = crate::read::plan::fast::reread(fence, index, cache, p)?;
                out.plans.retain(|c| !changed.iter().any(|n| n.id == c.id));
                out.plans.extend(changed);
                continue;
            }
            Kind::Sole(id) => id,
        };
        let stamp = file::stamp(p)?;
        match scan::read_document(fence, p, Origin::Active, &file::stem(p)) {
            Found::Milestone(m) if m.id == id => {
                let generation = cache.docs.get(p).map_or(cache.generation, |c| c.2);
                cache
                    .docs
                    .insert(p.clone(), (stamp, Found::Milestone(m.clone()), generation));
                // Its plan again (the cache keeps the file's own reading).
                let m = crate::read::plan::fast::with_plan(fence, index, cache, m)?;
                out.milestones.retain(|o| o.id != m.id);
                out.milestones.push(m);
            }
            // Renamed, broken, no longer a milestone: the full read says how.
            _ => return None,
        }
    }
    Some(out)
}
