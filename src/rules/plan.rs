//! Plan documents (SPEC §11): each plan task's status from its bundle, the
//! plan's count where the bundle gives none, and `plan_mismatch`.

use crate::model::{Milestone, PlanStatus, PlanTask};

/// Each task of the milestone's plan with its status, in plan order.
pub fn tasks(m: &Milestone) -> Vec<(&PlanTask, PlanStatus)> {
    let Some(plan) = &m.plan else {
        return Vec::new();
    };
    let b = m.bundle.as_deref();
    let current = b
        .filter(|b| b.executing)
        .and_then(|b| b.current_index)
        .and_then(|i| usize::try_from(i).ok()?.checked_sub(1));
    plan.tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let st = match b {
                Some(b) if b.completed.contains(&t.id) => PlanStatus::Completed,
                Some(b) if b.failed_task.as_deref() == Some(t.id.as_str()) => PlanStatus::Failed,
                Some(_) if current == Some(i) => PlanStatus::InProgress,
                _ => PlanStatus::Pending,
            };
            (t, st)
        })
        .collect()
}

/// The milestone's task total: its counters', else its plan's count.
pub fn total(m: &Milestone) -> Option<u64> {
    m.counters
        .total
        .or_else(|| m.plan.as_ref().map(|p| p.tasks.len() as u64))
}

/// `bundle N, plan M` when a bundle's `total_tasks` is not its plan's count.
pub fn mismatch(m: &Milestone) -> Option<String> {
    let n = m.bundle.as_ref()?.total_tasks?;
    let plan = m.plan.as_ref()?.tasks.len() as u64;
    (n != plan).then(|| format!("bundle {n}, plan {plan}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bundle, Plan};

    fn milestone(total: Option<u64>) -> Milestone {
        let v = crate::read::yaml::parse("id: m4\n").expect("yaml");
        let mut m = crate::read::milestone::read(&v, crate::model::Origin::Bundle, "b", "m4");
        m.bundle = Some(Box::new(Bundle {
            completed: vec!["TASK-001".into()],
            failed_task: None,
            current_index: Some(2),
            executing: true,
            total_tasks: total,
            ..Bundle::default()
        }));
        m.plan = Some(Box::new(Plan {
            path: "specs/milestones/m4.md".into(),
            tasks: ["TASK-001", "TASK-002", "TASK-003"]
                .iter()
                .map(|id| PlanTask {
                    id: (*id).into(),
                    bundle: None,
                })
                .collect(),
        }));
        m
    }

    #[test]
    fn statuses_in_plan_order() {
        let m = milestone(Some(3));
        let st: Vec<PlanStatus> = tasks(&m).into_iter().map(|t| t.1).collect();
        assert_eq!(
            st,
            [
                PlanStatus::Completed,
                PlanStatus::InProgress,
                PlanStatus::Pending
            ]
        );
        assert_eq!(mismatch(&m), None);
        assert_eq!(total(&m), Some(3));
    }

    #[test]
    fn a_count_that_disagrees() {
        let m = milestone(Some(6));
        assert_eq!(mismatch(&m).as_deref(), Some("bundle 6, plan 3"));
        assert_eq!(total(&milestone(None)), Some(3));
    }
}
