//! The fleet (SPEC §14): how each host is, and each workspace's group of
//! rows. Plain data; the app and ui do not know whether a group's rows came
//! from this machine or a stream.

use chrono::{DateTime, Utc};

/// How a host is, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostState {
    Connecting,
    Live,
    /// Nothing heard for 45 s: rows kept, dimmed, with their age.
    Stale,
    /// ssh's last error line (and what to run, when it is about keys).
    Unreachable(String),
    /// The remote mdash speaks another stream schema: which is needed.
    Incompatible(String),
}

impl HostState {
    pub fn name(&self) -> &'static str {
        match self {
            HostState::Connecting => "connecting",
            HostState::Live => "live",
            HostState::Stale => "stale",
            HostState::Unreachable(_) => "unreachable",
            HostState::Incompatible(_) => "incompatible",
        }
    }

    /// Its rows show what was last heard, not what is.
    pub fn dim(&self) -> bool {
        !matches!(self, HostState::Live)
    }
}

/// One workspace of the fleet: its rows are `first..first + len` of the
/// fleet's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    /// `None` on this machine.
    pub host: Option<String>,
    pub state: HostState,
    /// When its host was last heard (for the age of stale rows).
    pub heard: Option<DateTime<Utc>>,
    /// The workspace cannot be read (its words).
    pub error: Option<String>,
    pub first: usize,
    pub len: usize,
}
