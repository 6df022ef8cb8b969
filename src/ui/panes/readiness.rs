//! The detail pane's merge section: the readiness checklist (✓/✗ per gate,
//! SPEC §9), the checks result (passed, failed, stale, running) and the
//! conflict forecast with its paths.

use ratatui::text::{Line, Span};

use crate::app::App;
use crate::model::{BlockerKind, Gate, MilestoneView, Status};
use crate::ui::theme::Theme;
use crate::util::time::span;

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// `▶ in_progress`, or `⊕ merged into main at 3f2a9c1` for a merged one.
pub fn status_span<'a>(m: &MilestoneView, theme: &Theme) -> Span<'a> {
    if m.is_merged() {
        let base = m.worktree.as_ref().and_then(|w| w.base.as_deref());
        let into = base.map(|b| format!(" into {b}")).unwrap_or_default();
        let at = m
            .merged
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| format!(" at {}", short(c)))
            .unwrap_or_default();
        return Span::styled(
            format!("{} merged{into}{at}", Theme::MERGED),
            theme.status(Status::Completed),
        );
    }
    Span::styled(
        format!("{} {}", Theme::glyph(m.status), m.status.name()),
        theme.status(m.status),
    )
}

/// Whether a gate's requirement holds, in the milestone's own terms:
/// `3 commits ahead of main`, `1 blocker: recorded`.
fn fact(m: &MilestoneView, g: Gate) -> String {
    let w = m.worktree.as_deref();
    let base = w.and_then(|w| w.base.as_deref()).unwrap_or("the base");
    match g {
        Gate::Phases => format!("at {}%", crate::util::round::fixed(m.progress, 1)),
        Gate::Blockers => {
            let (forecast, others): (Vec<_>, Vec<_>) = m
                .blockers
                .iter()
                .partition(|b| b.kind == BlockerKind::MergeForecast);
            let kinds: Vec<&str> = others.iter().map(|b| b.kind.name()).collect();
            match (others.len(), forecast.len()) {
                (0, 0) => "none".into(),
                (0, _) => "a forecast only, no gate".into(),
                (n, _) => format!("{}: {}", plural(n, "blocker"), kinds.join(", ")),
            }
        }
        Gate::Worktree => match w {
            None => "none yet (w adds one)".into(),
            Some(w) => w.branch.clone().unwrap_or_else(|| "detached HEAD".into()),
        },
        Gate::Dirty => match w.map_or(0, |w| w.dirty) {
            0 => "clean".into(),
            n => format!("{} uncommitted", plural(n, "path")),
        },
        Gate::NoCommits => match w.and_then(|w| w.ahead) {
            Some(0) | None => format!("none ahead of {base}"),
            Some(n) => format!("{} ahead of {base}", plural(n, "commit")),
        },
        Gate::Merged => {
            if w.and_then(|w| w.merged) == Some(true) {
                format!("already in {base}")
            } else {
                format!("not in {base} yet")
            }
        }
        Gate::Checks => match &m.checks {
            None => "never run".into(),
            Some(c) if c.dirty > 0 => {
                format!("ran with {} uncommitted", plural(c.dirty as usize, "path"))
            }
            Some(c) if !crate::rules::ready::passed_at_head(m) && c.passed() => {
                format!("passed at {}, not at HEAD", short(&c.head))
            }
            Some(c) if c.passed() => format!("passed at {}", short(&c.head)),
            Some(c) => format!("failed ({}) at {}", c.failure(), short(&c.head)),
        },
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub fn lines<'a>(app: &App, m: &MilestoneView, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let good = theme.status(Status::Completed);
    let bad = theme.status(Status::Blocked);
    if m.is_merged() {
        // Done: no gates to fail, no checks to go stale, no forecast.
        out.push(Line::from(vec![
            Span::styled("Merge ", theme.dim()),
            Span::styled(
                format!("{} done: nothing left to merge", Theme::MERGED),
                good,
            ),
        ]));
        return out;
    }
    if m.ready.ok() {
        out.push(Line::from(vec![
            Span::styled("Merge ", theme.dim()),
            Span::styled("✓ ready to merge (M)", good),
        ]));
    } else {
        let failing: Vec<&str> = m.ready.missing.iter().map(|g| g.label()).collect();
        out.push(Line::from(vec![
            Span::styled("Merge ", theme.dim()),
            Span::styled(format!("✗ not ready: wants {}", failing.join(", ")), bad),
        ]));
    }
    // The whole checklist once there is a worktree to merge; before that
    // the one line says enough. Each row: whether the requirement holds,
    // the requirement, and the fact.
    for g in Gate::ALL.into_iter().filter(|_| m.worktree.is_some()) {
        if g == Gate::Checks && !m.ready.checks_configured {
            continue;
        }
        let failed = m.ready.missing.contains(&g);
        let (mark, style) = if failed { ("✗", bad) } else { ("✓", good) };
        // The fact beside a gate that fails, and beside a `blockers` gate
        // that holds although a forecast stands (it is not a gate).
        let forecast = g == Gate::Blockers
            && m.blockers
                .iter()
                .any(|b| b.kind == BlockerKind::MergeForecast);
        let mut spans = vec![
            Span::styled(format!("  {mark} "), style),
            Span::raw(g.label()),
        ];
        if failed || forecast {
            let f = fact(m, g);
            spans.push(Span::styled(
                format!(": {f}"),
                if failed { bad } else { theme.dim() },
            ));
        }
        out.push(Line::from(spans));
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
        (None, Some(c)) if c.dirty > 0 => Some((
            format!(
                "{} at {} with {} uncommitted: not HEAD's result (commit, then t)",
                if c.passed() { "passed" } else { "failed" },
                short(&c.head),
                plural(c.dirty as usize, "path")
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
