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
    let rows = rows::rows(app);
    let vis: Vec<usize> = rows
        .iter()
        .filter_map(|r| match r {
            Row::Milestone(i) => Some(*i),
            Row::Stage(_) | Row::Group(_) => None,
        })
        .collect();
    let mut title = "Milestones".to_string();
    if !app.filter.is_empty() || app.filtering {
        let n = vis.len();
        title = format!(
            "Milestones /{}{} · {}",
            app.filter,
            if app.filtering { "▏" } else { "" },
            if n == 1 {
                "1 match".to_string()
            } else {
                format!("{n} matches")
            }
        );
    }
    let mut b = block(title, focused, theme);
    let inner_h = r.height.saturating_sub(2) as usize;
    // Where the list is, when it does not fit: `3 of 12` on the border.
    if rows.len() > inner_h && !vis.is_empty() {
        // The rows are in list order, so the position is a search away.
        let pos = rows::selected_index(app)
            .and_then(|s| vis.iter().position(|&i| i == s))
            .map_or(0, |p| p + 1);
        b = b.title_bottom(Span::styled(
            format!(" {pos} of {} ", vis.len()),
            theme.dim(),
        ));
    }
    let inner = b.inner(r);
    f.render_widget(b, r);
    let Some(snap) = &app.snap else { return };
    let w = inner.width as usize;
    let sel = rows::selected_index(app);
    // One id column for every row, so that titles and bars line up.
    let id_w = vis
        .iter()
        .map(|&i| snap.milestones[i].milestone.id.width())
        .max()
        .unwrap_or(0)
        .min(14);
    if rows.is_empty() {
        let msg = if snap.milestones.is_empty() {
            "no milestones yet: mdash new ID --title T"
        } else if app.needs_you {
            "no agent needs you now (! shows everything)"
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
            Row::Group(g) => super::fleet::heading(app, g, w, theme),
            Row::Stage(i) => {
                let label = super::stage::heading(snap, i);
                Line::from(Span::styled(
                    fit(&label, w),
                    theme.dim().add_modifier(Modifier::BOLD),
                ))
            }
            Row::Milestone(i) => {
                let line = super::fleet::dim(
                    app,
                    i,
                    milestone_row(app, &snap.milestones[i], w, id_w, theme),
                    theme,
                );
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
fn milestone_row<'a>(
    app: &App,
    m: &MilestoneView,
    w: usize,
    id_w: usize,
    theme: &Theme,
) -> Line<'a> {
    let blockers = if m.blockers.is_empty() {
        String::new()
    } else {
        format!("{}", m.blockers.len())
    };
    let pct = format!("{:>3}%", crate::util::round::twice(m.progress, 1, 0));
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
        m.worktree.as_deref().map(git_marker).unwrap_or_default()
    )
    .trim()
    .to_string();
    let fixed = 2 + id_w + 1 + 1 + pct.width() + 1 + 3;
    let rest = w.saturating_sub(fixed);
    // The bar's width depends on the pane only, so bars line up; the git
    // marker shows when there is room for it and a readable title.
    let bar_w = if rest >= 30 {
        16
    } else if rest >= 18 {
        10
    } else {
        0
    };
    let mut title_w = rest.saturating_sub(bar_w + usize::from(bar_w > 0));
    let git = if !git.is_empty() && title_w >= git.width() + 1 + 12 {
        title_w -= git.width() + 1;
        git
    } else {
        String::new()
    };
    // Marks (ready, stalled, checks, ETA) only in room the whole title
    // leaves over: they never cut it.
    let mut shown_marks = Vec::new();
    let mut spare = title_w.saturating_sub(m.milestone.title.width());
    for (text, kind) in super::stage::marks(app, m) {
        if spare > text.width() {
            spare -= text.width() + 1;
            shown_marks.push((text, kind));
        }
    }
    let marks_w: usize = shown_marks.iter().map(|(t, _)| t.width() + 1).sum();
    title_w = title_w.saturating_sub(marks_w);
    // An agent waiting for the human outranks the status glyph: that is
    // the row to look for.
    let (glyph, glyph_style) = match m.agent.as_ref().filter(|a| a.state.waits()) {
        // Seen (you went to it with `a`): still waiting, but no longer news.
        Some(a) if !app.waits_unseen(m) => (theme.waiting(a.state).0, theme.dim()),
        Some(a) => theme.waiting(a.state),
        None if m.is_merged() => (Theme::MERGED, theme.status(Status::Completed)),
        None => (Theme::glyph(m.status), theme.status(m.status)),
    };
    let mut spans = vec![
        Span::styled(format!("{glyph} "), glyph_style),
        Span::styled(fit(&m.milestone.id, id_w), theme.bold()),
        Span::raw(" "),
        Span::raw(fit(&m.milestone.title, title_w)),
    ];
    for (text, kind) in shown_marks {
        use super::stage::Mark;
        let style = match kind {
            Mark::Good => theme.status(Status::Completed),
            Mark::Warn => theme.status(Status::Paused),
            Mark::Busy => theme.status(Status::InProgress),
            Mark::Dim => theme.dim(),
        };
        spans.push(Span::styled(format!(" {text}"), style));
    }
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
/// `+2 -1 ✎3 ≠1`: ahead, behind, dirty and conflicted counts, zeros left
/// out; `=` when the worktree is in step (`✓` means completed, `⚠` a file
/// problem: one meaning per glyph).
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
        parts.push(format!("≠{}", w.conflicts));
    }
    if parts.is_empty() {
        "=".into()
    } else {
        parts.join(" ")
    }
}
