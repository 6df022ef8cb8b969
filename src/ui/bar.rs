//! The four-segment phase bar: segment widths proportional to the phase
//! weights, each filled to its phase's fraction, coloured by phase state.
//! One computation for the dashboard and for `mdash status`'s text bar.

use ratatui::text::Span;

use crate::model::PhaseBar;
use crate::ui::theme::Theme;

/// A run of cells: how many are filled, how many empty, and the phase
/// status that colours them (`None`: a bar of overall progress).
pub struct Segment<'a> {
    pub filled: usize,
    pub empty: usize,
    pub status: Option<&'a str>,
}

/// The segments of a bar `width` cells wide. Without phases, one segment of
/// the overall progress. `show_started`: a started phase gets at least one
/// filled cell, so work is never invisible.
pub fn segments(
    phases: &[PhaseBar],
    progress: f64,
    width: usize,
    show_started: bool,
) -> Vec<Segment<'_>> {
    if phases.is_empty() {
        let filled = ((progress / 100.0) * width as f64)
            .round()
            .clamp(0.0, width as f64) as usize;
        return vec![Segment {
            filled,
            empty: width - filled,
            status: None,
        }];
    }
    phases
        .iter()
        .zip(segment_widths(phases, width))
        .map(|(p, w)| {
            let mut filled = ((p.fraction * w as f64).round() as usize).min(w);
            if show_started && p.fraction > 0.0 && filled == 0 && w > 0 {
                filled = 1;
            }
            Segment {
                filled,
                empty: w - filled,
                status: Some(&p.status),
            }
        })
        .collect()
}

/// The bar in the dashboard's colours.
pub fn spans<'a>(phases: &[PhaseBar], progress: f64, width: usize, theme: &Theme) -> Vec<Span<'a>> {
    segments(phases, progress, width, true)
        .into_iter()
        .flat_map(|s| {
            [
                Span::styled(
                    "█".repeat(s.filled),
                    theme.phase(s.status.unwrap_or("in_progress")),
                ),
                Span::styled("░".repeat(s.empty), theme.dim()),
            ]
        })
        .filter(|s| !s.content.is_empty())
        .collect()
}

/// The bar as plain text, for `mdash status`.
pub fn text(phases: &[PhaseBar], progress: f64, width: usize) -> String {
    segments(phases, progress, width, false)
        .into_iter()
        .map(|s| "█".repeat(s.filled) + &"░".repeat(s.empty))
        .collect()
}

/// Splits `width` cells among the phases by weight (largest remainder), so
/// the segments always add up to `width`.
pub fn segment_widths(phases: &[PhaseBar], width: usize) -> Vec<usize> {
    let total: f64 = phases.iter().map(|p| p.weight).sum();
    if total <= 0.0 || phases.is_empty() {
        let each = width / phases.len().max(1);
        return phases.iter().map(|_| each).collect();
    }
    let exact: Vec<f64> = phases
        .iter()
        .map(|p| p.weight / total * width as f64)
        .collect();
    let mut cells: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut rest = width.saturating_sub(cells.iter().sum());
    let mut order: Vec<usize> = (0..phases.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for i in order.into_iter().cycle().take(phases.len() * 2) {
        if rest == 0 {
            break;
        }
        cells[i] += 1;
        rest -= 1;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Phase;

    fn bars(fr: [f64; 4]) -> Vec<PhaseBar> {
        Phase::ALL
            .iter()
            .map(|&p| PhaseBar {
                phase: p,
                weight: p.default_weight(),
                fraction: fr[p.index()],
                status: String::new(),
            })
            .collect()
    }

    #[test]
    fn segments_follow_weights_and_fill_the_width() {
        for w in [1, 4, 7, 16, 33, 100] {
            assert_eq!(
                segment_widths(&bars([0.0; 4]), w).iter().sum::<usize>(),
                w,
                "width {w}"
            );
        }
        assert_eq!(segment_widths(&bars([0.0; 4]), 20), [3, 5, 4, 8]);
        assert_eq!(
            text(&bars([1.0, 0.5, 0.0, 0.0]), 0.0, 20),
            "██████░░░░░░░░░░░░░░"
        );
        assert_eq!(text(&[], 50.0, 10), "█████░░░░░");
    }
}
