//! Agent runs as recorded in the registry and as shown: the record, its
//! state, and the backend it runs in. Filled in by `live::runs`.

use serde::{Serialize, Serializer};

/// Where a run's agent lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// A child of the supervisor, output to the agent log.
    #[default]
    Process,
    /// A tmux window, where the agent is interactive.
    Tmux,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Process => "process",
            Backend::Tmux => "tmux",
        }
    }

    pub fn parse(s: &str) -> Option<Backend> {
        match s {
            "process" => Some(Backend::Process),
            "tmux" => Some(Backend::Tmux),
            _ => None,
        }
    }
}

impl Serialize for Backend {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A run's state. The registry records all five; what is shown folds
/// `Stopped` into `Exited` (SPEC §7: running, paused, exited, failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunState {
    #[default]
    Running,
    Paused,
    Exited,
    Failed,
    /// Ended by `stop`: recorded as such, shown as exited.
    Stopped,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Exited => "exited",
            RunState::Failed => "failed",
            RunState::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Option<RunState> {
        Some(match s {
            "running" => RunState::Running,
            "paused" => RunState::Paused,
            "exited" => RunState::Exited,
            "failed" => RunState::Failed,
            "stopped" => RunState::Stopped,
            _ => return None,
        })
    }

    /// Running or paused: the run's processes may still exist.
    pub fn is_live(self) -> bool {
        matches!(self, RunState::Running | RunState::Paused)
    }

    /// Ended, one way or another.
    pub fn is_over(self) -> bool {
        !self.is_live()
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RunState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One run as recorded in `.milestones/sessions/mdash-runs/<id>.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub id: String,
    pub backend: Backend,
    /// The agent process (the supervisor's child).
    pub pid: Option<i32>,
    /// The supervisor: session, process group and leader.
    pub pgid: i32,
    /// The group leader's start time in clock ticks since boot (/proc).
    pub start_ticks: u64,
    pub boot_id: String,
    pub command: Vec<String>,
    pub state: RunState,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub session_id: String,
    pub cwd: String,
}

/// A run as the dashboard and `status --json` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    /// Never `Stopped`: a stopped run is shown as exited.
    pub state: RunState,
    pub pid: Option<i32>,
    pub started_at: String,
    #[serde(skip)]
    pub detail: Option<String>,
}

/// Why a start did not happen, so the caller can ask and retry.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The workspace's command was never approved; the command as shown.
    NotTrusted(String),
    /// Required milestones are not completed.
    Unmet(Vec<String>),
    Other(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotTrusted(c) => write!(
                f,
                "this workspace's agent.command is not trusted yet: {c}\nrun `mdash trust` in the workspace to approve it"
            ),
            Refusal::Unmet(ids) => write!(
                f,
                "requires {} (not completed); start anyway with --force",
                ids.join(", ")
            ),
            Refusal::Other(s) => f.write_str(s),
        }
    }
}
