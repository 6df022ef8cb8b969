//! Readiness to merge (SPEC §9): the gates in their order, and the checks
//! result that counts. Pure.

use crate::model::{BlockerKind, ChecksRun, Event, Gate, MilestoneView, Ready};

/// The newest finished checks run in the milestone's worktree (post-merge
/// runs in the base checkout, `"where": "base"`, are not the worktree's).
pub fn last_checks(events: &[Event]) -> Option<ChecksRun> {
    events.iter().rev().find_map(ChecksRun::from_event)
}

/// Each gate that fails, in SPEC order. A milestone without a worktree
/// fails `worktree` alone of the git gates: dirt, commits and merging are
/// facts about a worktree it does not have.
pub fn ready(v: &MilestoneView, checks_configured: bool) -> Ready {
    let mut missing = Vec::new();
    // The reported figure (one decimal), as `status --json` shows it.
    if (v.progress * 10.0).round() < 1000.0 {
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

/// A passing run exists at the worktree's current HEAD.
pub fn passed_at_head(v: &MilestoneView) -> bool {
    matches!((&v.checks, v.worktree.as_ref().and_then(|w| w.head_id.as_deref())),
        (Some(c), Some(h)) if c.passed() && c.head == h)
}
