//! Pure functions from what files say to what the dashboard shows:
//! statuses, progress, the dependency graph and blockers (SPEC §2–4).

pub mod agent;
pub mod blockers;
pub mod cost;
pub mod deps;
pub mod pace;
pub mod plan;
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
    log_start: Option<DateTime<Utc>>,
    ctx: &blockers::Context,
) -> MilestoneView {
    let progress = progress::milestone(&m, status);
    let start = pace::start(&m, events).into_iter().chain(log_start).min();
    let quiet = pace::last_activity(&m, events);
    let mut v = MilestoneView {
        status,
        progress,
        phases: progress::phase_bars(&m),
        tasks: progress::task_counts(&m),
        blockers: blockers::compute(&m, status, events, ctx),
        last_event: events.last().cloned().map(Box::new),
        sessions,
        worktree: None,
        run: None,
        agent: None,
        checks: ready::last_checks(events).map(Box::new),
        pace: pace::pace(status, progress, start, ctx.now),
        ready: crate::model::Ready {
            missing: Vec::new(),
            checks_configured: ctx.settings.checks_configured,
        },
        stalled: pace::stalled(status, quiet, ctx.now, ctx.settings.stall_minutes),
        merged: ready::merged(events),
        milestone: m,
    };
    ready::refresh(&mut v);
    v
}

/// When the view of `m` computed at `now` stops being true with no file
/// changing: the first in-progress task to become long-running.
pub fn next_change(
    m: &Milestone,
    events: &[Event],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let long = crate::util::time::minutes(settings.long_task_minutes);
    let task = m
        .tasks
        .iter()
        .filter(|t| status::of_task(t) == Status::InProgress)
        .filter_map(|t| t.started_at.as_deref().and_then(crate::util::time::parse))
        .map(|s| crate::util::time::plus(s, long))
        .filter(|t| *t >= now)
        .min();
    // Pace and its ETA move with the clock (the ETA is to the minute): a
    // view with a pace holds for a minute.
    let status = status::of_milestone(m);
    let paced = pace::pace(
        status,
        progress::milestone(m, status),
        pace::start(m, events),
        now,
    )
    .map(|_| now + chrono::Duration::seconds(60));
    let stall = pace::last_activity(m, events)
        .map(|t| crate::util::time::plus(t, crate::util::time::minutes(settings.stall_minutes)))
        .filter(|t| *t >= now);
    [task, paced, stall].into_iter().flatten().min()
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
            let start = starts.get(&m.id).copied();
            view(m, status, &evs, ss, start, &ctx)
        })
        .collect()
}

/// Gives each milestone its last run, and a `run_failed` blocker when that
/// run ended badly (SPEC §4).
///
/// Views whose run is unchanged are skipped: this is sound because it is
/// called on views fresh from the rules (the reader's kept views carry no
/// run, agent or worktree), never twice on an attached snapshot.
pub fn attach_runs(
    views: &mut [std::sync::Arc<MilestoneView>],
    runs: &[(String, crate::model::RunView)],
) {
    use crate::model::{Blocker, BlockerKind, BlockerSource};
    let by_id: HashMap<&str, &crate::model::RunView> =
        runs.iter().map(|(id, r)| (id.as_str(), r)).collect();
    for v in views.iter_mut() {
        let run = by_id.get(v.milestone.id.as_str()).copied();
        // Only views whose run changes are touched (and copied).
        if v.run.as_ref() == run {
            continue;
        }
        let v = std::sync::Arc::make_mut(v);
        v.blockers.retain(|b| b.kind != BlockerKind::RunFailed);
        v.run = run.cloned();
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
    views: &mut [std::sync::Arc<MilestoneView>],
    states: &[(String, crate::model::WorktreeState)],
) {
    use crate::model::{Blocker, BlockerKind, BlockerSource};
    let by_id: HashMap<&str, &crate::model::WorktreeState> =
        states.iter().map(|(id, s)| (id.as_str(), s)).collect();
    for v in views.iter_mut() {
        let state = by_id.get(v.milestone.id.as_str()).copied();
        // A view without a worktree that gets none is left alone (and not
        // copied); one with a worktree is recomputed (its state is trimmed).
        if v.worktree.is_none() && state.is_none() {
            continue;
        }
        let v = std::sync::Arc::make_mut(v);
        v.blockers.retain(|b| {
            !matches!(
                b.kind,
                BlockerKind::GitConflict | BlockerKind::ChecksFailed | BlockerKind::MergeForecast
            )
        });
        v.worktree = state.cloned().map(Box::new);
        // Merged (its log says so, and the branch has nothing new): done.
        let finished = matches!(v.status, Status::Completed | Status::Cancelled) || v.is_merged();
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
