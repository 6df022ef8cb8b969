//! Clicks and the wheel, hit-tested against the pane layout.

use super::*;

pub(super) fn mouse(app: &mut App, m: crossterm::event::MouseEvent, fx: &mut Vec<Effect>) {
    let a = areas(app);
    let Some(pane) = a.at(m.column, m.row) else {
        return;
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let Some(r) = a.of(pane) else { return };
            let line = (m.row.saturating_sub(r.y + 1)) as usize;
            match pane {
                Pane::Milestones => {
                    let rows = rows::rows(app);
                    if let Some(Row::Milestone(i)) = rows.get(app.list_offset + line) {
                        let id = app
                            .snap
                            .as_ref()
                            .map(|s| s.milestones[*i].milestone.id.clone());
                        select(app, id, fx);
                    }
                }
                Pane::Blockers => {
                    let n = rows::ordered_blockers(app).len();
                    let off = app
                        .blocker_index
                        .saturating_sub(page(app, Pane::Blockers).saturating_sub(1));
                    if off + line < n {
                        app.blocker_index = off + line;
                    }
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let before = app.focus;
            app.focus = pane;
            step(
                app,
                if m.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                },
                fx,
            );
            app.focus = before;
            keep_visible(app);
        }
        _ => {}
    }
}
