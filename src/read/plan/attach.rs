//! Plans during a full read: each candidate milestone gets the plan its
//! bundle names or the four places give its id; a plan document no
//! milestone has becomes a planned milestone of its own. Documents are kept
//! by stamp, so a reload re-reads only a plan that changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Doc, discover, plan, read, resolve};
use crate::model::{Milestone, Origin, Problem};
use crate::read::file::{self, Fence};
use crate::read::scan::{Cache, Candidate, Scan};

/// What the plan pass of one full read keeps on the way.
#[derive(Default)]
pub struct Pass {
    /// The root's four places, by name (listed once).
    pub places: Option<BTreeMap<String, PathBuf>>,
    /// Plan documents some milestone uses.
    pub used: HashSet<PathBuf>,
    /// Plan documents already reported.
    pub reported: HashSet<PathBuf>,
    /// Plan documents bundles name, there or not yet (to watch).
    pub named: HashSet<PathBuf>,
    /// The root's task bundles: task id → status.
    pub task_bundles: HashMap<String, Option<String>>,
}

/// A plan document from the cache when its stamp is unchanged, else read.
pub fn cached(
    fence: &Fence,
    path: &Path,
    cache: &mut Cache,
    keep: bool,
) -> Result<Arc<Doc>, Problem> {
    let stamp = file::stamp(path).filter(|_| keep);
    if let Some(st) = stamp
        && !cache.stale.contains(path)
        && let Some(c) = cache.plans.get_mut(path)
        && c.0 == st
    {
        c.2 = cache.generation;
        return c.1.clone();
    }
    let out = read(fence, path).map(Arc::new);
    if let Some(st) = stamp {
        cache
            .plans
            .insert(path.to_path_buf(), (st, out.clone(), cache.generation));
    }
    out
}

fn report(scan: &mut Scan, path: &Path, p: Problem) {
    if scan.plans.reported.insert(path.to_path_buf()) {
        scan.problems.push(p);
    }
}

/// Reads `path` as `m`'s plan; `bundles` gives a task bundle's status.
fn attach(
    fence: &Fence,
    path: &Path,
    m: &mut Milestone,
    bundles: &dyn Fn(&str) -> Option<String>,
    scan: &mut Scan,
) {
    let keep = !scan.one_shot;
    match cached(fence, path, &mut scan.cache, keep) {
        Ok(doc) => {
            m.plan = Some(Box::new(plan(fence.rel(path), &doc, bundles)));
            scan.plans.used.insert(path.to_path_buf());
        }
        Err(p) => report(scan, path, p),
    }
}

/// A bundle's plan: the document it names (inside `base`), else the first
/// of the four places under `base` for its id. `tasks`: a task bundle's
/// directory name → its status.
pub fn for_bundle(
    fence: &Fence,
    base: &Path,
    m: &mut Milestone,
    tasks: &HashMap<String, Option<String>>,
    scan: &mut Scan,
) {
    let Some(b) = m.bundle.as_deref() else { return };
    let path = match b.plan_document.as_deref() {
        Some(named) => match resolve(base, named, &m.source) {
            Ok(p) => {
                if !scan.one_shot {
                    scan.plans.named.insert(p.clone());
                }
                // A plan named but not in the tree (real bundles name
                // documents kept elsewhere): no plan, nothing to report.
                if std::fs::symlink_metadata(&p).is_err() {
                    return;
                }
                p
            }
            Err(p) => return scan.problems.push(p),
        },
        None if base == fence.root => match root_places(&fence.root, scan).get(&m.id) {
            Some(p) => p.clone(),
            None => return,
        },
        None => match discover(base).remove(&m.id) {
            Some(p) => p,
            None => return,
        },
    };
    let bundles = |id: &str| tasks.get(id).cloned().flatten();
    attach(fence, &path, m, &bundles, scan);
}

fn root_places<'a>(root: &Path, scan: &'a mut Scan) -> &'a BTreeMap<String, PathBuf> {
    scan.plans.places.get_or_insert_with(|| discover(root))
}

/// After the walk: the plans of milestones without a bundle, and the plan
/// documents no milestone has, as milestones of their own.
pub fn run(fence: &Fence, scan: &mut Scan) {
    let places = scan
        .plans
        .places
        .take()
        .unwrap_or_else(|| discover(&fence.root));
    let ids: HashSet<String> = scan
        .candidates
        .iter()
        .map(|c| c.milestone.id.clone())
        .collect();
    let task_bundles = std::mem::take(&mut scan.plans.task_bundles);
    let bundles = |id: &str| task_bundles.get(id).cloned().flatten();
    for i in 0..scan.candidates.len() {
        let c = &scan.candidates[i];
        if c.milestone.bundle.is_some() {
            continue;
        }
        let Some(path) = places.get(&c.milestone.id) else {
            continue;
        };
        let mut m = (*scan.candidates[i].milestone).clone();
        attach(fence, path, &mut m, &bundles, scan);
        scan.candidates[i].milestone = Arc::new(m);
    }
    for (name, path) in &places {
        if ids.contains(name) || scan.plans.used.contains(path) {
            continue;
        }
        let doc = match cached(fence, path, &mut scan.cache, !scan.one_shot) {
            Ok(doc) => doc,
            Err(p) => {
                report(scan, path, p);
                continue;
            }
        };
        scan.candidates.push(Candidate {
            rank: RANK_PLAN,
            milestone: Arc::new(of_plan(name, &fence.rel(path), &doc, &bundles)),
        });
    }
    if !scan.one_shot {
        let mut all = scan.plans.named.clone();
        all.extend(scan.plans.used.iter().cloned());
        all.extend(places.values().cloned());
        super::watched::remember(&fence.root, all);
    }
    scan.plans.places = Some(places);
    scan.plans.task_bundles = task_bundles;
}

/// The rank of a milestone that only a plan document gives.
pub const RANK_PLAN: u8 = 5;

/// A planned milestone from a plan document alone: id `name`, title its
/// first `#` heading, no phases.
pub fn of_plan(
    name: &str,
    rel: &str,
    doc: &Doc,
    bundles: &dyn Fn(&str) -> Option<String>,
) -> Milestone {
    let empty = crate::read::yaml::Value::Mapping(Default::default());
    let mut m = crate::read::milestone::read(&empty, Origin::Plan, rel, name);
    m.id = name.to_string();
    m.title = doc.title.clone().unwrap_or_else(|| name.to_string());
    m.plan = Some(Box::new(plan(rel.to_string(), doc, bundles)));
    m
}
