//! Starting runs from the dashboard: one at a time (`s`) or every ready
//! milestone as slots free up (`S`), never one milestone twice.

use super::*;
use crate::model::{BlockerKind, MilestoneView, Status};

/// Asks for a run of `id`, remembering it is on its way.
pub(super) fn start(app: &mut App, id: String, fx: &mut Vec<Effect>) {
    app.starting.push(id.clone());
    fx.push(Effect::Run {
        id,
        action: RunAction::Start {
            force: false,
            trust: None,
        },
    });
}

/// Whether `id` has a start on its way, or a started run no snapshot has
/// shown yet.
fn busy(app: &App, id: &str) -> bool {
    app.starting.iter().any(|s| s == id) || app.launched.iter().any(|(l, _)| l == id)
}

/// Forgets launched runs a snapshot now shows (a run newer than the one
/// shown when it started).
pub(super) fn seen_launched(app: &mut App) {
    let Some(snap) = &app.snap else { return };
    app.launched.retain(|(id, before)| {
        let now = snap
            .milestones
            .iter()
            .find(|m| &m.milestone.id == id)
            .and_then(|m| m.run.as_ref())
            .map(|r| r.started_at.clone());
        now.is_none() || now == *before
    });
}

/// Why `m` is not ready for `S`, or None when it is: not finished, not
/// blocked, no blocker, its requirements met, no live or failed run.
fn not_ready(snap: &Snapshot, m: &MilestoneView) -> Option<String> {
    if matches!(
        m.status,
        Status::Completed | Status::Cancelled | Status::Failed
    ) {
        return Some(m.status.name().into());
    }
    if m.run.as_ref().is_some_and(|r| r.state.is_live()) {
        return Some("running".into());
    }
    if m.run.as_ref().is_some_and(|r| r.state == RunState::Failed) {
        return Some("its last run failed".into());
    }
    let unmet = crate::rules::unmet(snap, m);
    if !unmet.is_empty() {
        return Some(format!("requires {}", unmet.join(", ")));
    }
    if m.status == Status::Blocked {
        return Some("blocked".into());
    }
    let n = m
        .blockers
        .iter()
        .filter(|b| b.kind != BlockerKind::UnmetDependency)
        .count();
    if n > 0 {
        return Some(crate::util::text::plural(n, "blocker"));
    }
    None
}

/// With `S` on: starts ready milestones in list order while fewer than
/// `max_concurrent` runs are live. Returns what it did, in words: which it
/// started, which it skipped and why.
pub(super) fn fill_slots(app: &mut App, fx: &mut Vec<Effect>) -> String {
    let Some(snap) = &app.snap else {
        return String::new();
    };
    // A first screenful knows no runs or logs: nothing starts from it (the
    // full snapshot fills the slots).
    if snap.partial.is_some() {
        return "still reading the workspace; free slots are filled once it is read".to_string();
    }
    if !app.autostart {
        return String::new();
    }
    let live = |m: &MilestoneView| m.run.as_ref().is_some_and(|r| r.state.is_live());
    let active = snap.milestones.iter().filter(|m| live(m)).count()
        + app.starting.len()
        + app.launched.len();
    let free = app.max_concurrent.saturating_sub(active);
    let mut ready = Vec::new();
    let mut skipped = Vec::new();
    for m in &snap.milestones {
        let id = &m.milestone.id;
        if busy(app, id) {
            continue;
        }
        match not_ready(snap, m) {
            None => ready.push(id.clone()),
            // Finished and running ones are not news.
            Some(why) if !matches!(m.status, Status::Completed | Status::Cancelled) && !live(m) => {
                skipped.push(format!("{id} ({why})"))
            }
            Some(_) => {}
        }
    }
    let waiting = ready.len().saturating_sub(free);
    ready.truncate(free);
    let mut said = if ready.is_empty() {
        "S: nothing ready to start".to_string()
    } else {
        format!("S: starting {}", ready.join(", "))
    };
    if waiting > 0 {
        said.push_str(&format!("; {waiting} more wait for a free slot"));
    }
    if !skipped.is_empty() {
        said.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    said.push_str("; S again stops filling");
    for id in ready {
        start(app, id, fx);
    }
    said
}
