//! Opening a file under a directory the fence allows in one system call:
//! `openat2(2)` with `RESOLVE_BENEATH` relative to an `O_PATH` descriptor of
//! that directory, taken once when the fence is made (once per reload).
//!
//! The kernel refuses any path that would leave the directory (`..` above
//! it, an absolute symlink, a relative one climbing out) and opens what
//! stays inside, following the symlinks that stay inside, as the
//! canonicalizing walk does. Whatever it refuses or fails on goes to that
//! walk (`Fence::check`), which decides by today's rule and wording (a link
//! into a worktree outside the root is allowed; a broken link is said so),
//! and then opens the canonical target with `RESOLVE_NO_SYMLINKS` so that a
//! link swapped in between the walk and the open is refused too. Without
//! `openat2` (ENOSYS, or EPERM from a seccomp filter) the walk and a plain
//! open remain, as before.

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// A directory the fence allows reads under, and its `O_PATH` descriptor
/// (none when it could not be opened or `openat2` is missing).
#[derive(Debug, Clone)]
pub struct Dir {
    pub path: std::path::PathBuf,
    fd: Option<Arc<OwnedFd>>,
}

impl Dir {
    /// `path` must be canonical (the fence's rule compares canonical paths).
    pub fn new(path: std::path::PathBuf) -> Dir {
        let fd = available()
            .then(|| {
                rustix::fs::open(
                    &path,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok()
            })
            .flatten()
            .map(Arc::new);
        Dir { path, fd }
    }

    /// Opens `path` if it lies lexically under this directory and resolves
    /// beneath it; `None` when not under it or not opened in one call (the
    /// walk decides then).
    pub fn open_beneath(&self, path: &Path) -> Option<fs::File> {
        let fd = self.fd.as_ref()?;
        let rel = path.strip_prefix(&self.path).ok()?;
        if rel.as_os_str().is_empty() {
            return None;
        }
        open_at(fd, rel, ResolveFlags::BENEATH).ok()
    }

    /// Opens the canonical `target` (under this directory) refusing any
    /// symlink on the way: the walk found none, so one now is a swap.
    /// `None` when this directory has no descriptor.
    pub fn open_exact(&self, target: &Path) -> Option<Result<fs::File, Errno>> {
        let fd = self.fd.as_ref()?;
        let rel = target.strip_prefix(&self.path).ok()?;
        let rel = if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        };
        Some(open_at(
            fd,
            rel,
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
        ))
    }
}

fn open_at(dir: &OwnedFd, rel: &Path, resolve: ResolveFlags) -> Result<fs::File, Errno> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    // EAGAIN: a rename raced the kernel's check of "..": try again, then
    // leave it to the walk.
    let mut tries = 0;
    loop {
        match rustix::fs::openat2(dir.as_fd(), rel, flags, Mode::empty(), resolve) {
            Ok(fd) => return Ok(fs::File::from(fd)),
            Err(Errno::AGAIN) if tries < 3 => tries += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Whether this kernel (and its seccomp filter) lets `openat2` through;
/// asked once per process. Debug builds can be told to act as if it did
/// not (`MDASH_NO_OPENAT2=1`), so the tests cover the fallback.
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if cfg!(debug_assertions) && std::env::var_os("MDASH_NO_OPENAT2").is_some() {
            return false;
        }
        match rustix::fs::openat2(
            rustix::fs::CWD,
            "/",
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::empty(),
        ) {
            Ok(_) => true,
            Err(e) => {
                crate::util::log::decided!("openat2 unavailable ({e}); the read fence walks paths");
                false
            }
        }
    })
}
