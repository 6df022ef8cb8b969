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

/// At most this many subagents in the tree: every working one, then the
/// newest ended ones.
const TREE_MAX: usize = 6;

/// The subagents the tree shows, oldest first.
fn shown(all: &[crate::model::Subagent]) -> Vec<&crate::model::Subagent> {
    let working = all
        .iter()
        .filter(|s| s.state == SubagentState::Working)
        .count();
    let mut ended_room = TREE_MAX.saturating_sub(working);
    let mut keep = vec![false; all.len()];
    for (i, s) in all.iter().enumerate().rev() {
        if s.state == SubagentState::Working {
            keep[i] = true;
        } else if ended_room > 0 {
            keep[i] = true;
            ended_room -= 1;
        }
    }
    all.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(s, _)| s)
        .collect()
}

/// The cost line and the subagents' tree, under the agent's own lines.
pub fn lines<'a>(a: &AgentView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let cost = match a.cost_micros {
        Some(c) => dollars(c),
        None => "unknown (a model without a price; see prices: in mdash.yaml)".into(),
    };
    out.push(Line::from(Span::raw(fit(&format!("  cost {cost}"), w))));
    let shown = shown(&a.subagents);
    if shown.len() < a.subagents.len() {
        let hidden = a.subagents.len() - shown.len();
        out.push(Line::from(Span::styled(
            fit(&format!("  … {hidden} earlier subagents ended"), w),
            theme.dim(),
        )));
    }
    let n = shown.len();
    for (i, s) in shown.into_iter().enumerate() {
        let last = i + 1 == n;
        let (glyph, style) = match s.state {
            SubagentState::Working => ("▶", theme.status(Status::InProgress)),
            SubagentState::Ended => ("✓", theme.dim()),
        };
        // Its description and type, then what it does on a line of its own.
        let name = s.description.as_deref().unwrap_or(&s.kind);
        let kind = if s.description.is_some() && !s.kind.is_empty() {
            format!(" · {}", s.kind)
        } else {
            String::new()
        };
        let doing = s.detail.as_deref().unwrap_or(match s.state {
            SubagentState::Working => "working",
            SubagentState::Ended => "ended",
        });
        let tokens = format!(" {} tok", short(s.tokens.total()));
        let head = format!("  {} {glyph} ", if last { "└" } else { "├" });
        let room = w.saturating_sub(head.chars().count() + tokens.len());
        let name_w = name.chars().count().min(room);
        out.push(Line::from(vec![
            Span::styled(head, style),
            Span::raw(fit(name, name_w)),
            Span::styled(fit(&kind, room - name_w), theme.dim()),
            Span::styled(tokens, theme.dim()),
        ]));
        let stem = if last { "     " } else { "  │  " };
        out.push(Line::from(vec![
            Span::styled(stem, theme.dim()),
            Span::raw(fit(doing, w.saturating_sub(stem.chars().count()))),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_keeps_every_working_subagent_and_the_newest_ended() {
        let sub = |id: &str, state| crate::model::Subagent {
            id: id.into(),
            kind: "general-purpose".into(),
            description: None,
            state,
            detail: None,
            tokens: Default::default(),
            started: String::new(),
        };
        let (w, e) = (SubagentState::Working, SubagentState::Ended);
        let all: Vec<_> = (0..9)
            .map(|i| sub(&format!("s{i}"), if i == 1 { w } else { e }))
            .collect();
        let ids: Vec<&str> = shown(&all).iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s4", "s5", "s6", "s7", "s8"]);
    }

    #[test]
    fn dollars_and_short_counts() {
        assert_eq!(dollars(24113), "$0.024113");
        assert_eq!(dollars(12_000_001), "$12.000001");
        assert_eq!(short(999), "999");
        assert_eq!(short(1234), "1.2k");
        assert_eq!(short(3_400_000), "3.4M");
    }
}
