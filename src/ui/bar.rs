//! The four-segment phase bar: segment widths proportional to the phase
//! weights, each filled to its phase's fraction, coloured by phase state.

use ratatui::text::Span;

use crate::cmd::status::segment_widths;
use crate::model::PhaseBar;
use crate::ui::theme::Theme;

pub fn spans<'a>(phases: &[PhaseBar], progress: f64, width: usize, theme: &Theme) -> Vec<Span<'a>> {
    if width == 0 {
        return Vec::new();
    }
    if phases.is_empty() {
        let filled = ((progress / 100.0) * width as f64)
            .round()
            .clamp(0.0, width as f64) as usize;
        return vec![
            Span::styled("█".repeat(filled), theme.phase("in_progress")),
            Span::styled("░".repeat(width - filled), theme.dim()),
        ];
    }
    let mut out = Vec::new();
    for (p, w) in phases.iter().zip(segment_widths(phases, width)) {
        let filled = ((p.fraction * w as f64).round() as usize).min(w);
        // A started phase shows at least one cell, so work is never invisible.
        let filled = if p.fraction > 0.0 && filled == 0 && w > 0 {
            1
        } else {
            filled
        };
        out.push(Span::styled("█".repeat(filled), theme.phase(&p.status)));
        out.push(Span::styled("░".repeat(w - filled), theme.dim()));
    }
    out
}
