//! Finding the workspace and reading everything in it into a `Snapshot`.
//!
//! Precedence when several files give the same id: a file in the root's
//! `completed/` (the milestone is finished), then the copy in the
//! milestone's own worktree, then the root's other files, then the legacy
//! `current.yaml`, then the JSON state side-store.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::{self, Config};
use crate::model::{BundleTask, Event, Milestone, Origin, Problem, Session, Snapshot};
use crate::read::file::{self, Fence};
use crate::read::milestone::{self, GraphEntry, Reading};
use crate::read::{bundle, log, session};
use crate::rules;
use crate::yaml::{self, Value};

const MILESTONES: &str = ".milestones";
const BUNDLES: &str = ".milestone_bundles";
const TASK_BUNDLES: &str = ".task_bundles";
const WORKTREES: &str = ".worktrees";

/// Walks up from `start` to the workspace root (SPEC §1).
pub fn discover(start: &Path) -> Result<PathBuf, String> {
    let start = std::fs::canonicalize(start).map_err(|e| format!("{}: {e}", start.display()))?;
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    let found = start
        .ancestors()
        .find(|d| d.join(MILESTONES).is_dir() || d.join(BUNDLES).is_dir())
        .map(Path::to_path_buf)
        .or_else(|| git_root(&start));
    let Some(dir) = found else {
        return Err(format!(
            "no workspace found at or above {}: expected a directory holding .milestones/ or .milestone_bundles/, or a git repository (run `mdash init` to create one)",
            start.display()
        ));
    };
    Ok(main_worktree_of(&dir).unwrap_or(dir))
}

fn git_root(start: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(start).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// When `dir` is a linked git worktree, the repository's main worktree.
fn main_worktree_of(dir: &Path) -> Option<PathBuf> {
    if !dir.join(".git").is_file() {
        return None;
    }
    let repo = git2::Repository::open(dir).ok()?;
    if !repo.is_worktree() {
        return None;
    }
    // commondir is <main>/.git for a linked worktree.
    let common = repo.commondir().canonicalize().ok()?;
    let main = common.parent()?.to_path_buf();
    (main.join(MILESTONES).is_dir() || main.join(BUNDLES).is_dir() || main.join(".git").is_dir())
        .then_some(main)
}

/// The ids a worktree directory name maps to (SPEC §6).
pub fn ids_for_dir(name: &str) -> Vec<String> {
    let mut ids = vec![name.to_string()];
    if let Some(s) = name.strip_prefix("milestone-").filter(|s| !s.is_empty()) {
        ids.push(s.to_string());
    }
    ids
}

/// The ids a branch name maps to (SPEC §6). `feature/milestone-<id>-<slug>`
/// is ambiguous, so every prefix ending before a `-` is a candidate.
pub fn ids_for_branch(branch: &str) -> Vec<String> {
    let b = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    if let Some(rest) = b.strip_prefix("feature/milestone-") {
        let mut ids = vec![rest.to_string()];
        ids.extend(rest.match_indices('-').map(|(i, _)| rest[..i].to_string()));
        return ids.into_iter().filter(|s| !s.is_empty()).collect();
    }
    [b.strip_prefix("milestone/"), b.strip_prefix("milestone-")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A milestone file found during the scan, with its precedence rank.
struct Candidate {
    rank: u8,
    milestone: Milestone,
}

const RANK_COMPLETED: u8 = 0;
const RANK_WORKTREE: u8 = 1;
const RANK_ROOT: u8 = 2;
const RANK_LEGACY: u8 = 3;
const RANK_STATE: u8 = 4;

/// Everything found on disk, before the rules run.
#[derive(Default)]
pub struct Scan {
    candidates: Vec<Candidate>,
    graph: Vec<GraphEntry>,
    problems: Vec<Problem>,
    sessions: Vec<Session>,
    /// Log directories to read: (`.milestones` dir, worktree dir if any).
    log_roots: Vec<(PathBuf, Option<String>)>,
    current: Option<String>,
}

/// Reads the workspace at `root` (already discovered) as of `now`.
pub fn load(root: &Path, now: DateTime<Utc>) -> Snapshot {
    let (cfg, mut problems) = config::load(root);
    let fence = Fence::new(root, cfg.max_file_bytes);
    let mut scan = Scan::default();
    scan.problems.append(&mut problems);
    scan_root(&fence, &mut scan);
    scan_worktrees(&fence, &mut scan);
    assemble(&fence, &cfg, scan, now)
}

fn parse_file(fence: &Fence, path: &Path) -> Result<Value, Problem> {
    let rel = fence.rel(path);
    let text = fence.read_text(path)?;
    if text.trim().is_empty() {
        return Err(Problem::error(
            &rel,
            "file is empty; expected a mapping of milestone fields",
        ));
    }
    if file::ext(path) == "json" {
        serde_json::from_str::<serde_json::Value>(&text)
            .map(yaml::from_json)
            .map_err(|e| {
                Problem::error(&rel, format!("invalid JSON: {}", log::json_message(&e)))
                    .at(Some(e.line()), Some(e.column()))
            })
    } else {
        yaml::parse(&text).map_err(|e| {
            Problem::error(&rel, format!("invalid YAML: {}", e.message)).at(e.line, e.column)
        })
    }
}

fn is_doc(path: &Path) -> bool {
    matches!(file::ext(path).as_str(), "yaml" | "yml" | "json")
}

fn listing(fence: &Fence, dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    file::list(dir).unwrap_or_else(|e| {
        problems.push(Problem::error(
            fence.rel(dir),
            format!("cannot list directory: {e}"),
        ));
        Vec::new()
    })
}

/// What one document in `active/` or `completed/` turned out to be.
enum Found {
    Milestone(Box<Milestone>),
    Graph(Vec<GraphEntry>),
    Problem(Problem),
    Nothing,
}

fn read_document(fence: &Fence, path: &Path, origin: Origin) -> Found {
    let rel = fence.rel(path);
    if path.is_dir() && !path.is_symlink() {
        return Found::Problem(Problem::error(
            &rel,
            "is a directory; expected a milestone file",
        ));
    }
    let v = match parse_file(fence, path) {
        Ok(v) => v,
        Err(p) => return Found::Problem(p),
    };
    match milestone::classify(&v, origin, &rel, &file::stem(path)) {
        Ok(Reading::Milestone(m)) => Found::Milestone(m),
        Ok(Reading::Graph(g)) => Found::Graph(g),
        Ok(Reading::Ignored) => Found::Nothing,
        Err(msg) => Found::Problem(Problem::error(&rel, msg)),
    }
}

/// Reads milestone documents in a directory (`active/` or `completed/`),
/// in parallel.
fn read_dir_of_milestones(
    fence: &Fence,
    dir: &Path,
    origin: Origin,
    scan: &mut Scan,
) -> Vec<Milestone> {
    let paths: Vec<PathBuf> = listing(fence, dir, &mut scan.problems)
        .into_iter()
        .filter(|p| is_doc(p))
        .collect();
    let mut out = Vec::new();
    for found in crate::par::map(&paths, |p| read_document(fence, p, origin)) {
        match found {
            Found::Milestone(m) => out.push(*m),
            Found::Graph(g) => scan.graph.extend(g),
            Found::Problem(p) => scan.problems.push(p),
            Found::Nothing => {}
        }
    }
    out
}

fn scan_root(fence: &Fence, scan: &mut Scan) {
    let root = fence.root.clone();
    let ms = root.join(MILESTONES);
    for m in read_dir_of_milestones(fence, &ms.join("active"), Origin::Active, scan) {
        scan.candidates.push(Candidate {
            rank: RANK_ROOT,
            milestone: m,
        });
    }
    for m in read_dir_of_milestones(fence, &ms.join("completed"), Origin::Completed, scan) {
        scan.candidates.push(Candidate {
            rank: RANK_COMPLETED,
            milestone: m,
        });
    }
    // Quickstart milestones: .milestones/<name>/milestone.yaml
    for dir in listing(fence, &ms, &mut scan.problems) {
        let qs = dir.join("milestone.yaml");
        if dir.is_dir() && qs.exists() {
            read_single(
                fence,
                &qs,
                Origin::Quickstart,
                &file::name(&dir),
                RANK_ROOT,
                scan,
            );
        }
    }
    let legacy = ms.join("current.yaml");
    if legacy.exists() {
        read_single(fence, &legacy, Origin::Legacy, "current", RANK_LEGACY, scan);
    }
    read_state_store(fence, &ms.join("state").join("active"), scan);
    read_bundles(fence, &root, RANK_ROOT, None, scan);
    read_sessions(fence, &ms.join("sessions"), scan);
    scan.current = ["active/current.txt", "config/current-milestone.txt"]
        .iter()
        .find_map(|p| std::fs::read_to_string(ms.join(p)).ok())
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|s| !s.is_empty());
    scan.log_roots.push((ms, None));
}

fn read_single(fence: &Fence, path: &Path, origin: Origin, stem: &str, rank: u8, scan: &mut Scan) {
    let rel = fence.rel(path);
    match parse_file(fence, path) {
        Ok(v) => match milestone::classify(&v, origin, &rel, stem) {
            Ok(Reading::Milestone(m)) => scan.candidates.push(Candidate {
                rank,
                milestone: *m,
            }),
            Ok(_) => {}
            Err(msg) => scan.problems.push(Problem::error(&rel, msg)),
        },
        Err(p) => scan.problems.push(p),
    }
}

/// `.milestones/state/active/<id>.json`: `{milestone_id, state: {...}}`.
fn read_state_store(fence: &Fence, dir: &Path, scan: &mut Scan) {
    for path in listing(fence, dir, &mut scan.problems) {
        if file::ext(&path) != "json" || path.is_dir() {
            continue;
        }
        let rel = fence.rel(&path);
        let v = match parse_file(fence, &path) {
            Ok(v) => v,
            Err(p) => {
                scan.problems.push(p);
                continue;
            }
        };
        let id =
            crate::read::doc::text_at(&v, &["milestone_id"]).unwrap_or_else(|| file::stem(&path));
        let state = crate::read::doc::get(&v, &["state"]).cloned().unwrap_or(v);
        let mut m = milestone::read(&state, Origin::StateStore, &rel, &id);
        m.id = id;
        scan.candidates.push(Candidate {
            rank: RANK_STATE,
            milestone: m,
        });
    }
}

fn read_bundles(fence: &Fence, base: &Path, rank: u8, only: Option<&[String]>, scan: &mut Scan) {
    let mut tasks: HashMap<String, BundleTask> = HashMap::new();
    for dir in listing(fence, &base.join(TASK_BUNDLES), &mut scan.problems) {
        let f = dir.join("bundle_status.yaml");
        if !f.exists() {
            continue;
        }
        match parse_file(fence, &f) {
            Ok(v) => {
                let t = bundle::task(&v, &file::name(&dir));
                tasks.insert(t.id.clone(), t);
            }
            Err(p) if only.is_none() => scan.problems.push(p),
            Err(_) => {}
        }
    }
    for dir in listing(fence, &base.join(BUNDLES), &mut scan.problems) {
        let f = dir.join("milestone_status.yaml");
        if !dir.is_dir() || !f.exists() {
            continue;
        }
        let name = file::name(&dir);
        match parse_file(fence, &f) {
            Ok(v) => {
                if !v.is_mapping() {
                    scan.problems.push(Problem::error(
                        fence.rel(&f),
                        format!(
                            "expected a mapping of bundle fields, found {}",
                            milestone::kind_of(&v)
                        ),
                    ));
                    continue;
                }
                let mut m = bundle::read(&v, &name, &fence.rel(&f), &tasks);
                if only.is_some_and(|ids| !ids.contains(&m.id)) {
                    continue;
                }
                if let (Some(b), Ok(md)) = (
                    m.bundle.as_mut(),
                    fence.read_text(&dir.join("failure_context.md")),
                ) {
                    b.failure = bundle::failure_summary(&md);
                }
                scan.candidates.push(Candidate { rank, milestone: m });
            }
            Err(p) if only.is_none() => scan.problems.push(p),
            Err(_) => {}
        }
    }
}

fn read_sessions(fence: &Fence, dir: &Path, scan: &mut Scan) {
    for path in listing(fence, dir, &mut scan.problems) {
        if !matches!(file::ext(&path).as_str(), "yaml" | "yml") || path.is_dir() {
            continue;
        }
        match parse_file(fence, &path) {
            Ok(v) => scan
                .sessions
                .push(session::read(&v, &file::stem(&path), &fence.rel(&path))),
            Err(p) => scan.problems.push(p),
        }
    }
}

/// `.worktrees/<dir>`: the copy of the milestone the directory maps to wins.
/// Other milestones' files there are stale copies and are ignored.
fn scan_worktrees(fence: &Fence, scan: &mut Scan) {
    let dirs = listing(fence, &fence.root.join(WORKTREES), &mut scan.problems);
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let ids = ids_for_dir(&file::name(&dir));
        scan_worktree(fence, &dir, &ids, scan);
    }
}

/// Reads a worktree's own copy of one of `ids`.
pub fn scan_worktree(fence: &Fence, dir: &Path, ids: &[String], scan: &mut Scan) {
    let ms = dir.join(MILESTONES);
    let wt = fence.rel(dir);
    let before = scan.candidates.len();
    for sub in ["active", "completed"] {
        for path in file::list(&ms.join(sub)).unwrap_or_default() {
            if !is_doc(&path) {
                continue;
            }
            let stem = file::stem(&path);
            match parse_file(fence, &path) {
                Ok(v) => {
                    let origin = if sub == "completed" {
                        Origin::Completed
                    } else {
                        Origin::Active
                    };
                    if let Ok(Reading::Milestone(m)) =
                        milestone::classify(&v, origin, &fence.rel(&path), &stem)
                        && ids.contains(&m.id)
                    {
                        scan.candidates.push(Candidate {
                            rank: RANK_WORKTREE,
                            milestone: *m,
                        });
                    }
                }
                // A broken copy of this worktree's own milestone matters.
                Err(p) if ids.contains(&stem) => scan.problems.push(p),
                Err(_) => {}
            }
        }
    }
    read_bundles(fence, dir, RANK_WORKTREE, Some(ids), scan);
    for c in &mut scan.candidates[before..] {
        c.milestone.worktree_dir = Some(wt.clone());
    }
    if scan.candidates.len() > before {
        scan.log_roots.push((ms, Some(wt)));
    }
}

fn assemble(fence: &Fence, cfg: &Config, mut scan: Scan, now: DateTime<Utc>) -> Snapshot {
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
    let events = read_logs(
        fence,
        &scan.log_roots,
        &milestones,
        &known,
        &mut scan.problems,
    );
    let sessions = assign_sessions(std::mem::take(&mut scan.sessions), &known);
    let mut views = rules::evaluate(milestones, events, sessions, &cfg.rules, now);
    views.sort_by_key(|v| order_key(&v.milestone));
    scan.problems
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Snapshot {
        root: fence.root.clone(),
        now,
        milestones: views,
        problems: scan.problems,
        current: scan.current,
    }
}

/// Milestones sort by (stage, id); stages compare as numbers when both are.
pub fn order_key(m: &Milestone) -> (Option<(u64, String)>, String) {
    let stage = m
        .stage
        .as_ref()
        .map(|s| (s.parse::<u64>().unwrap_or(u64::MAX), s.clone()));
    (stage, m.id.clone())
}

fn merge_graph(milestones: &mut [Milestone], graph: &[GraphEntry]) {
    let index: HashMap<String, usize> = milestones
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.clone(), i))
        .collect();
    for e in graph {
        if let Some(&i) = index.get(&e.id) {
            milestones[i].requires.extend(e.requires.iter().cloned());
            milestones[i].enables.extend(e.enables.iter().cloned());
        }
    }
    for m in milestones {
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

/// An event with its ordering key: (time, file order, line).
type Keyed = (Option<DateTime<Utc>>, usize, usize, Event);

/// Reads every log's tail and gives each milestone its events, oldest first.
fn read_logs(
    fence: &Fence,
    roots: &[(PathBuf, Option<String>)],
    milestones: &[Milestone],
    known: &HashSet<String>,
    problems: &mut Vec<Problem>,
) -> HashMap<String, Vec<Event>> {
    // (time, file order, line) keeps "newest by timestamp, ties by position".
    let mut keyed: HashMap<String, Vec<Keyed>> = HashMap::new();
    let from_worktree: HashMap<&str, &str> = milestones
        .iter()
        .filter_map(|m| Some((m.id.as_str(), m.worktree_dir.as_deref()?)))
        .collect();
    let mut files: Vec<(PathBuf, Option<String>)> = Vec::new();
    for (ms, wt) in roots {
        for (dir, prefix) in [
            (ms.join("logs"), "execution-"),
            (ms.join("state").join("events"), "milestone-"),
        ] {
            for path in file::list(&dir).unwrap_or_default() {
                if file::ext(&path) != "jsonl" {
                    continue;
                }
                let own = file::stem(&path)
                    .strip_prefix(prefix)
                    .map(str::to_string)
                    .filter(|id| known.contains(id));
                // A worktree's logs only speak for the worktree's milestone.
                if wt.is_some()
                    && own
                        .as_deref()
                        .is_none_or(|id| from_worktree.get(id).copied() != wt.as_deref())
                {
                    continue;
                }
                files.push((path, own));
            }
        }
    }
    let reads = crate::par::map(&files, |(path, _)| log::read_tail(fence, path));
    for (file_no, ((path, own), read)) in files.iter().zip(reads).enumerate() {
        let read = match read {
            Ok(r) => r,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        problems.extend(read.problem(&fence.rel(path)));
        for (line, e) in read.events.into_iter().enumerate() {
            let target = match own {
                Some(id) => Some(id.clone()),
                None => e.milestone_id.clone().filter(|id| known.contains(id)),
            };
            if let Some(id) = target {
                keyed
                    .entry(id)
                    .or_default()
                    .push((e.time, file_no, line, e));
            }
        }
    }
    keyed
        .into_iter()
        .map(|(id, mut evs)| {
            evs.sort_by_key(|e| (e.0, e.1, e.2));
            (id, evs.into_iter().map(|e| e.3).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_map_to_ids() {
        assert_eq!(ids_for_branch("feature/milestone-2a"), ["2a"]);
        assert_eq!(
            ids_for_branch("feature/milestone-2a-sensor-ingest"),
            ["2a-sensor-ingest", "2a", "2a-sensor"]
        );
        assert_eq!(ids_for_branch("milestone/m-001"), ["m-001"]);
        assert_eq!(ids_for_branch("refs/heads/milestone-3b"), ["3b"]);
        assert!(ids_for_branch("main").is_empty());
        assert_eq!(ids_for_dir("milestone-2a"), ["milestone-2a", "2a"]);
    }
}
