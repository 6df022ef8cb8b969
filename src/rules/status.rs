//! Status normalization (SPEC §2).

use crate::model::words::with_word;
use crate::model::{Milestone, Origin, Status, Task};

pub fn normalize(raw: &str) -> Status {
    crate::model::normalize_status(raw)
}

pub fn of_task(t: &Task) -> Status {
    t.raw_status.as_deref().map_or(Status::Planned, normalize)
}

pub fn of_milestone(m: &Milestone) -> Status {
    if m.origin == Origin::Completed {
        return Status::Completed;
    }
    if let Some(raw) = &m.raw_status {
        return normalize(raw);
    }
    if !m.tasks.is_empty() {
        let st: Vec<Status> = m.tasks.iter().map(of_task).collect();
        if st.iter().all(|s| *s == Status::Completed) {
            return Status::Completed;
        }
        if st
            .iter()
            .any(|s| matches!(s, Status::Completed | Status::InProgress))
        {
            return Status::InProgress;
        }
        return Status::Planned;
    }
    let c = &m.counters;
    match (
        c.total,
        c.completed.unwrap_or(0),
        c.in_progress.unwrap_or(0),
    ) {
        (Some(t), done, _) if t > 0 && done >= t => Status::Completed,
        (_, done, running) if done > 0 || running > 0 => Status::InProgress,
        _ => Status::Planned,
    }
}

/// A phase's fraction by its status (SPEC §3).
pub fn phase_fraction(status: &str) -> f64 {
    with_word(status, |w| match w {
        "completed" | "approved" | "complete" | "done" => 1.0,
        "waiting_approval" | "in_review" => 0.75,
        "in_progress" | "active" | "changes_requested" => 0.5,
        "blocked" => 0.25,
        _ => 0.0,
    })
}

/// The normalized statuses, for messages.
pub const NORMAL: &str = "planned, in_progress, paused, blocked, completed, failed, cancelled";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counters;

    fn ms(raw: Option<&str>, tasks: &[&str]) -> Milestone {
        Milestone {
            id: "a".into(),
            title: "a".into(),
            raw_status: raw.map(str::to_string),
            stage: None,
            requires: vec![],
            enables: vec![],
            weights: [15.0, 25.0, 20.0, 40.0],
            phases: None,
            tasks: tasks
                .iter()
                .map(|s| Task {
                    id: "t".into(),
                    raw_status: Some(s.to_string()),
                    weight: 1.0,
                    ..Task::default()
                })
                .collect(),
            counters: Counters::default(),
            bundle: None,
            plan: None,
            declared_progress: None,
            recorded_blockers: vec![],
            description: None,
            origin: Origin::Active,
            source: "x".into(),
            worktree_dir: None,
        }
    }

    #[test]
    fn table_with_case_and_separators() {
        assert_eq!(normalize("In Progress"), Status::InProgress);
        assert_eq!(normalize("NOT-STARTED"), Status::Planned);
        assert_eq!(normalize("kiro_managed"), Status::InProgress);
        assert_eq!(normalize("waiting-approval"), Status::Blocked);
        assert_eq!(normalize("approved"), Status::Completed);
        assert_eq!(normalize("coding_failed"), Status::Failed);
        assert_eq!(normalize("canceled"), Status::Cancelled);
        assert_eq!(normalize("doin"), Status::Unknown);
        assert_eq!(normalize("suspended"), Status::Paused);
    }

    #[test]
    fn derived_from_tasks_when_absent() {
        assert_eq!(of_milestone(&ms(None, &[])), Status::Planned);
        assert_eq!(
            of_milestone(&ms(None, &["done", "completed"])),
            Status::Completed
        );
        assert_eq!(
            of_milestone(&ms(None, &["done", "pending"])),
            Status::InProgress
        );
        assert_eq!(of_milestone(&ms(None, &["pending"])), Status::Planned);
        assert_eq!(
            of_milestone(&ms(Some("blocked"), &["done"])),
            Status::Blocked
        );
        let mut m = ms(Some("active"), &[]);
        m.origin = Origin::Completed;
        assert_eq!(of_milestone(&m), Status::Completed);
    }

    #[test]
    fn phase_fractions() {
        assert_eq!(phase_fraction("approved"), 1.0);
        assert_eq!(phase_fraction("in_review"), 0.75);
        assert_eq!(phase_fraction("changes_requested"), 0.5);
        assert_eq!(phase_fraction("blocked"), 0.25);
        assert_eq!(phase_fraction("rejected"), 0.0);
    }
}
