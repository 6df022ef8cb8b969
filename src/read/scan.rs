//! Walking the workspace: every source of SPEC §1, into candidates.
//!
//! Milestone documents are cached by file stamp, so a reload re-parses only
//! the files that changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{BundleTask, Milestone, Origin, Problem, Session};
use crate::read::file::{self, Fence, Stamp};
use crate::read::log::LogRead;
use crate::read::milestone::{self, GraphEntry, Reading};
use crate::read::workspace::{BUNDLES, MILESTONES, TASK_BUNDLES};
use crate::read::yaml::{self, Value};
use crate::read::{bundle, log, session};
use crate::util::hash::{FastMap, FastSet};

/// A milestone file found during the scan, with its precedence rank.
pub struct Candidate {
    pub rank: u8,
    /// Shared with the cache: a reload clones a pointer, not the milestone.
    pub milestone: Arc<Milestone>,
}

pub const RANK_COMPLETED: u8 = 0;
pub const RANK_WORKTREE: u8 = 1;
pub const RANK_ROOT: u8 = 2;
pub const RANK_LEGACY: u8 = 3;
pub const RANK_STATE: u8 = 4;

/// Parsed files kept between reloads, keyed by path and checked by stamp.
#[derive(Default)]
pub struct Cache {
    /// Each entry with the load that last saw its file (`generation`).
    pub docs: FastMap<PathBuf, (Stamp, Found, u64)>,
    pub logs: FastMap<PathBuf, (Stamp, Arc<LogRead>, u64)>,
    /// Counts loads; entries not seen by the current one are evicted.
    pub generation: u64,
    /// Paths reported changed: re-read whatever their stamp says.
    pub stale: FastSet<PathBuf>,
    /// The size limit the cached reads were made with.
    pub max_file_bytes: u64,
    /// Plan documents (SPEC §11), read or refused.
    pub plans: FastMap<PathBuf, PlanEntry>,
}

/// A cached plan document: its stamp, what reading it gave, its generation.
pub type PlanEntry = (Stamp, Result<Arc<crate::read::plan::Doc>, Problem>, u64);

/// Everything found on disk, before the rules run.
#[derive(Default)]
pub struct Scan {
    pub cache: Cache,
    pub candidates: Vec<Candidate>,
    pub graph: Vec<GraphEntry>,
    pub problems: Vec<Problem>,
    pub sessions: Vec<Session>,
    /// Log directories to read: (`.milestones` dir, worktree dir if any).
    pub log_roots: Vec<(PathBuf, Option<String>)>,
    pub current: Option<String>,
    /// The workspace's worktrees, found before the scan.
    pub worktrees: Vec<crate::model::Worktree>,
    /// Read once and forget: no stamps, nothing kept for a next load.
    pub one_shot: bool,
    /// The plan pass (SPEC §11).
    pub plans: crate::read::plan::attach::Pass,
}

/// Walks the root and its `.worktrees/`.
pub fn run(fence: &Fence, scan: &mut Scan) {
    scan_root(fence, scan);
    scan_worktrees(fence, scan);
    crate::read::plan::attach::run(fence, scan);
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

pub fn is_doc(path: &Path) -> bool {
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
#[derive(Debug, Clone)]
pub enum Found {
    Milestone(Arc<Milestone>),
    Graph(Vec<GraphEntry>),
    /// Boxed: ten thousand of these are held at once while a tree is read.
    Problem(Box<Problem>),
    Nothing,
}

/// Reads and classifies one document; `stem` is the fallback id.
pub fn read_document(fence: &Fence, path: &Path, origin: Origin, stem: &str) -> Found {
    let rel = fence.rel(path);
    let v = match parse_file(fence, path) {
        Ok(v) => v,
        // Asked only on failure: a stat less for every file that reads.
        Err(_) if path.is_dir() && !path.is_symlink() => {
            return Found::Problem(Box::new(Problem::error(
                &rel,
                "is a directory; expected a milestone file",
            )));
        }
        Err(p) => return Found::Problem(Box::new(p)),
    };
    match milestone::classify(&v, origin, &rel, stem) {
        Ok(Reading::Milestone(m)) => Found::Milestone(Arc::from(m)),
        Ok(Reading::Graph(g)) => Found::Graph(g),
        Ok(Reading::Ignored) => Found::Nothing,
        Err(msg) => Found::Problem(Box::new(Problem::error(&rel, msg))),
    }
}

/// Reads documents, re-parsing (in parallel) only those whose stamp changed
/// or that were reported changed; the rest come from the cache.
pub fn read_docs(fence: &Fence, paths: &[PathBuf], origin: Origin, scan: &mut Scan) -> Vec<Found> {
    let read = |p: &PathBuf| read_document(fence, p, origin, &file::stem(p));
    if scan.one_shot {
        return crate::util::par::map(paths, read);
    }
    let stamps: Vec<Option<Stamp>> = paths.iter().map(|p| file::stamp(p)).collect();
    let misses: Vec<usize> = (0..paths.len())
        .filter(|&i| {
            stamps[i].is_none()
                || scan.cache.stale.contains(&paths[i])
                || scan.cache.docs.get(&paths[i]).map(|c| c.0) != stamps[i]
        })
        .collect();
    let read_now = crate::util::par::map(&misses, |&i| read(&paths[i]));
    let mut fresh: Vec<Option<Found>> = Vec::new();
    fresh.resize_with(paths.len(), || None);
    for (i, f) in misses.into_iter().zip(read_now) {
        fresh[i] = Some(f);
    }
    let generation = scan.cache.generation;
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| match (fresh[i].take(), stamps[i]) {
            (Some(f), Some(st)) => {
                scan.cache
                    .docs
                    .insert(p.clone(), (st, f.clone(), generation));
                f
            }
            (Some(f), None) => f,
            (None, _) => match scan.cache.docs.get_mut(p) {
                Some(c) => {
                    c.2 = generation;
                    c.1.clone()
                }
                None => Found::Nothing,
            },
        })
        .collect()
}

/// Reads milestone documents in a directory (`active/` or `completed/`).
fn read_dir_of_milestones(
    fence: &Fence,
    dir: &Path,
    origin: Origin,
    scan: &mut Scan,
) -> Vec<Arc<Milestone>> {
    let paths: Vec<PathBuf> = listing(fence, dir, &mut scan.problems)
        .into_iter()
        .filter(|p| is_doc(p))
        .collect();
    let mut out = Vec::new();
    for found in read_docs(fence, &paths, origin, scan) {
        match found {
            Found::Milestone(m) => out.push(m),
            Found::Graph(g) => scan.graph.extend(g),
            Found::Problem(p) => scan.problems.push(*p),
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
        .find_map(|p| file::read_regular(&ms.join(p)).ok())
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|s| !s.is_empty());
    scan.log_roots.push((ms, None));
}

fn read_single(fence: &Fence, path: &Path, origin: Origin, stem: &str, rank: u8, scan: &mut Scan) {
    match read_document(fence, path, origin, stem) {
        Found::Milestone(m) => scan.candidates.push(Candidate { rank, milestone: m }),
        Found::Problem(p) => scan.problems.push(*p),
        Found::Graph(_) | Found::Nothing => {}
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
            milestone: Arc::new(m),
        });
    }
}

fn read_bundles(fence: &Fence, base: &Path, rank: u8, only: Option<&[String]>, scan: &mut Scan) {
    let mut tasks: HashMap<String, BundleTask> = HashMap::new();
    // A plan's task bundle is the one in its own directory (SPEC §11), not
    // a backup beside it that carries the same `task_id`.
    let mut by_dir: HashMap<String, Option<String>> = HashMap::new();
    for dir in listing(fence, &base.join(TASK_BUNDLES), &mut scan.problems) {
        let f = dir.join("bundle_status.yaml");
        if !f.exists() {
            continue;
        }
        match parse_file(fence, &f) {
            Ok(v) => {
                let t = bundle::task(&v, &file::name(&dir));
                by_dir.insert(file::name(&dir), t.status.clone());
                tasks.insert(t.id.clone(), t);
            }
            Err(p) if only.is_none() => scan.problems.push(p),
            Err(_) => {}
        }
    }
    if only.is_none() {
        scan.plans.task_bundles.extend(by_dir.clone());
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
                crate::read::plan::attach::for_bundle(fence, base, &mut m, &by_dir, scan);
                scan.candidates.push(Candidate {
                    rank,
                    milestone: Arc::new(m),
                });
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

/// The worktrees git lists (wherever they are) and the directories under
/// `.worktrees/`, each with the ids it may belong to.
fn scan_worktrees(fence: &Fence, scan: &mut Scan) {
    for wt in std::mem::take(&mut scan.worktrees) {
        if !wt.prunable && wt.path.is_dir() {
            scan_worktree(fence, &wt.path, &wt.candidate_ids(), scan);
        }
    }
}

/// Reads a worktree's own copy of one of `ids`.
fn scan_worktree(fence: &Fence, dir: &Path, ids: &[String], scan: &mut Scan) {
    let ms = dir.join(MILESTONES);
    let wt = fence.rel(dir);
    let before = scan.candidates.len();
    for sub in ["active", "completed"] {
        let origin = if sub == "completed" {
            Origin::Completed
        } else {
            Origin::Active
        };
        let paths: Vec<PathBuf> = file::list(&ms.join(sub))
            .unwrap_or_default()
            .into_iter()
            .filter(|p| is_doc(p))
            .collect();
        for (path, found) in paths.iter().zip(read_docs(fence, &paths, origin, scan)) {
            match found {
                Found::Milestone(m) if ids.contains(&m.id) => {
                    scan.candidates.push(Candidate {
                        rank: RANK_WORKTREE,
                        milestone: m,
                    });
                }
                // A broken copy of this worktree's own milestone matters;
                // other files there are stale copies.
                Found::Problem(p) if ids.contains(&file::stem(path)) => scan.problems.push(*p),
                _ => {}
            }
        }
    }
    read_bundles(fence, dir, RANK_WORKTREE, Some(ids), scan);
    for c in &mut scan.candidates[before..] {
        Arc::make_mut(&mut c.milestone).worktree_dir = Some(wt.clone());
    }
    if scan.candidates.len() > before {
        scan.log_roots.push((ms, Some(wt)));
    }
}
