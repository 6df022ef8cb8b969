//! The command line: `mdash [PATH]` opens the dashboard; subcommands script it.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

/// Where the workspace is, the same way for every subcommand: a positional
/// `PATH` (scripts rely on it) or `--dir PATH`.
#[derive(Debug, Clone, Default, Args)]
pub struct At {
    /// Workspace (default: the current directory, searched upwards).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// The same as PATH.
    #[arg(long = "dir", value_name = "PATH", conflicts_with = "path")]
    pub dir: Option<PathBuf>,
}

impl At {
    pub fn get(&self) -> Option<&Path> {
        self.dir.as_deref().or(self.path.as_deref())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "mdash",
    version,
    about = "A live terminal dashboard for AI agents working on milestones",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Workspace to open (default: the current directory, searched upwards).
    pub path: Option<PathBuf>,
    /// Poll for file changes instead of watching (network file systems).
    #[arg(long)]
    pub poll: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The answer to a permission request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Decision {
    Allow,
    Deny,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every milestone with its status, phases and progress.
    Status {
        #[command(flatten)]
        at: At,
        /// Print the machine-readable form (SPEC §7).
        #[arg(long)]
        json: bool,
        /// The time to compute ages against, RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        now: Option<chrono::DateTime<chrono::Utc>>,
        /// Every workspace of the fleet (SPEC §14): `fleet.yaml` in the
        /// user config directory, or FILE.
        #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "", requires = "json")]
        fleet: Option<PathBuf>,
    },
    /// Stream the workspaces as NDJSON lines: a snapshot each, then what
    /// changed (SPEC §13). Ends when stdin reaches its end.
    Watch {
        /// Workspaces (default: the current directory, searched upwards).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write NDJSON (the only form).
        #[arg(long, required = true)]
        json: bool,
        /// The time to compute ages against, RFC 3339 (tests).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now, hide = true)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// One dashboard over the workspaces of fleet.yaml, local and over ssh
    /// (SPEC §14).
    Fleet {
        /// The fleet's file (default: fleet.yaml in the user config directory).
        #[arg(long = "fleet", value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Report every problem in the workspace's files, one per line.
    Check {
        #[command(flatten)]
        at: At,
    },
    /// Create the .milestones/ directory layout.
    Init {
        /// Where to create it (default: the current directory).
        #[command(flatten)]
        at: At,
        /// Also write `.milestones/config/mdash.yaml` for this agent CLI
        /// (only Claude Code gets state awareness: SPEC §8).
        #[arg(long, value_enum, value_name = "CLI")]
        agent: Option<crate::cli::agent_init::Preset>,
    },
    /// Build a live demo workspace (agents included) and open it.
    Demo {
        /// Where to build it (default: a new temporary directory, kept).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Start, pause, resume or stop an agent run.
    #[command(subcommand)]
    Run(RunCommand),
    /// Approve this workspace's agent.command (recorded in your user config):
    /// shows everything it covers and asks; `--yes` without a terminal.
    Trust {
        #[command(flatten)]
        at: At,
        /// Approve without asking (needed when there is no terminal).
        #[arg(long, conflicts_with_all = ["list", "revoke"])]
        yes: bool,
        /// List what is approved, for which workspace, with the commands.
        #[arg(long, conflicts_with = "revoke")]
        list: bool,
        /// Withdraw the approvals of this workspace (PATH or --dir).
        #[arg(long)]
        revoke: bool,
    },
    /// Print the effective configuration and where each value came from.
    Config {
        #[command(flatten)]
        at: At,
    },
    /// A simulated agent: advances the milestone's phases, for demos and tests.
    Sim {
        /// Milestone id.
        id: String,
        /// Milliseconds between steps.
        #[arg(long, default_value_t = 800)]
        pace_ms: u64,
        /// When the milestone is done, start it over (the demo's agents), until stopped.
        #[arg(long = "loop")]
        looping: bool,
    },
    /// Internal: watches over one agent run and records its exit.
    #[command(hide = true)]
    Supervise {
        id: String,
        #[arg(long)]
        root: PathBuf,
        #[arg(long, default_value = "process")]
        backend: String,
        #[arg(long, default_value = "")]
        session: String,
        #[arg(last = true, required = true)]
        argv: Vec<String>,
    },
    /// Internal: Claude Code's hook command for runs mdash started; reads
    /// the hook event on stdin and records the agent's state (SPEC §8).
    #[command(hide = true)]
    Hook {
        #[arg(long)]
        root: PathBuf,
        #[arg(long)]
        milestone: String,
    },
    /// Answer an agent's permission request, as `y`/`n` do in the dashboard:
    /// only the request named by HASH (`agent.request.hash` in `status
    /// --json`), while the saved request and the agent's screen still show
    /// it; otherwise nothing is sent and it exits 1 saying why.
    Answer {
        /// Milestone id.
        id: String,
        /// `allow` (the menu's Yes) or `deny` (its No).
        #[arg(value_enum)]
        decision: Decision,
        /// The request being answered: `agent.request.hash` in `status --json`.
        #[arg(long = "request", value_name = "HASH")]
        request: String,
        #[command(flatten)]
        at: At,
    },
    /// Type a reply into a waiting agent's prompt, as `R` does in the
    /// dashboard (only when its screen shows the empty prompt).
    Reply {
        /// Milestone id.
        id: String,
        /// The reply (one line; may start with `-`).
        #[arg(allow_hyphen_values = true)]
        text: String,
        #[command(flatten)]
        at: At,
    },
    /// Go to an agent's tmux pane, as `a` does in the dashboard: inside
    /// tmux it switches there; outside, it attaches this terminal until you
    /// detach (what a fleet dashboard runs through `ssh -t` for a remote
    /// agent).
    Attach {
        /// Milestone id.
        id: String,
        #[command(flatten)]
        at: At,
    },
    /// Git worktrees for milestones.
    #[command(subcommand)]
    Worktree(WorktreeCommand),
    /// Run the milestone's test suite (checks.command) in its worktree;
    /// exits with the suite's status.
    Test {
        /// Milestone id.
        id: String,
        #[command(flatten)]
        at: At,
    },
    /// Merge the milestone's branch into the base branch (fast-forward, or
    /// a merge commit), update the base checkout, then run the checks there.
    Merge {
        /// Milestone id.
        id: String,
        /// Merge even when a readiness gate fails (never on a conflict or a
        /// dirty base checkout).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        at: At,
    },
    /// Create a new milestone file in .milestones/active/.
    New {
        /// Milestone id: letters, digits, `-` and `_`, at most 50.
        id: String,
        /// Human title.
        #[arg(long, short)]
        title: String,
        /// Ids this milestone requires, comma-separated.
        #[arg(long, value_delimiter = ',')]
        requires: Vec<String>,
        /// Stage, when the id does not imply one.
        #[arg(long)]
        stage: Option<String>,
        #[command(flatten)]
        at: At,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Start the agent on a milestone (its worktree is created first when configured).
    Start {
        /// Milestone id (as in `mdash status`).
        id: String,
        #[command(flatten)]
        at: At,
        /// Start even when required milestones are not completed.
        #[arg(long)]
        force: bool,
    },
    /// Freeze the run's whole process group (SIGSTOP) and save a session.
    Pause {
        /// Milestone id (as in `mdash status`).
        id: String,
        #[command(flatten)]
        at: At,
    },
    /// Continue a paused run (SIGCONT), or restart it with agent.resume_command.
    Resume {
        /// Milestone id (as in `mdash status`).
        id: String,
        #[command(flatten)]
        at: At,
    },
    /// SIGTERM the run's process group, then SIGKILL after agent.stop_grace_secs.
    Stop {
        /// Milestone id (as in `mdash status`).
        id: String,
        #[command(flatten)]
        at: At,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorktreeCommand {
    /// Create .worktrees/milestone-ID on a new feature/milestone-ID branch
    /// from the base branch.
    Add {
        /// Milestone id.
        id: String,
        /// Also add .worktrees/ to .git/info/exclude when it is not ignored
        /// (also for a worktree that exists already).
        #[arg(long)]
        exclude: bool,
        /// Create it even when no milestone has this id (yet).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        at: At,
    },
    /// Remove the milestone's worktree and its branch (refused while it has
    /// uncommitted changes, or unmerged commits unless --force).
    Remove {
        /// Milestone id.
        id: String,
        /// Remove even when the branch has commits the base does not.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        at: At,
    },
}

/// The subcommands a first argument may be a typo of (`mdash stauts`).
pub const COMMANDS: [&str; 13] = [
    "status",
    "check",
    "init",
    "demo",
    "completions",
    "run",
    "trust",
    "config",
    "sim",
    "worktree",
    "test",
    "merge",
    "new",
];

fn parse_now(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-11-22T10:00:00Z ({e})"))
}
