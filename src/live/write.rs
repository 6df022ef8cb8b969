//! The one write path: every file mdash writes goes through here. Writes
//! are fenced like reads (SPEC §1: the whole path resolved, inside the
//! workspace or its worktrees), temp files are created new with random
//! names and never followed (`O_EXCL | O_NOFOLLOW`), synced, then renamed;
//! files that agents also write are replaced only while they still hold
//! what was read (compare before replace); appends refuse a symlink that
//! leaves the fence. The status edit of a milestone file is `status`.

pub mod debug;
mod edit;
mod fence;
mod locate;
mod status;
mod writers;

pub use edit::{Refusal, STATUS_PATHS, with_status, with_status_in};
pub use fence::Fence;
pub use status::set_status;

use std::ffi::CString;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Sixteen random hex digits for a temp file name (a name nobody can plant
/// in advance).
fn random_hex() -> String {
    let mut buf = [0u8; 8];
    // SAFETY: getrandom writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n != buf.len() as isize {
        // Never expected on Linux; the clock and pid still make a fresh
        // name, and O_EXCL refuses one that exists.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        buf = (t ^ (u64::from(std::process::id()) << 32)).to_le_bytes();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new temp file beside `target` (same directory, so a rename is atomic),
/// holding `bytes`, synced. The file is created, never opened: a planted
/// file or symlink of that name makes it fail, not follow.
fn write_temp(
    target: &Path,
    bytes: &[u8],
    like: Option<&fs::Metadata>,
) -> std::io::Result<PathBuf> {
    write_temp_mode(target, bytes, like, None)
}

/// `write_temp`, with the mode forced when `mode` is given.
fn write_temp_mode(
    target: &Path,
    bytes: &[u8],
    like: Option<&fs::Metadata>,
    mode: Option<u32>,
) -> std::io::Result<PathBuf> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{name}.{}.mdash.tmp", random_hex()));
        let opened = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode.unwrap_or(0o644))
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp);
        let mut f = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let res = (|| {
            if let Some(m) = like {
                // Keep the owner (when allowed) and the mode of the file
                // it replaces: a 0400 or 0600 file stays so.
                // SAFETY: fchown on a descriptor we own; failure is ignored.
                unsafe {
                    use std::os::fd::AsRawFd;
                    libc::fchown(f.as_raw_fd(), m.uid(), m.gid());
                }
                f.set_permissions(fs::Permissions::from_mode(m.mode() & 0o7777))?;
            }
            if let Some(m) = mode {
                f.set_permissions(fs::Permissions::from_mode(m))?;
            }
            f.write_all(bytes)?;
            f.sync_all()
        })();
        return match res {
            Ok(()) => Ok(tmp),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        };
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temp file name")))
}

/// Makes a rename durable.
fn sync_dir(path: &Path) {
    if let Some(d) = path.parent()
        && let Ok(f) = fs::File::open(d)
    {
        let _ = f.sync_all();
    }
}

fn cstr(p: &Path) -> std::io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other)
}

/// Swaps two paths atomically (`renameat2` with `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let (ca, cb) = (cstr(a)?, cstr(b)?);
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // like rename(2).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Replaces the file at `path` (through a symlink whose target is inside
/// the fence) with `bytes`, atomically; a new file is created. Keeps the
/// mode of the file it replaces. For files mdash alone writes (its run
/// records, saved sessions, trust list): no compare.
pub fn replace(fence: &Fence, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_inner(fence, path, bytes, None)
}

/// `replace`, the file getting `mode` whatever it had (0o600 for mdash's
/// private records).
pub fn replace_mode(fence: &Fence, path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    replace_inner(fence, path, bytes, Some(mode))
}

fn replace_inner(
    fence: &Fence,
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fence.create_dirs(dir)?;
    }
    let real = fence.resolve(path)?;
    let like = fs::metadata(&real).ok().filter(|m| m.is_file());
    let tmp = write_temp_mode(&real, bytes, like.as_ref(), mode)?;
    match fs::rename(&tmp, &real) {
        Ok(()) => {
            sync_dir(&real);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Creates `path` with `bytes` in one step; fails with `AlreadyExists` when
/// the file exists (or a symlink of that name does), even if it appeared a
/// moment ago.
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_temp(path, bytes, None)?;
    let res = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    if res.is_ok() {
        sync_dir(path);
    }
    res
}

/// Replaces `path` atomically, but only while it still holds `expected`.
/// Returns `Ok(false)` when the file changed since it was read: the caller
/// re-reads, re-applies its edit and tries again.
///
/// The replacement is an atomic exchange, so the version it displaced can be
/// checked: if another writer renamed a new version in, or wrote into the
/// file in place, after our compare, that version is put back rather than
/// lost.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], bytes: &[u8]) -> std::io::Result<bool> {
    let like = fs::symlink_metadata(path)?;
    if !like.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a symlink, directory or device); not replaced",
        ));
    }
    let tmp = write_temp(path, bytes, Some(&like))?;
    let res = swap_in(path, &tmp, &like, expected, bytes);
    let _ = fs::remove_file(&tmp);
    res
}

/// The compare, exchange and check after: `tmp` (holding `bytes`) takes
/// `path`'s place only while `path` is the file `like` describes holding
/// `expected`; a version that slipped in is put back. `tmp` is left for the
/// caller to remove.
fn swap_in(
    path: &Path,
    tmp: &Path,
    like: &fs::Metadata,
    expected: &[u8],
    bytes: &[u8],
) -> std::io::Result<bool> {
    let same = |m: &fs::Metadata| {
        m.dev() == like.dev()
            && m.ino() == like.ino()
            && m.len() == like.len()
            && m.mtime_nsec() == like.mtime_nsec()
            && m.mtime() == like.mtime()
    };
    if !fs::symlink_metadata(path).is_ok_and(|m| same(&m)) || fs::read(path)? != expected {
        return Ok(false);
    }
    match exchange(tmp, path) {
        Ok(()) => {
            let displaced_ok = fs::symlink_metadata(tmp).is_ok_and(|m| same(&m))
                && fs::read(tmp).is_ok_and(|d| d == expected);
            if displaced_ok {
                sync_dir(path);
                return Ok(true);
            }
            // A concurrent write slipped in between the compare and the
            // exchange (a rename, or an in-place write into the file we
            // displaced). Put it back, unless an even newer one has already
            // replaced ours (then that one stands).
            if fs::read(path).ok().as_deref() == Some(bytes) {
                exchange(tmp, path)?;
            }
            Ok(false)
        }
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {
            // No RENAME_EXCHANGE on this file system: compare and rename.
            if !fs::symlink_metadata(path).is_ok_and(|m| same(&m)) || fs::read(path)? != expected {
                return Ok(false);
            }
            fs::rename(tmp, path)?;
            sync_dir(path);
            Ok(true)
        }
        Err(e) => Err(e),
    }
}

/// Opens `path` for appending (created if missing), refusing a symlink
/// whose target leaves the fence and any directory on the way that does.
/// For logs: `logs/execution-<id>.jsonl`, `logs/agent-<id>.log`.
pub fn open_append(fence: &Fence, path: &Path) -> std::io::Result<fs::File> {
    if let Some(dir) = path.parent() {
        fence.create_dirs(dir)?;
    }
    let real = fence.resolve(path)?;
    let f = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(&real)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{} is not a regular file; not written",
            path.display()
        )));
    }
    // A hard link is another name for a file that may live outside the
    // workspace (a shell rc file): appending would write there too.
    if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
        return Err(std::io::Error::other(format!(
            "{} is a hard link ({} names for one file); not written",
            path.display(),
            std::os::unix::fs::MetadataExt::nlink(&meta)
        )));
    }
    Ok(f)
}

/// Opens (creating, mode 0600) a lock file inside the fence for `flock`:
/// never through a symlink that leaves it, never a FIFO or device.
pub fn open_lock(fence: &Fence, path: &Path) -> std::io::Result<fs::File> {
    if let Some(dir) = path.parent() {
        fence.create_dirs(dir)?;
    }
    let real = fence.resolve(path)?;
    let f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(&real)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    Ok(f)
}

/// Appends `bytes` in one write, so concurrent appenders never interleave
/// within it.
pub fn append(fence: &Fence, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    open_append(fence, path)?.write_all(bytes)
}

/// A file name from an id, refused unless the id is a plain name: no
/// separators, no `..`, nothing hidden, no control characters.
pub fn safe_name(id: &str, what: &str) -> std::io::Result<String> {
    let ok = (1..=128).contains(&id.len())
        && !id.starts_with('.')
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b':'));
    if ok {
        Ok(id.to_string())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{what} \"{}\" is not a plain name (letters, digits, '-', '_', '.'; not starting with '.'); no file is named after it",
                id.escape_debug()
            ),
        ))
    }
}

#[cfg(test)]
mod tests;
