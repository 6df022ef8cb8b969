//! The blockers and log panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::block;
use crate::app::rows;
use crate::app::{App, Pane};
use crate::model::Status;
use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::util::time::age;

pub fn blockers(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Blockers;
    let list = rows::ordered_blockers(app);
    let problems = app.snap.as_ref().map_or(&[][..], |s| &s.problems[..]);
    let mut b = block(format!("Blockers {}", list.len()), focused, theme);
    // Where the selection is, when the list does not fit: `3 of 12`.
    if list.len() > r.height.saturating_sub(2) as usize {
        let pos = app.blocker_index.min(list.len() - 1) + 1;
        b = b.title_bottom(Span::styled(
            format!(" {pos} of {} ", list.len()),
            theme.dim(),
        ));
    }
    let inner = b.inner(r);
    f.render_widget(b, r);
    let w = inner.width as usize;
    let h = inner.height as usize;
    let off = app.blocker_index.saturating_sub(h.saturating_sub(1));
    let mut lines: Vec<Line> = list
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, bl)| {
            let (g, style) = theme.blocker_of(bl);
            let when = bl.since.map(|t| age(t, app.now)).unwrap_or_default();
            // A failed run says what went wrong in its last line of output.
            let last = match app.snap.as_ref().and_then(|s| s.failed_output(&bl.id)) {
                Some(l) if bl.kind == crate::model::BlockerKind::RunFailed => format!(" — {l}"),
                _ => String::new(),
            };
            // `2a permission: Write a.txt`: the detail says what it is.
            let text = if bl.kind == crate::model::BlockerKind::AgentWaiting {
                format!("{} {}", bl.id, bl.detail)
            } else {
                format!(
                    "{} {} {}{last}",
                    bl.id,
                    bl.kind.name().replace('_', " "),
                    bl.detail
                )
            };
            let line = Line::from(vec![
                Span::styled(format!("{g} "), style),
                Span::raw(fit(&text, w.saturating_sub(2 + 5))),
                Span::styled(format!("{when:>5}"), theme.dim()),
            ]);
            if focused && i == app.blocker_index {
                line.style(theme.selected(true))
            } else {
                line
            }
        })
        .collect();
    for p in problems.iter().take(h.saturating_sub(lines.len())) {
        let at = p.line.map(|l| format!(":{l}")).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            fit(&format!("⚠ {}{at} {}", p.path, p.message), w),
            theme.status(Status::Unknown),
        )));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled("nothing in the way", theme.dim())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
pub fn log(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Log;
    let follow = if app.log.follow { " · following" } else { "" };
    let title = match &app.selected {
        Some(id) => format!("Log {id}{follow}"),
        None => "Log".to_string(),
    };
    let b = block(title, focused, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let ev = &app.log.events;
    let end = ev.len().saturating_sub(app.log.scroll);
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = ev[start..end]
        .iter()
        .map(|e| {
            let t = e
                .time
                .map(|t| t.format("%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "?".into());
            let d = crate::rules::blockers::event_detail(e);
            Line::from(vec![
                Span::styled(format!("{t} "), theme.dim()),
                Span::raw(fit(&d, w.saturating_sub(12))),
            ])
        })
        .collect();
    if lines.is_empty() {
        f.render_widget(
            Paragraph::new(Span::styled("no events", theme.dim())),
            inner,
        );
    } else {
        f.render_widget(Paragraph::new(lines), inner);
    }
}
