//! The IO that runs while the dashboard is up, and that the subcommands
//! share: git (the one home of `git2`), the file watcher, agent runs and
//! their processes, the one write path, and loading a whole snapshot
//! (readers, then rules, with git and run state passed in).

pub mod agent;
pub mod config;
pub mod fleet;
pub mod git;
pub mod merge;
pub mod pane;
pub mod registry;
pub mod runs;
pub mod snapshot;
pub mod tmux;
pub mod watch;
pub mod write;
