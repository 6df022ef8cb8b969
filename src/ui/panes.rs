//! The panes: header, milestone list, detail, blockers, log, footer, help.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::rows::{self, Row};
use crate::app::{App, Pane, WatchMode};
use crate::cmd::status::fit;
use crate::model::{MilestoneView, Status};
use crate::time::age;
use crate::ui::bar;
use crate::ui::theme::Theme;

fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.bold()))
}

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
    let runs = |st: &str| {
        snap.milestones
            .iter()
            .filter(|m| m.run.as_ref().is_some_and(|r| r.state == st))
            .count()
    };
    let (running, paused) = (runs("running"), runs("paused"));
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
        Some("running") => "● ",
        Some("paused") => "‖ ",
        Some("failed") => "✗ ",
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

pub fn detail(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Detail;
    let Some(m) = rows::selected(app) else {
        f.render_widget(block("Detail".into(), focused, theme), r);
        return;
    };
    let b = block(
        format!("{} {}", m.milestone.id, m.milestone.title),
        focused,
        theme,
    );
    let inner = b.inner(r);
    f.render_widget(b, r);
    let lines = detail_lines(app, m, inner.width as usize, theme);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((app.detail_scroll, 0))
            .wrap(Wrap { trim: false }),
        inner,
    );
}

fn detail_lines<'a>(app: &App, m: &MilestoneView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let ms = &m.milestone;
    let mut out = Vec::new();
    let mut head = vec![Span::styled(
        format!("{} {}", Theme::glyph(m.status), m.status.name()),
        theme.status(m.status),
    )];
    if let Some(raw) = &ms.raw_status
        && raw.to_lowercase() != m.status.name()
    {
        head.push(Span::styled(format!(" ({raw})"), theme.dim()));
    }
    if let Some(s) = &ms.stage {
        head.push(Span::raw(format!(" · stage {s}")));
    }
    out.push(Line::from(head));
    let mut prog = vec![Span::styled(
        format!("progress {:.1}%", m.progress),
        theme.bold(),
    )];
    if let Some(d) = ms.declared_progress {
        prog.push(Span::raw(format!("  declared {d:.0}%")));
        if m.declared_is_stale() {
            prog.push(Span::styled("  stale", theme.status(Status::Paused)));
        }
    }
    out.push(Line::from(prog));
    if !m.phases.is_empty() {
        out.push(Line::from(Span::styled("Phases", theme.dim())));
        let bw = w.saturating_sub(8 + 6 + 18).clamp(0, 12);
        for p in &m.phases {
            let mut spans = vec![Span::raw(format!("  {:<8}", p.phase.name()))];
            spans.extend(bar::spans(
                std::slice::from_ref(p),
                p.fraction * 100.0,
                bw,
                theme,
            ));
            spans.push(Span::raw(format!(" {:>3.0}% ", p.fraction * 100.0)));
            spans.push(Span::styled(p.status.clone(), theme.phase(&p.status)));
            out.push(Line::from(spans));
        }
    }
    let t = &m.tasks;
    if t.total > 0 {
        out.push(Line::from(Span::styled(
            format!(
                "Tasks {}/{} done, {} running, {} failed",
                t.completed, t.total, t.in_progress, t.failed
            ),
            theme.dim(),
        )));
        for task in &ms.tasks {
            let st = crate::rules::status::of_task(task);
            let elapsed = match st {
                Status::InProgress => task
                    .started_at
                    .as_deref()
                    .and_then(crate::time::parse)
                    .map(|s| age(s, app.now)),
                _ => None,
            };
            let title = task.title.clone().unwrap_or_default();
            out.push(Line::from(vec![
                Span::styled(format!("  {} ", Theme::glyph(st)), theme.status(st)),
                Span::raw(fit(&format!("{} {title}", task.id), w.saturating_sub(10))),
                Span::styled(
                    elapsed.map(|e| format!(" {e}")).unwrap_or_default(),
                    theme.dim(),
                ),
            ]));
        }
        if let Some(b) = &ms.bundle {
            for task in &b.tasks {
                let st = task
                    .status
                    .as_deref()
                    .map_or(Status::Planned, crate::rules::status::normalize);
                let reason = task
                    .failure_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                out.push(Line::from(vec![
                    Span::styled(format!("  {} ", Theme::glyph(st)), theme.status(st)),
                    Span::raw(fit(&format!("{}{reason}", task.id), w.saturating_sub(4))),
                ]));
            }
            if let Some(fail) = &b.failure {
                out.push(Line::from(Span::styled(
                    format!("  {fail}"),
                    theme.status(Status::Failed),
                )));
            }
        }
    }
    if !ms.requires.is_empty() {
        let done: Vec<&str> = app
            .snap
            .iter()
            .flat_map(|s| s.milestones.iter())
            .filter(|o| o.status == Status::Completed)
            .map(|o| o.milestone.id.as_str())
            .collect();
        let mut spans = vec![Span::styled("Requires ", theme.dim())];
        for r in &ms.requires {
            let met = done.contains(&r.as_str());
            let st = if met {
                Status::Completed
            } else {
                Status::Blocked
            };
            spans.push(Span::styled(
                format!("{}{r} ", if met { "✓" } else { "✗" }),
                theme.status(st),
            ));
        }
        out.push(Line::from(spans));
    }
    if !ms.enables.is_empty() {
        out.push(Line::from(vec![
            Span::styled("Enables ", theme.dim()),
            Span::raw(ms.enables.join(" ")),
        ]));
    }
    for b in &m.blockers {
        let (g, style) = theme.blocker(b.kind);
        out.push(Line::from(Span::styled(
            format!("{g} {}: {}", b.kind.name().replace('_', " "), b.detail),
            style,
        )));
    }
    if let Some(r) = &m.run {
        let since = crate::time::parse(&r.started_at)
            .map(|t| format!(" · started {} ago", age(t, app.now)))
            .unwrap_or_default();
        let pid = r.pid.map(|p| format!(" · pid {p}")).unwrap_or_default();
        let detail = r
            .detail
            .as_ref()
            .map(|d| format!(" · {d}"))
            .unwrap_or_default();
        let st = match r.state {
            "running" => Status::InProgress,
            "paused" => Status::Paused,
            "failed" => Status::Failed,
            _ => Status::Completed,
        };
        out.push(Line::from(vec![
            Span::styled("Run ", theme.dim()),
            Span::styled(r.state.to_string(), theme.status(st)),
            Span::raw(format!("{pid}{since}{detail}")),
        ]));
    }
    if let Some(wt) = &m.worktree {
        out.push(Line::from(vec![
            Span::styled("Worktree ", theme.dim()),
            Span::raw(wt.path.clone()),
        ]));
        let mut spans = vec![Span::raw("  ")];
        let branch = wt.branch.clone().unwrap_or_else(|| "detached".into());
        spans.push(Span::styled(branch, theme.bold()));
        if let Some(h) = &wt.head {
            spans.push(Span::raw(format!(" @{h}")));
        }
        if let Some(s) = &wt.subject {
            spans.push(Span::styled(format!(" {s}"), theme.dim()));
        }
        out.push(Line::from(spans));
        let mut facts: Vec<String> = Vec::new();
        match (wt.ahead, wt.behind, &wt.base) {
            (Some(a), Some(b), Some(base)) => facts.push(format!("+{a} -{b} vs {base}")),
            _ => facts.push("no base branch".into()),
        }
        facts.push(format!("{} dirty", wt.dirty));
        if wt.conflicts > 0 {
            facts.push(format!("{} conflicted", wt.conflicts));
        }
        if let Some(op) = wt.operation {
            facts.push(format!("{} in progress", op.replace('_', "-")));
        }
        if wt.merged == Some(true) && wt.ahead == Some(0) && wt.behind.is_some_and(|b| b > 0) {
            facts.push("merged".into());
        }
        if wt.locked {
            facts.push("locked".into());
        }
        if wt.prunable {
            facts = vec!["directory gone (prunable)".into()];
        }
        out.push(Line::from(Span::raw(format!("  {}", facts.join(" · ")))));
    }
    if let Some(e) = &m.last_event {
        let when = e
            .time
            .map(|t| format!(" {} ago", age(t, app.now)))
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled("Last event ", theme.dim()),
            Span::raw(format!("{}{when}", e.name)),
        ]));
    }
    for s in &m.sessions {
        let st = s.status.clone().unwrap_or_else(|| "?".into());
        out.push(Line::from(vec![
            Span::styled("Session ", theme.dim()),
            Span::raw(format!("{} {st}", s.id)),
        ]));
    }
    out.push(Line::from(vec![
        Span::styled("Source ", theme.dim()),
        Span::raw(ms.source.clone()),
    ]));
    if let Some(d) = &ms.description {
        out.push(Line::from(Span::styled(d.clone(), theme.dim())));
    }
    out
}

pub fn blockers(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Blockers;
    let list = rows::ordered_blockers(app);
    let problems = app.snap.as_ref().map_or(&[][..], |s| &s.problems[..]);
    let b = block(format!("Blockers {}", list.len()), focused, theme);
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
            let (g, style) = theme.blocker(bl.kind);
            let when = bl.since.map(|t| age(t, app.now)).unwrap_or_default();
            let text = format!(
                "{} {} {}",
                bl.id,
                bl.kind.name().replace('_', " "),
                bl.detail
            );
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

/// `+2 -1 ✎3 ⚠1`: ahead, behind, dirty and conflicted counts, zeros left out.
pub fn git_marker(w: &crate::git::State) -> String {
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
