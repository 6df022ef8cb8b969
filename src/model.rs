//! Plain data: what the readers produce and what the rules compute.
//!
//! Nothing here reads files or looks at the clock.

mod agent;
pub mod fleet;
mod ids;
mod merge;
mod plan;
mod registry;
mod run;
pub mod words;
mod worktree;

pub use agent::{
    AgentState, AgentStatus, AgentView, LineKind, Preview, Price, Prices, Request, RequestRef,
    Subagent, SubagentHook, SubagentState, Tokens,
};
pub use ids::{ID_RULE, ids_for_branch, ids_for_dir, valid_id};
pub use merge::{ChecksRun, Gate, Pace, Ready};
pub use plan::{Plan, PlanStatus, PlanTask};
pub use registry::{RegAgent, RegMessage, Registry, reg_time};
pub use run::{Backend, Refusal, Run, RunState, RunView, TmuxPane};
pub use words::{CLEARS, RAISES, normalize_status, normalize_word};
pub use worktree::{Worktree, WorktreeState};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The four KIRO phases, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Design,
    Spec,
    Task,
    Execute,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Design, Phase::Spec, Phase::Task, Phase::Execute];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Design => "design",
            Phase::Spec => "spec",
            Phase::Task => "task",
            Phase::Execute => "execute",
        }
    }

    pub fn default_weight(self) -> f64 {
        match self {
            Phase::Design => 15.0,
            Phase::Spec => 25.0,
            Phase::Task => 20.0,
            Phase::Execute => 40.0,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_name(s: &str) -> Option<Phase> {
        Phase::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a file says about one phase.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseState {
    /// Lower-cased, with `-` and spaces read as `_`.
    pub status: Option<String>,
    /// An explicit 0–100 figure, already clamped.
    pub progress: Option<f64>,
    pub blocked_reason: Option<String>,
    /// As written; pace and the timeline read only times with a zone.
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// The phases a milestone or a task lists; `None` for phases it omits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseMap(pub [Option<PhaseState>; 4]);

impl PhaseMap {
    pub fn get(&self, p: Phase) -> Option<&PhaseState> {
        self.0[p.index()].as_ref()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Task {
    pub id: String,
    pub title: Option<String>,
    pub raw_status: Option<String>,
    pub weight: f64,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// Per-task phases, only when enabled and naming at least one phase.
    pub phases: Option<Box<PhaseMap>>,
}

/// Task counters given as numbers instead of a task list (bundles, legacy).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub total: Option<u64>,
    pub completed: Option<u64>,
    pub in_progress: Option<u64>,
}

/// A sequentially executed milestone (`.milestone_bundles/<name>/`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bundle {
    pub failed_task: Option<String>,
    pub current_task: Option<String>,
    pub current_index: Option<u64>,
    /// The tasks it names, with their bundle status when `.task_bundles` has one.
    pub tasks: Vec<BundleTask>,
    /// The first lines of `failure_context.md` worth showing.
    pub failure: Option<String>,
    /// `completed_tasks` when it is a list of ids.
    pub completed: Vec<String>,
    /// `total_tasks` as written (SPEC §11's `plan_mismatch`).
    pub total_tasks: Option<u64>,
    /// `milestone_plan_document`, as written.
    pub plan_document: Option<String>,
    /// Its status reads as executing (in progress).
    pub executing: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BundleTask {
    pub id: String,
    pub status: Option<String>,
    pub failure_reason: Option<String>,
}

/// Where a milestone file sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Active,
    Completed,
    Quickstart,
    Legacy,
    StateStore,
    Bundle,
    /// A plan document no milestone file names (SPEC §11).
    Plan,
}

/// One milestone as its file describes it, before any rule runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub raw_status: Option<String>,
    pub stage: Option<String>,
    pub requires: Vec<String>,
    pub enables: Vec<String>,
    pub weights: [f64; 4],
    /// Milestone-level phases, when the file has them.
    pub phases: Option<Box<PhaseMap>>,
    pub tasks: Vec<Task>,
    pub counters: Counters,
    pub bundle: Option<Box<Bundle>>,
    pub declared_progress: Option<f64>,
    pub recorded_blockers: Vec<String>,
    pub description: Option<String>,
    pub origin: Origin,
    /// Path relative to the workspace root, `/`-separated.
    pub source: String,
    /// Workspace-relative worktree directory whose copy this is, if any.
    pub worktree_dir: Option<String>,
    /// Its plan document (SPEC §11), when it has one.
    pub plan: Option<Box<Plan>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    InProgress,
    Paused,
    Blocked,
    Completed,
    Failed,
    Cancelled,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Planned,
        Status::InProgress,
        Status::Paused,
        Status::Blocked,
        Status::Completed,
        Status::Failed,
        Status::Cancelled,
        Status::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Paused => "paused",
            Status::Blocked => "blocked",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockerKind {
    UnmetDependency,
    DependencyCycle,
    Recorded,
    BlockedPhase,
    AwaitingApproval,
    FailedTask,
    LongRunningTask,
    LogBlocker,
    GitConflict,
    RunFailed,
    ChecksFailed,
    MergeForecast,
    /// The milestone's agent waits for the human (SPEC §8).
    AgentWaiting,
    /// The milestone's agent's turn ended on an API error (SPEC §8.2).
    AgentError,
    /// A bundle's `total_tasks` is not its plan's count (SPEC §11).
    PlanMismatch,
}

impl BlockerKind {
    pub fn name(self) -> &'static str {
        match self {
            BlockerKind::UnmetDependency => "unmet_dependency",
            BlockerKind::DependencyCycle => "dependency_cycle",
            BlockerKind::Recorded => "recorded",
            BlockerKind::BlockedPhase => "blocked_phase",
            BlockerKind::AwaitingApproval => "awaiting_approval",
            BlockerKind::FailedTask => "failed_task",
            BlockerKind::LongRunningTask => "long_running_task",
            BlockerKind::LogBlocker => "log_blocker",
            BlockerKind::GitConflict => "git_conflict",
            BlockerKind::RunFailed => "run_failed",
            BlockerKind::ChecksFailed => "checks_failed",
            BlockerKind::MergeForecast => "merge_forecast",
            BlockerKind::AgentWaiting => "agent_waiting",
            BlockerKind::AgentError => "agent_error",
            BlockerKind::PlanMismatch => "plan_mismatch",
        }
    }

    /// Higher is more urgent; the dashboard sorts by it.
    pub fn severity(self) -> u8 {
        match self {
            BlockerKind::GitConflict | BlockerKind::RunFailed | BlockerKind::FailedTask => 3,
            BlockerKind::ChecksFailed | BlockerKind::MergeForecast => 2,
            BlockerKind::AgentWaiting | BlockerKind::AgentError => 3,
            BlockerKind::DependencyCycle | BlockerKind::BlockedPhase | BlockerKind::LogBlocker => 2,
            BlockerKind::UnmetDependency | BlockerKind::Recorded => 2,
            BlockerKind::AwaitingApproval | BlockerKind::LongRunningTask => 1,
            BlockerKind::PlanMismatch => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockerSource {
    Computed,
    Recorded,
    Log,
    /// From the agent's own state (SPEC §8).
    Agent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    pub id: String,
    pub kind: BlockerKind,
    pub detail: String,
    pub source: BlockerSource,
    /// When it arose, if known (log events, task start, phase timestamps).
    pub since: Option<DateTime<Utc>>,
}

/// One valid line of an event log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub timestamp: Option<String>,
    pub time: Option<DateTime<Utc>>,
    pub name: String,
    pub milestone_id: Option<String>,
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in one file. Paths are workspace-relative.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            line: None,
            column: None,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, message)
        }
    }

    pub fn at(mut self, line: Option<usize>, column: Option<usize>) -> Problem {
        self.line = line;
        self.column = column;
        self
    }

    /// `path:line:column: message`, as `mdash check` and the status line
    /// tell it (line and column 1 when unknown).
    pub fn told(&self) -> String {
        format!(
            "{}:{}:{}: {}",
            self.path,
            self.line.unwrap_or(1),
            self.column.unwrap_or(1),
            self.message
        )
    }
}

/// A saved execution session (`.milestones/sessions/<id>.yaml`).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: String,
    pub milestone_id: Option<String>,
    pub status: Option<String>,
    pub at: Option<String>,
    pub git_branch: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TaskCounts {
    pub total: u64,
    pub completed: u64,
    pub in_progress: u64,
    pub failed: u64,
}

/// One phase bar segment as shown and reported.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseBar {
    pub phase: Phase,
    pub weight: f64,
    pub fraction: f64,
    pub status: String,
}

/// A milestone with everything the rules computed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneView {
    /// Shared with the reader's cache.
    pub milestone: std::sync::Arc<Milestone>,
    pub status: Status,
    pub progress: f64,
    pub phases: Vec<PhaseBar>,
    pub tasks: TaskCounts,
    pub blockers: Vec<Blocker>,
    pub last_event: Option<Box<Event>>,
    pub sessions: Vec<Session>,
    /// The milestone's worktree and its git state, once read.
    pub worktree: Option<Box<WorktreeState>>,
    /// Its last agent run, if mdash started one.
    pub run: Option<RunView>,
    /// Its Claude Code agent, started by mdash or not (SPEC §8).
    pub agent: Option<Box<AgentView>>,
    /// The newest finished checks run in its worktree (SPEC §9).
    pub checks: Option<Box<ChecksRun>>,
    /// Its speed so far (SPEC §10).
    pub pace: Option<Pace>,
    /// Whether it can be merged, gate by gate (SPEC §9).
    pub ready: Ready,
    /// In progress with nothing heard for `blockers.stall_minutes`: a flag
    /// on the list, not a blocker (README, "Stalls").
    pub stalled: bool,
    /// The commit of the newest `milestone_merged` in its log (SPEC §9),
    /// `""` when the event names none: see `is_merged`.
    pub merged: Option<String>,
}

impl MilestoneView {
    /// Merged: its log holds `milestone_merged`, and its worktree, when it
    /// still has one, has nothing the base lacks. Done, whatever the file says.
    pub fn is_merged(&self) -> bool {
        self.merged.is_some()
            && self
                .worktree
                .as_ref()
                .is_none_or(|w| w.merged != Some(false))
    }

    /// The declared figure differs from the computed one by more than 10 points.
    pub fn declared_is_stale(&self) -> bool {
        self.milestone
            .declared_progress
            .is_some_and(|d| (d - self.progress).abs() > 10.0)
    }
}

/// The whole workspace as read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub root: std::path::PathBuf,
    pub now: DateTime<Utc>,
    /// Shared between snapshots: a reload that changed one milestone makes
    /// one new view, and the others are the same allocations as before.
    pub milestones: Vec<std::sync::Arc<MilestoneView>>,
    pub problems: Vec<Problem>,
    /// The milestone a `current.txt` pointer names.
    pub current: Option<String>,
    /// By milestone id, the last line a failed run printed (its agent log's
    /// tail): what went wrong, in the agent's words.
    pub failed_output: Vec<(String, String)>,
    /// A first screenful shown while the first full read goes on: the
    /// number of milestone files found. Its milestones are the first files
    /// by name, evaluated alone (no logs, runs, or other milestones).
    pub partial: Option<usize>,
    /// The coordination database (SPEC §12), as of this load.
    pub registry: std::sync::Arc<Registry>,
}

impl Snapshot {
    /// The same milestones, shown the same: views that are the same
    /// allocation are equal without looking inside.
    pub fn same_views(&self, other: &Snapshot) -> bool {
        self.milestones.len() == other.milestones.len()
            && self
                .milestones
                .iter()
                .zip(&other.milestones)
                .all(|(a, b)| std::sync::Arc::ptr_eq(a, b) || a == b)
    }

    /// The last line a failed run of `id` printed, if known.
    pub fn failed_output(&self, id: &str) -> Option<&str> {
        self.failed_output
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, l)| l.as_str())
    }

    pub fn blockers(&self) -> impl Iterator<Item = &Blocker> {
        self.milestones.iter().flat_map(|m| m.blockers.iter())
    }
}
