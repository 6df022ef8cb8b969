//! The milestone list as rows: stage headers and the milestones that pass
//! the filter.

use crate::app::App;
use crate::model::MilestoneView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A fleet workspace's heading (`app.fleet[i]`).
    Group(usize),
    Stage(usize),
    Milestone(usize),
}

pub fn matches(m: &MilestoneView, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    m.milestone.id.to_lowercase().contains(&f)
        || m.milestone.title.to_lowercase().contains(&f)
        || m.status.name().contains(&f)
}

/// Rows in display order. A stage header precedes each stage's first
/// milestone (`Stage(i)` points at that milestone).
pub fn rows(app: &App) -> Vec<Row> {
    let Some(snap) = &app.snap else {
        return Vec::new();
    };
    if app.needs_you {
        // The queue (issue 19): every agent that waits, oldest first.
        let mut waiting: Vec<(&str, usize)> = snap
            .milestones
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let a = m.agent.as_ref().filter(|a| a.state.waits())?;
                Some((a.since.as_str(), i))
            })
            .collect();
        waiting.sort();
        return waiting
            .into_iter()
            .map(|(_, i)| Row::Milestone(i))
            .collect();
    }
    if !app.fleet.is_empty() {
        return crate::app::fleet::rows(app, snap);
    }
    let mut out = Vec::new();
    staged(app, snap, 0..snap.milestones.len(), &mut out);
    out
}

/// The milestones `range` of the snapshot that match the filter, each
/// stage's heading before its first one.
pub fn staged(
    app: &App,
    snap: &crate::model::Snapshot,
    range: std::ops::Range<usize>,
    out: &mut Vec<Row>,
) {
    let mut last: Option<Option<&str>> = None;
    for i in range {
        let m = &snap.milestones[i];
        if !matches(m, &app.filter) {
            continue;
        }
        let stage = m.milestone.stage.as_deref();
        if last != Some(stage) {
            out.push(Row::Stage(i));
            last = Some(stage);
        }
        out.push(Row::Milestone(i));
    }
}

/// Indexes (into the snapshot) of the milestones shown, in order.
pub fn visible(app: &App) -> Vec<usize> {
    rows(app)
        .into_iter()
        .filter_map(|r| match r {
            Row::Milestone(i) => Some(i),
            Row::Stage(_) | Row::Group(_) => None,
        })
        .collect()
}

pub fn selected_index(app: &App) -> Option<usize> {
    let snap = app.snap.as_ref()?;
    let id = app.selected.as_ref()?;
    snap.milestones.iter().position(|m| &m.milestone.id == id)
}

/// The milestone with this id.
pub fn find<'a>(app: &'a App, id: &str) -> Option<&'a MilestoneView> {
    app.snap
        .as_ref()?
        .milestones
        .iter()
        .find(|m| m.milestone.id == id)
        .map(|m| &**m)
}

/// The selection, when the filter shows it (a filter that matches nothing
/// shows no detail).
pub fn selected_shown(app: &App) -> Option<&MilestoneView> {
    let i = selected_index(app)?;
    if (!app.filter.is_empty() || app.needs_you) && !visible(app).contains(&i) {
        return None;
    }
    app.snap.as_ref()?.milestones.get(i).map(|m| &**m)
}

pub fn selected(app: &App) -> Option<&MilestoneView> {
    let i = selected_index(app)?;
    app.snap.as_ref()?.milestones.get(i).map(|m| &**m)
}

/// Blockers as the pane lists them: most severe first, then newest, then by
/// milestone and kind. The order is computed once per snapshot
/// (`blocker_order`).
pub fn ordered_blockers(app: &App) -> Vec<&crate::model::Blocker> {
    let Some(snap) = &app.snap else {
        return Vec::new();
    };
    app.blocker_order
        .iter()
        .filter_map(|&(m, b)| snap.milestones.get(m as usize)?.blockers.get(b as usize))
        .collect()
}

/// The pane's order of `snap`'s blockers, as (milestone, blocker) indices.
pub fn blocker_order(snap: &crate::model::Snapshot) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32, &crate::model::Blocker)> = snap
        .milestones
        .iter()
        .enumerate()
        .flat_map(|(m, view)| {
            view.blockers
                .iter()
                .enumerate()
                .map(move |(b, blocker)| (m as u32, b as u32, blocker))
        })
        .collect();
    v.sort_by(|(.., a), (.., b)| {
        b.kind
            .severity()
            .cmp(&a.kind.severity())
            .then(b.since.cmp(&a.since))
            .then(a.id.cmp(&b.id))
            .then(a.kind.name().cmp(b.kind.name()))
            .then(a.detail.cmp(&b.detail))
    });
    v.into_iter().map(|(m, b, _)| (m, b)).collect()
}
