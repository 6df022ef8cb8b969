//! The panes: header, milestone list, detail, blockers, log, footer, help.

mod chrome;
mod detail;
mod list;
mod side;

use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::ui::theme::Theme;

pub use chrome::{attached, footer, header, help};
pub use detail::detail;
pub use list::{git_marker, milestones};
pub use side::{blockers, log};

fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.bold()))
}
