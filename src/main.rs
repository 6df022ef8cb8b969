use clap::Parser;

// Reading thousands of small YAML documents is allocation-bound; glibc's
// allocator spent a third of the time consolidating and freeing.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use milestone_dash::cli::{Cli, Command};
use milestone_dash::cmd;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    milestone_dash::tui::install_panic_hook();
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Status { path, json, now }) => match cmd::workspace(path.as_deref()) {
            Ok(root) => {
                let snap = cmd::status::load(&root, now.unwrap_or_else(chrono::Utc::now));
                let code = cmd::status::run(&snap, json);
                // The process ends here: freeing ten thousand milestones one
                // by one would only delay the exit.
                std::mem::forget(snap);
                code
            }
            Err(code) => code,
        },
        Some(Command::Check { path }) => match cmd::workspace(path.as_deref()) {
            Ok(root) => cmd::check::run(&milestone_dash::read::workspace::load(
                &root,
                chrono::Utc::now(),
            )),
            Err(code) => code,
        },
        Some(Command::Worktree(milestone_dash::cli::WorktreeCommand::Add { id, exclude, dir })) => {
            match cmd::workspace(dir.as_deref()) {
                Ok(root) => cmd::worktree::add(&root, &id, exclude),
                Err(code) => code,
            }
        }
        Some(Command::Run(rc)) => match cmd::workspace(None) {
            Ok(root) => cmd::run::run(&root, rc),
            Err(code) => code,
        },
        Some(Command::Trust { path }) => match cmd::workspace(path.as_deref()) {
            Ok(root) => cmd::run::trust(&root),
            Err(code) => code,
        },
        Some(Command::Config { path }) => match cmd::workspace(path.as_deref()) {
            Ok(root) => cmd::run::config(&root),
            Err(code) => code,
        },
        Some(Command::Sim { id, pace_ms }) => milestone_dash::sim::run(
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
        }) => milestone_dash::runs::supervise::run(&root, &id, &argv, &backend, &session),
        Some(Command::Demo { dir }) => milestone_dash::demo::run(dir)?,
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "mdash", &mut std::io::stdout());
            0
        }
        Some(Command::Init { path }) => {
            cmd::init::init(path.as_deref().unwrap_or(std::path::Path::new(".")))
        }
        Some(Command::New {
            id,
            title,
            requires,
            stage,
            dir,
        }) => match cmd::workspace(dir.as_deref()) {
            Ok(root) => cmd::init::new(&root, &id, &title, &requires, stage.as_deref()),
            Err(code) => code,
        },
        None => match cmd::workspace(cli.path.as_deref()) {
            Ok(root) => milestone_dash::app::run::run(
                root,
                milestone_dash::app::run::Options { poll: cli.poll },
            )?,
            Err(code) => code,
        },
    };
    std::process::exit(code);
}
