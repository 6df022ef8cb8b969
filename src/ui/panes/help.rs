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
    let w = 72.min(area.width);
    let text_w = (w as usize).saturating_sub(2 + 13);
    // One line per binding, so every key stays visible; then what each
    // glyph means. j/k scroll when the terminal is shorter than the list.
    let mut all: Vec<Line> = Action::ALL
        .iter()
        .map(|&a| {
            Line::from(vec![
                Span::styled(format!(" {:<12}", app.keymap.keys_label(a)), theme.bold()),
                Span::raw(fit(a.description(), text_w)),
            ])
        })
        .collect();
    all.push(Line::from(""));
    all.push(Line::from(Span::styled(" Legend", theme.bold())));
    for (glyph, meaning) in LEGEND {
        all.push(Line::from(vec![
            Span::styled(format!(" {glyph:<12}"), theme.bold()),
            Span::raw(fit(meaning, text_w)),
        ]));
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
