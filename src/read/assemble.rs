//! From scanned candidates to a `Snapshot`: precedence between copies,
//! dependency-graph files, sessions, event logs. The rules come after, in
//! `live::snapshot`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::ids_for_branch;
use crate::model::{Event, Milestone, Problem, Session};
use crate::read::file::{self, Fence};
use crate::read::log::{self, LogRead};
use crate::read::milestone::GraphEntry;
use crate::read::scan::{Candidate, RANK_STATE, Scan};

/// What the files say, before the rules: the winning copy of each
/// milestone, each one's events (oldest first) and sessions, and the
/// problems found on the way.
pub struct Assembled {
    pub milestones: Vec<Arc<Milestone>>,
    pub events: HashMap<String, Vec<Event>>,
    /// Each milestone's earliest zoned log time, compacted-away events
    /// included (SPEC §10's start).
    pub starts: HashMap<String, DateTime<Utc>>,
    pub sessions: HashMap<String, Vec<Session>>,
    pub problems: Vec<Problem>,
    pub current: Option<String>,
    /// Root event logs that alone give their milestone its events, read
    /// without a problem: such a log can later be read alone (`read::fast`).
    pub sole_logs: Vec<(PathBuf, String)>,
}

pub fn run(fence: &Fence, scan: &mut Scan) -> Assembled {
    let mut by_id: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for c in scan.candidates.drain(..) {
        by_id.entry(c.milestone.id.clone()).or_default().push(c);
    }
    let mut milestones = Vec::with_capacity(by_id.len());
    for (id, mut cands) in by_id {
        cands.sort_by(|a, b| (a.rank, &a.milestone.source).cmp(&(b.rank, &b.milestone.source)));
        let mut it = cands.into_iter();
        let Some(winner) = it.next() else { continue };
        for other in it.filter(|o| o.rank == winner.rank && o.rank != RANK_STATE) {
            scan.problems.push(Problem::error(
                &other.milestone.source,
                format!(
                    "duplicate id \"{id}\": also defined in {}; this copy is ignored",
                    winner.milestone.source
                ),
            ));
        }
        milestones.push(winner.milestone);
    }
    merge_graph(&mut milestones, &scan.graph);
    let known: HashSet<String> = milestones.iter().map(|m| m.id.clone()).collect();
    let (events, starts, sole_logs) = read_logs(fence, scan, &milestones, &known);
    let sessions = assign_sessions(std::mem::take(&mut scan.sessions), &known);
    scan.problems
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Assembled {
        milestones,
        events,
        starts,
        sessions,
        sole_logs,
        problems: std::mem::take(&mut scan.problems),
        current: scan.current.take(),
    }
}

fn merge_graph(milestones: &mut [Arc<Milestone>], graph: &[GraphEntry]) {
    if graph.is_empty() {
        return;
    }
    let index: HashMap<&str, usize> = milestones
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut touched = Vec::new();
    for e in graph {
        if let Some(&i) = index.get(e.id.as_str()) {
            touched.push((i, e));
        }
    }
    for (i, e) in touched {
        // Copy-on-write: only milestones the graph names are cloned.
        let m = Arc::make_mut(&mut milestones[i]);
        m.requires.extend(e.requires.iter().cloned());
        m.enables.extend(e.enables.iter().cloned());
        for list in [&mut m.requires, &mut m.enables] {
            list.sort();
            list.dedup();
        }
    }
}

fn assign_sessions(
    sessions: Vec<Session>,
    known: &HashSet<String>,
) -> HashMap<String, Vec<Session>> {
    let mut out: HashMap<String, Vec<Session>> = HashMap::new();
    for s in sessions {
        let by_branch = || {
            s.git_branch
                .as_deref()
                .map(ids_for_branch)
                .unwrap_or_default()
                .into_iter()
                .find(|id| known.contains(id))
        };
        let id = s
            .milestone_id
            .clone()
            .filter(|id| known.contains(id))
            .or_else(by_branch);
        if let Some(id) = id {
            out.entry(id).or_default().push(s);
        }
    }
    out
}

/// Root logs that alone give a milestone its events: (path, id).
type SoleLogs = Vec<(PathBuf, String)>;

/// An event with its ordering key: (time, file order, line).
type Keyed = (Option<DateTime<Utc>>, usize, usize, Event);

/// Reads every log's tail and gives each milestone its events, oldest first.
fn read_logs(
    fence: &Fence,
    scan: &mut Scan,
    milestones: &[Arc<Milestone>],
    known: &HashSet<String>,
) -> (Events, Starts, SoleLogs) {
    let mut starts: HashMap<String, DateTime<Utc>> = HashMap::new();
    let roots = scan.log_roots.clone();
    // (time, file order, line) keeps "newest by timestamp, ties by position".
    let mut keyed: HashMap<String, Vec<Keyed>> = HashMap::new();
    let from_worktree: HashMap<&str, &str> = milestones
        .iter()
        .filter_map(|m| Some((m.id.as_str(), m.worktree_dir.as_deref()?)))
        .collect();
    let mut files: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut in_root: Vec<bool> = Vec::new();
    for (ms, wt) in &roots {
        for (path, own) in log::files(ms) {
            let own = own.filter(|id| known.contains(id));
            // A worktree's logs only speak for the worktree's milestone.
            if wt.is_some()
                && own
                    .as_deref()
                    .is_none_or(|id| from_worktree.get(id).copied() != wt.as_deref())
            {
                continue;
            }
            files.push((path, own));
            in_root.push(wt.is_none());
        }
    }
    let reads = cached_logs(fence, &files, scan);
    // Which files gave each id events, and which were read cleanly.
    let mut sources: HashMap<String, Vec<usize>> = HashMap::new();
    let mut clean = vec![false; files.len()];
    for (file_no, ((path, own), read)) in files.iter().zip(reads).enumerate() {
        let read = match read {
            Ok(r) => r,
            Err(p) => {
                scan.problems.push(p);
                continue;
            }
        };
        let problem = read.problem(&fence.rel(path));
        clean[file_no] = problem.is_none();
        scan.problems.extend(problem);
        for (mid, t) in read.firsts() {
            let target = match own {
                Some(id) => Some(id.clone()),
                None => mid.filter(|id| known.contains(id)),
            };
            if let Some(id) = target {
                let slot = starts.entry(id).or_insert(t);
                *slot = (*slot).min(t);
            }
        }
        for (line, e) in read.events.iter().cloned().enumerate() {
            let target = match own {
                Some(id) => Some(id.clone()),
                None => e.milestone_id.clone().filter(|id| known.contains(id)),
            };
            if let Some(id) = target {
                let from = sources.entry(id.clone()).or_default();
                if from.last() != Some(&file_no) {
                    from.push(file_no);
                }
                keyed
                    .entry(id)
                    .or_default()
                    .push((e.time, file_no, line, e));
            }
        }
    }
    let sole = files
        .iter()
        .enumerate()
        .filter(|(n, _)| in_root[*n] && clean[*n])
        .filter_map(|(n, (path, own))| {
            let id = own.as_ref()?;
            sources
                .get(id)
                .is_none_or(|from| from.iter().all(|f| *f == n))
                .then(|| (path.clone(), id.clone()))
        })
        .collect();
    let events = keyed
        .into_iter()
        .map(|(id, mut evs)| {
            evs.sort_by_key(|e| (e.0, e.1, e.2));
            (id, evs.into_iter().map(|e| e.3).collect())
        })
        .collect();
    (events, starts, sole)
}

/// Each milestone's events, oldest first.
type Events = HashMap<String, Vec<Event>>;
/// Each milestone's earliest zoned log time.
type Starts = HashMap<String, DateTime<Utc>>;

/// One log read again (from the cache, from where it stopped, or whole):
/// its events, oldest first, and its earliest zoned time (compacted-away
/// events included), or `None` when it has a problem to report.
pub fn reread_log(
    fence: &Fence,
    path: &std::path::Path,
    cache: &mut crate::read::scan::Cache,
) -> Option<(Vec<Event>, Option<DateTime<Utc>>)> {
    let mut scan = Scan {
        cache: std::mem::take(cache),
        ..Scan::default()
    };
    let files = [(path.to_path_buf(), None)];
    let read = cached_logs(fence, &files, &mut scan).pop();
    *cache = std::mem::take(&mut scan.cache);
    let read = read?.ok()?;
    if read.problem(&fence.rel(path)).is_some() {
        return None;
    }
    let first = read.firsts().into_iter().map(|(_, t)| t).min();
    let mut evs: Vec<(usize, Event)> = read.events.iter().cloned().enumerate().collect();
    evs.sort_by_key(|(line, e)| (e.time, *line));
    Some((evs.into_iter().map(|(_, e)| e).collect(), first))
}

/// Each log's tail, from the cache when unchanged; a log that only grew is
/// read from where the last read stopped, like `tail -F`.
fn cached_logs(
    fence: &Fence,
    files: &[(PathBuf, Option<String>)],
    scan: &mut Scan,
) -> Vec<Result<Arc<LogRead>, Problem>> {
    enum Plan {
        Cached(Arc<LogRead>),
        Append(Arc<LogRead>),
        Full,
    }
    // A one-shot read has no cache to consult or fill: no stamps either.
    let stamps: Vec<_> = files
        .iter()
        .map(|(p, _)| file::stamp(p).filter(|_| !scan.one_shot))
        .collect();
    let plans: Vec<Plan> = files
        .iter()
        .zip(&stamps)
        .map(|((p, _), st)| match (scan.cache.logs.get(p), st) {
            (Some((old, r, _)), Some(new)) if !scan.cache.stale.contains(p) && old == new => {
                Plan::Cached(r.clone())
            }
            // An append grows the file: the same inode and size with a new
            // mtime is a rewrite in place, read again from the start.
            (Some((old, r, _)), Some(new))
                if old.same_file(new)
                    && (new.len > old.len || (new.len == old.len && new == old))
                    && new.len >= r.consumed_to =>
            {
                Plan::Append(r.clone())
            }
            _ => Plan::Full,
        })
        .collect();
    let idx: Vec<usize> = (0..files.len()).collect();
    let reads = crate::util::par::map(&idx, |&i| {
        let path = &files[i].0;
        match &plans[i] {
            Plan::Cached(r) => Ok(r.clone()),
            Plan::Append(r) => {
                log::read_from(fence, path, r.consumed_to).map(|more| Arc::new(r.extended(more)))
            }
            Plan::Full => log::read_tail(fence, path).map(|mut r| {
                r.compact();
                Arc::new(r)
            }),
        }
    });
    for (((path, _), st), r) in files.iter().zip(stamps).zip(&reads) {
        match (st, r) {
            (Some(st), Ok(r)) => {
                let entry = (st, r.clone(), scan.cache.generation);
                match scan.cache.logs.get_mut(path) {
                    Some(c) => *c = entry,
                    None => {
                        scan.cache.logs.insert(path.clone(), entry);
                    }
                }
            }
            _ if scan.one_shot => {}
            _ => {
                scan.cache.logs.remove(path);
            }
        }
    }
    reads
}
