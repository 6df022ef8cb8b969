//! The command line: `mdash [PATH]` opens the dashboard; subcommands script it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every milestone with its status, phases and progress.
    Status {
        /// Workspace (default: the current directory, searched upwards).
        path: Option<PathBuf>,
        /// Print the machine-readable form (SPEC §7).
        #[arg(long)]
        json: bool,
        /// The time to compute ages against, RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Report every problem in the workspace's files, one per line.
    Check {
        /// Workspace (default: the current directory, searched upwards).
        path: Option<PathBuf>,
    },
    /// Create the .milestones/ directory layout.
    Init {
        /// Where to create it (default: the current directory).
        path: Option<PathBuf>,
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
    /// Start, pause, resume or stop an agent run (from inside the workspace).
    #[command(subcommand)]
    Run(RunCommand),
    /// Approve this workspace's agent.command (recorded in your user config).
    Trust {
        /// Workspace (default: the current directory, searched upwards).
        path: Option<PathBuf>,
    },
    /// Print the effective configuration and where each value came from.
    Config {
        /// Workspace (default: the current directory, searched upwards).
        path: Option<PathBuf>,
    },
    /// A simulated agent: advances the milestone's phases, for demos and tests.
    Sim {
        /// Milestone id.
        id: String,
        /// Milliseconds between steps.
        #[arg(long, default_value_t = 800)]
        pace_ms: u64,
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
    /// Git worktrees for milestones.
    #[command(subcommand)]
    Worktree(WorktreeCommand),
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
        /// Workspace (default: the current directory, searched upwards).
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Start the agent on a milestone (its worktree is created first when configured).
    Start {
        id: String,
        /// Start even when required milestones are not completed.
        #[arg(long)]
        force: bool,
    },
    /// Freeze the run's whole process group (SIGSTOP) and save a session.
    Pause { id: String },
    /// Continue a paused run (SIGCONT), or restart it with agent.resume_command.
    Resume { id: String },
    /// SIGTERM the run's process group, then SIGKILL after agent.stop_grace_secs.
    Stop { id: String },
}

#[derive(Debug, Subcommand)]
pub enum WorktreeCommand {
    /// Create .worktrees/milestone-ID on a new feature/milestone-ID branch
    /// from the base branch.
    Add {
        /// Milestone id.
        id: String,
        /// Also add .worktrees/ to .git/info/exclude when it is not ignored.
        #[arg(long)]
        exclude: bool,
        /// Workspace (default: the current directory, searched upwards).
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
    },
}

fn parse_now(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-11-22T10:00:00Z ({e})"))
}
