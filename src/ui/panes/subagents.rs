//! An agent's subagents and cost in the dashboard (SPEC §8.1, §8.3): the
//! detail pane's cost line and compact tree under the agent (glyph,
//! description or type, what it does, tokens), the list row's count of
//! working subagents (`⑂2`), and the header's workspace total.

use ratatui::text::{Line, Span};

use crate::model::{AgentView, Snapshot, Status, SubagentState};
use crate::ui::text::fit;
use crate::ui::theme::Theme;

/// `24113` millionths as `$0.024113`.
pub fn dollars(micros: u64) -> String {
    format!("${}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

/// Tokens in short: `1.2k`, `3.4M`.
fn short(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// How many of an agent's subagents work, for its row (`⑂2`).
pub fn working_mark(a: &AgentView) -> Option<String> {
    let n = a
        .subagents
        .iter()
        .filter(|s| s.state == SubagentState::Working)
        .count();
    (n > 0).then(|| format!("⑂{n}"))
}

/// The workspace's cost for the header: the sum of every agent's, `≥` in
/// front when an agent's cost is unknown (a model without a price).
pub fn total(snap: &Snapshot) -> Option<String> {
    let agents: Vec<&AgentView> = snap
        .milestones
        .iter()
        .filter_map(|m| m.agent.as_deref())
        .filter(|a| a.tokens.total() > 0)
        .collect();
    if agents.is_empty() {
        return None;
    }
    let sum: u64 = agents.iter().filter_map(|a| a.cost_micros).sum();
    let some_unknown = agents.iter().any(|a| a.cost_micros.is_none());
    let at_least = if some_unknown { "≥" } else { "" };
    Some(format!("{at_least}{}", dollars(sum)))
}

/// The cost line and the subagents' tree, under the agent's own lines.
pub fn lines<'a>(a: &AgentView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let cost = match a.cost_micros {
        Some(c) => dollars(c),
        None => "unknown (a model without a price; see prices: in mdash.yaml)".into(),
    };
    out.push(Line::from(Span::raw(fit(&format!("  cost {cost}"), w))));
    let n = a.subagents.len();
    let name_of = |s: &crate::model::Subagent| s.description.clone().unwrap_or(s.kind.clone());
    // One column for the names: the longest, up to half the room.
    let widest = a
        .subagents
        .iter()
        .map(|s| name_of(s).chars().count())
        .max()
        .unwrap_or(0);
    for (i, s) in a.subagents.iter().enumerate() {
        let branch = if i + 1 == n { "└" } else { "├" };
        let (glyph, style) = match s.state {
            SubagentState::Working => ("▶", theme.status(Status::InProgress)),
            SubagentState::Ended => ("✓", theme.dim()),
        };
        let name = name_of(s);
        let doing = s.detail.as_deref().unwrap_or(match s.state {
            SubagentState::Working => "working",
            SubagentState::Ended => "ended",
        });
        let tokens = format!(" {} tok", short(s.tokens.total()));
        let head = format!("  {branch} {glyph} ");
        let room = w.saturating_sub(head.chars().count() + tokens.len());
        let name_w = widest.min(room / 2).max(1);
        let text = format!(
            "{}  {}",
            fit(&name, name_w),
            fit(doing, room.saturating_sub(name_w + 2))
        );
        out.push(Line::from(vec![
            Span::styled(head, style),
            Span::raw(fit(&text, room)),
            Span::styled(tokens, theme.dim()),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_and_short_counts() {
        assert_eq!(dollars(24113), "$0.024113");
        assert_eq!(dollars(12_000_001), "$12.000001");
        assert_eq!(short(999), "999");
        assert_eq!(short(1234), "1.2k");
        assert_eq!(short(3_400_000), "3.4M");
    }
}
