//! Where writes may land: the workspace root and its worktrees, as
//! canonical paths. The whole path is resolved (a symlinked directory on
//! the way counts), like the read fence of SPEC §1.

use std::fs;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Fence {
    allowed: Vec<PathBuf>,
}

fn canon(p: &Path) -> PathBuf {
    fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn outside(path: &Path, real: &Path) -> std::io::Error {
    crate::util::log::decided!(
        "refused: a write to {} leads outside the workspace (to {})",
        path.display(),
        real.display()
    );
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        // The target's name is the workspace's to choose: escaped, so that
        // a newline in it cannot forge a line of output.
        format!(
            "{} leads outside the workspace (to {}); not written",
            crate::util::text::escape(&path.display().to_string()),
            crate::util::text::escape(&real.display().to_string())
        ),
    )
}

impl Fence {
    /// Writes under `root` only.
    pub fn new(root: &Path) -> Fence {
        Fence {
            allowed: vec![canon(root)],
        }
    }

    /// Also allows writes under `dir` (a worktree outside the root).
    pub fn allow(&mut self, dir: &Path) {
        let c = canon(dir);
        if !self.allowed.iter().any(|a| c.starts_with(a)) {
            self.allowed.push(c);
        }
    }

    /// The fence of a milestone file known only by its path: the nearest
    /// directory above it holding `.milestones/`, `.milestone_bundles/` or
    /// `.task_bundles/` (a worktree's own copy included), and the workspace
    /// holding a `.worktrees/` the path runs through; else its directory.
    pub fn around(file: &Path) -> Fence {
        let abs = if file.is_absolute() {
            file.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(file))
                .unwrap_or_else(|_| file.to_path_buf())
        };
        let markers = [".milestones", ".milestone_bundles", ".task_bundles"];
        let mut fence: Option<Fence> = None;
        for dir in abs.ancestors().skip(1) {
            let marked = markers.iter().any(|m| {
                fs::symlink_metadata(dir.join(m)).is_ok_and(|m| m.is_dir() || m.is_symlink())
            });
            if marked && fence.is_none() {
                fence = Some(Fence::new(dir));
            }
            if dir.file_name().is_some_and(|n| n == ".worktrees")
                && let (Some(f), Some(ws)) = (fence.as_mut(), dir.parent())
            {
                f.allow(ws);
            }
        }
        fence.unwrap_or_else(|| Fence::new(abs.parent().unwrap_or(Path::new("/"))))
    }

    fn inside(&self, real: &Path) -> bool {
        self.allowed.iter().any(|a| real.starts_with(a))
    }

    /// The real file a write to `path` lands in: its directory resolved
    /// whole, a symlink at the end followed when its target is inside.
    /// `..` components are refused outright.
    pub fn resolve(&self, path: &Path) -> std::io::Result<PathBuf> {
        if path.components().any(|c| c == Component::ParentDir) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} names a parent directory (`..`); not written",
                    path.display()
                ),
            ));
        }
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(std::io::Error::other(format!(
                "{} is not a file path",
                path.display()
            )));
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let real_dir = fs::canonicalize(dir)?;
        if !self.inside(&real_dir) {
            return Err(outside(path, &real_dir));
        }
        let full = real_dir.join(name);
        match fs::symlink_metadata(&full) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::canonicalize(&full).map_err(|e| {
                    std::io::Error::other(format!(
                        "{} is a broken or looping symlink ({e}); not written",
                        path.display()
                    ))
                })?;
                if !self.inside(&target) {
                    return Err(outside(path, &target));
                }
                Ok(target)
            }
            Ok(m) if m.is_dir() => Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("{} is a directory; expected a file", path.display()),
            )),
            _ => Ok(full),
        }
    }

    /// Creates `dir` and its missing parents, each checked: the deepest
    /// existing ancestor must resolve inside the fence before anything is
    /// made below it (so nothing is ever created outside).
    pub fn create_dirs(&self, dir: &Path) -> std::io::Result<()> {
        if dir.components().any(|c| c == Component::ParentDir) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} names a parent directory (`..`); not written",
                    dir.display()
                ),
            ));
        }
        let mut missing = Vec::new();
        let mut cur = dir;
        let existing = loop {
            if cur.as_os_str().is_empty() {
                break PathBuf::from(".");
            }
            match fs::symlink_metadata(cur) {
                Ok(_) => break cur.to_path_buf(),
                Err(_) => {
                    missing.push(cur.to_path_buf());
                    match cur.parent() {
                        Some(p) => cur = p,
                        None => break PathBuf::from("/"),
                    }
                }
            }
        };
        let real = fs::canonicalize(&existing)?;
        if !self.inside(&real) {
            return Err(outside(dir, &real));
        }
        if !real.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is not a directory",
                existing.display()
            )));
        }
        for m in missing.iter().rev() {
            match fs::create_dir(m) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            let r = fs::canonicalize(m)?;
            if !self.inside(&r) {
                return Err(outside(dir, &r));
            }
        }
        Ok(())
    }
}
