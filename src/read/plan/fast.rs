//! A changed plan document read alone (the incremental path, `read::fast`):
//! which milestones use it, and a sole milestone file's plan attached again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::attach::cached;
use super::plan;
use crate::model::{Milestone, Origin, Plan};
use crate::read::file::{self, Fence};
use crate::read::scan::{Cache, Scan};
use crate::util::hash::FastMap;

/// A plan read again for milestone `id`; `title` for a milestone that only
/// its plan document gives (its first `#` heading).
#[derive(Debug)]
pub struct PlanChange {
    pub id: String,
    pub plan: Box<Plan>,
    pub title: Option<String>,
}

/// What the last full read found that lets a plan be read alone.
#[derive(Default)]
pub struct PlanIndex {
    /// A plan document → the milestones using it (id, only the plan gives it).
    pub users: FastMap<PathBuf, Vec<(String, bool)>>,
    /// A root `active/` milestone read alone → its plan document.
    pub of_sole: FastMap<String, PathBuf>,
    /// The root's task bundles: task id → status.
    pub task_bundles: HashMap<String, Option<String>>,
}

impl PlanIndex {
    /// Only plans whose every user is the sole copy of its id in the root.
    pub fn build(
        root: &Path,
        scan: &Scan,
        count: &FastMap<&str, usize>,
        sole: &FastMap<PathBuf, String>,
    ) -> PlanIndex {
        let mut out = PlanIndex {
            task_bundles: scan.plans.task_bundles.clone(),
            ..PlanIndex::default()
        };
        let mut bad: HashSet<PathBuf> = HashSet::new();
        let sole_ids: HashSet<&str> = sole.values().map(String::as_str).collect();
        for c in &scan.candidates {
            let Some(p) = c.milestone.plan.as_deref() else {
                continue;
            };
            let m = &c.milestone;
            let path = root.join(&p.path);
            if count.get(m.id.as_str()) != Some(&1) || m.worktree_dir.is_some() {
                bad.insert(path);
                continue;
            }
            if sole_ids.contains(m.id.as_str()) {
                out.of_sole.insert(m.id.clone(), path.clone());
            }
            let users = out.users.entry(path).or_default();
            users.push((m.id.clone(), m.origin == Origin::Plan));
        }
        out.users.retain(|p, _| !bad.contains(p));
        out.of_sole.retain(|_, p| !bad.contains(p));
        out
    }
}

/// The milestones whose plan is `path`, with the plan read again; `None`
/// when it cannot be read alone (the full read says why).
pub fn reread(
    fence: &Fence,
    index: &crate::read::fast::Index,
    cache: &mut Cache,
    path: &Path,
) -> Option<Vec<PlanChange>> {
    file::stamp(path)?;
    cache.plans.remove(path);
    let doc = cached(fence, path, cache, true).ok()?;
    let tb = &index.plans.task_bundles;
    let bundles = |id: &str| tb.get(id).cloned().flatten();
    let users = index.plans.users.get(path)?;
    Some(
        users
            .iter()
            .map(|(id, only)| PlanChange {
                id: id.clone(),
                plan: Box::new(plan(fence.rel(path), &doc, &bundles)),
                title: only.then(|| doc.title.clone().unwrap_or_else(|| id.clone())),
            })
            .collect(),
    )
}

/// A milestone file read alone, with the plan it had attached again.
pub fn with_plan(
    fence: &Fence,
    index: &crate::read::fast::Index,
    cache: &mut Cache,
    mut m: Arc<Milestone>,
) -> Option<Arc<Milestone>> {
    let Some(path) = index.plans.of_sole.get(&m.id) else {
        return Some(m);
    };
    let doc = cached(fence, path, cache, true).ok()?;
    let tb = &index.plans.task_bundles;
    let bundles = |id: &str| tb.get(id).cloned().flatten();
    Arc::make_mut(&mut m).plan = Some(Box::new(plan(fence.rel(path), &doc, &bundles)));
    Some(m)
}
