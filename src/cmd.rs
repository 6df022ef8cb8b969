//! The subcommands. Each returns the process exit code.

pub mod check;
pub mod init;
pub mod run;
pub mod status;
pub mod worktree;

use std::path::{Path, PathBuf};

/// Exit code when no workspace was found or the arguments are wrong.
pub const EXIT_USAGE: i32 = 2;

/// Finds the workspace from an optional path, or prints why not.
pub fn workspace(path: Option<&Path>) -> Result<PathBuf, i32> {
    let start = path.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    crate::read::workspace::discover(&start).map_err(|e| {
        eprintln!("mdash: {e}");
        EXIT_USAGE
    })
}
