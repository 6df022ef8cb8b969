//! Who has a file open for writing right now, from `/proc`: an agent that
//! truncates a file and then writes it holds it open in between, and an
//! edit must not replace a file in that state (the agent's write would go
//! into the replaced file and be lost). Processes of other users cannot be
//! looked at; their writes are caught afterwards by the compare.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A process (pid and name) holding `real` (a canonical path) open for
/// writing, if any.
pub fn writer_of(real: &Path) -> Option<(i32, String)> {
    let want = std::fs::metadata(real).ok()?;
    let (dev, ino) = (want.dev(), want.ino());
    let procs = std::fs::read_dir("/proc").ok()?;
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            // Cheap first: the link's text names the file.
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if target != real {
                continue;
            }
            let same = std::fs::metadata(fd.path()).is_ok_and(|m| m.dev() == dev && m.ino() == ino);
            if same && writable(&p.path(), &fd.file_name().to_string_lossy()) {
                let name = std::fs::read_to_string(p.path().join("comm"))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default();
                return Some((pid, name));
            }
        }
    }
    None
}

/// The descriptor's access mode is write or read-write (`fdinfo` flags).
fn writable(proc_dir: &Path, fd: &str) -> bool {
    std::fs::read_to_string(proc_dir.join("fdinfo").join(fd))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        })
        .is_some_and(|flags| flags & libc::O_ACCMODE as u32 != libc::O_RDONLY as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_writer_is_seen_and_a_reader_is_not() {
        let d = tempfile::tempdir().expect("tmp");
        let p = std::fs::canonicalize(d.path())
            .expect("canon")
            .join("m.yaml");
        std::fs::write(&p, "x").expect("write");
        let r = std::fs::File::open(&p).expect("open");
        assert_eq!(writer_of(&p), None);
        let w = std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .expect("open");
        assert_eq!(
            writer_of(&p).map(|(pid, _)| pid),
            Some(std::process::id() as i32)
        );
        drop((r, w));
        assert_eq!(writer_of(&p), None);
    }
}
