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

/// `^[A-Za-z0-9_-]{1,50}$`.
pub fn valid_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
