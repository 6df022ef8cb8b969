//! The milestone list, grouped by stage.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::block;
use crate::app::rows::{self, Row};
use crate::app::{App, Pane};
use crate::model::{MilestoneView, RunState, Status};
use crate::ui::bar;
use crate::ui::text::fit;
use crate::ui::theme::Theme;

pub fn milestones(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Milestones;
    let mut title = "Milestones".to_string();
    if !app.filter.is_empty() || app.filtering {
        title = format!(
            "Milestones /{}{}",
            app.filter,
            if app.filtering { "▏" } else { "" }
        );
    }
    let b = block(title, focused, theme);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let Some(snap) = &app.snap else { return };
    let w = inner.width as usize;
    let sel = rows::selected_index(app);
    let rows = rows::rows(app);
    if rows.is_empty() {
        let msg = if snap.milestones.is_empty() {
            "no milestones yet: mdash new ID --title T"
        } else {
            "nothing matches the filter"
        };
        f.render_widget(Paragraph::new(Span::styled(msg, theme.dim())), inner);
        return;
    }
    let lines: Vec<Line> = rows
        .iter()
        .skip(app.list_offset)
        .take(inner.height as usize)
        .map(|row| match *row {
            Row::Stage(i) => {
                let label = match &snap.milestones[i].milestone.stage {
                    Some(s) => format!("Stage {s}"),
                    None => "No stage".to_string(),
                };
                Line::from(Span::styled(
                    fit(&label, w),
                    theme.dim().add_modifier(Modifier::BOLD),
                ))
            }
            Row::Milestone(i) => {
                let line = milestone_row(&snap.milestones[i], w, theme);
                if Some(i) == sel {
                    line.style(theme.selected(focused))
                } else {
                    line
                }
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
/// `▶ 2a Sensor ingest   ███▓░░░░  28% 3`.
fn milestone_row<'a>(m: &MilestoneView, w: usize, theme: &Theme) -> Line<'a> {
    let blockers = if m.blockers.is_empty() {
        String::new()
    } else {
        format!("{}", m.blockers.len())
    };
    let pct = format!("{:>3.0}%", m.progress);
    let id_w = m.milestone.id.width().min(14);
    // glyph, spaces, percentage and blocker column are fixed; the bar and
    // title share the rest.
    let run = match m.run.as_ref().map(|r| r.state) {
        Some(RunState::Running) => "● ",
        Some(RunState::Paused) => "‖ ",
        Some(RunState::Failed) => "✗ ",
        _ => "",
    };
    let git = format!(
        "{run}{}",
        m.worktree.as_ref().map(git_marker).unwrap_or_default()
    )
    .trim()
    .to_string();
    let fixed = 2 + id_w + 1 + 1 + pct.width() + 1 + 3;
    let mut rest = w.saturating_sub(fixed);
    // The git marker shows when there is room for it and a readable title.
    let git = if !git.is_empty() && rest >= git.width() + 1 + 24 {
        git
    } else {
        String::new()
    };
    rest = rest.saturating_sub(if git.is_empty() { 0 } else { git.width() + 1 });
    let bar_w = if rest >= 30 {
        16
    } else if rest >= 18 {
        10
    } else {
        0
    };
    let title_w = rest.saturating_sub(bar_w + usize::from(bar_w > 0));
    let mut spans = vec![
        Span::styled(
            format!("{} ", Theme::glyph(m.status)),
            theme.status(m.status),
        ),
        Span::styled(fit(&m.milestone.id, id_w), theme.bold()),
        Span::raw(" "),
        Span::raw(fit(&m.milestone.title, title_w)),
    ];
    if !git.is_empty() {
        let style = if m.worktree.as_ref().is_some_and(|w| w.conflicts > 0) {
            theme.status(Status::Blocked)
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {git}"), style));
    }
    if bar_w > 0 {
        spans.push(Span::raw(" "));
        spans.extend(bar::spans(&m.phases, m.progress, bar_w, theme));
    }
    spans.push(Span::raw(format!(" {pct} ")));
    spans.push(Span::styled(
        format!("{blockers:>3}"),
        theme.status(Status::Blocked),
    ));
    Line::from(spans)
}
/// `+2 -1 ✎3 ⚠1`: ahead, behind, dirty and conflicted counts, zeros left out.
pub fn git_marker(w: &crate::model::WorktreeState) -> String {
    if w.prunable {
        return "gone".into();
    }
    let mut parts = Vec::new();
    if let Some(a) = w.ahead.filter(|a| *a > 0) {
        parts.push(format!("+{a}"));
    }
    if let Some(b) = w.behind.filter(|b| *b > 0) {
        parts.push(format!("-{b}"));
    }
    if w.dirty > 0 {
        parts.push(format!("✎{}", w.dirty));
    }
    if w.conflicts > 0 {
        parts.push(format!("⚠{}", w.conflicts));
    }
    if parts.is_empty() {
        "✓".into()
    } else {
        parts.join(" ")
    }
}
