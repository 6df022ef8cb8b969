//! Readiness to merge (SPEC §9): the gates in their order, and the checks
//! result that counts. Pure.

use crate::model::{BlockerKind, ChecksRun, Event, Gate, MilestoneView, Ready};

/// The newest finished checks run in the milestone's worktree (post-merge
/// runs in the base checkout, `"where": "base"`, are not the worktree's).
pub fn last_checks(events: &[Event]) -> Option<ChecksRun> {
    events.iter().rev().find_map(ChecksRun::from_event)
}

/// The commit of the newest `milestone_merged` (`""` when it names none).
pub fn merged(events: &[Event]) -> Option<String> {
    let e = events.iter().rev().find(|e| e.name == "milestone_merged")?;
    let commit = e.details.as_ref().and_then(|d| d.get("commit")?.as_str());
    Some(commit.unwrap_or_default().to_string())
}

/// Each gate that fails, in SPEC order. A milestone without a worktree
/// fails `worktree` alone of the git gates: dirt, commits and merging are
/// facts about a worktree it does not have.
pub fn ready(v: &MilestoneView, checks_configured: bool) -> Ready {
    let mut missing = Vec::new();
    // The reported figure (one decimal), as `status --json` shows it.
    if crate::util::round::scaled(v.progress, 1).is_none_or(|t| t < 1000) {
        missing.push(Gate::Phases);
    }
    if v.blockers
        .iter()
        .any(|b| b.kind != BlockerKind::MergeForecast)
    {
        missing.push(Gate::Blockers);
    }
    let wt = v.worktree.as_ref().filter(|w| !w.prunable);
    if wt.is_none_or(|w| w.branch.is_none()) {
        missing.push(Gate::Worktree);
    }
    if let Some(w) = wt {
        if w.dirty != 0 {
            missing.push(Gate::Dirty);
        }
        if w.ahead.is_none_or(|a| a == 0) {
            missing.push(Gate::NoCommits);
        }
        if w.merged == Some(true) {
            missing.push(Gate::Merged);
        }
    }
    if checks_configured && !passed_at_head(v) {
        missing.push(Gate::Checks);
    }
    Ready {
        missing,
        checks_configured,
    }
}

/// Recomputes `v.ready` after its blockers, run or worktree changed.
pub fn refresh(v: &mut MilestoneView) {
    v.ready = ready(v, v.ready.checks_configured);
}

/// `refresh` for a shared view: copied only when its readiness changes.
pub fn refresh_shared(v: &mut std::sync::Arc<MilestoneView>) {
    let now = ready(v, v.ready.checks_configured);
    if now != v.ready {
        std::sync::Arc::make_mut(v).ready = now;
    }
}

/// Why `id`'s worktree may not go now: a run of its agent lives there (its
/// working directory would be deleted under it).
pub fn live_run(v: &MilestoneView) -> Option<String> {
    let r = v.run.as_ref().filter(|r| r.state.is_live())?;
    let pid = r.pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
    Some(format!(
        "its agent is still {}{pid} in the worktree: stop it first (x, or mdash run stop {})",
        r.state, v.milestone.id
    ))
}

/// A passing run exists at the worktree's current HEAD: of HEAD alone, so
/// not one that ran with uncommitted changes.
pub fn passed_at_head(v: &MilestoneView) -> bool {
    matches!((&v.checks, v.worktree.as_ref().and_then(|w| w.head_id.as_deref())),
        (Some(c), Some(h)) if c.passed() && c.head == h && c.dirty == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Blocker, BlockerSource, Counters, Milestone, Origin, Status, TaskCounts, WorktreeState,
    };

    fn view(progress: f64, wt: Option<WorktreeState>) -> MilestoneView {
        let m = Milestone {
            id: "a".into(),
            title: "a".into(),
            raw_status: None,
            stage: None,
            requires: Vec::new(),
            enables: Vec::new(),
            weights: [15.0, 25.0, 20.0, 40.0],
            phases: None,
            tasks: Vec::new(),
            counters: Counters::default(),
            bundle: None,
            plan: None,
            declared_progress: None,
            recorded_blockers: Vec::new(),
            description: None,
            origin: Origin::Active,
            source: "a.yaml".into(),
            worktree_dir: None,
        };
        MilestoneView {
            milestone: std::sync::Arc::new(m),
            status: Status::InProgress,
            progress,
            phases: Vec::new(),
            tasks: TaskCounts::default(),
            blockers: Vec::new(),
            last_event: None,
            sessions: Vec::new(),
            worktree: wt.map(Box::new),
            run: None,
            agent: None,
            checks: None,
            pace: None,
            ready: Ready::default(),
            stalled: false,
            merged: None,
        }
    }

    fn wt(ahead: usize, dirty: usize) -> WorktreeState {
        WorktreeState {
            path: ".worktrees/milestone-a".into(),
            branch: Some("feature/milestone-a".into()),
            head: Some("abcdef1".into()),
            subject: None,
            ahead: Some(ahead),
            behind: Some(0),
            dirty,
            conflicts: 0,
            operation: None,
            merged: Some(ahead == 0),
            forecast: Vec::new(),
            forecast_paths: Vec::new(),
            head_id: Some("abcdef1234".into()),
            base: Some("main".into()),
            locked: false,
            prunable: false,
            error: None,
        }
    }

    fn names(r: &Ready) -> Vec<&'static str> {
        r.missing.iter().map(|g| g.name()).collect()
    }

    #[test]
    fn gates_in_order_and_the_forecast_is_not_one() {
        assert_eq!(
            names(&ready(&view(50.0, None), true)),
            ["phases", "worktree", "checks"]
        );
        // 99.96 is reported as 100.0.
        assert!(ready(&view(99.96, Some(wt(1, 0))), false).ok());
        assert_eq!(
            names(&ready(&view(100.0, Some(wt(0, 2))), false)),
            ["dirty", "no_commits", "merged"]
        );
        let mut v = view(100.0, Some(wt(1, 0)));
        v.blockers.push(Blocker {
            id: "a".into(),
            kind: BlockerKind::MergeForecast,
            detail: "b: 1".into(),
            source: BlockerSource::Computed,
            since: None,
        });
        assert!(ready(&v, false).ok());
        assert_eq!(names(&ready(&v, true)), ["checks"]);
        v.checks = Some(Box::new(ChecksRun {
            head: "abcdef1234".into(),
            exit_code: Some(0),
            signal: None,
            seconds: None,
            at: None,
            dirty: 0,
        }));
        assert!(ready(&v, true).ok());
        if let Some(c) = v.checks.as_mut() {
            c.head = "0000000".into();
        }
        assert_eq!(names(&ready(&v, true)), ["checks"], "stale");
    }
}
