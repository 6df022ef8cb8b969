//! Reading one file safely: confined to the workspace, bounded in size,
//! UTF-8 checked, BOM and CRLF accepted.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::Problem;

mod beneath;

pub use beneath::available as beneath_available;

/// Where reads are allowed: the workspace root and its worktrees, as
/// canonical paths, each with a directory descriptor that files are opened
/// beneath (`beneath`).
#[derive(Debug, Clone)]
pub struct Fence {
    pub root: PathBuf,
    allowed: Vec<beneath::Dir>,
    pub max_bytes: u64,
}

/// Why `Fence::open` opened nothing.
enum Refused {
    /// The fence's rule refused it (or the file could not be resolved).
    Fence(Problem),
    Dir,
    /// A FIFO, socket or device.
    Special,
    Io(std::io::Error),
}

impl Fence {
    pub fn new(root: &Path, max_bytes: u64) -> Fence {
        let canon = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Fence {
            root: canon.clone(),
            allowed: vec![beneath::Dir::new(canon)],
            max_bytes,
        }
    }

    /// Allows reads under another directory (a worktree outside the root).
    pub fn allow(&mut self, dir: &Path) {
        if let Ok(c) = fs::canonicalize(dir)
            && !self.allowed.iter().any(|a| c.starts_with(&a.path))
        {
            self.allowed.push(beneath::Dir::new(c));
        }
    }

    /// The path relative to the workspace root, `/`-separated.
    pub fn rel(&self, path: &Path) -> String {
        let p = path.strip_prefix(&self.root).unwrap_or(path);
        p.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Resolves the whole path (every directory on the way, not only the
    /// last component) and refuses what leaves the fence or loops: a
    /// symlinked `.milestones/active -> /elsewhere` is outside too.
    pub fn check(&self, path: &Path) -> Result<PathBuf, Problem> {
        let (target, link) = self.resolve(path)?;
        Ok(if link { target } else { path.to_path_buf() })
    }

    /// The canonical target of `path` inside the fence, and whether `path`
    /// itself is a symlink.
    fn resolve(&self, path: &Path) -> Result<(PathBuf, bool), Problem> {
        let rel = self.rel(path);
        let meta = fs::symlink_metadata(path)
            .map_err(|e| Problem::error(&rel, format!("cannot read: {e}")))?;
        let target = fs::canonicalize(path).map_err(|e| {
            let why = if e.raw_os_error() == Some(40) {
                "symlink loops".to_string()
            } else {
                format!("broken symlink ({e})")
            };
            Problem::error(
                &rel,
                format!("{why}; expected a link to a file inside the workspace"),
            )
        })?;
        if self.allowed.iter().any(|a| target.starts_with(&a.path)) {
            return Ok((target, meta.file_type().is_symlink()));
        }
        let how = if meta.file_type().is_symlink() {
            "symlink points"
        } else {
            "path leads (through a symlinked directory)"
        };
        Err(Problem::error(
            &rel,
            format!(
                "{how} outside the workspace to \"{}\"; not read",
                target.display()
            ),
        ))
    }

    /// Opens a regular file inside the fence for reading, never blocking
    /// on a FIFO: the fence's refusal as a `Problem`, or the file and its
    /// metadata, or the error `open_regular` would give.
    pub fn open(&self, path: &Path) -> Result<std::io::Result<(fs::File, fs::Metadata)>, Problem> {
        match self.open_file(path) {
            Ok(f) => Ok(Ok(f)),
            Err(Refused::Fence(p)) => Err(p),
            Err(Refused::Dir) => Ok(Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory",
            ))),
            Err(Refused::Special) => Ok(Err(std::io::Error::other(
                "not a regular file (a FIFO, socket or device)",
            ))),
            Err(Refused::Io(e)) => Ok(Err(e)),
        }
    }

    /// One `openat2` beneath the allowed directory the path is under; when
    /// that is refused or fails, the walk decides (`beneath`).
    fn open_file(&self, path: &Path) -> Result<(fs::File, fs::Metadata), Refused> {
        if let Some(f) = self.allowed.iter().find_map(|d| d.open_beneath(path)) {
            return regular(f);
        }
        let (target, _) = self.resolve(path).map_err(Refused::Fence)?;
        let meta = fs::metadata(&target).map_err(Refused::Io)?;
        if meta.is_dir() {
            return Err(Refused::Dir);
        }
        if !meta.is_file() {
            return Err(Refused::Special);
        }
        let dir = self.allowed.iter().find(|d| target.starts_with(&d.path));
        match dir.and_then(|d| d.open_exact(&target)) {
            Some(Ok(f)) => regular(f),
            Some(Err(rustix::io::Errno::LOOP | rustix::io::Errno::XDEV)) => {
                Err(Refused::Fence(Problem::error(
                    self.rel(path),
                    "a symlink appeared on the way while it was read; not read",
                )))
            }
            Some(Err(e)) => Err(Refused::Io(e.into())),
            None => open_nonblocking(&target)
                .map_err(Refused::Io)
                .and_then(regular),
        }
    }

    /// Reads a text file: at most `max_bytes`, valid UTF-8, BOM stripped,
    /// CRLF turned into LF.
    pub fn read_text(&self, path: &Path) -> Result<String, Problem> {
        let rel = self.rel(path);
        let (f, meta) = self.open_file(path).map_err(|r| match r {
            Refused::Fence(p) => p,
            Refused::Dir => Problem::error(&rel, "is a directory; expected a file"),
            Refused::Special => Problem::error(
                &rel,
                "is not a regular file (a FIFO, socket or device); expected a file",
            ),
            Refused::Io(e) => Problem::error(&rel, format!("cannot read: {e}")),
        })?;
        if meta.len() > self.max_bytes {
            return Err(Problem::error(
                &rel,
                format!(
                    "file is {} bytes, over the limit of {} (limits.max_file_bytes); not parsed",
                    meta.len(),
                    self.max_bytes
                ),
            ));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        f.take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Problem::error(&rel, format!("cannot read: {e}")))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(Problem::error(
                &rel,
                format!(
                    "file grew over the limit of {} bytes while read; not parsed",
                    self.max_bytes
                ),
            ));
        }
        decode(&bytes)
            .map_err(|(line, col, msg)| Problem::error(&rel, msg).at(Some(line), Some(col)))
    }
}

/// The file and its metadata when it is a regular file.
fn regular(f: fs::File) -> Result<(fs::File, fs::Metadata), Refused> {
    let meta = f.metadata().map_err(Refused::Io)?;
    if meta.is_file() {
        Ok((f, meta))
    } else if meta.is_dir() {
        Err(Refused::Dir)
    } else {
        Err(Refused::Special)
    }
}

/// UTF-8 text with BOM stripped and CRLF normalized, or the position of the
/// first invalid byte.
pub fn decode(bytes: &[u8]) -> Result<String, (usize, usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(if s.contains('\r') {
            s.replace("\r\n", "\n")
        } else {
            s.to_string()
        }),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let col = good.len() - good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
            let bad = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
            Err((
                line,
                col,
                format!("not UTF-8 (byte 0x{bad:02x}); expected UTF-8 text"),
            ))
        }
    }
}

/// What identifies a version of a file: change any of it and the file is
/// read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub dev: u64,
    pub ino: u64,
    pub len: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stamp {
    /// The same file (not a replacement written beside it and renamed).
    pub fn same_file(&self, other: &Stamp) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

/// The stamp of a file, following symlinks; `None` when it cannot be read.
pub fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(path).ok()?;
    Some(Stamp {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
    })
}

/// The last `bytes` bytes of a text file (an agent's or a checks run's
/// output), read through the fence and never blocking on a FIFO, and
/// whether the start was cut (its first line may then be partial).
pub fn tail_text(fence: &Fence, path: &Path, bytes: u64) -> Result<(String, bool), Problem> {
    use std::io::{Seek, SeekFrom};
    let io = |e: std::io::Error| Problem::error(fence.rel(path), e.to_string());
    let (mut f, meta) = fence.open(path)?.map_err(io)?;
    let start = meta.len().saturating_sub(bytes);
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(start)).map_err(io)?;
    f.take(bytes).read_to_end(&mut buf).map_err(io)?;
    Ok((String::from_utf8_lossy(&buf).into_owned(), start > 0))
}

/// Opens a file for reading without ever blocking: a FIFO, socket or
/// device put where a file was expected is refused, not waited on (opening
/// a FIFO blocks until someone writes to it).
pub fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    let f = open_nonblocking(path)?;
    let kind = f.metadata()?.file_type();
    if kind.is_file() {
        Ok(f)
    } else if kind.is_dir() {
        Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory",
        ))
    } else {
        Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device)",
        ))
    }
}

fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

/// `fs::read_to_string`, through `open_regular`.
pub fn read_regular(path: &Path) -> std::io::Result<String> {
    let mut s = String::new();
    open_regular(path)?.read_to_string(&mut s)?;
    Ok(s)
}

/// The entries of a directory, sorted by name; a missing directory is empty.
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    match fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            // Same directory, so byte order is component order, and cheaper.
            v.sort_unstable_by(|a, b| {
                a.as_os_str()
                    .as_encoded_bytes()
                    .cmp(b.as_os_str().as_encoded_bytes())
            });
            Ok(v)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

pub fn ext(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_crlf() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n").as_deref(),
            Ok("a: 1\nb: 2\n")
        );
    }

    #[test]
    fn decode_names_the_bad_byte() {
        let err = decode(b"a: 1\nb: \xff\n").expect_err("invalid");
        assert_eq!((err.0, err.1), (2, 4));
        assert!(err.2.contains("0xff"), "{}", err.2);
    }
}
