//! Locks that serialize what happens to one milestone's run, across
//! dashboards, CLI invocations and the supervisor: `flock` on files next to
//! the record (`<id>.lock` for a whole control action, `<id>.rec.lock` for
//! one read-modify-write of the record). The record itself is replaced by
//! rename, so it cannot carry the lock. Locks are released when dropped or
//! when the process dies; they are never inherited by a child (close-on-exec).

use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::path::Path;

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] File);

/// The whole-action lock: start, pause, resume and stop of one milestone's
/// run take it and hold it until done, so two of them never interleave
/// (two starts never start two agents).
pub fn control(root: &Path, id: &str) -> std::io::Result<Held> {
    take(root, &format!("{id}.lock"))
}

/// The record lock: held only around one read-modify-write of the record
/// (and the signal that must precede it), never while waiting for anything,
/// so the supervisor can always record an exit.
pub fn record(root: &Path, id: &str) -> std::io::Result<Held> {
    take(root, &format!("{id}.rec.lock"))
}

/// The hook lock: held by `mdash hook` from its read of the newest agent
/// state to its append, and by the dashboard around a screen correction,
/// so two writers of one agent's state never both act on the state from
/// before either: the later one sees the first one's state.
pub fn hook(root: &Path, id: &str) -> std::io::Result<Held> {
    take(root, &format!("{id}.hook.lock"))
}

fn take(root: &Path, name: &str) -> std::io::Result<Held> {
    // The registry directory is workspace data: a symlink there must not
    // send even an empty lock file elsewhere (the write path's fence).
    let f = crate::live::write::open_lock(
        &crate::live::write::Fence::new(root),
        &root.join(super::DIR).join(name),
    )?;
    loop {
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(Held(f));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}
