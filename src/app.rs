//! The dashboard's state and its pure `update`: messages in, effects out.
//!
//! Nothing here touches the disk, a process or the clock; `run` (in
//! `app/run.rs`) owns those and turns their results into messages.

pub mod keymap;
pub mod layout;
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
    pub now: DateTime<Utc>,
    /// The selected milestone, by id, so it survives reloads.
    pub selected: Option<String>,
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
    /// `S` was pressed: keep starting ready milestones as slots free up.
    pub autostart: bool,
    /// Runs being started, so a slot is not filled twice.
    pub starting: Vec<String>,
    pub max_concurrent: usize,
    /// The run output shown full screen (`a`), and its lines.
    pub attached: Option<(String, Vec<String>)>,
    /// The snapshot's blockers in the pane's order, as (milestone, blocker)
    /// indices: sorted once per snapshot, not once per frame (10,000
    /// blockers took most of a frame).
    pub(crate) blocker_order: Vec<(u32, u32)>,
    /// Whether the last `update` changed anything on screen; the event loop
    /// draws only then (and clears it).
    pub dirty: bool,
}

impl App {
    pub fn new(keymap: Keymap, color: bool, now: DateTime<Utc>) -> App {
        App {
            snap: None,
            blocker_order: Vec::new(),
            dirty: true,
            now,
            selected: None,
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
            autostart: false,
            starting: Vec::new(),
            max_concurrent: 3,
            attached: None,
        }
    }

    /// Whether anything on screen shows an age that goes stale with time.
    pub fn shows_ages(&self) -> bool {
        self.snap.as_ref().is_some_and(|s| {
            s.blockers().any(|b| b.since.is_some())
                || s.milestones.iter().any(|m| m.last_event.is_some())
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    Start { force: bool, trust: bool },
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
    /// Switch to the run's tmux window.
    TmuxSelect(String),
    Suspend,
    Quit,
}
