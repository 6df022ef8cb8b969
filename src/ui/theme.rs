//! Colours and glyphs. With `NO_COLOR`, styles keep only bold and reverse.

use ratatui::style::{Color, Modifier, Style};

use crate::model::{AgentState, BlockerKind, Status};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    pub fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn bold(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else if self.color {
            Style::default().bg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::default().fg(Color::Cyan),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            (false, _) => self.dim(),
        }
    }

    /// A merged milestone (its log holds `milestone_merged`): done, whatever
    /// its file's status says.
    pub const MERGED: &'static str = "⊕";

    /// Single-width glyphs: emoji widths vary between terminals and tmux.
    pub fn glyph(status: Status) -> &'static str {
        match status {
            Status::Planned => "○",
            Status::InProgress => "▶",
            Status::Paused => "‖",
            Status::Blocked => "■",
            Status::Completed => "✓",
            Status::Failed => "✗",
            Status::Cancelled => "⊘",
            Status::Unknown => "~",
        }
    }

    pub fn status(&self, status: Status) -> Style {
        self.fg(match status {
            Status::Planned => Color::Gray,
            Status::InProgress => Color::Cyan,
            Status::Paused => Color::Yellow,
            Status::Blocked => Color::Red,
            Status::Completed => Color::Green,
            Status::Failed => Color::LightRed,
            Status::Cancelled => Color::DarkGray,
            Status::Unknown => Color::Magenta,
        })
    }

    /// A phase state's colour in the bars.
    pub fn phase(&self, status: &str) -> Style {
        self.fg(match status {
            "completed" | "approved" | "complete" | "done" => Color::Green,
            "waiting_approval" | "in_review" => Color::Magenta,
            "blocked" | "rejected" => Color::Red,
            "in_progress" | "active" | "changes_requested" => Color::Cyan,
            _ => Color::Gray,
        })
    }

    /// An agent that waits for the human: its own glyph and colour, apart
    /// from every status (SPEC §8).
    pub fn waiting(&self, state: AgentState) -> (&'static str, Style) {
        if state == AgentState::Error {
            // An API error (SPEC §8.2): its own glyph and colour.
            return ("↯", self.fg(Color::LightRed).add_modifier(Modifier::BOLD));
        }
        let glyph = if state == AgentState::WaitingPermission {
            "!"
        } else {
            "?"
        };
        (
            glyph,
            self.fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
        )
    }

    /// A blocker's glyph: `blocker`'s, but an agent waiting for a reply
    /// (`input: …`) shows `?` as in the list, one for permission `!`.
    pub fn blocker_of(&self, b: &crate::model::Blocker) -> (&'static str, Style) {
        let (g, style) = self.blocker(b.kind);
        if b.kind == BlockerKind::AgentWaiting && b.detail.starts_with("input") {
            return ("?", style);
        }
        (g, style)
    }

    pub fn blocker(&self, kind: BlockerKind) -> (&'static str, Style) {
        if kind == BlockerKind::AgentWaiting {
            return (
                // The list's glyph: `!` for permission, `?` for a reply
                // (the detail says which; both are "an agent needs you").
                "!",
                self.fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            );
        }
        match kind.severity() {
            3 => ("✗", self.fg(Color::LightRed)),
            2 => ("■", self.fg(Color::Red)),
            _ => ("◆", self.fg(Color::Magenta)),
        }
    }
}
