//! The dashboard's state and its pure `update`: messages in, effects out.
//!
//! Nothing here touches the disk, a process or the clock; `run` (in
//! `app/run.rs`) owns those and turns their results into messages.

pub mod fleet;
pub mod hints;
pub mod keymap;
pub mod layout;
pub mod prompt;
pub mod rows;
pub mod update;

use chrono::{DateTime, Utc};

use crate::model::{Event, Snapshot};
use keymap::Keymap;

/// The panes of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Milestones,
    Detail,
    Blockers,
    Log,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Milestones, Pane::Detail, Pane::Blockers, Pane::Log];
}

/// How the workspace is watched, shown in the header when not live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchMode {
    Live,
    Polling(String),
}

/// The selected milestone's event log, as shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogView {
    pub id: Option<String>,
    pub events: Vec<Event>,
    /// Lines scrolled up from the newest; 0 while following.
    pub scroll: usize,
    pub follow: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub snap: Option<Snapshot>,
    /// `mdash fleet`: the workspaces' groups of rows (empty for one
    /// workspace; `app/fleet`).
    pub fleet: Vec<crate::model::fleet::Group>,
    pub now: DateTime<Utc>,
    /// The selected milestone, by id, so it survives reloads.
    pub selected: Option<String>,
    /// What a first screenful selected by itself: the full snapshot
    /// chooses again (`current.txt` may name another) unless the user moved.
    pub partial_pick: Option<String>,
    pub focus: Pane,
    /// The pane shown beside the list when only one fits.
    pub side: Pane,
    pub filter: String,
    pub filtering: bool,
    pub help: bool,
    pub help_scroll: usize,
    pub blocker_index: usize,
    pub detail_scroll: u16,
    pub list_offset: usize,
    pub log: LogView,
    pub message: Option<String>,
    pub watch: WatchMode,
    pub keymap: Keymap,
    /// Terminal size in cells.
    pub size: (u16, u16),
    pub color: bool,
    pub quit: bool,
    /// The worktree states last read, by milestone id, and their generation.
    pub git: Vec<(String, crate::model::WorktreeState)>,
    pub git_gen: u64,
    /// A question awaiting y or n, and what a yes does.
    pub confirm: Option<(String, Effect)>,
    /// How far a question asked in a box is scrolled, and what of it has
    /// been on screen (`y` waits for all of it).
    pub prompt: prompt::View,
    /// `S` was pressed: keep starting ready milestones as slots free up.
    pub autostart: bool,
    /// Runs being started, so a slot is not filled twice.
    pub starting: Vec<String>,
    /// Runs started but not yet seen in a snapshot, with the start time of
    /// the run the snapshot showed before (so a slot is not filled twice,
    /// and `S` never starts one milestone twice).
    pub launched: Vec<(String, Option<String>)>,
    /// Problems of the config files, `file:line:col: message`, as read at
    /// start: told in the status line and counted in the header.
    pub config_problems: Vec<String>,
    /// The furthest the detail pane can scroll, as the last frame found it
    /// (the text's height depends on wrapping): keys clamp to it.
    pub detail_max: std::cell::Cell<u16>,
    pub max_concurrent: usize,
    /// Runs live in tmux windows and mdash runs inside tmux: `a` switches
    /// to the run's window instead of showing the agent log.
    pub tmux_runs: bool,
    /// The run output shown full screen (`a`), and its lines.
    pub attached: Option<(String, Vec<String>)>,
    /// Checks runs in flight (`t`), with their progress.
    pub checks: Vec<ChecksLive>,
    /// The snapshot's blockers in the pane's order, as (milestone, blocker)
    /// indices: sorted once per snapshot, not once per frame (10,000
    /// blockers took most of a frame).
    pub(crate) blocker_order: Vec<(u32, u32)>,
    /// What the selected agent asks, as last read (issue 19), and the
    /// request last asked for, so it is read once.
    pub preview: Option<crate::model::Preview>,
    pub preview_asked: Option<(String, String, Option<String>)>,
    /// The reply being typed to a waiting agent: (milestone, text).
    pub replying: Option<(String, String)>,
    /// The list shows only the agents that need you, oldest first (`!`).
    pub needs_you: bool,
    /// Whether the last `update` changed anything on screen; the event loop
    /// draws only then (and clears it).
    pub dirty: bool,
    /// Waits you have seen: (milestone id, the agent's `since`) of agents
    /// you went to with `a` while they waited. Arriving acknowledges the
    /// wait: it leaves the header's "need you" count and its glyph dims,
    /// until the agent waits again (a new `since`).
    pub seen: Vec<(String, String)>,
}

impl App {
    /// The snapshot's problems that are not config problems (those are
    /// counted apart, once: the workspace config's are in both lists).
    pub fn file_problems(&self) -> usize {
        let Some(snap) = &self.snap else { return 0 };
        if self.config_problems.is_empty() {
            return snap.problems.len();
        }
        snap.problems
            .iter()
            .filter(|p| !self.config_problems.contains(&p.told()))
            .count()
    }

    /// Whether `m`'s agent waits for you and you have not been to it since.
    pub fn waits_unseen(&self, m: &crate::model::MilestoneView) -> bool {
        m.agent.as_ref().is_some_and(|a| {
            a.state.waits()
                && !self
                    .seen
                    .iter()
                    .any(|(id, since)| *id == m.milestone.id && *since == a.since)
        })
    }

    pub fn new(keymap: Keymap, color: bool, now: DateTime<Utc>) -> App {
        App {
            snap: None,
            fleet: Vec::new(),
            blocker_order: Vec::new(),
            preview: None,
            preview_asked: None,
            replying: None,
            needs_you: false,
            dirty: true,
            seen: Vec::new(),
            now,
            selected: None,
            partial_pick: None,
            focus: Pane::Milestones,
            side: Pane::Detail,
            filter: String::new(),
            filtering: false,
            help: false,
            help_scroll: 0,
            blocker_index: 0,
            detail_scroll: 0,
            list_offset: 0,
            log: LogView {
                follow: true,
                ..LogView::default()
            },
            message: None,
            watch: WatchMode::Live,
            keymap,
            size: (80, 24),
            color,
            quit: false,
            git: Vec::new(),
            git_gen: 0,
            confirm: None,
            prompt: prompt::View::default(),
            autostart: false,
            starting: Vec::new(),
            launched: Vec::new(),
            config_problems: Vec::new(),
            detail_max: std::cell::Cell::new(u16::MAX),
            max_concurrent: 3,
            tmux_runs: false,
            attached: None,
            checks: Vec::new(),
        }
    }

    /// Whether a Claude Code agent in a pane mdash started may end a turn
    /// without a hook (Esc, a "No"): only its screen says so, and it has to
    /// be looked at now and then (SPEC §8).
    pub fn watches_agent_screens(&self) -> bool {
        self.snap.as_ref().is_some_and(|s| {
            s.milestones.iter().any(|m| {
                m.agent.as_ref().is_some_and(|a| {
                    a.pane.is_some()
                        && a.hooked
                        && (matches!(
                            a.state,
                            crate::model::AgentState::Working
                                | crate::model::AgentState::WaitingPermission
                                | crate::model::AgentState::Starting
                        ) || a.detail.as_deref() == Some(crate::rules::agent::COMPACTING))
                })
            })
        })
    }

    /// Whether anything on screen shows an age that goes stale with time.
    pub fn shows_ages(&self) -> bool {
        self.snap.as_ref().is_some_and(|s| {
            s.blockers().any(|b| b.since.is_some())
                || s.milestones.iter().any(|m| m.last_event.is_some())
        })
    }
}

/// A checks run the dashboard started, while it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecksLive {
    pub id: String,
    pub elapsed_secs: u64,
    /// The newest line of output.
    pub last: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunAction {
    /// `trust`: approve the workspace's command first, but only if it
    /// still has this fingerprint (what the user was shown).
    Start {
        force: bool,
        trust: Option<String>,
    },
    Pause,
    Resume,
    Stop,
}

/// What `update` reacts to.
#[derive(Debug)]
pub enum Msg {
    Key(crossterm::event::KeyEvent),
    Mouse(crossterm::event::MouseEvent),
    Resize(u16, u16),
    Loaded(Box<Snapshot>),
    /// A first screenful while the first full read goes on
    /// (`Snapshot::partial`), or none (a small workspace).
    Partial(Option<Box<Snapshot>>),
    LogLoaded {
        id: String,
        events: Vec<Event>,
    },
    Tick(DateTime<Utc>),
    Notice(String),
    /// A worker panicked doing `job` (one of the `JOB_*` names).
    Failed {
        job: &'static str,
        text: String,
    },
    /// Worktree states from a git refresh of generation `generation`.
    Git {
        generation: u64,
        states: Vec<(String, crate::model::WorktreeState)>,
    },
    /// A run action finished.
    RunDone {
        id: String,
        action: RunAction,
        result: Result<String, crate::model::Refusal>,
    },
    AgentOutput {
        id: String,
        lines: Vec<String>,
    },
    /// A line of a running checks suite's output.
    ChecksProgress {
        id: String,
        /// `None` for a heartbeat (the elapsed time moved on).
        line: Option<String>,
        elapsed_secs: u64,
    },
    /// The workspace's checks.command is not approved yet: ask, showing
    /// `shown` (every field, escaped, one per line); a yes approves only
    /// the command whose fingerprint is `fingerprint`.
    ChecksUntrusted {
        id: String,
        shown: String,
        fingerprint: String,
    },
    /// A checks run (`t`) or a merge (`M`) ended: what to tell the user.
    ChecksDone {
        id: String,
        result: Result<String, String>,
    },
    /// `clean`: merged with post-merge checks passing or not configured.
    MergeDone {
        id: String,
        result: Result<(String, bool), String>,
    },
    /// The last checks run's output, for the full-screen view.
    ChecksOutput {
        id: String,
        lines: Vec<String>,
    },
    /// The status line's message has been up long enough: clear it if it
    /// is still this one.
    MessageExpired(String),
    /// The preview of what milestone `id`'s agent asks (`None`: not found).
    PreviewLoaded {
        id: String,
        preview: Option<crate::model::Preview>,
    },
    /// An answer or reply was sent to an agent, or refused.
    Answered {
        id: String,
        result: Result<String, String>,
    },
    /// `mdash worktree add` finished; `ignored` says whether `.worktrees/` is ignored.
    WorktreeAdded {
        id: String,
        result: Result<String, String>,
        ignored: bool,
    },
}

/// What `update` asks the runner to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Read the selected milestone's event log.
    LoadLog(String),
    /// Tell the user something happened (bell, tmux, desktop).
    Notify(String),
    /// Create the milestone's worktree.
    AddWorktree(String),
    /// Add `.worktrees/` to `.git/info/exclude`.
    ExcludeWorktrees,
    Run {
        id: String,
        action: RunAction,
    },
    /// Read the run's output for the attach view.
    LoadAgentOutput(String),
    /// Run the milestone's checks in its worktree.
    RunChecks(String),
    /// Approve the workspace's checks.command (the user said yes to what
    /// has this fingerprint), then run.
    TrustChecks {
        id: String,
        fingerprint: String,
    },
    /// Read the last checks run's output for the full-screen view.
    LoadChecksOutput(String),
    /// Merge the milestone into the base (`force` waives the gates).
    Merge {
        id: String,
        force: bool,
    },
    /// Remove the milestone's worktree and branch (asked after a clean merge).
    RemoveWorktree(String),
    /// Read what the agent of milestone `id` asks, for its preview.
    LoadPreview {
        id: String,
        agent: Box<crate::model::AgentView>,
    },
    /// Answer the agent's permission menu: the request whose preview is on
    /// screen (its hash), once the saved request and the agent's screen
    /// still show it (SPEC §8.4).
    Answer {
        id: String,
        hash: String,
        allow: bool,
    },
    /// Type a reply into the agent's prompt, once its screen shows it.
    Reply {
        id: String,
        pane: crate::model::TmuxPane,
        text: String,
    },
    /// Go to a Claude Code agent's tmux pane (inside tmux: switch to it;
    /// outside: suspend the dashboard and attach until detached).
    FocusAgent {
        id: String,
        pane: crate::model::TmuxPane,
    },
    /// Switch to the run's tmux window.
    TmuxSelect(String),
    Suspend,
    Quit,
}
