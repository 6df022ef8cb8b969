//! Pure functions from what files say to what the dashboard shows:
//! statuses, progress, the dependency graph and blockers (SPEC §2–4).

pub mod agent;
pub mod blockers;
pub mod deps;
pub mod pace;
pub mod progress;
pub mod ready;
pub mod request;
pub mod status;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{Event, Milestone, MilestoneView, Origin, Session, Status};

/// Settings the rules depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub long_task_minutes: i64,
    /// `blockers.stall_minutes`: quiet this long while in progress is a stall.
    pub stall_minutes: i64,
    /// `checks.command` is set (the `checks` gate applies).
    pub checks_configured: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            long_task_minutes: 60,
            stall_minutes: 120,
            checks_configured: false,
        }
    }
}

/// Computes every view. `events` holds each milestone's events, oldest first.
pub fn evaluate(
    milestones: Vec<std::sync::Arc<Milestone>>,
    events: HashMap<String, Vec<Event>>,
    sessions: HashMap<String, Vec<Session>>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<MilestoneView> {
    evaluate_with(milestones, events, sessions, &HashMap::new(), settings, now)
}

/// `evaluate`, with each milestone's earliest log time known beside its
/// events (`starts`: compaction keeps few events, but remembers that).
pub fn evaluate_with(
    milestones: Vec<std::sync::Arc<Milestone>>,
    mut events: HashMap<String, Vec<Event>>,
    mut sessions: HashMap<String, Vec<Session>>,
    starts: &HashMap<String, DateTime<Utc>>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<MilestoneView> {
    let statuses: Vec<Status> = milestones.iter().map(|m| status::of_milestone(m)).collect();
    let completed: HashSet<&str> = milestones
        .iter()
        .zip(&statuses)
        .filter(|(m, s)| **s == Status::Completed || m.origin == Origin::Completed)
        .map(|(m, _)| m.id.as_str())
        .collect();
    let cycles = deps::cycles(
        milestones
            .iter()
            .map(|m| (m.id.as_str(), m.requires.as_slice())),
    );
    let ctx = blockers::Context {
        completed: &completed,
        cycles: &cycles,
        settings,
        now,
    };
    let blockers: Vec<_> = milestones
        .iter()
        .zip(&statuses)
        .map(|(m, &status)| {
            let evs = events.remove(&m.id).unwrap_or_default();
            let b = blockers::compute(m, status, &evs, &ctx);
            let checks = ready::last_checks(&evs);
            let start = pace::start(m, &evs)
                .into_iter()
                .chain(starts.get(&m.id).copied())
                .min();
            let quiet = pace::last_activity(m, &evs);
            (b, evs.last().cloned(), checks, start, quiet)
        })
        .collect();
    milestones
        .into_iter()
        .zip(statuses)
        .zip(blockers)
        .map(
            |((m, status), (blockers, last_event, checks, start, quiet))| {
                let progress = progress::milestone(&m, status);
                let mut v = MilestoneView {
                    status,
                    progress,
                    phases: progress::phase_bars(&m),
                    tasks: progress::task_counts(&m),
                    blockers,
                    last_event,
                    sessions: sessions.remove(&m.id).unwrap_or_default(),
                    worktree: None,
                    run: None,
                    agent: None,
                    checks,
                    pace: pace::pace(status, progress, start, now),
                    ready: crate::model::Ready {
                        missing: Vec::new(),
                        checks_configured: settings.checks_configured,
                    },
                    stalled: pace::stalled(status, quiet, now, settings.stall_minutes),
                    milestone: m,
                };
                ready::refresh(&mut v);
                v
            },
        )
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
        ready::refresh(v);
    }
}

/// Gives each milestone its worktree state, and the blockers that come from
/// it (SPEC §4): `git_conflict` when the worktree has conflicted paths,
/// `checks_failed` when the newest checks run failed at its current HEAD,
/// `merge_forecast` per conflicting sibling or base. Then readiness.
pub fn attach_worktrees(
    views: &mut [MilestoneView],
    states: &[(String, crate::model::WorktreeState)],
) {
    use crate::model::{Blocker, BlockerKind, BlockerSource};
    for v in views.iter_mut() {
        v.blockers.retain(|b| {
            !matches!(
                b.kind,
                BlockerKind::GitConflict | BlockerKind::ChecksFailed | BlockerKind::MergeForecast
            )
        });
        v.worktree = states
            .iter()
            .find(|(id, _)| *id == v.milestone.id)
            .map(|(_, s)| s.clone());
        let finished = matches!(v.status, Status::Completed | Status::Cancelled);
        if let Some(w) = v.worktree.as_mut()
            && (v.status == Status::Completed || w.merged == Some(true))
        {
            // SPEC §9: a completed or merged milestone has `forecast: []`.
            w.forecast.clear();
            w.forecast_paths.clear();
        }
        let mut add = |kind, detail: String, since| {
            v.blockers.push(Blocker {
                id: v.milestone.id.clone(),
                kind,
                detail,
                source: BlockerSource::Computed,
                since,
            })
        };
        if let Some(w) = v.worktree.as_ref().filter(|_| !finished) {
            if w.conflicts > 0 {
                add(BlockerKind::GitConflict, w.conflicts.to_string(), None);
            }
            if let Some(c) = &v.checks
                && !c.passed()
                && w.head_id.as_deref() == Some(c.head.as_str())
            {
                add(BlockerKind::ChecksFailed, c.failure(), c.at);
            }
            for (other, paths) in w.forecast.iter().zip(&w.forecast_paths) {
                add(
                    BlockerKind::MergeForecast,
                    format!("{other}: {}", paths.len()),
                    None,
                );
            }
        }
        v.blockers
            .sort_by(|a, b| (a.kind.name(), &a.detail).cmp(&(b.kind.name(), &b.detail)));
        ready::refresh(v);
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
