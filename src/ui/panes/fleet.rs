//! The fleet's rows in the list (SPEC §14): a heading per workspace with
//! host, name and the host's state; rows of a host not live dimmed.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::ui::text::fit;
use crate::ui::theme::Theme;

pub fn heading<'a>(app: &App, g: usize, w: usize, theme: &Theme) -> Line<'a> {
    let Some(group) = app.fleet.get(g) else {
        return Line::default();
    };
    let text = crate::app::fleet::heading(group, app.now);
    let style = if group.state.dim() {
        theme.dim().add_modifier(Modifier::BOLD)
    } else {
        theme.bold()
    };
    Line::from(Span::styled(fit(&text, w), style))
}

/// Row `i`'s line, dimmed when its host is not live.
pub fn dim<'a>(app: &App, i: usize, line: Line<'a>, theme: &Theme) -> Line<'a> {
    match crate::app::fleet::group_of(app, i) {
        Some(g) if g.state.dim() => line.style(theme.dim()),
        _ => line,
    }
}
