//! The selected milestone in detail.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::block;
use crate::app::rows;
use crate::app::{App, Pane};
use crate::model::{MilestoneView, RunState, Status};
use crate::ui::bar;
use crate::ui::text::{escape, fit};
use crate::ui::theme::Theme;
use crate::util::round;
use crate::util::time::age;

pub fn detail(app: &App, theme: &Theme, f: &mut Frame, r: Rect) {
    let focused = app.focus == Pane::Detail;
    let Some(m) = rows::selected_shown(app) else {
        let b = block("Detail".into(), focused, theme);
        let inner = b.inner(r);
        f.render_widget(b, r);
        if !app.filter.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled("nothing matches the filter", theme.dim())),
                inner,
            );
        }
        return;
    };
    let b = block(
        format!("{} {}", m.milestone.id, m.milestone.title),
        focused,
        theme,
    );
    let inner = b.inner(r);
    f.render_widget(b, r);
    let w = inner.width as usize;
    let lines = crate::ui::wrap::indented(detail_lines(app, m, w, theme), w);
    let para = Paragraph::new(lines).wrap(Wrap { trim: false });
    // Never past the end: the last screenful at most. The furthest offset
    // goes back to the app, whose keys clamp to it.
    let max = (para.line_count(inner.width) as u16).saturating_sub(inner.height);
    app.detail_max.set(max);
    f.render_widget(para.scroll((app.detail_scroll.min(max), 0)), inner);
}
fn detail_lines<'a>(app: &App, m: &MilestoneView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let ms = &m.milestone;
    let mut out = Vec::new();
    // An agent that waits comes first: its request and keys above the fold.
    let waits = m.agent.as_ref().filter(|a| a.state.waits());
    if let Some(a) = waits {
        out.extend(super::agent::lines(app, a, w, theme));
    }
    let mut head = vec![super::readiness::status_span(m, theme)];
    if m.is_merged() {
        head.push(Span::styled(
            format!(" (the file says {})", m.status.name()),
            theme.dim(),
        ));
    } else if let Some(raw) = &ms.raw_status
        && raw.to_lowercase() != m.status.name()
    {
        head.push(Span::styled(format!(" ({raw})"), theme.dim()));
    }
    if let Some(s) = &ms.stage {
        head.push(Span::raw(format!(" · stage {s}")));
    }
    out.push(Line::from(head));
    let mut prog = vec![Span::styled(
        format!("progress {}%", round::fixed(m.progress, 1)),
        theme.bold(),
    )];
    if let Some(d) = ms.declared_progress {
        prog.push(Span::raw(format!("  declared {}%", round::twice(d, 1, 0))));
        if m.declared_is_stale() {
            prog.push(Span::styled("  stale", theme.status(Status::Paused)));
        }
    }
    out.push(Line::from(prog));
    out.extend(super::timeline::lines(app, m, w, theme));
    if let Some(a) = m.agent.as_ref().filter(|_| waits.is_none()) {
        out.extend(super::agent::lines(app, a, w, theme));
    }
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
            spans.push(Span::raw(format!(
                " {:>3}% ",
                round::twice(p.fraction, 3, 2)
            )));
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
                    .and_then(crate::util::time::parse)
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
    out.extend(super::plan::lines(m, w, theme));
    out.extend(super::registry::lines(app, m, w, theme));
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
                format!("{}{r} ", if met { "✓" } else { "○" }),
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
    let said = app.snap.as_ref().and_then(|s| s.failed_output(&ms.id));
    for b in &m.blockers {
        let (g, style) = theme.blocker_of(b);
        let last = match (b.kind, said) {
            (crate::model::BlockerKind::RunFailed, Some(l)) => format!(" — {l}"),
            _ => String::new(),
        };
        out.push(Line::from(Span::styled(
            escape(&format!(
                "{g} {}: {}{last}",
                b.kind.name().replace('_', " "),
                b.detail
            ))
            .into_owned(),
            style,
        )));
    }
    if let Some(r) = &m.run {
        let since = crate::util::time::parse(&r.started_at)
            .map(|t| format!(" · started {} ago", age(t, app.now)))
            .unwrap_or_default();
        let pid = r.pid.map(|p| format!(" · pid {p}")).unwrap_or_default();
        let detail = r
            .detail
            .as_ref()
            .map(|d| format!(" · {d}"))
            .unwrap_or_default();
        let st = match r.state {
            RunState::Running => Status::InProgress,
            RunState::Paused => Status::Paused,
            RunState::Failed => Status::Failed,
            _ => Status::Completed,
        };
        // One word for a stopped run everywhere: "stopped".
        let (word, detail) = if r.detail.as_deref() == Some("stopped") {
            ("stopped".to_string(), String::new())
        } else {
            (r.state.to_string(), detail)
        };
        out.push(Line::from(vec![
            Span::styled("Run ", theme.dim()),
            Span::styled(word, theme.status(st)),
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
    out.extend(super::readiness::lines(app, m, theme));
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
    // Every piece of file text on these lines, escaped (the same function
    // as the command line's output).
    for line in &mut out {
        for span in &mut line.spans {
            if span.content.chars().any(crate::ui::text::unsafe_char) {
                span.content = escape(&span.content).into_owned().into();
            }
        }
    }
    out
}
