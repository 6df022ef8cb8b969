//! The coordinators' SQLite registry (SPEC §12), as read: registered agents
//! and the messages between them.

use std::collections::HashMap;

/// One row of `agent_registry` (or `agents`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegAgent {
    pub agent_id: Option<String>,
    pub kind: Option<String>,
    pub milestone: Option<String>,
    pub session_id: Option<String>,
    pub capabilities: Vec<String>,
    pub status: Option<String>,
    /// As written (text or a number of seconds since the epoch).
    pub updated_at: Option<String>,
}

/// A time as the coordinators write it: a date-time, or seconds since the
/// epoch.
pub fn reg_time(t: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = t?.trim();
    crate::util::time::parse(t).or_else(|| {
        t.parse::<f64>()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s as i64, 0))
    })
}

impl RegAgent {
    pub fn updated(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        reg_time(self.updated_at.as_deref())
    }
}

/// One row of `agent_messages` (or `messages`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegMessage {
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    pub payload: Option<String>,
    pub at: Option<String>,
}

/// The whole database as of one read. `error` says why a database that is
/// there could not be read (nothing else is lost).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Registry {
    /// By milestone id, newest update first.
    pub agents: HashMap<String, Vec<RegAgent>>,
    /// Newest first.
    pub messages: Vec<RegMessage>,
    pub error: Option<String>,
    /// The database's path, workspace-relative, when one is configured or
    /// found.
    pub path: String,
}

impl Registry {
    /// The agents registered for milestone `id`, newest update first.
    pub fn agents_of(&self, id: &str) -> &[RegAgent] {
        self.agents.get(id).map_or(&[], Vec::as_slice)
    }

    /// The newest `n` messages from or to one of `agents`.
    pub fn messages_of<'a>(&'a self, agents: &[RegAgent], n: usize) -> Vec<&'a RegMessage> {
        let ids: Vec<&str> = agents
            .iter()
            .filter_map(|a| a.agent_id.as_deref())
            .collect();
        self.messages
            .iter()
            .filter(|m| {
                [&m.from, &m.to]
                    .iter()
                    .any(|x| x.as_deref().is_some_and(|x| ids.contains(&x)))
            })
            .take(n)
            .collect()
    }
}
