//! Pure functions from what files say to what the dashboard shows:
//! statuses, progress, the dependency graph and blockers (SPEC §2–4).

pub mod blockers;
pub mod deps;
pub mod progress;
pub mod status;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{Event, Milestone, MilestoneView, Origin, Session, Status};

/// Settings the rules depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub long_task_minutes: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            long_task_minutes: 60,
        }
    }
}

/// What the rules need to know of the whole workspace for one milestone:
/// which ids are completed, and who lies on a cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    pub completed: HashSet<String>,
    pub cycles: HashMap<String, String>,
}

/// Whether a milestone counts as completed for those requiring it.
pub fn is_done(m: &Milestone, status: Status) -> bool {
    status == Status::Completed || m.origin == Origin::Completed
}

/// The workspace-wide part of the rules.
pub fn graph(milestones: &[std::sync::Arc<Milestone>], statuses: &[Status]) -> Graph {
    Graph {
        completed: milestones
            .iter()
            .zip(statuses)
            .filter(|(m, s)| is_done(m, **s))
            .map(|(m, _)| m.id.clone())
            .collect(),
        cycles: deps::cycles(
            milestones
                .iter()
                .map(|m| (m.id.as_str(), m.requires.as_slice())),
        ),
    }
}

/// One milestone's view, given the workspace's graph.
pub fn view(
    m: std::sync::Arc<Milestone>,
    status: Status,
    events: &[Event],
    sessions: Vec<Session>,
    ctx: &blockers::Context,
) -> MilestoneView {
    MilestoneView {
        status,
        progress: progress::milestone(&m, status),
        phases: progress::phase_bars(&m),
        tasks: progress::task_counts(&m),
        blockers: blockers::compute(&m, status, events, ctx),
        last_event: events.last().cloned(),
        sessions,
        worktree: None,
        run: None,
        milestone: m,
    }
}

/// When the view of `m` computed at `now` stops being true with no file
/// changing: the first in-progress task to become long-running.
pub fn next_change(
    m: &Milestone,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let long = chrono::Duration::minutes(settings.long_task_minutes.max(0));
    m.tasks
        .iter()
        .filter(|t| status::of_task(t) == Status::InProgress)
        .filter_map(|t| t.started_at.as_deref().and_then(crate::util::time::parse))
        .map(|s| s + long)
        .filter(|t| *t >= now)
        .min()
}

/// Computes every view. `events` holds each milestone's events, oldest first.
pub fn evaluate(
    milestones: Vec<std::sync::Arc<Milestone>>,
    mut events: HashMap<String, Vec<Event>>,
    mut sessions: HashMap<String, Vec<Session>>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<MilestoneView> {
    let statuses: Vec<Status> = milestones.iter().map(|m| status::of_milestone(m)).collect();
    let g = graph(&milestones, &statuses);
    let completed: HashSet<&str> = g.completed.iter().map(String::as_str).collect();
    let ctx = blockers::Context {
        completed: &completed,
        cycles: &g.cycles,
        settings,
        now,
    };
    milestones
        .into_iter()
        .zip(statuses)
        .map(|(m, status)| {
            let evs = events.remove(&m.id).unwrap_or_default();
            let ss = sessions.remove(&m.id).unwrap_or_default();
            view(m, status, &evs, ss, &ctx)
        })
        .collect()
}

/// Gives each milestone its last run, and a `run_failed` blocker when that
/// run ended badly (SPEC §4).
pub fn attach_runs(views: &mut [MilestoneView], runs: &[(String, crate::model::RunView)]) {
    use crate::model::{Blocker, BlockerKind, BlockerSource};
    for v in views.iter_mut() {
        v.blockers.retain(|b| b.kind != BlockerKind::RunFailed);
        v.run = runs
            .iter()
            .find(|(id, _)| *id == v.milestone.id)
            .map(|(_, r)| r.clone());
        if let Some(r) = &v.run
            && r.state == crate::model::RunState::Failed
            && !matches!(v.status, Status::Completed | Status::Cancelled)
        {
            v.blockers.push(Blocker {
                id: v.milestone.id.clone(),
                kind: BlockerKind::RunFailed,
                detail: r.detail.clone().unwrap_or_default(),
                source: BlockerSource::Computed,
                since: crate::util::time::parse(&r.started_at),
            });
            v.blockers
                .sort_by(|a, b| (a.kind.name(), &a.detail).cmp(&(b.kind.name(), &b.detail)));
        }
    }
}

/// Gives each milestone its worktree state, and a `git_conflict` blocker
/// when the worktree has conflicted paths (SPEC §4).
pub fn attach_worktrees(
    views: &mut [MilestoneView],
    states: &[(String, crate::model::WorktreeState)],
) {
    use crate::model::{Blocker, BlockerKind, BlockerSource};
    for v in views.iter_mut() {
        v.blockers.retain(|b| b.kind != BlockerKind::GitConflict);
        v.worktree = states
            .iter()
            .find(|(id, _)| *id == v.milestone.id)
            .map(|(_, s)| s.clone());
        let conflicts = v.worktree.as_ref().map_or(0, |w| w.conflicts);
        if conflicts > 0 && !matches!(v.status, Status::Completed | Status::Cancelled) {
            v.blockers.push(Blocker {
                id: v.milestone.id.clone(),
                kind: BlockerKind::GitConflict,
                detail: conflicts.to_string(),
                source: BlockerSource::Computed,
                since: None,
            });
            v.blockers
                .sort_by(|a, b| (a.kind.name(), &a.detail).cmp(&(b.kind.name(), &b.detail)));
        }
    }
}

/// Ids of required milestones that are not completed.
pub fn unmet(snap: &crate::model::Snapshot, m: &MilestoneView) -> Vec<String> {
    m.milestone
        .requires
        .iter()
        .filter(|r| {
            !snap
                .milestones
                .iter()
                .any(|o| &o.milestone.id == *r && o.status == Status::Completed)
        })
        .cloned()
        .collect()
}

/// Milestones sort by (stage, id); stages compare as numbers when both are.
pub fn order_key(m: &Milestone) -> (Option<(u64, String)>, String) {
    let stage = m
        .stage
        .as_ref()
        .map(|s| (s.parse::<u64>().unwrap_or(u64::MAX), s.clone()));
    (stage, m.id.clone())
}
