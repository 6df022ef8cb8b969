//! The header, the footer, the help overlay and an attached run's output.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::block;
use crate::app::{App, WatchMode};
use crate::model::{RunState, Status};
use crate::ui::text::fit;
use crate::ui::theme::Theme;

pub fn header(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let mut spans = vec![Span::styled(
        " mdash ",
        theme.bold().add_modifier(Modifier::REVERSED),
    )];
    let Some(snap) = &app.snap else {
        spans.push(Span::raw(" reading…"));
        f.render_widget(Line::from(spans), r);
        return;
    };
    let name = snap
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    spans.push(Span::styled(format!(" {name} "), theme.bold()));
    let count = |s: Status| snap.milestones.iter().filter(|m| m.status == s).count();
    spans.push(Span::raw(format!(" {} milestones ", snap.milestones.len())));
    for (s, label) in [
        (Status::InProgress, "running"),
        (Status::Paused, "paused"),
        (Status::Blocked, "blocked"),
        (Status::Failed, "failed"),
        (Status::Completed, "done"),
    ] {
        let n = count(s);
        if n > 0 {
            spans.push(Span::styled(
                format!(" {}{n} {label}", Theme::glyph(s)),
                theme.status(s),
            ));
        }
    }
    let runs = |st: RunState| {
        snap.milestones
            .iter()
            .filter(|m| m.run.as_ref().is_some_and(|r| r.state == st))
            .count()
    };
    let (running, paused) = (runs(RunState::Running), runs(RunState::Paused));
    if running > 0 {
        let s = if running == 1 { "" } else { "s" };
        spans.push(Span::styled(
            format!("  ● {running} run{s}"),
            theme.status(Status::InProgress),
        ));
    }
    if paused > 0 {
        spans.push(Span::styled(
            format!(
                "  ‖ {paused} paused run{}",
                if paused == 1 { "" } else { "s" }
            ),
            theme.status(Status::Paused),
        ));
    }
    if app.autostart {
        spans.push(Span::styled(" (filling)", theme.dim()));
    }
    let nb = snap.blockers().count();
    if nb > 0 {
        spans.push(Span::styled(
            format!("  {nb} blockers"),
            theme.status(Status::Blocked),
        ));
    }
    if !snap.problems.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ {} file problems", snap.problems.len()),
            theme.status(Status::Unknown),
        ));
    }
    if let WatchMode::Polling(why) = &app.watch {
        spans.push(Span::styled(
            format!("  [polling: {why}]"),
            theme.status(Status::Paused),
        ));
    }
    let total = snap.milestones.len();
    let overall = if total == 0 {
        0.0
    } else {
        snap.milestones.iter().map(|m| m.progress).sum::<f64>() / total as f64
    };
    let right = format!(" overall {overall:.0}% ");
    // The overall figure always shows; the counts give way when narrow.
    let room = (r.width as usize).saturating_sub(right.width());
    let mut used = 0;
    let mut kept = Vec::new();
    for s in spans {
        let w = s.content.width();
        if used + w > room {
            kept.push(Span::styled(fit(&s.content, room - used), s.style));
            used = room;
            break;
        }
        used += w;
        kept.push(s);
    }
    kept.push(Span::raw(" ".repeat(room - used)));
    kept.push(Span::styled(right, theme.bold()));
    f.render_widget(Line::from(kept), r);
}
pub fn footer(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    if let Some(msg) = &app.message {
        f.render_widget(
            Line::from(Span::styled(
                fit(&format!(" {msg}"), r.width as usize),
                theme.bold(),
            )),
            r,
        );
        return;
    }
    if let Some((question, _)) = &app.confirm {
        f.render_widget(
            Line::from(Span::styled(
                fit(&format!(" {question}"), r.width as usize),
                theme.bold(),
            )),
            r,
        );
        return;
    }
    if app.filtering {
        f.render_widget(
            Line::from(Span::styled(
                " type to filter · Enter keep · Esc clear",
                theme.dim(),
            )),
            r,
        );
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, hint) in app.keymap.footer() {
        let piece = format!(" {keys} {hint} ");
        if used + piece.width() > r.width as usize {
            break;
        }
        used += piece.width();
        spans.push(Span::styled(format!(" {keys}"), theme.bold()));
        spans.push(Span::styled(format!(" {hint} "), theme.dim()));
    }
    f.render_widget(Line::from(spans), r);
}
pub fn help(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    use crate::app::keymap::Action;
    let w = 72.min(area.width);
    let text_w = (w as usize).saturating_sub(2 + 13);
    // One line per binding, so every key stays visible; j/k scroll when the
    // terminal is shorter than the list.
    let lines: Vec<Line> = Action::ALL
        .iter()
        .skip(app.help_scroll)
        .map(|&a| {
            Line::from(vec![
                Span::styled(format!(" {:<12}", app.keymap.keys_label(a)), theme.bold()),
                Span::raw(fit(a.description(), text_w)),
            ])
        })
        .collect();
    let h = (lines.len() as u16 + 2).min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(h),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, popup, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(w),
        Constraint::Fill(1),
    ])
    .areas(mid);
    f.render_widget(Clear, popup);
    let title = if Action::ALL.len() + 2 > area.height as usize {
        "Keys · j/k scroll · Esc closes"
    } else {
        "Keys · Esc closes"
    };
    f.render_widget(
        Paragraph::new(lines).block(block(title.into(), true, theme)),
        popup,
    );
}
/// The run output view (`a`): the agent's output, full screen.
pub fn attached(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some((id, lines)) = &app.attached else {
        return;
    };
    let b = block(format!("{id} output · Esc closes"), true, theme);
    let inner = b.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(b, area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let start = lines.len().saturating_sub(h);
    let shown: Vec<Line> = lines[start..]
        .iter()
        .map(|l| Line::from(fit(l, w)))
        .collect();
    f.render_widget(Paragraph::new(shown), inner);
}
