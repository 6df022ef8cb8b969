//! Reading a transcript incrementally (issue 24 item 13): a transcript
//! that grew is read from where the last read stopped, in chunks, never
//! whole into memory; a new one from its last `FIRST_READ_MAX` bytes at
//! most. A line still being written is left for the next read; a line
//! over `LINE_MAX` (a huge tool output) is skipped unread.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::Transcript;

/// A transcript seen for the first time is read from at most this far
/// before its end (a 1 GiB transcript is not read whole; its older
/// messages' tokens are then not counted).
pub const FIRST_READ_MAX: u64 = 256 << 20;
/// A longer line is skipped: no assistant message is anywhere near it.
pub const LINE_MAX: usize = 8 << 20;
const CHUNK: usize = 1 << 20;

/// A transcript read so far, and where to go on from.
#[derive(Debug, Clone)]
pub struct Tail {
    pub transcript: Arc<Transcript>,
    /// Its size and time when last read.
    pub len: u64,
    pub mtime: Option<SystemTime>,
    /// The first byte not taken in yet (the start of a partial line).
    offset: u64,
    /// (device, inode): a replaced file is read again from the start.
    file: (u64, u64),
    /// Inside a line to skip (too long, or cut by `FIRST_READ_MAX`).
    skipping: bool,
    /// How many bytes the reads so far took in, for tests and benches.
    pub bytes_read: u64,
}

impl Tail {
    /// Reads `path` on from `prev` (the same file, not shorter than where
    /// it stopped), else from the start. `None` when it cannot be read.
    pub fn open(path: &Path, prev: Option<Tail>) -> Option<Tail> {
        Tail::open_capped(path, prev, FIRST_READ_MAX)
    }

    /// `open`, a new file read from at most `first_max` bytes before its end.
    pub fn open_capped(path: &Path, prev: Option<Tail>, first_max: u64) -> Option<Tail> {
        let mut f = File::open(path).ok()?;
        let md = f.metadata().ok()?;
        if !md.is_file() {
            return None;
        }
        let file = (md.dev(), md.ino());
        let len = md.len();
        let mut t = match prev {
            Some(p) if p.file == file && len >= p.offset => p,
            _ => {
                let start = len.saturating_sub(first_max);
                Tail {
                    transcript: Arc::new(Transcript::default()),
                    len: 0,
                    mtime: None,
                    offset: start,
                    file,
                    skipping: start > 0,
                    bytes_read: 0,
                }
            }
        };
        t.len = len;
        t.mtime = md.modified().ok();
        if len > t.offset {
            f.seek(SeekFrom::Start(t.offset)).ok()?;
            t.take_in(f.take(len - t.offset));
        }
        if t.transcript.session_id.is_empty() {
            // Until a line names the session, the file's name does.
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            Arc::make_mut(&mut t.transcript).session_id = stem;
        }
        Some(t)
    }

    fn take_in(&mut self, mut r: impl Read) {
        let t = Arc::make_mut(&mut self.transcript);
        let mut pending: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let n = match r.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            self.bytes_read += n as u64;
            pending.extend_from_slice(&chunk[..n]);
            let mut used = 0;
            while let Some(nl) = pending[used..].iter().position(|&b| b == b'\n') {
                let line = &pending[used..used + nl];
                if self.skipping {
                    self.skipping = false;
                } else {
                    t.feed(&String::from_utf8_lossy(line));
                }
                used += nl + 1;
            }
            self.offset += used as u64;
            pending.drain(..used);
            if pending.len() > LINE_MAX {
                self.offset += pending.len() as u64;
                pending.clear();
                self.skipping = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(id: &str, input: u64) -> String {
        format!(
            r#"{{"type":"assistant","sessionId":"s1","timestamp":"2026-11-22T09:00:01.000Z","message":{{"id":"{id}","model":"claude-x","stop_reason":"end_turn","content":[{{"type":"text","text":"t {id}"}}],"usage":{{"input_tokens":{input},"output_tokens":1}}}}}}"#
        ) + "\n"
    }

    #[test]
    fn a_grown_transcript_is_read_from_where_the_last_read_stopped() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("s1.jsonl");
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(line("m1", 10).as_bytes()).expect("w");
        // A line still being written is left for later.
        let half = line("m2", 20);
        f.write_all(&half.as_bytes()[..30]).expect("w");
        f.flush().expect("flush");
        let t = Tail::open(&p, None).expect("open");
        assert_eq!(t.transcript.usage.len(), 1);
        let first = t.bytes_read;
        f.write_all(&half.as_bytes()[30..]).expect("w");
        f.write_all(line("m3", 30).as_bytes()).expect("w");
        f.flush().expect("flush");
        let grown = std::fs::metadata(&p).expect("md").len();
        let t = Tail::open(&p, Some(t)).expect("open");
        assert_eq!(super::super::tokens([t.transcript.as_ref()]).input, 60);
        assert_eq!(t.transcript.session_id, "s1");
        assert_eq!(t.transcript.last_text.as_deref(), Some("t m3"));
        // Only the appended bytes (and the partial line) were read again.
        assert_eq!(t.bytes_read, grown + 30, "first read took {first}");
        // Replaced by a shorter file: read again from the start.
        std::fs::write(&p, line("m9", 5)).expect("w");
        let t = Tail::open(&p, Some(t)).expect("open");
        assert_eq!(super::super::tokens([t.transcript.as_ref()]).input, 5);
    }

    #[test]
    fn a_big_new_transcript_is_read_from_its_tail_only() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("s3.jsonl");
        let mut text = String::new();
        for i in 0..100 {
            text.push_str(&line(&format!("m{i}"), 1));
        }
        std::fs::write(&p, &text).expect("w");
        let each = line("m10", 1).len() as u64;
        // Room for the last ten lines and a part of the one before.
        let t = Tail::open_capped(&p, None, each * 10 + 5).expect("open");
        assert!(t.bytes_read <= each * 10 + 5);
        assert_eq!(t.transcript.usage.len(), 10, "the cut line is skipped");
        assert!(t.transcript.usage.contains_key("m99"));
        assert!(!t.transcript.usage.contains_key("m89"));
    }

    #[test]
    fn a_huge_line_is_skipped_and_the_rest_still_counts() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("s2.jsonl");
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(line("m1", 10).as_bytes()).expect("w");
        let big = format!(
            r#"{{"type":"user","message":{{"content":[{{"type":"tool_result","content":"{}"}}]}}}}"#,
            "x".repeat(LINE_MAX + CHUNK)
        );
        f.write_all(big.as_bytes()).expect("w");
        f.write_all(b"\n").expect("w");
        f.write_all(line("m2", 20).as_bytes()).expect("w");
        f.flush().expect("flush");
        let t = Tail::open(&p, None).expect("open");
        assert_eq!(super::super::tokens([t.transcript.as_ref()]).input, 30);
        assert_eq!(t.transcript.session_id, "s1");
    }
}
