//! A stage's heading row (`Stage 2 · 1/3 ready · 1 merged · 2a×2b · ETA
//! 14:12`) and the marks a milestone row gains when there is room: ready to
//! merge, stalled, checks running, its ETA.

use crate::app::App;
use crate::model::{MilestoneView, Snapshot, Status};
use crate::util::time;

/// Merged into the base with commits of its own (a fresh branch with no
/// commits is "merged" to git, not to a person).
pub fn merged(m: &MilestoneView) -> bool {
    m.is_merged()
        || m.worktree.as_ref().is_some_and(|w| {
            w.merged == Some(true) && w.ahead == Some(0) && w.behind.is_some_and(|b| b > 0)
        })
}

/// The heading of the stage whose first milestone is `first`.
pub fn heading(snap: &Snapshot, first: usize) -> String {
    let stage = snap.milestones[first].milestone.stage.as_deref();
    let ms: Vec<&MilestoneView> = snap
        .milestones
        .iter()
        .filter(|m| m.milestone.stage.as_deref() == stage)
        .map(|m| &**m)
        .collect();
    let mut out = match stage {
        Some(s) => format!("Stage {s}"),
        None => "No stage".to_string(),
    };
    let ready = ms.iter().filter(|m| m.ready.ok()).count();
    let merged_n = ms.iter().filter(|m| merged(m)).count();
    let with_wt = ms.iter().filter(|m| m.worktree.is_some()).count();
    if with_wt > 0 {
        out.push_str(&format!(" · {ready}/{} ready", ms.len()));
        if merged_n > 0 {
            out.push_str(&format!(" · {merged_n} merged"));
        }
    }
    let ids: Vec<&str> = ms.iter().map(|m| m.milestone.id.as_str()).collect();
    let mut pairs: Vec<String> = Vec::new();
    for m in &ms {
        let a = m.milestone.id.as_str();
        for b in m.worktree.iter().flat_map(|w| w.forecast.iter()) {
            if a < b.as_str() && ids.contains(&b.as_str()) {
                pairs.push(format!("{a}×{b}"));
            }
        }
    }
    if !pairs.is_empty() {
        out.push_str(&format!(" · conflicts {}", pairs.join(" ")));
    }
    let eta = ms
        .iter()
        .filter(|m| !matches!(m.status, Status::Completed | Status::Cancelled))
        .filter_map(|m| crate::rules::pace::shown(m).map(|p| p.eta))
        .max();
    if let Some(e) = eta {
        out.push_str(&format!(" · ETA {}", time::clock(e, snap.now)));
    }
    out
}

/// What a row can say beside its title, most important first.
pub fn marks(app: &App, m: &MilestoneView) -> Vec<(String, Mark)> {
    let mut out = Vec::new();
    if m.is_merged() {
        // Done: no ready mark, stall or ETA.
        out.push(("merged".to_string(), Mark::Good));
        return out;
    }
    if app.checks.iter().any(|c| c.id == m.milestone.id) {
        out.push(("⟳checks".to_string(), Mark::Busy));
    }
    if m.ready.ok() {
        out.push(("⇡ready".to_string(), Mark::Good));
    }
    if m.stalled {
        out.push(("stalled".to_string(), Mark::Warn));
    }
    if let Some(n) = m.agent.as_deref().and_then(super::subagents::working_mark) {
        out.push((n, Mark::Busy));
    }
    if let Some(p) = crate::rules::pace::shown(m) {
        out.push((format!("~{}", time::clock(p.eta, app.now)), Mark::Dim));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Good,
    Warn,
    Busy,
    Dim,
}
