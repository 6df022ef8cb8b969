//! The selected milestone's agents in the coordination database (SPEC §12):
//! id, type, status, capabilities and age, then their newest messages.

use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{MilestoneView, RegAgent, RegMessage, reg_time};
use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::util::time::age;

/// Messages shown under the agents, newest first.
const MESSAGES: usize = 3;

fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

pub fn lines<'a>(app: &App, m: &MilestoneView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let Some(reg) = app.snap.as_ref().map(|s| &s.registry) else {
        return Vec::new();
    };
    let agents = reg.agents_of(&m.milestone.id);
    if agents.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::from(Span::styled(
        format!("Registry {} ", crate::ui::text::escape(&reg.path)),
        theme.dim(),
    ))];
    for a in agents {
        let ago = a
            .updated()
            .map(|t| format!(" {} ago", age(t, app.now)))
            .unwrap_or_default();
        out.extend(agent_lines(a, &ago, w, theme));
    }
    for msg in reg.messages_of(agents, MESSAGES) {
        out.push(message(msg, app, w, theme));
    }
    out
}

/// An agent's row: its id (at most two fifths of the row), type, status
/// and age, so a long id never hides the others; its capabilities after
/// them, or on a line of their own when they do not fit.
fn agent_lines<'a>(a: &RegAgent, ago: &str, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    use unicode_width::UnicodeWidthStr;
    let room = w.saturating_sub(4 + ago.len());
    let id = crate::ui::text::escape(or_dash(&a.agent_id)).into_owned();
    let id = fit(&id, id.width().min((room * 2 / 5).max(8)));
    let head = format!(
        "{} {} {}",
        id.trim_end(),
        fit(or_dash(&a.kind), 14).trim_end(),
        or_dash(&a.status)
    );
    let caps = (!a.capabilities.is_empty()).then(|| format!("[{}]", a.capabilities.join(", ")));
    let caps_w = caps.as_deref().map(|c| crate::ui::text::escape(c).width());
    let together = caps_w.is_some_and(|c| fit(&head, room).trim_end().width() + 1 + c <= room);
    let first = match &caps {
        Some(c) if together => format!("{head} {c}"),
        _ => head,
    };
    let mut out = vec![Line::from(vec![
        Span::raw("  "),
        Span::raw(fit(&first, room).trim_end().to_string()),
        Span::styled(ago.to_string(), theme.dim()),
    ])];
    if let Some(c) = caps.filter(|_| !together) {
        out.push(Line::from(Span::styled(
            format!("    {}", fit(&c, w.saturating_sub(6)).trim_end()),
            theme.dim(),
        )));
    }
    out
}

fn message<'a>(msg: &RegMessage, app: &App, w: usize, theme: &Theme) -> Line<'a> {
    let ago = reg_time(msg.at.as_deref())
        .map(|t| format!(" {} ago", age(t, app.now)))
        .unwrap_or_default();
    let text = format!(
        "{} → {} {}: {}",
        or_dash(&msg.from),
        or_dash(&msg.to),
        or_dash(&msg.kind),
        msg.payload
            .as_deref()
            .unwrap_or("")
            .replace(['\n', '\r'], " ")
    );
    Line::from(vec![
        Span::styled("  ✉ ", theme.dim()),
        Span::raw(
            fit(&text, w.saturating_sub(6 + ago.len()))
                .trim_end()
                .to_string(),
        ),
        Span::styled(ago, theme.dim()),
    ])
}
