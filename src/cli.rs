//! The command line: argument parsing (`args`), the subcommands (each
//! returns the process exit code), the demo and the simulator. `main.rs`
//! only calls `main` here.

pub mod agent_init;
pub mod answer;
pub mod args;
pub mod attach;
pub mod check;
pub mod demo;
pub mod fleet;
pub mod hook;
pub mod init;
pub mod merge;
pub mod run;
pub mod sim;
pub mod status;
pub mod watch;
pub mod worktree;

use std::path::{Path, PathBuf};

pub use crate::util::EXIT_USAGE;

/// Finds the workspace from an optional path, or prints why not.
pub fn workspace(path: Option<&Path>) -> Result<PathBuf, i32> {
    let start = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    crate::live::git::discover::discover(&start).map_err(|e| {
        eprintln!("mdash: {}", crate::ui::text::escape(&e.to_string()));
        EXIT_USAGE
    })
}

/// `mdash stauts`: a first argument that is no existing path and is one
/// typo away from a subcommand is that typo, not a workspace.
fn typo(path: Option<&Path>) -> Option<(String, &'static str)> {
    let p = path?;
    if p.exists() {
        return None;
    }
    let word = p.to_str()?;
    let near = crate::util::near::closest(word, &crate::cli::args::COMMANDS)?;
    Some((word.to_string(), near))
}

/// A closed pipe (`mdash check | head`) ends a one-shot command quietly,
/// killed by SIGPIPE as `cat` or `grep` would be, instead of a panic on the
/// failed write. The dashboard, the supervisor and the runs keep Rust's
/// default (ignored): they write to pipes of their own and must see EPIPE.
fn die_on_closed_pipe() {
    // SAFETY: restoring a signal's default disposition before any thread
    // is started touches no memory.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Parses the command line and runs what it asks; returns the exit code.
pub fn main() -> color_eyre::Result<i32> {
    use crate::cli::args::{Cli, Command, RunCommand, WorktreeCommand};
    use clap::Parser;
    let cli = Cli::parse();
    // `MDASH_LOG=debug`: what mdash decides goes to its state directory.
    if let Some(Err(e)) = crate::live::write::debug::start(false) {
        eprintln!("mdash: MDASH_LOG: {}", crate::ui::text::escape(&e));
    }
    crate::util::log::decided!(
        "start: mdash {:?}",
        std::env::args().skip(1).collect::<Vec<_>>()
    );
    if matches!(
        cli.command,
        Some(
            Command::Status { .. }
                | Command::Check { .. }
                | Command::Config { .. }
                | Command::Completions { .. }
                | Command::Init { .. }
                | Command::New { .. }
                | Command::Worktree(_)
        )
    ) {
        die_on_closed_pipe();
    }
    let code = match cli.command {
        Some(Command::Status { fleet: Some(f), .. }) => {
            crate::cli::fleet::status_json(Some(f.as_path()).filter(|f| !f.as_os_str().is_empty()))
        }
        Some(Command::Status { at, json, now, .. }) => match workspace(at.get()) {
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
        Some(Command::Fleet { file }) => match crate::cli::fleet::entries(file.as_deref()) {
            Ok((_, entries)) => crate::runtime::fleet::run(entries)?,
            Err(m) => {
                eprintln!("mdash: {}", crate::util::text::escape(&m));
                EXIT_USAGE
            }
        },
        Some(Command::Watch { paths, now, .. }) => crate::cli::watch::run(paths, now),
        Some(Command::Check { at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::check::run(
                &root,
                &crate::live::snapshot::load(&root, chrono::Utc::now()),
            ),
            Err(code) => code,
        },
        Some(Command::Worktree(WorktreeCommand::Add {
            id,
            exclude,
            force,
            at,
        })) => match workspace(at.get()) {
            Ok(root) => crate::cli::worktree::add(&root, &id, exclude, force),
            Err(code) => code,
        },
        Some(Command::Run(rc)) => {
            let at = match &rc {
                RunCommand::Start { at, .. }
                | RunCommand::Pause { at, .. }
                | RunCommand::Resume { at, .. }
                | RunCommand::Stop { at, .. } => at.clone(),
            };
            match workspace(at.get()) {
                Ok(root) => crate::cli::run::run(&root, rc),
                Err(code) => code,
            }
        }
        Some(Command::Worktree(WorktreeCommand::Remove { id, force, at })) => {
            match workspace(at.get()) {
                Ok(root) => crate::cli::merge::remove(&root, &id, force),
                Err(code) => code,
            }
        }
        Some(Command::Test { id, at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::merge::test(&root, &id),
            Err(code) => code,
        },
        Some(Command::Merge { id, force, at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::merge::merge(&root, &id, force),
            Err(code) => code,
        },
        Some(Command::Trust { list: true, .. }) => crate::cli::run::trust_list(),
        Some(Command::Trust {
            at, yes, revoke, ..
        }) => match workspace(at.get()) {
            Ok(root) if revoke => crate::cli::run::trust_revoke(&root),
            Ok(root) => crate::cli::run::trust(&root, yes),
            Err(code) => code,
        },
        Some(Command::Config { at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::run::config(&root),
            Err(code) => code,
        },
        Some(Command::Sim {
            id,
            pace_ms,
            looping,
        }) => crate::cli::sim::run(
            std::path::Path::new("."),
            &id,
            std::time::Duration::from_millis(pace_ms),
            looping,
        ),
        Some(Command::Supervise {
            id,
            root,
            backend,
            session,
            argv,
        }) => crate::live::runs::supervise::run(&root, &id, &argv, &backend, &session),
        Some(Command::Hook { root, milestone }) => crate::cli::hook::run(&root, &milestone),
        Some(Command::Answer {
            id,
            decision,
            request,
            at,
        }) => match workspace(at.get()) {
            Ok(root) => crate::cli::answer::answer(&root, &id, decision, &request),
            Err(code) => code,
        },
        Some(Command::Reply { id, text, at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::answer::reply(&root, &id, &text),
            Err(code) => code,
        },
        Some(Command::Attach { id, at }) => match workspace(at.get()) {
            Ok(root) => crate::cli::attach::run(&root, &id),
            Err(code) => code,
        },
        Some(Command::Demo { dir }) => crate::cli::demo::run(dir)?,
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "mdash", &mut std::io::stdout());
            0
        }
        Some(Command::Init { at, agent }) => {
            let path = crate::cli::init::root_for(at.get().unwrap_or(Path::new(".")));
            let path = path.as_path();
            match crate::cli::init::init(path) {
                0 => agent.map_or(0, |a| crate::cli::agent_init::write(path, a)),
                code => code,
            }
        }
        Some(Command::New {
            id,
            title,
            requires,
            stage,
            at,
        }) => match workspace(at.get()) {
            Ok(root) => crate::cli::init::new(&root, &id, &title, &requires, stage.as_deref()),
            Err(code) => code,
        },
        None if typo(cli.path.as_deref()).is_some() => {
            let (word, near) = typo(cli.path.as_deref()).unwrap_or_default();
            eprintln!(
                "mdash: unknown command \"{}\"; did you mean {near}? (`mdash --help` lists them; a workspace path must exist)",
                crate::ui::text::escape(&word)
            );
            EXIT_USAGE
        }
        None => match workspace(cli.path.as_deref()) {
            Ok(root) => crate::runtime::run(root, crate::runtime::Options { poll: cli.poll })?,
            Err(code) => code,
        },
    };
    Ok(code)
}
