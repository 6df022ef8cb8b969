//! Where each pane goes, by terminal size: wide (≥120 columns) shows all four
//! panes, medium (60–119) the list and one switchable pane, narrow a single
//! column. Shared by rendering and by mouse hit-testing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Pane};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub list: Option<Rect>,
    pub detail: Option<Rect>,
    pub blockers: Option<Rect>,
    pub log: Option<Rect>,
    pub footer: Rect,
}

impl Areas {
    pub fn of(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Milestones => self.list,
            Pane::Detail => self.detail,
            Pane::Blockers => self.blockers,
            Pane::Log => self.log,
        }
    }

    pub fn at(&self, col: u16, row: u16) -> Option<Pane> {
        let p = ratatui::layout::Position::new(col, row);
        Pane::ORDER
            .into_iter()
            .find(|&pane| self.of(pane).is_some_and(|r| r.contains(p)))
    }

    pub fn visible(&self) -> Vec<Pane> {
        Pane::ORDER
            .into_iter()
            .filter(|&p| self.of(p).is_some())
            .collect()
    }
}

pub const WIDE: u16 = 120;
pub const MEDIUM: u16 = 60;

/// What the status line says instead of the key hints: a question
/// awaiting y/n, else a message.
pub fn status_text(app: &App) -> Option<String> {
    app.confirm
        .as_ref()
        // A question of several lines is shown whole in a box over the
        // panes (`ui::panes::prompt`); the status line asks its last line.
        .map(|(q, _)| {
            if crate::app::prompt::boxed(q) {
                crate::app::prompt::status(app, q)
            } else {
                q.lines().last().unwrap_or_default().to_string()
            }
        })
        .or_else(|| app.message.clone())
}

/// The status line's text as shown: escaped, wrapped to the width (a
/// prompt keeps its `(y/n)`), at most a quarter of the screen (and 4 lines).
pub fn status_lines(app: &App, width: u16, height: u16) -> Vec<String> {
    let Some(text) = status_text(app) else {
        return Vec::new();
    };
    let text = crate::util::text::escape(&text).replace("\\n", " ");
    let mut lines = crate::util::text::wrap(&text, (width as usize).saturating_sub(1).max(1));
    let max = (height as usize / 4).clamp(1, 4);
    if lines.len() > max {
        // The end (the question) matters most: keep it.
        lines.drain(..lines.len() - max);
    }
    lines
}

pub fn compute(area: Rect, app: &App) -> Areas {
    let footer_h = status_lines(app, area.width, area.height).len().max(1) as u16;
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    let mut a = Areas {
        header,
        footer,
        ..Areas::default()
    };
    if body.height == 0 {
        return a;
    }
    let side = if app.focus == Pane::Milestones {
        app.side
    } else {
        app.focus
    };
    let set = |a: &mut Areas, pane: Pane, r: Rect| match pane {
        Pane::Milestones => a.list = Some(r),
        Pane::Detail => a.detail = Some(r),
        Pane::Blockers => a.blockers = Some(r),
        Pane::Log => a.log = Some(r),
    };
    if area.width >= WIDE && body.height >= 16 {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body);
        let [l, d] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
        let [b, g] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(bottom);
        (a.list, a.detail, a.blockers, a.log) = (Some(l), Some(d), Some(b), Some(g));
    } else if area.width >= MEDIUM && body.height >= 8 {
        let dir = if area.width >= 90 {
            Direction::Horizontal
        } else {
            Direction::Vertical
        };
        // Stacked, an agent asking permission gets the room for its request
        // (issue 29 item 13: at 60x20 the diff fell below the fold).
        let asks = dir == Direction::Vertical
            && side == Pane::Detail
            && crate::app::rows::selected(app)
                .and_then(|m| m.agent.as_ref())
                .is_some_and(|g| g.state == crate::model::AgentState::WaitingPermission);
        let list = if asks { 30 } else { 55 };
        let [l, s] = Layout::default()
            .direction(dir)
            .constraints([
                Constraint::Percentage(list),
                Constraint::Percentage(100 - list),
            ])
            .areas(body);
        a.list = Some(l);
        set(&mut a, side, s);
    } else {
        set(&mut a, app.focus, body);
    }
    a
}
