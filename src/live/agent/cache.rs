//! The transcripts a milestone's agent is read from, kept between reads:
//! each is read on from where it stopped when its size or time changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::read::transcript::tail::Tail;
use crate::read::transcript::{self, Transcript};

/// One transcript found for a milestone: when it last changed, where it
/// is, what it says.
#[derive(Clone)]
pub(super) struct Found {
    pub mtime: SystemTime,
    pub path: PathBuf,
    pub t: Arc<Transcript>,
}

/// Transcripts read so far, each read on from where it stopped when its
/// size or time changes (issue 24 item 13), and subagents' meta files.
#[derive(Default)]
pub struct Transcripts {
    cache: HashMap<PathBuf, Tail>,
    pub(super) metas: HashMap<PathBuf, crate::read::transcript::subagents::Meta>,
}

impl Transcripts {
    /// One transcript, read on if it changed.
    pub(super) fn file(&mut self, path: &Path, mtime: SystemTime) -> Option<Arc<Transcript>> {
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        if let Some(t) = self
            .cache
            .get(path)
            .filter(|t| t.len == len && t.mtime == Some(mtime))
        {
            return Some(t.transcript.clone());
        }
        let prev = self.cache.remove(path);
        let t = Tail::open(path, prev)?;
        let out = t.transcript.clone();
        self.cache.insert(path.to_path_buf(), t);
        Some(out)
    }

    /// The transcripts in `dir`, oldest first.
    pub(super) fn dir(&mut self, dir: &Path) -> Vec<Found> {
        let mut out = Vec::new();
        for (path, mtime) in transcript::list(dir) {
            if let Some(t) = self.file(&path, mtime) {
                out.push(Found { mtime, path, t });
            }
        }
        out.sort_by_key(|f| f.mtime);
        out
    }
}
