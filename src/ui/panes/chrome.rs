//! The header and the footer (key hints, or the status line's message or
//! question, wrapped).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, WatchMode};
use crate::model::{RunState, Status};
use crate::ui::text::{fit, plural};
use crate::ui::theme::Theme;

/// One piece of the header and how much it matters: when the line is too
/// narrow, the least important pieces go first (the rest keep their order).
struct Piece {
    text: String,
    style: Style,
    rank: u8,
}

pub fn header(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let mut pieces = vec![Piece {
        text: " mdash ".into(),
        style: theme.bold().add_modifier(Modifier::REVERSED),
        rank: 9,
    }];
    let Some(snap) = &app.snap else {
        f.render_widget(
            Line::from(vec![
                Span::styled(" mdash ", theme.bold().add_modifier(Modifier::REVERSED)),
                Span::raw(" reading…"),
            ]),
            r,
        );
        return;
    };
    let name = snap
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut add = |text: String, style: Style, rank: u8| pieces.push(Piece { text, style, rank });
    add(format!(" {name} "), theme.bold(), 2);
    if let Some(total) = snap.partial {
        add(
            format!(" reading {}… ", plural(total, "file")),
            theme.dim(),
            8,
        );
    }
    let waiting = snap
        .milestones
        .iter()
        .filter(|m| app.waits_unseen(m))
        .count();
    if waiting > 0 {
        // First after the name, and the last to give way: the one count
        // that asks for you.
        add(
            format!(" {waiting} need you "),
            theme
                .waiting(crate::model::AgentState::WaitingInput)
                .1
                .add_modifier(Modifier::REVERSED),
            9,
        );
    }
    if let Some(cost) = super::subagents::total(snap) {
        add(format!(" {cost} "), theme.dim(), 4);
    }
    add(
        format!(" {} ", plural(snap.milestones.len(), "milestone")),
        Style::default(),
        1,
    );
    // What the files say, each milestone once: a paused run's milestone
    // counts as paused whatever its file says.
    let run_state = |m: &crate::model::MilestoneView| m.run.as_ref().map(|r| r.state);
    // A merged one is done whatever its file says.
    let shown = |m: &crate::model::MilestoneView| {
        if m.is_merged() {
            Status::Completed
        } else if run_state(m) == Some(RunState::Paused) {
            Status::Paused
        } else {
            m.status
        }
    };
    let count = |s: Status| snap.milestones.iter().filter(|m| shown(m) == s).count();
    for (s, label, rank) in [
        (Status::InProgress, "in progress", 4),
        (Status::Paused, "paused", 5),
        (Status::Blocked, "blocked", 5),
        (Status::Failed, "failed", 5),
        (Status::Completed, "done", 3),
    ] {
        let n = count(s);
        if n > 0 {
            add(
                format!(" {}{n} {label}", Theme::glyph(s)),
                theme.status(s),
                rank,
            );
        }
    }
    // What runs: live agents, counted once each.
    let running = snap
        .milestones
        .iter()
        .filter(|m| run_state(m) == Some(RunState::Running))
        .count();
    if running > 0 {
        add(
            format!("  ● {}", plural(running, "run")),
            theme.status(Status::InProgress),
            8,
        );
    }
    if app.autostart {
        add(" (filling)".into(), theme.dim(), 6);
    }
    let nb = snap.blockers().count();
    if nb > 0 {
        add(
            format!("  {}", plural(nb, "blocker")),
            theme.status(Status::Blocked),
            8,
        );
    }
    let files = app.file_problems();
    if files > 0 {
        add(
            format!("  ⚠ {}", plural(files, "file problem")),
            theme.status(Status::Unknown),
            7,
        );
    }
    if !app.config_problems.is_empty() {
        add(
            format!(
                "  ⚠ {}",
                plural(app.config_problems.len(), "config problem")
            ),
            theme.status(Status::Unknown),
            7,
        );
    }
    if let WatchMode::Polling(why) = &app.watch {
        add(
            format!("  [polling: {why}]"),
            theme.status(Status::Paused),
            6,
        );
    }
    let total = snap.milestones.len();
    let overall = if total == 0 {
        0.0
    } else {
        snap.milestones.iter().map(|m| m.progress).sum::<f64>() / total as f64
    };
    let right = format!(" overall {}% ", crate::util::round::fixed(overall, 0));
    // The overall figure always shows; the pieces give way by rank.
    let room = (r.width as usize).saturating_sub(right.width());
    let width = |p: &[Piece]| p.iter().map(|p| p.text.width()).sum::<usize>();
    while width(&pieces) > room {
        let Some((i, _)) = pieces
            .iter()
            .enumerate()
            .min_by_key(|(i, p)| (p.rank, usize::MAX - i))
        else {
            break;
        };
        if pieces.len() == 1 {
            break;
        }
        pieces.remove(i);
    }
    let mut used = 0;
    let mut kept = Vec::new();
    for p in pieces {
        let w = p.text.width();
        if used + w > room {
            kept.push(Span::styled(fit(&p.text, room - used), p.style));
            used = room;
            break;
        }
        used += w;
        kept.push(Span::styled(p.text, p.style));
    }
    kept.push(Span::raw(" ".repeat(room - used)));
    kept.push(Span::styled(right, theme.bold()));
    f.render_widget(Line::from(kept), r);
}

pub fn footer(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    if let Some((id, text)) = &app.replying {
        // The end of what is typed stays in view.
        let head = format!(" reply to {id}'s agent (Enter sends, Esc cancels): ");
        let room = (r.width as usize).saturating_sub(head.width() + 1);
        let tail: String = {
            let chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
            chars[chars.len().saturating_sub(room)..].iter().collect()
        };
        f.render_widget(
            Line::from(vec![
                Span::styled(head, theme.dim()),
                Span::styled(format!("{tail}_"), theme.bold()),
            ]),
            r,
        );
        return;
    }
    let lines = crate::app::layout::status_lines(app, r.width, r.height * 4);
    if !lines.is_empty() {
        let shown: Vec<Line> = lines
            .iter()
            .map(|l| Line::from(Span::styled(format!(" {l}"), theme.bold())))
            .collect();
        f.render_widget(Paragraph::new(shown), r);
        return;
    }
    if app.filtering {
        f.render_widget(
            Line::from(Span::styled(
                fit(" type to filter · Enter keep · Esc clear", r.width as usize),
                theme.dim(),
            )),
            r,
        );
        return;
    }
    let piece = |k: &str, h: &str| format!(" {k} {h} ").width();
    let always = crate::app::hints::always(app);
    let reserved: usize = always.iter().map(|(k, h)| piece(k, h)).sum();
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, hint) in crate::app::hints::hints(app) {
        let w = piece(&keys, hint);
        if used + w + reserved > r.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {keys}"), theme.bold()));
        spans.push(Span::styled(format!(" {hint} "), theme.dim()));
    }
    for (keys, hint) in always {
        spans.push(Span::styled(format!(" {keys}"), theme.bold()));
        spans.push(Span::styled(format!(" {hint} "), theme.dim()));
    }
    f.render_widget(Line::from(spans), r);
}

/// A question of several lines (what a trust approval covers) in a box
/// over the panes: its rows wrapped and escaped by `app::prompt`, from row
/// `from`; when it does not fit, the title says which rows are shown and
/// ↑/↓ scroll (`y` waits until every row has been on screen).
pub fn prompt(theme: &Theme, f: &mut Frame, g: &crate::app::prompt::Geometry, from: usize) {
    use ratatui::widgets::{Block, Borders};
    let lines: Vec<Line> = g
        .rows
        .iter()
        .skip(from)
        .take(g.visible)
        .map(|l| Line::from(Span::raw(l.clone())))
        .collect();
    let title = if g.rows.len() > g.visible {
        let to = (from + g.visible).min(g.rows.len());
        format!(" approve? rows {}–{to} of {} · ↑↓ ", from + 1, g.rows.len())
    } else {
        " approve? ".to_string()
    };
    f.render_widget(Clear, g.rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme.bold())),
        ),
        g.rect,
    );
}
