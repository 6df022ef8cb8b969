//! The selected milestone's plan (SPEC §11) as a compact checklist: done,
//! current, failed and ahead, with the plan document's path.

use ratatui::text::{Line, Span};

use crate::model::{MilestoneView, PlanStatus, Status};
use crate::ui::text::fit;
use crate::ui::theme::Theme;

/// The lines of the plan checklist; none without a plan.
pub fn lines<'a>(m: &MilestoneView, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let ms = &m.milestone;
    let Some(plan) = ms.plan.as_deref() else {
        return Vec::new();
    };
    let tasks = crate::rules::plan::tasks(ms);
    let done = tasks
        .iter()
        .filter(|t| t.1 == PlanStatus::Completed)
        .count();
    let head = format!("Plan {done}/{} ", tasks.len());
    let mut out = vec![Line::from(vec![
        Span::styled(head.clone(), theme.dim()),
        Span::raw(
            fit(&plan.path, w.saturating_sub(head.len()))
                .trim_end()
                .to_string(),
        ),
    ])];
    if tasks.is_empty() {
        out.push(Line::from(Span::styled(
            "  no TASK-NNN in the plan",
            theme.dim(),
        )));
        return out;
    }
    // Packed into lines of the pane's width, a mark never apart from its
    // task: the pane wraps a long line wherever a cell runs out.
    let mut spans = vec![Span::raw("  ")];
    let mut used = 2;
    for (t, st) in tasks {
        let shown = match st {
            PlanStatus::Completed => Status::Completed,
            PlanStatus::Failed => Status::Failed,
            PlanStatus::InProgress => Status::InProgress,
            PlanStatus::Pending => Status::Planned,
        };
        let style = if st == PlanStatus::InProgress {
            theme.status(shown).patch(theme.bold())
        } else {
            theme.status(shown)
        };
        let item = format!("{}{}", Theme::glyph(shown), fit(&t.id, 16).trim_end());
        let width = item.chars().count();
        if used > 2 && used + width > w {
            out.push(Line::from(std::mem::replace(
                &mut spans,
                vec![Span::raw("  ")],
            )));
            used = 2;
        }
        used += width + 1;
        spans.push(Span::styled(format!("{item} "), style));
    }
    out.push(Line::from(spans));
    out
}
