//! Moving around: focus, selection, filtering, scrolling.

use super::*;

pub(super) fn focus(app: &mut App, pane: Pane) {
    app.focus = pane;
    if pane != Pane::Milestones {
        app.side = pane;
    }
}

pub(super) fn toggle(app: &mut App, pane: Pane) {
    if app.focus == pane {
        app.focus = Pane::Milestones;
    } else {
        focus(app, pane);
    }
}

/// Moves within the focused pane.
pub(super) fn step(app: &mut App, by: isize, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Milestones => {
            let vis = rows::visible(app);
            if vis.is_empty() {
                return;
            }
            let cur = rows::selected_index(app)
                .and_then(|s| vis.iter().position(|&i| i == s))
                .unwrap_or(0);
            let next = (cur as isize)
                .saturating_add(by)
                .clamp(0, vis.len() as isize - 1) as usize;
            let id = app
                .snap
                .as_ref()
                .map(|s| s.milestones[vis[next]].milestone.id.clone());
            select(app, id, fx);
        }
        Pane::Blockers => {
            let n = rows::ordered_blockers(app).len();
            app.blocker_index = (app.blocker_index as isize)
                .saturating_add(by)
                .clamp(0, n.saturating_sub(1) as isize) as usize;
        }
        Pane::Detail => {
            app.detail_scroll = (app.detail_scroll as isize)
                .saturating_add(by)
                .clamp(0, u16::MAX as isize) as u16;
        }
        Pane::Log => {
            // Down moves toward the newest line; reaching it resumes following.
            let max = app.log.events.len() as isize;
            let s = (app.log.scroll as isize).saturating_sub(by).clamp(0, max);
            app.log.scroll = s as usize;
            app.log.follow = s == 0;
        }
    }
}

pub(super) fn select(app: &mut App, id: Option<String>, fx: &mut Vec<Effect>) {
    if id != app.selected {
        app.selected = id.clone();
        app.detail_scroll = 0;
        app.log = crate::app::LogView {
            follow: true,
            ..Default::default()
        };
        if let Some(id) = id {
            fx.push(Effect::LoadLog(id));
        }
    }
    keep_visible(app);
}

/// After the filter changed: keep the selection if it is still shown, else
/// select the first match.
pub(super) fn refilter(app: &mut App, fx: &mut Vec<Effect>) {
    let vis = rows::visible(app);
    let keep = rows::selected_index(app).is_some_and(|i| vis.contains(&i));
    if !keep && let Some(&first) = vis.first() {
        let id = app
            .snap
            .as_ref()
            .map(|s| s.milestones[first].milestone.id.clone());
        select(app, id, fx);
    }
    app.list_offset = 0;
    keep_visible(app);
}

/// Scrolls the list so the selected row (and its stage header) is shown.
pub(super) fn keep_visible(app: &mut App) {
    let h = page(app, Pane::Milestones);
    let rows = rows::rows(app);
    let Some(sel) = rows::selected_index(app) else {
        return;
    };
    let Some(pos) = rows.iter().position(|r| *r == Row::Milestone(sel)) else {
        return;
    };
    let top = if pos > 0 && matches!(rows[pos - 1], Row::Stage(_)) {
        pos - 1
    } else {
        pos
    };
    if top < app.list_offset {
        app.list_offset = top;
    } else if pos >= app.list_offset + h {
        app.list_offset = pos + 1 - h;
    }
    app.list_offset = app.list_offset.min(rows.len().saturating_sub(h));
}
