//! Writes to files that agents also write: atomic, and never clobbering a
//! change made by someone else in the meantime.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = format!(
        ".{name}.mdash-{}-{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    path.with_file_name(unique)
}

fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = temp_beside(path);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let res = f.write_all(bytes).and_then(|_| f.sync_all());
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Creates `path` with `bytes` in one step; fails with `AlreadyExists` when
/// the file exists, even if it appeared a moment ago.
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = write_temp(path, bytes)?;
    let res = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    res
}

/// Swaps two paths atomically (`renameat2` with `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // relative to the working directory like rename(2).
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

/// Replaces `path` atomically, but only while it still holds `expected`.
/// Returns `Ok(false)` when the file changed since it was read: the caller
/// re-reads, re-applies its edit and tries again.
///
/// The replacement is an atomic exchange, so the version it displaced can be
/// checked: if another writer renamed a new version in after our compare,
/// that version is put back rather than lost.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], bytes: &[u8]) -> std::io::Result<bool> {
    let tmp = write_temp(path, bytes)?;
    if fs::read(path)? != expected {
        let _ = fs::remove_file(&tmp);
        return Ok(false);
    }
    match exchange(&tmp, path) {
        Ok(()) => {
            let displaced = fs::read(&tmp)?;
            if displaced == expected {
                let _ = fs::remove_file(&tmp);
                return Ok(true);
            }
            // A concurrent write slipped in between the compare and the
            // exchange. Put it back, unless an even newer one has already
            // replaced ours (then that one stands).
            if fs::read(path).ok().as_deref() == Some(bytes) {
                exchange(&tmp, path)?;
            }
            let _ = fs::remove_file(&tmp);
            Ok(false)
        }
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {
            // No RENAME_EXCHANGE on this file system: compare and rename.
            if fs::read(path)? != expected {
                let _ = fs::remove_file(&tmp);
                return Ok(false);
            }
            fs::rename(&tmp, path).map(|_| true)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_refuses_an_existing_file() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("a.yaml");
        create_new(&p, b"one").expect("first");
        let err = create_new(&p, b"two").expect_err("second");
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).expect("read"), b"one");
        assert_eq!(
            fs::read_dir(d.path()).expect("ls").count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn replace_only_when_unchanged() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("a.yaml");
        fs::write(&p, "v1").expect("write");
        assert!(replace_if_unchanged(&p, b"v1", b"v2").expect("replace"));
        assert!(!replace_if_unchanged(&p, b"v1", b"v3").expect("stale"));
        assert_eq!(fs::read(&p).expect("read"), b"v2");
        assert_eq!(
            fs::read_dir(d.path()).expect("ls").count(),
            1,
            "no temp file left"
        );
    }
}
