//! A new snapshot arrives: swap it in, keep the selection, announce what
//! is new (blockers, ended runs).

use super::*;

pub(super) fn loaded(app: &mut App, snap: Snapshot, fx: &mut Vec<Effect>) {
    changed(app, snap, true, fx);
}

/// A first screenful while the first full read goes on: shown, with
/// nothing announced, loaded or started from it (the full snapshot that
/// follows is taken as the first).
pub(super) fn partial(app: &mut App, snap: Snapshot) {
    if app.snap.as_ref().is_some_and(|s| s.partial.is_none()) {
        return;
    }
    app.now = snap.now;
    app.snap = Some(snap);
    if rows::selected_index(app).is_none() {
        let first = rows::visible(app).first().and_then(|&i| {
            app.snap
                .as_ref()
                .map(|s| s.milestones[i].milestone.id.clone())
        });
        app.selected = None;
        app.partial_pick = first.clone();
        // Its log is read once the full snapshot is in.
        select(app, first, &mut Vec::new());
    }
    keep_visible(app);
}

/// A new picture of the workspace: from the reader, or the old one with new
/// worktree states. Notifies new blockers; reloads the log when asked.
pub(super) fn changed(app: &mut App, mut snap: Snapshot, reload_log: bool, fx: &mut Vec<Effect>) {
    if app.snap.as_ref().is_some_and(|s| s.partial.is_some()) {
        // The first full snapshot: nothing in it is news, and it picks the
        // selection unless the user moved meanwhile.
        app.snap = None;
        if app.partial_pick.take() == app.selected {
            app.selected = None;
        }
    }
    crate::rules::attach_worktrees(&mut snap.milestones, &app.git);
    if let Some(old) = &app.snap
        && old.same_views(&snap)
        && old.problems == snap.problems
        && old.current == snap.current
        && (std::sync::Arc::ptr_eq(&old.registry, &snap.registry) || old.registry == snap.registry)
    {
        // A poll or a touch that changed nothing: nothing to draw.
        app.now = snap.now;
        app.dirty = false;
        return;
    }
    let mut same_blockers = false;
    if let Some(old) = &app.snap {
        // Conflicts, forecasts and failed checks seen in the first git read
        // of a worktree were there before mdash looked: not news.
        let had_git: HashSet<&str> = old
            .milestones
            .iter()
            .filter(|o| o.worktree.is_some())
            .map(|o| o.milestone.id.as_str())
            .collect();
        let (fresh, same) = blocker_news(old, &snap);
        let fresh: Vec<String> = fresh
            .into_iter()
            .filter(|b| {
                use crate::model::BlockerKind as K;
                !matches!(b.kind, K::GitConflict | K::ChecksFailed | K::MergeForecast)
                    || had_git.contains(b.id.as_str())
            })
            .map(|b| {
                if b.kind == crate::model::BlockerKind::AgentWaiting {
                    // Which milestone and why: `2a needs you: permission: Write a.txt`.
                    format!("{} needs you: {}", b.id, b.detail)
                } else {
                    format!("{} {}: {}", b.id, b.kind.name().replace('_', " "), b.detail)
                }
            })
            .collect();
        same_blockers = same;
        // A run that was live and now is not has ended.
        let was_live: HashSet<&str> = old
            .milestones
            .iter()
            .filter(|o| o.run.as_ref().is_some_and(|r| r.state.is_live()))
            .map(|o| o.milestone.id.as_str())
            .collect();
        for m in &snap.milestones {
            let was_live = was_live.contains(m.milestone.id.as_str());
            if let Some(r) = m.run.as_ref().filter(|r| was_live && r.state.is_over()) {
                let how = r
                    .detail
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                fx.push(Effect::Notify(format!(
                    "run of {} {}{how}",
                    m.milestone.id, r.state
                )));
            }
        }
        match fresh.len() {
            0 => {}
            1 => fx.push(Effect::Notify(format!("new blocker: {}", fresh[0]))),
            n => fx.push(Effect::Notify(format!(
                "{n} new blockers, first: {}",
                fresh[0]
            ))),
        }
    }
    // Acknowledged waits that are over (or waits again, anew) are forgotten.
    app.seen.retain(|(id, since)| {
        snap.milestones.iter().any(|m| {
            m.milestone.id == *id
                && m.agent
                    .as_ref()
                    .is_some_and(|a| a.state.waits() && a.since == *since)
        })
    });
    app.now = snap.now;
    if !same_blockers {
        // The pane's order only changes with the blockers.
        app.blocker_order = rows::blocker_order(&snap);
    }
    app.snap = Some(snap);
    let still_there = rows::selected_index(app).is_some();
    if !still_there {
        let vis = rows::visible(app);
        let first = app.snap.as_ref().and_then(|s| {
            let current = s
                .current
                .as_ref()
                .and_then(|c| s.milestones.iter().position(|m| &m.milestone.id == c));
            current
                .or(vis.first().copied())
                .map(|i| s.milestones[i].milestone.id.clone())
        });
        app.selected = None;
        select(app, first, fx);
    } else if let Some(id) = app.selected.clone().filter(|_| reload_log) {
        fx.push(Effect::LoadLog(id));
    }
    let n = rows::ordered_blockers(app).len();
    app.blocker_index = app.blocker_index.min(n.saturating_sub(1));
    keep_visible(app);
    if reload_log && let Some((id, _)) = &app.attached {
        fx.push(Effect::LoadAgentOutput(id.clone()));
    }
    seen_launched(app);
    let _ = fill_slots(app, fx);
}

/// The blockers of `new` that `old` did not have (a blocker belongs to its
/// milestone, so each view is compared with the same milestone's old view:
/// usually at the same index), and whether every view's blockers are the
/// same, at the same index.
fn blocker_news<'a>(old: &Snapshot, new: &'a Snapshot) -> (Vec<&'a crate::model::Blocker>, bool) {
    let mut same = old.milestones.len() == new.milestones.len();
    let mut by_id: Option<std::collections::HashMap<&str, usize>> = None;
    let mut fresh = Vec::new();
    for (i, v) in new.milestones.iter().enumerate() {
        let at = old
            .milestones
            .get(i)
            .filter(|o| o.milestone.id == v.milestone.id);
        let before = match at {
            Some(o) => Some(o),
            None => {
                same = false;
                let idx = by_id.get_or_insert_with(|| {
                    old.milestones
                        .iter()
                        .enumerate()
                        .map(|(j, o)| (o.milestone.id.as_str(), j))
                        .collect()
                });
                idx.get(v.milestone.id.as_str())
                    .map(|&j| &old.milestones[j])
            }
        };
        match before {
            Some(o) if std::sync::Arc::ptr_eq(o, v) || o.blockers == v.blockers => {}
            Some(o) => {
                same = false;
                fresh.extend(v.blockers.iter().filter(|b| {
                    !o.blockers
                        .iter()
                        .any(|x| x.kind == b.kind && x.detail == b.detail && x.id == b.id)
                }));
            }
            None => {
                same &= v.blockers.is_empty();
                fresh.extend(v.blockers.iter());
            }
        }
    }
    (fresh, same)
}
