//! The detail pane's merge section: the readiness checklist (✓/✗ per gate,
//! SPEC §9), the checks result (passed, failed, stale, running) and the
//! conflict forecast with its paths.

use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{Gate, MilestoneView, Status};
use crate::ui::theme::Theme;
use crate::util::time::span;

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

pub fn lines<'a>(app: &App, m: &MilestoneView, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let good = theme.status(Status::Completed);
    let bad = theme.status(Status::Blocked);
    if m.ready.ok() {
        out.push(Line::from(vec![
            Span::styled("Merge ", theme.dim()),
            Span::styled("✓ ready to merge (M)", good),
        ]));
    } else {
        let failing: Vec<&str> = m.ready.missing.iter().map(|g| g.name()).collect();
        out.push(Line::from(vec![
            Span::styled("Merge ", theme.dim()),
            Span::styled(format!("✗ not ready: {}", failing.join(", ")), bad),
        ]));
    }
    // The whole checklist once there is a worktree to merge; before that
    // the one line says enough.
    for g in Gate::ALL.into_iter().filter(|_| m.worktree.is_some()) {
        if g == Gate::Checks && !m.ready.checks_configured {
            continue;
        }
        let failed = m.ready.missing.contains(&g);
        let (mark, style) = if failed { ("✗", bad) } else { ("✓", good) };
        out.push(Line::from(vec![
            Span::styled(format!("  {mark} "), style),
            Span::raw(format!("{:<10} {}", g.name(), g.label())),
        ]));
    }
    let running = app.checks.iter().find(|c| c.id == m.milestone.id);
    let head = m.worktree.as_ref().and_then(|w| w.head_id.as_deref());
    let checks = match (running, &m.checks) {
        (Some(c), _) => Some((
            format!("running {}", span(c.elapsed_secs as i64)),
            theme.status(Status::InProgress),
            (!c.last.is_empty()).then(|| c.last.clone()),
        )),
        (None, Some(c)) if Some(c.head.as_str()) != head => Some((
            format!(
                "stale: last {} at {}, HEAD moved on (t reruns)",
                if c.passed() { "passed" } else { "failed" },
                short(&c.head)
            ),
            theme.status(Status::Paused),
            None,
        )),
        (None, Some(c)) if c.passed() => Some((
            format!(
                "passed at {}{}",
                short(&c.head),
                c.seconds
                    .map(|s| format!(" in {s:.1}s"))
                    .unwrap_or_default()
            ),
            good,
            None,
        )),
        (None, Some(c)) => Some((
            format!(
                "failed ({}) at {} (T shows why)",
                c.failure(),
                short(&c.head)
            ),
            bad,
            None,
        )),
        (None, None) if m.ready.checks_configured => {
            Some(("never run (t runs them)".to_string(), theme.dim(), None))
        }
        (None, None) => None,
    };
    if let Some((text, style, last)) = checks {
        out.push(Line::from(vec![
            Span::styled("Checks ", theme.dim()),
            Span::styled(text, style),
        ]));
        if let Some(l) = last {
            out.push(Line::from(Span::styled(format!("  {l}"), theme.dim())));
        }
    }
    if let Some(w) = &m.worktree
        && w.merged != Some(true)
    {
        if w.forecast.is_empty() {
            out.push(Line::from(vec![
                Span::styled("Forecast ", theme.dim()),
                Span::raw("merges cleanly with the base and its siblings"),
            ]));
        }
        for (other, paths) in w.forecast.iter().zip(&w.forecast_paths) {
            let with = if other == "base" {
                w.base.clone().unwrap_or_else(|| "the base".into())
            } else {
                other.clone()
            };
            out.push(Line::from(vec![
                Span::styled("Forecast ", theme.dim()),
                Span::styled(format!("conflicts with {with}: "), bad),
                Span::raw(paths.join(", ")),
            ]));
        }
    }
    out
}
