//! A milestone's plan document (SPEC §11): the `TASK-NNN` items the
//! sequential runner executes in order, and where they stand.

use serde::Serialize;

/// The plan document found for a milestone, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Workspace-relative, `/`-separated.
    pub path: String,
    /// The plan's tasks in order, each once, with its task bundle's status.
    pub tasks: Vec<PlanTask>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanTask {
    pub id: String,
    /// The `status` of `.task_bundles/<id>/bundle_status.yaml`, as written.
    pub bundle: Option<String>,
}

/// Where one task of a plan stands (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Completed,
    Failed,
    InProgress,
    Pending,
}

impl PlanStatus {
    pub fn name(self) -> &'static str {
        match self {
            PlanStatus::Completed => "completed",
            PlanStatus::Failed => "failed",
            PlanStatus::InProgress => "in_progress",
            PlanStatus::Pending => "pending",
        }
    }
}
