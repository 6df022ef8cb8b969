//! The file behind `MDASH_LOG=debug` (`util::log`): `debug.log` in mdash's
//! state directory (`$XDG_STATE_HOME/mdash`), appended to, one line per
//! decision: time, pid, what. Created private (0600), never through a
//! symlink. Nothing is opened when the variable is unset.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

static FILE: OnceLock<Mutex<File>> = OnceLock::new();

/// The debug log's path.
pub fn path() -> Option<PathBuf> {
    crate::live::runs::bind::state_dir().map(|d| d.join("debug.log"))
}

/// Turns the debug log on when `MDASH_LOG` asks for it (or `force`);
/// returns the file it writes, or why it cannot.
pub fn start(force: bool) -> Option<Result<PathBuf, String>> {
    if !force && !crate::util::log::wanted(std::env::var_os("MDASH_LOG").as_deref()) {
        return None;
    }
    Some(open())
}

fn open() -> Result<PathBuf, String> {
    let path = path().ok_or("no state directory ($XDG_STATE_HOME or $HOME)")?;
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let _ = FILE.set(Mutex::new(f));
    crate::util::log::install(sink);
    Ok(path)
}

/// One line: the time, the pid and the message with every control
/// character escaped (a message may quote file text).
fn sink(msg: &str) {
    let Some(f) = FILE.get() else { return };
    let line = format!(
        "{} {} {}\n",
        crate::util::time::format(chrono::Utc::now()),
        std::process::id(),
        crate::util::text::escape(msg)
    );
    if let Ok(mut f) = f.lock() {
        // One write per line: O_APPEND keeps lines of several processes whole.
        let _ = f.write_all(line.as_bytes());
    }
}
