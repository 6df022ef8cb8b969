//! The one milestone a run action acts on, and nothing else: its view,
//! the dependencies it still waits for, its worktree. The dashboard takes
//! it from the snapshot it already holds (`Target::of`); the CLI reads that
//! milestone's own file (`Target::read`), not the workspace.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{MilestoneView, Origin, Refusal, Snapshot};
use crate::read::file::{self, Fence};
use crate::read::scan::{self, Found};
use crate::read::workspace::{MILESTONES, WORKTREES};

/// One milestone as a run action needs it.
#[derive(Debug, Clone)]
pub struct Target {
    pub view: Arc<MilestoneView>,
    /// Its `requires` that are not completed (SPEC §5).
    pub unmet: Vec<String>,
    /// Its worktree (absolute), when it has one that is not prunable.
    pub worktree: Option<PathBuf>,
}

fn unknown(id: &str) -> Refusal {
    Refusal::Other(format!("no milestone \"{id}\" in this workspace"))
}

/// The conventional worktree of `id`, when it is a directory.
fn own_worktree(root: &Path, id: &str) -> Option<PathBuf> {
    let w = root.join(WORKTREES).join(format!("milestone-{id}"));
    w.is_dir().then_some(w)
}

impl Target {
    pub fn id(&self) -> &str {
        &self.view.milestone.id
    }

    /// From a snapshot already read (the dashboard's): no file is read but
    /// the worktree's directory, when git state has not been attached yet.
    pub fn of(snap: &Snapshot, id: &str) -> Result<Target, Refusal> {
        let view = snap
            .milestones
            .iter()
            .find(|m| m.milestone.id == id)
            .cloned()
            .ok_or_else(|| unknown(id))?;
        let unmet = crate::rules::unmet(snap, &view);
        let worktree = match view.worktree.as_deref() {
            Some(w) if w.prunable => None,
            Some(w) => Some(snap.root.join(&w.path)),
            None => own_worktree(&snap.root, id),
        };
        Ok(Target {
            view,
            unmet,
            worktree,
        })
    }

    /// For a command: the milestone's own file, by the workspace's
    /// precedence (the root's `completed/`, its worktree's copy, the root's
    /// `active/`), and each dependency's the same way. Only when a file is
    /// not where its id says (another name, a bundle, the state store) is
    /// the whole workspace read, as before.
    pub fn read(root: &Path, id: &str) -> Result<Target, Refusal> {
        if !crate::model::valid_id(id) {
            return Err(Refusal::Other(format!(
                "invalid id \"{id}\": {}",
                crate::model::ID_RULE
            )));
        }
        let (cfg, _) = crate::live::config::load(root);
        let mut fence = Fence::new(root, cfg.max_file_bytes);
        let worktree = own_worktree(root, id);
        let Some(m) = one(&mut fence, id, worktree.as_deref()) else {
            return Target::of(&crate::live::snapshot::load(root, chrono::Utc::now()), id);
        };
        let mut unmet = Vec::new();
        for r in &m.requires {
            let done = match one(&mut fence, r, own_worktree(root, r).as_deref()) {
                Some(d) => {
                    crate::rules::status::of_milestone(&d) == crate::model::Status::Completed
                }
                None => {
                    return Target::of(&crate::live::snapshot::load(root, chrono::Utc::now()), id);
                }
            };
            if !done {
                unmet.push(r.clone());
            }
        }
        let view = crate::rules::evaluate(
            vec![m],
            Default::default(),
            Default::default(),
            &cfg.rules,
            chrono::Utc::now(),
        )
        .pop()
        .ok_or_else(|| unknown(id))?;
        Ok(Target {
            view: Arc::new(view),
            unmet,
            worktree,
        })
    }

    /// The file a status edit goes to: the copy that is shown, which is the
    /// worktree's once it exists (SPEC §1's precedence). Never the base
    /// checkout's copy of a milestone whose worktree has one. None for a
    /// milestone that only its plan document gives (SPEC §11): a Markdown
    /// plan is no milestone file and gets no `status:` line.
    pub fn status_file(&self, root: &Path) -> Option<PathBuf> {
        (self.view.milestone.origin != Origin::Plan).then(|| self.shown_file(root))
    }

    fn shown_file(&self, root: &Path) -> PathBuf {
        let source = Path::new(&self.view.milestone.source);
        if self.view.milestone.worktree_dir.is_none()
            && !source.starts_with(MILESTONES.to_string() + "/completed")
            && let Some(w) = &self.worktree
        {
            let copy = w.join(source);
            if copy.is_file() && !copy.is_symlink() {
                return copy;
            }
        }
        root.join(source)
    }
}

/// The milestone `id` from the first of its own files that gives it.
fn one(
    fence: &mut Fence,
    id: &str,
    worktree: Option<&Path>,
) -> Option<Arc<crate::model::Milestone>> {
    let root = fence.root.clone();
    let root = root.as_path();
    let mut places: Vec<(PathBuf, Origin, Option<String>)> = Vec::new();
    let at = |dir: &Path, sub: &str| dir.join(MILESTONES).join(sub);
    places.push((at(root, "completed"), Origin::Completed, None));
    if let Some(w) = worktree {
        fence.allow(w);
        let rel = fence.rel(w);
        places.push((at(w, "completed"), Origin::Completed, Some(rel.clone())));
        places.push((at(w, "active"), Origin::Active, Some(rel)));
    }
    places.push((at(root, "active"), Origin::Active, None));
    for (dir, origin, wt) in places {
        for ext in ["yaml", "yml", "json"] {
            let p = dir.join(format!("{id}.{ext}"));
            if std::fs::symlink_metadata(&p).is_err() {
                continue;
            }
            if let Found::Milestone(mut m) = scan::read_document(fence, &p, origin, &file::stem(&p))
                && m.id == id
            {
                if wt.is_some() {
                    Arc::make_mut(&mut m).worktree_dir = wt;
                }
                return Some(m);
            }
        }
    }
    None
}
