//! The panes: header, milestone list, detail, blockers, log, footer, help.

mod agent;
mod chrome;
mod detail;
mod fleet;
mod help;
mod list;
mod plan;
mod readiness;
mod registry;
mod side;
mod stage;
pub mod subagents;
mod timeline;

use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::ui::theme::Theme;

pub use chrome::{footer, header, prompt};
pub use detail::detail;
pub use help::{attached, help};
pub use list::{git_marker, milestones};
pub use side::{blockers, log};

fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {} ", crate::ui::text::escape(&title)),
            theme.bold(),
        ))
}
