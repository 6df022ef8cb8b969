//! A coding agent as mdash sees it (SPEC §8): its state, what it waits
//! for, its tokens. Filled in by `read::transcript`, `rules::agent` and
//! `live::agent`; plain data here.

use serde::{Serialize, Serializer};

/// What a Claude Code agent is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentState {
    /// The run started; nothing heard yet.
    #[default]
    Starting,
    Working,
    /// Its permission menu is up.
    WaitingPermission,
    /// Its turn ended, or it asked a question.
    WaitingInput,
    /// Its turn ended on an API error (SPEC §8.2).
    Error,
    Ended,
}

impl AgentState {
    pub const ALL: [AgentState; 6] = [
        AgentState::Starting,
        AgentState::Working,
        AgentState::WaitingPermission,
        AgentState::WaitingInput,
        AgentState::Error,
        AgentState::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Starting => "starting",
            AgentState::Working => "working",
            AgentState::WaitingPermission => "waiting_permission",
            AgentState::WaitingInput => "waiting_input",
            AgentState::Error => "error",
            AgentState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<AgentState> {
        AgentState::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The agent needs the human: it waits for an answer, or its turn
    /// ended on an API error (counted among those that need you, §8.2).
    pub fn waits(self) -> bool {
        matches!(
            self,
            AgentState::WaitingPermission | AgentState::WaitingInput | AgentState::Error
        )
    }
}

impl std::fmt::Display for AgentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AgentState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Token sums over assistant messages, each message id once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

impl Tokens {
    pub fn add(&mut self, o: Tokens) {
        self.input += o.input;
        self.output += o.output;
        self.cache_read += o.cache_read;
        self.cache_write += o.cache_write;
    }

    pub fn total(self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write
    }
}

/// One state as recorded (an `agent_state` event) or derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStatus {
    pub state: AgentState,
    /// `<Tool> <target>` or the first line of a message; see SPEC §8.
    pub detail: Option<String>,
    pub session_id: String,
    /// When this state began (RFC 3339).
    pub since: String,
    /// Its subagents' newest hook states, oldest first (§8.1).
    pub subagents: Vec<SubagentHook>,
}

/// A milestone's agent, as `status --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentView {
    pub kind: &'static str,
    /// Empty until the agent's first hook names it (shown as null).
    #[serde(serialize_with = "empty_as_null")]
    pub session_id: String,
    pub state: AgentState,
    pub since: String,
    pub detail: Option<String>,
    pub tokens: Tokens,
    /// What `tokens` cost, in millionths of a US dollar (SPEC §8.3); `None`
    /// when a priced message's model has no price.
    #[serde(rename = "cost_usd", serialize_with = "micros_as_usd")]
    pub cost_micros: Option<u64>,
    /// Its subagents in the current session, oldest first (SPEC §8.1).
    pub subagents: Vec<Subagent>,
    /// The tmux pane it runs in, when mdash started it there and it lives.
    #[serde(skip)]
    pub pane: Option<super::TmuxPane>,
    /// Its state came from hooks (a run mdash started), not a transcript.
    #[serde(skip)]
    pub hooked: bool,
    /// While it waits for permission: the request its hook saved, by
    /// identity (SPEC §8.4; what `mdash answer --request` takes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRef>,
}

/// A saved permission request by identity: the hash of the saved request
/// file (`hash`), and what it asks (`tool`, `target`: a file path or the
/// command's first line, as in `detail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRef {
    pub hash: String,
    pub tool: String,
    pub target: Option<String>,
}

fn micros_as_usd<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(m) => s.serialize_f64(*m as f64 / 1e6),
        None => s.serialize_none(),
    }
}

/// Whether a subagent still works (SPEC §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubagentState {
    Working,
    Ended,
}

/// One subagent of an agent (its `Agent` tool), as `status --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subagent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
    pub state: SubagentState,
    pub detail: Option<String>,
    pub tokens: Tokens,
    /// When it started (RFC 3339), for the order.
    #[serde(skip)]
    pub started: String,
}

/// What a subagent's hooks last said (`subagent_state` events): its id,
/// type, state and detail, in the session `session_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubagentHook {
    pub id: String,
    pub kind: String,
    pub state: SubagentState,
    pub detail: Option<String>,
    pub session_id: String,
    pub since: String,
}

/// The price of a model's tokens, in millionths of a dollar per million
/// tokens (so `3.75` $/M is 3_750_000): exact integer sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Price {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

/// Model-name prefixes and their prices: the configured ones first (the
/// longest matching prefix wins), then the built-in defaults (likewise), so
/// that a configured `claude-` prices every Claude model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prices {
    pub configured: Vec<(String, Price)>,
    pub defaults: Vec<(String, Price)>,
}

fn longest(table: &[(String, Price)], model: &str) -> Option<Price> {
    table
        .iter()
        .filter(|(p, _)| model.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, price)| *price)
}

impl Prices {
    pub fn of(&self, model: &str) -> Option<Price> {
        longest(&self.configured, model).or_else(|| longest(&self.defaults, model))
    }

    /// Configures `prefix`'s price, replacing an earlier one.
    pub fn set(&mut self, prefix: &str, price: Price) {
        self.configured.retain(|(p, _)| p != prefix);
        self.configured.push((prefix.to_string(), price));
    }
}

fn empty_as_null<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    if v.is_empty() {
        s.serialize_none()
    } else {
        s.serialize_str(v)
    }
}

/// What a waiting agent asks, as its `PermissionRequest` hook gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub session_id: String,
    pub tool: String,
    pub input: serde_json::Value,
    /// The agent's working directory: paths are shown relative to it.
    pub cwd: String,
}

/// One line of a request's preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// What is asked: `Write a.txt (new file)`, `$ npm test`.
    Head,
    Context,
    Added,
    Removed,
}

/// A request as the detail pane shows it (issue 19): for the agent of
/// milestone `id`, of the saved request whose hash is `hash` (SPEC §8.4:
/// `y`/`n` answer only that one).
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub id: String,
    pub session_id: String,
    pub hash: String,
    pub detail: Option<String>,
    /// Lines of the request not shown (over the cap), counted once.
    pub more: usize,
    pub lines: Vec<(LineKind, String)>,
}
