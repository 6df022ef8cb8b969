//! The one table of mdash's settings: every key with its type, bounds,
//! default and one line of doc. Parsing (`layers`), `mdash check`, the
//! commented file `mdash init` writes and the README's configuration
//! section are all generated from `KEYS`; `verdict` judges a value.

mod verdict;

pub use verdict::{Verdict, judge, shown};

use crate::read::yaml::Value;

/// What a value must be.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A whole number in `min..=max`; out of range is an error and clamped.
    Int {
        min: u64,
        max: u64,
    },
    Bool,
    Text,
    OneOf(&'static [&'static str]),
    /// A non-empty list of strings (an argv; never through a shell).
    Argv,
    /// A mapping of names to strings (environment variables).
    Env,
    /// A path relative to the workspace that stays inside it.
    RelPath,
    /// `keys:`: action names to keys, judged by the keymap.
    Keys,
    /// A mapping judged by a function: each problem with the keys under
    /// this one that locate it (`prices`: the agents' price parser).
    Map(Judge),
}

/// Judges a mapping-typed value: `(path below the key, message)` per problem.
pub type Judge = fn(&Value) -> Vec<(Vec<String>, String)>;

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.expected())
    }
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// `section.key`, or a whole section (`keys`, `prices`).
    pub name: &'static str,
    pub kind: Kind,
    /// The default as YAML (`""`: none), or as words when `shown` is set.
    pub default: &'static str,
    /// How the default reads when it is not a plain value.
    pub shown: &'static str,
    pub doc: &'static str,
}

const MINUTES_MAX: u64 = 10 * 366 * 24 * 60;
const DAY_SECS: u64 = 24 * 60 * 60;

const fn key(name: &'static str, kind: Kind, default: &'static str, doc: &'static str) -> Key {
    Key {
        name,
        kind,
        default,
        shown: "",
        doc,
    }
}

const fn worded(name: &'static str, kind: Kind, shown: &'static str, doc: &'static str) -> Key {
    Key {
        name,
        kind,
        default: "",
        shown,
        doc,
    }
}

/// Every key mdash (or a part of it) reads, in the order files show them.
pub const KEYS: &[Key] = &[
    worded(
        "agent.command",
        Kind::Argv,
        "none",
        "the agent to run, a list; `{id}`, `{title}`, `{worktree}`, `{branch}`, `{milestone_file}`, `{workspace}`, `{session_id}`, `{mdash}` (this mdash's path) are filled in",
    ),
    worded(
        "agent.resume_command",
        Kind::Argv,
        "none",
        "run instead when resuming a run that is gone",
    ),
    key(
        "agent.cwd",
        Kind::OneOf(&["worktree", "workspace"]),
        "worktree",
        "where the agent runs: the milestone's worktree or the workspace root",
    ),
    worded(
        "agent.env",
        Kind::Env,
        "none",
        "extra environment variables for the agent",
    ),
    worded(
        "agent.backend",
        Kind::OneOf(&["process", "tmux"]),
        "process (tmux for Claude Code)",
        "how the agent runs: a plain process or a tmux window",
    ),
    key(
        "agent.max_concurrent",
        Kind::Int { min: 1, max: 64 },
        "3",
        "runs `S` keeps going",
    ),
    key(
        "agent.stop_grace_secs",
        Kind::Int { min: 0, max: 3600 },
        "10",
        "from `SIGTERM` to `SIGKILL`",
    ),
    worded(
        "agent.create_worktree",
        Kind::Bool,
        "when a repository exists",
        "create the milestone's worktree before starting",
    ),
    worded(
        "agent.kind",
        Kind::OneOf(&["claude"]),
        "claude when the command runs `claude`",
        "the agent is Claude Code: hooks, states, tokens and resume",
    ),
    key(
        "agent.ended_after_minutes",
        Kind::Int {
            min: 1,
            max: 10_000,
        },
        "30",
        "a session mdash did not start counts as ended after this long quiet",
    ),
    worded(
        "checks.command",
        Kind::Argv,
        "none",
        "the milestone's test suite, a list (argv)",
    ),
    key(
        "limits.max_file_bytes",
        Kind::Int {
            min: 1,
            max: 1 << 30,
        },
        "1048576",
        "larger files are reported, not parsed",
    ),
    key(
        "blockers.long_task_minutes",
        Kind::Int {
            min: 0,
            max: MINUTES_MAX,
        },
        "60",
        "an in-progress task older than this is a blocker",
    ),
    key(
        "blockers.stall_minutes",
        Kind::Int {
            min: 0,
            max: MINUTES_MAX,
        },
        "120",
        "in progress and quiet this long: flagged `stalled`",
    ),
    worded(
        "git.base_branch",
        Kind::Text,
        "main, else master",
        "what worktrees are compared against",
    ),
    key(
        "git.refresh_secs",
        Kind::Int {
            min: 1,
            max: DAY_SECS,
        },
        "10",
        "slow git refresh timer",
    ),
    key(
        "notify.bell",
        Kind::Bool,
        "true",
        "ring the bell on a new blocker",
    ),
    key(
        "notify.tmux",
        Kind::Bool,
        "true",
        "`tmux display-message` on a new blocker (inside tmux)",
    ),
    key(
        "notify.desktop",
        Kind::Bool,
        "false",
        "a desktop notification (OSC 777)",
    ),
    key(
        "notify.cooldown_secs",
        Kind::Int {
            min: 0,
            max: DAY_SECS,
        },
        "10",
        "at most one notification per this many seconds",
    ),
    worded(
        "keys",
        Kind::Keys,
        "see Keys",
        "rebind keys: `action: [key, ...]`",
    ),
    worded(
        "prices",
        Kind::Map(super::prices::judge),
        "built in",
        "USD per million tokens by model-name prefix: `{input, output, cache_read, cache_write}`",
    ),
    key(
        "coordination.path",
        Kind::RelPath,
        ".milestones/coordination.db",
        "the coordination registry, relative to the workspace",
    ),
];

/// The key named `name`.
pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// The section names, in table order.
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KEYS {
        let s = k.section();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

impl Key {
    pub fn section(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(s, _)| s)
    }

    /// The key within its section; `None` for a whole-section key.
    pub fn field(&self) -> Option<&'static str> {
        self.name.split_once('.').map(|(_, f)| f)
    }

    /// The default as a value, when it is one.
    pub fn default_value(&self) -> Option<Value> {
        if self.default.is_empty() {
            return None;
        }
        Some(match self.kind {
            Kind::Int { .. } => Value::Number(self.default.parse::<u64>().unwrap_or(0).into()),
            Kind::Bool => Value::Bool(self.default == "true"),
            _ => Value::String(self.default.into()),
        })
    }

    /// The default as a person reads it.
    pub fn default_shown(&self) -> &'static str {
        if self.shown.is_empty() {
            self.default
        } else {
            self.shown
        }
    }
}

impl Kind {
    /// What a value of this kind is, for messages and the README.
    pub fn expected(&self) -> String {
        match self {
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Bool => "true or false".into(),
            Kind::Text => "a string".into(),
            Kind::OneOf(o) => format!("one of {}", o.join(", ")),
            Kind::Argv => "a non-empty list of strings, e.g. [my-agent, \"{id}\"]".into(),
            Kind::Env => "a mapping of names to strings".into(),
            Kind::RelPath => "a relative path inside the workspace".into(),
            Kind::Keys => "a mapping of actions to keys".into(),
            Kind::Map(_) => "a mapping".into(),
        }
    }
}
