//! Sequential-runner bundles: `.milestone_bundles/<name>/milestone_status.yaml`,
//! its `failure_context.md`, and `.task_bundles/TASK-NNN/bundle_status.yaml`.

use std::collections::HashMap;

use crate::model::{Bundle, BundleTask, Counters, Milestone, Origin};
use crate::read::doc;
use crate::read::milestone;
use crate::read::yaml::Value;

/// A bundle's milestone. `dir` is the bundle directory's name (the fallback id).
pub fn read(v: &Value, dir: &str, source: &str, tasks: &HashMap<String, BundleTask>) -> Milestone {
    let mut m = milestone::read(v, Origin::Bundle, source, dir);
    let completed_ids: Vec<String> = doc::get(v, &["completed_tasks"])
        .map(|c| {
            if c.is_sequence() {
                doc::id_list(c)
            } else {
                Vec::new()
            }
        })
        .unwrap_or_default();
    let sequence = doc::get(v, &["task_sequence"])
        .map(doc::id_list)
        .unwrap_or_default();
    let failed_task = doc::text_at(v, &["failed_task"]);
    let current_task = doc::text_at(v, &["current_task"]);
    let total_tasks = doc::get(v, &["total_tasks"]).and_then(doc::count);
    let total = total_tasks.or_else(|| (!sequence.is_empty()).then_some(sequence.len() as u64));
    let completed = doc::get(v, &["completed_tasks"])
        .and_then(doc::count)
        .unwrap_or(0);
    let running = m.raw_status.as_deref().map(crate::model::normalize_status)
        == Some(crate::model::Status::InProgress);
    let in_progress =
        u64::from(running && failed_task.is_none() && total.is_none_or(|t| completed < t));
    m.counters = Counters {
        total,
        completed: Some(completed),
        in_progress: Some(in_progress),
    };

    let mut ids: Vec<String> = sequence;
    if ids.is_empty() {
        ids.extend(completed_ids.iter().cloned());
        ids.extend(current_task.iter().cloned());
        ids.extend(failed_task.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(i.clone()));
    let bundle_tasks = ids
        .into_iter()
        .map(|id| {
            let mut t = tasks.get(&id).cloned().unwrap_or_else(|| BundleTask {
                id: id.clone(),
                ..BundleTask::default()
            });
            if t.status.is_none() {
                t.status = if failed_task.as_deref() == Some(id.as_str()) {
                    Some("failed".into())
                } else if completed_ids.contains(&id) {
                    Some("completed".into())
                } else if current_task.as_deref() == Some(id.as_str()) && running {
                    Some("in_progress".into())
                } else {
                    None
                };
            }
            t
        })
        .collect();
    m.bundle = Some(Box::new(Bundle {
        failed_task,
        current_task,
        current_index: doc::get(v, &["current_task_index"]).and_then(doc::count),
        tasks: bundle_tasks,
        failure: None,
        completed: completed_ids,
        total_tasks,
        plan_document: doc::text_at(v, &["milestone_plan_document"]),
        executing: running,
    }));
    m
}

/// One task bundle's status file.
pub fn task(v: &Value, dir: &str) -> BundleTask {
    BundleTask {
        id: doc::text_at(v, &["task_id"]).unwrap_or_else(|| dir.to_string()),
        status: doc::text_at(v, &["status"]),
        failure_reason: doc::first_text(v, &[&["failure_reason"], &["failure_category"]]),
    }
}

/// The lines of `failure_context.md` a user wants first.
pub fn failure_summary(md: &str) -> Option<String> {
    let wanted = [
        "failed task",
        "task position",
        "failure type",
        "exit code",
        "failure time",
    ];
    let mut seen = std::collections::HashSet::new();
    let parts: Vec<String> = md
        .lines()
        .filter_map(|l| {
            let l = l.trim().trim_start_matches(['-', '*', ' ']);
            let (k, v) = l.split_once(':')?;
            let k = k.trim_matches(['*', ' ']).to_ascii_lowercase();
            (wanted.contains(&k.as_str()) && seen.insert(k.clone()))
                .then(|| format!("{k}: {}", v.trim_matches(['*', ' '])))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::yaml;

    #[test]
    fn failed_bundle_counts_and_tasks() {
        let v = yaml::parse(
            "milestone_name: M4\nstatus: failed\ntotal_tasks: 6\ncurrent_task_index: 2\ncompleted_tasks: [\"TASK-019\"]\nfailed_task: TASK-020\n",
        )
        .expect("yaml");
        let m = read(
            &v,
            "M4",
            ".milestone_bundles/M4/milestone_status.yaml",
            &HashMap::new(),
        );
        assert_eq!(m.id, "M4");
        assert_eq!(
            (
                m.counters.total,
                m.counters.completed,
                m.counters.in_progress
            ),
            (Some(6), Some(1), Some(0))
        );
        let b = m.bundle.expect("bundle");
        assert_eq!(b.failed_task.as_deref(), Some("TASK-020"));
        assert_eq!(b.tasks.len(), 2);
        assert_eq!(b.tasks[1].status.as_deref(), Some("failed"));
    }

    #[test]
    fn failure_context_summary() {
        let s = failure_summary("# F\n\n**Failed Task**: TASK-020\n**Task Position**: 2/6\n- **Exit Code**: 1\n**Exit Code**: 1\n").expect("summary");
        assert_eq!(s, "failed task: TASK-020; task position: 2/6; exit code: 1");
    }
}
