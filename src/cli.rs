//! The command line: argument parsing (`args`), the subcommands (each
//! returns the process exit code), the demo and the simulator. `main.rs`
//! only calls `main` here.

pub mod args;
pub mod check;
pub mod demo;
pub mod init;
pub mod run;
pub mod sim;
pub mod status;
pub mod worktree;

use std::path::{Path, PathBuf};

pub use crate::util::EXIT_USAGE;

/// Finds the workspace from an optional path, or prints why not.
pub fn workspace(path: Option<&Path>) -> Result<PathBuf, i32> {
    let start = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    crate::live::git::discover::discover(&start).map_err(|e| {
        eprintln!("mdash: {e}");
        EXIT_USAGE
    })
}

/// Parses the command line and runs what it asks; returns the exit code.
pub fn main() -> color_eyre::Result<i32> {
    use crate::cli::args::{Cli, Command};
    use clap::Parser;
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Status { path, json, now }) => match crate::cli::workspace(path.as_deref()) {
            Ok(root) => {
                let snap = crate::live::snapshot::load_with_git(
                    &root,
                    now.unwrap_or_else(chrono::Utc::now),
                );
                let code = crate::cli::status::run(&snap, json);
                // The process ends here: freeing ten thousand milestones one
                // by one would only delay the exit.
                std::mem::forget(snap);
                code
            }
            Err(code) => code,
        },
        Some(Command::Check { path }) => match crate::cli::workspace(path.as_deref()) {
            Ok(root) => {
                crate::cli::check::run(&crate::live::snapshot::load(&root, chrono::Utc::now()))
            }
            Err(code) => code,
        },
        Some(Command::Worktree(crate::cli::args::WorktreeCommand::Add { id, exclude, dir })) => {
            match crate::cli::workspace(dir.as_deref()) {
                Ok(root) => crate::cli::worktree::add(&root, &id, exclude),
                Err(code) => code,
            }
        }
        Some(Command::Run(rc)) => match crate::cli::workspace(None) {
            Ok(root) => crate::cli::run::run(&root, rc),
            Err(code) => code,
        },
        Some(Command::Trust { path }) => match crate::cli::workspace(path.as_deref()) {
            Ok(root) => crate::cli::run::trust(&root),
            Err(code) => code,
        },
        Some(Command::Config { path }) => match crate::cli::workspace(path.as_deref()) {
            Ok(root) => crate::cli::run::config(&root),
            Err(code) => code,
        },
        Some(Command::Sim { id, pace_ms }) => crate::cli::sim::run(
            std::path::Path::new("."),
            &id,
            std::time::Duration::from_millis(pace_ms),
        ),
        Some(Command::Supervise {
            id,
            root,
            backend,
            session,
            argv,
        }) => crate::live::runs::supervise::run(&root, &id, &argv, &backend, &session),
        Some(Command::Demo { dir }) => crate::cli::demo::run(dir)?,
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "mdash", &mut std::io::stdout());
            0
        }
        Some(Command::Init { path }) => {
            crate::cli::init::init(path.as_deref().unwrap_or(std::path::Path::new(".")))
        }
        Some(Command::New {
            id,
            title,
            requires,
            stage,
            dir,
        }) => match crate::cli::workspace(dir.as_deref()) {
            Ok(root) => crate::cli::init::new(&root, &id, &title, &requires, stage.as_deref()),
            Err(code) => code,
        },
        None => match crate::cli::workspace(cli.path.as_deref()) {
            Ok(root) => crate::runtime::run(root, crate::runtime::Options { poll: cli.poll })?,
            Err(code) => code,
        },
    };
    Ok(code)
}
