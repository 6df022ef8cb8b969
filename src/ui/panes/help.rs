//! The help overlay (keys, then the legend of glyphs) and an attached
//! run's output.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::block;
use crate::app::App;
use crate::app::hints::LEGEND;
use crate::ui::text::fit;
use crate::ui::theme::Theme;

pub fn help(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    use crate::app::keymap::Action;
    use unicode_width::UnicodeWidthStr;
    // As wide as the longest row needs (the screen permitting), and a row
    // that still does not fit goes on, indented, on the next line: never cut.
    let rows: Vec<(String, &str)> = Action::ALL
        .iter()
        .map(|&a| (app.keymap.keys_label(a), a.description()))
        .collect();
    let widest = rows
        .iter()
        .map(|(_, d)| d.width())
        .chain(LEGEND.iter().map(|(_, m)| m.width()))
        .max()
        .unwrap_or(0);
    let w = ((widest + 2 + 13) as u16).min(area.width);
    let text_w = (w as usize).saturating_sub(2 + 13).max(8);
    let mut all: Vec<Line> = Vec::new();
    let push = |all: &mut Vec<Line>, key: String, text: &str| {
        for (i, part) in crate::util::text::wrap(text, text_w)
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 { key.clone() } else { String::new() };
            all.push(Line::from(vec![
                Span::styled(format!(" {key:<12}"), theme.bold()),
                Span::raw(fit(&part, text_w)),
            ]));
        }
    };
    // One binding a row, so every key stays visible; then what each glyph
    // means. j/k scroll when the terminal is shorter than the list.
    for (key, text) in &rows {
        push(&mut all, key.clone(), text);
    }
    all.push(Line::from(""));
    all.push(Line::from(Span::styled(" Legend", theme.bold())));
    for (glyph, meaning) in LEGEND {
        push(&mut all, glyph.to_string(), meaning);
    }
    let total = all.len();
    let lines: Vec<Line> = all.into_iter().skip(app.help_scroll).collect();
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
    let title = if total + 2 > area.height as usize {
        "Keys · j/k scroll · Esc closes"
    } else {
        "Keys · Esc closes"
    };
    f.render_widget(
        Paragraph::new(lines).block(block(title.into(), true, theme)),
        popup,
    );
}

/// The run output view (`a`): the agent's output over the panes, the
/// footer left free for what a key there means.
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

#[cfg(test)]
mod tests {
    use super::LEGEND;

    /// Every glyph the list and the detail draw is in the legend, once, and
    /// no glyph means two things (issue 29: `!`/`?` meant an agent needs
    /// you in the list, other things in the legend).
    #[test]
    fn the_legend_and_the_glyphs_agree() {
        use crate::model::{AgentState, Status};
        use crate::ui::theme::Theme;
        let glyphs: Vec<&str> = LEGEND.iter().map(|(g, _)| *g).collect();
        let mut seen = std::collections::HashSet::new();
        for g in &glyphs {
            assert!(seen.insert(*g), "{g} twice in the legend");
        }
        let meaning = |g: &str| LEGEND.iter().find(|(l, _)| *l == g).map(|(_, m)| *m);
        let theme = Theme::new(false);
        for st in [
            Status::Planned,
            Status::InProgress,
            Status::Paused,
            Status::Blocked,
            Status::Completed,
            Status::Failed,
            Status::Cancelled,
            Status::Unknown,
        ] {
            assert!(meaning(Theme::glyph(st)).is_some(), "{st:?}");
        }
        let (p, _) = theme.waiting(AgentState::WaitingPermission);
        let (i, _) = theme.waiting(AgentState::WaitingInput);
        assert!(meaning(p).is_some_and(|m| m.contains("permission")), "{p}");
        assert!(meaning(i).is_some_and(|m| m.contains("reply")), "{i}");
        let (e, _) = theme.waiting(AgentState::Error);
        assert!(meaning(e).is_some_and(|m| m.contains("API error")), "{e}");
        // The glyph of a status is never one of an agent's.
        assert!(!glyphs.is_empty() && Theme::glyph(Status::Unknown) != i);
        assert!(meaning(Theme::MERGED).is_some());
        let w = crate::model::WorktreeState {
            path: ".worktrees/milestone-a".into(),
            branch: Some("feature/milestone-a".into()),
            head: None,
            subject: None,
            ahead: Some(0),
            behind: Some(0),
            dirty: 0,
            conflicts: 1,
            operation: None,
            merged: None,
            forecast: Vec::new(),
            forecast_paths: Vec::new(),
            head_id: None,
            base: None,
            locked: false,
            prunable: false,
            error: None,
        };
        let marker = crate::ui::panes::git_marker(&w);
        assert!(!marker.starts_with(p) && !marker.starts_with(i), "{marker}");
        assert!(
            meaning(&marker).is_some_and(|m| m.contains("conflict")),
            "{marker}"
        );
    }
}
