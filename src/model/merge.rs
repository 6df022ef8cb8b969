//! Checks results, readiness gates and pace (SPEC §9, §10): plain data the
//! rules fill in and `status --json` prints.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Event;

/// One merge gate (SPEC §9), in the order `ready.missing` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    Phases,
    Blockers,
    Worktree,
    Dirty,
    NoCommits,
    Merged,
    Checks,
}

impl Gate {
    pub const ALL: [Gate; 7] = [
        Gate::Phases,
        Gate::Blockers,
        Gate::Worktree,
        Gate::Dirty,
        Gate::NoCommits,
        Gate::Merged,
        Gate::Checks,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Gate::Phases => "phases",
            Gate::Blockers => "blockers",
            Gate::Worktree => "worktree",
            Gate::Dirty => "dirty",
            Gate::NoCommits => "no_commits",
            Gate::Merged => "merged",
            Gate::Checks => "checks",
        }
    }

    /// What the gate requires, for a checklist (`✓` when it holds).
    pub fn label(self) -> &'static str {
        match self {
            Gate::Phases => "progress at 100",
            Gate::Blockers => "no blockers (forecast aside)",
            Gate::Worktree => "a worktree on a branch",
            Gate::Dirty => "nothing uncommitted",
            Gate::NoCommits => "commits ahead of the base",
            Gate::Merged => "not merged yet",
            Gate::Checks => "checks passed at HEAD",
        }
    }

    /// The requirement in a word, for a one-line list (`✓commits`).
    pub fn word(self) -> &'static str {
        match self {
            Gate::Phases => "progress",
            Gate::Blockers => "no-blockers",
            Gate::Worktree => "worktree",
            Gate::Dirty => "clean",
            Gate::NoCommits => "commits",
            Gate::Merged => "unmerged",
            Gate::Checks => "checks",
        }
    }
}

/// `ready` in `status --json`: `ok` is true when nothing is missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ready {
    pub missing: Vec<Gate>,
    /// `checks.command` is set, so the `checks` gate applies.
    pub checks_configured: bool,
}

impl Ready {
    pub fn ok(&self) -> bool {
        self.missing.is_empty()
    }
}

/// A finished checks run as its event records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecksRun {
    /// The full commit id it ran against.
    pub head: String,
    pub exit_code: Option<i64>,
    pub signal: Option<i64>,
    pub seconds: Option<f64>,
    pub at: Option<DateTime<Utc>>,
    /// Uncommitted paths it ran with (`"dirty"`): not HEAD's result alone.
    pub dirty: u64,
}

impl ChecksRun {
    /// A `checks_passed` or `checks_failed` event of the milestone's
    /// worktree (post-merge runs, `"where": "base"`, are the base's).
    pub fn from_event(e: &Event) -> Option<ChecksRun> {
        if !matches!(e.name.as_str(), "checks_passed" | "checks_failed") {
            return None;
        }
        let d = e.details.as_ref()?;
        if d.get("where").and_then(|w| w.as_str()) == Some("base") {
            return None;
        }
        let head = d.get("head")?.as_str()?.to_string();
        let int = |k: &str| d.get(k).and_then(serde_json::Value::as_i64);
        let exit_code = int("exit_code");
        // The event's name decides: a `checks_failed` without a code is
        // still a failure.
        let exit_code = match (e.name.as_str(), exit_code) {
            ("checks_passed", None) => Some(0),
            (_, c) => c,
        };
        Some(ChecksRun {
            head,
            exit_code,
            signal: int("signal"),
            seconds: d.get("seconds").and_then(serde_json::Value::as_f64),
            at: e.time,
            dirty: d
                .get("dirty")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
        })
    }

    pub fn passed(&self) -> bool {
        self.exit_code == Some(0) && self.signal.is_none()
    }

    /// `3` for an exit code, `SIGKILL` for a signal (as `run_failed` says).
    pub fn failure(&self) -> String {
        match (self.signal, self.exit_code) {
            (Some(s), _) => signal_name(s),
            (None, Some(c)) => c.to_string(),
            (None, None) => "no exit status".to_string(),
        }
    }
}

/// Linux's numbers for the signals a test suite dies of.
pub fn signal_name(s: i64) -> String {
    match s {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        6 => "SIGABRT".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        13 => "SIGPIPE".into(),
        15 => "SIGTERM".into(),
        other => format!("signal {other}"),
    }
}

/// `pace` in `status --json` (SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Rounded to one decimal.
    pub points_per_hour: f64,
    /// Rounded down to the minute.
    pub eta: DateTime<Utc>,
}
