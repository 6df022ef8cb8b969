//! The selected milestone's agents in the coordination database (SPEC §12):
//! id, type, status, capabilities and age, then their newest messages.

use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{MilestoneView, RegMessage, reg_time};
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
        let caps = if a.capabilities.is_empty() {
            String::new()
        } else {
            format!(" [{}]", a.capabilities.join(", "))
        };
        let text = format!(
            "{} {} {}{caps}",
            or_dash(&a.agent_id),
            or_dash(&a.kind),
            or_dash(&a.status)
        );
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::raw(
                fit(&text, w.saturating_sub(4 + ago.len()))
                    .trim_end()
                    .to_string(),
            ),
            Span::styled(ago, theme.dim()),
        ]));
    }
    for msg in reg.messages_of(agents, MESSAGES) {
        out.push(message(msg, app, w, theme));
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
