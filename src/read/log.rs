//! JSONL event logs (SPEC §5): both line shapes, bad lines counted and
//! skipped, read from the tail.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::model::{Event, Problem};
use crate::read::file::Fence;

/// How much of a log is read when it is opened.
pub const TAIL_BYTES: u64 = 64 * 1024;
/// How far back to look when the tail holds no complete valid event.
pub const SCAN_BACK_BYTES: u64 = 1024 * 1024;
/// A pretty-printed object longer than this many lines is given up on.
const MAX_OBJECT_LINES: usize = 2000;

pub use crate::model::{CLEARS, RAISES};

/// What one read of a log produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogRead {
    pub events: Vec<Event>,
    pub invalid: usize,
    /// The first bad line: its number when known (the read started at the
    /// beginning of the file), its column and the parser's message.
    pub first_invalid: Option<(Option<usize>, Option<usize>, String)>,
    /// Bytes of the file consumed: complete lines only.
    pub consumed_to: u64,
    /// The earliest zoned time per `milestone_id` seen in this log, kept
    /// when compaction drops its event: pace starts there (SPEC §10).
    pub first_times: Vec<(Option<String>, chrono::DateTime<chrono::Utc>)>,
}

impl LogRead {
    /// The problem to report for this log, if any line was bad.
    pub fn problem(&self, rel: &str) -> Option<Problem> {
        let (line, col, msg) = self.first_invalid.as_ref()?;
        let plural = if self.invalid == 1 { "line" } else { "lines" };
        Some(
            Problem::warning(
                rel,
                format!(
                    "{} invalid {plural} skipped (first: {msg}); expected one JSON object per line",
                    self.invalid
                ),
            )
            .at(*line, *col),
        )
    }
}

/// The newest (time, position) per `milestone_id`.
type Newest<'e> =
    std::collections::HashMap<Option<&'e str>, (Option<chrono::DateTime<chrono::Utc>>, usize)>;

fn bump<'e>(
    map: &mut Newest<'e>,
    id: Option<&'e str>,
    k: (Option<chrono::DateTime<chrono::Utc>>, usize),
) {
    let slot = map.entry(id).or_insert(k);
    if k >= *slot {
        *slot = k;
    }
}

impl LogRead {
    /// Keeps only what the snapshot needs: blocker raising and clearing
    /// events from each `milestone_id`'s newest clear on, and the newest
    /// event overall and per `milestone_id`. A log of
    /// thousands of lines then costs a handful of events in memory.
    pub fn compact(&mut self) {
        let key = |(i, e): (usize, &Event)| (e.time, i);
        let mut keep = vec![false; self.events.len()];
        if let Some((i, _)) = self.events.iter().enumerate().max_by_key(|x| key(*x)) {
            keep[i] = true;
        }
        let mut newest = Newest::new();
        // Raises and clears older than a milestone's newest clear no longer
        // matter: without this, a log that raises and clears all day would
        // be kept whole.
        let mut last_clear = Newest::new();
        for (i, e) in self.events.iter().enumerate() {
            if CLEARS.contains(&e.name.as_str()) {
                bump(&mut last_clear, e.milestone_id.as_deref(), key((i, e)));
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            let k = key((i, e));
            if (RAISES.contains(&e.name.as_str()) || CLEARS.contains(&e.name.as_str()))
                && last_clear
                    .get(&e.milestone_id.as_deref())
                    .is_none_or(|c| k >= *c)
            {
                keep[i] = true;
            }
            bump(&mut newest, e.milestone_id.as_deref(), k);
        }
        for (_, i) in newest.into_values() {
            keep[i] = true;
        }
        self.first_times = self.firsts();
        // Per milestone, the newest of: a finished checks run (the checks
        // gate, SPEC §9), an agent state (the agent's state now, SPEC §8),
        // a `milestone_merged` (a merged milestone is done).
        let kinds: [fn(&Event) -> bool; 3] = [
            |e| crate::model::ChecksRun::from_event(e).is_some(),
            |e| e.name == crate::read::agent::EVENT,
            |e| e.name == "milestone_merged",
        ];
        for is in kinds {
            let mut newest = Newest::new();
            for (i, e) in self.events.iter().enumerate().filter(|(_, e)| is(e)) {
                bump(&mut newest, e.milestone_id.as_deref(), key((i, e)));
            }
            for (_, i) in newest.into_values() {
                keep[i] = true;
            }
        }
        // Each subagent's first and newest state (SPEC §8.1): its start and
        // where it is now.
        crate::read::agent::keep_subagents(&self.events, &mut keep);
        let mut it = keep.into_iter();
        self.events.retain(|_| it.next().unwrap_or(false));
        // What is kept is kept for long: no room for the dropped events.
        self.events.shrink_to_fit();
    }

    /// The earliest zoned time per `milestone_id`: of the events still
    /// here and of those compaction dropped.
    pub fn firsts(&self) -> Vec<(Option<String>, chrono::DateTime<chrono::Utc>)> {
        let mut out = self.first_times.clone();
        for e in &self.events {
            if let Some(t) = e.timestamp.as_deref().and_then(crate::util::time::zoned) {
                match out.iter_mut().find(|(id, _)| *id == e.milestone_id) {
                    Some((_, old)) => *old = (*old).min(t),
                    None => out.push((e.milestone_id.clone(), t)),
                }
            }
        }
        out
    }

    /// This read followed by `more`, read from where this one stopped.
    pub fn extended(&self, more: LogRead) -> LogRead {
        let mut first_times = self.firsts();
        for (id, t) in more.firsts() {
            match first_times.iter_mut().find(|(i, _)| *i == id) {
                Some((_, old)) => *old = (*old).min(t),
                None => first_times.push((id, t)),
            }
        }
        let mut events = self.events.clone();
        events.extend(more.events);
        let mut out = LogRead {
            events,
            invalid: self.invalid + more.invalid,
            first_invalid: self.first_invalid.clone().or(more.first_invalid),
            consumed_to: more.consumed_to,
            first_times,
        };
        out.compact();
        out
    }
}

/// One line: `Ok(None)` for a blank line or a valid object that is not an
/// event (no `event`, `event_type` or `type`).
pub fn parse_line(line: &str) -> Result<Option<Event>, (usize, String)> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| (e.column(), json_message(&e)))?;
    let Some(obj) = v.as_object() else {
        return Err((1, "expected a JSON object".to_string()));
    };
    let s = |k: &str| match obj.get(k) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let Some(name) = s("event").or_else(|| s("event_type")).or_else(|| s("type")) else {
        return Ok(None);
    };
    let timestamp = s("timestamp");
    Ok(Some(Event {
        time: timestamp.as_deref().and_then(crate::util::time::parse),
        timestamp,
        name,
        milestone_id: s("milestone_id"),
        details: obj
            .get("details")
            .or_else(|| obj.get("data"))
            .filter(|d| !d.is_null())
            .cloned(),
    }))
}

/// serde_json's message without its " at line 1 column N" suffix.
pub fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.find(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m,
    }
}

/// Parses a run of complete lines. `first_line` is the number of the first
/// line when the text starts at the beginning of the file.
pub fn parse_text(text: &str, first_line: Option<usize>) -> LogRead {
    let mut out = LogRead::default();
    let mut pending: Option<(usize, String, i64)> = None;
    let note = |out: &mut LogRead, idx: usize, col: Option<usize>, msg: String| {
        out.invalid += 1;
        if out.first_invalid.is_none() {
            let line = first_line.map(|f| f + idx);
            let msg = match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            };
            out.first_invalid = Some((line, col, msg));
        }
    };
    for (idx, line) in text.lines().enumerate() {
        if let Some((start, mut buf, depth)) = pending.take() {
            buf.push('\n');
            buf.push_str(line);
            let depth = depth + brace_delta(line);
            if depth <= 0 || idx - start > MAX_OBJECT_LINES {
                match parse_line(&buf.replace('\n', " ")) {
                    Ok(ev) => out.events.extend(ev),
                    Err((_, msg)) => {
                        note(&mut out, start, None, format!("multi-line object: {msg}"))
                    }
                }
            } else {
                pending = Some((start, buf, depth));
            }
            continue;
        }
        if line.trim() == "{" {
            // A pretty-printed object appended to a "JSONL" file.
            pending = Some((idx, line.to_string(), 1));
            continue;
        }
        match parse_line(line) {
            Ok(ev) => out.events.extend(ev),
            Err((col, msg)) => note(&mut out, idx, Some(col), msg),
        }
    }
    if let Some((start, _, _)) = pending {
        note(&mut out, start, None, "unterminated object".to_string());
    }
    out
}

/// Net `{`/`[` minus `}`/`]` outside strings.
fn brace_delta(line: &str) -> i64 {
    let (mut d, mut in_str, mut esc) = (0, false, false);
    for c in line.chars() {
        match (in_str, esc, c) {
            (true, true, _) => esc = false,
            (true, false, '\\') => esc = true,
            (true, false, '"') => in_str = false,
            (false, _, '"') => in_str = true,
            (false, _, '{' | '[') => d += 1,
            (false, _, '}' | ']') => d -= 1,
            _ => {}
        }
    }
    d
}

/// The event logs under a `.milestones/` directory: `logs/*.jsonl` and
/// `state/events/*.jsonl`, each with the milestone id its name gives
/// (`execution-<id>`, `milestone-<id>`), if any. Other logs are shared and
/// speak for the milestones their lines name.
pub fn files(milestones_dir: &Path) -> Vec<(std::path::PathBuf, Option<String>)> {
    let mut out = Vec::new();
    for (dir, _) in DIRS {
        for path in crate::read::file::list(&milestones_dir.join(dir)).unwrap_or_default() {
            if crate::read::file::ext(&path) == "jsonl" {
                let own = owner(&path);
                out.push((path, own));
            }
        }
    }
    out
}

/// Where a `.milestones` directory keeps event logs, and the prefix of the
/// name of a milestone's own log there.
pub const DIRS: [(&str, &str); 2] = [("logs", "execution-"), ("state/events", "milestone-")];

/// The prefix of a milestone's own log in the log directory holding
/// `path`, when `path` is in one (`DIRS`).
fn own_prefix(path: &Path) -> Option<&'static str> {
    let parent = path.parent()?;
    DIRS.iter()
        .find(|(dir, _)| parent.ends_with(dir))
        .map(|(_, prefix)| *prefix)
}

/// Whether `path` is directly in one of `milestones_dir`'s log
/// directories (`DIRS`).
pub fn in_log_dir(milestones_dir: &Path, path: &Path) -> bool {
    DIRS.iter()
        .any(|(dir, _)| path.parent() == Some(milestones_dir.join(dir).as_path()))
}

/// The milestone a log file is the own log of, by its name and place
/// (`logs/execution-<id>.jsonl`, `state/events/milestone-<id>.jsonl`).
pub fn owner(path: &Path) -> Option<String> {
    let prefix = own_prefix(path)?;
    if crate::read::file::ext(path) != "jsonl" {
        return None;
    }
    crate::read::file::stem(path)
        .strip_prefix(prefix)
        .map(str::to_string)
}

/// Reads the tail of a log: the last `TAIL_BYTES`, or further back (up to
/// `SCAN_BACK_BYTES`) when that window holds no valid event. A final line
/// without its newline is still being written and is left for later.
pub fn read_tail(fence: &Fence, path: &Path) -> Result<LogRead, Problem> {
    let rel = fence.rel(path);
    let (mut f, meta) = fence.open(path)?.map_err(|e| {
        if e.kind() == std::io::ErrorKind::IsADirectory {
            Problem::error(&rel, "is a directory; expected a JSONL file")
        } else {
            Problem::error(&rel, format!("cannot read: {e}"))
        }
    })?;
    let len = meta.len();
    let mut window = TAIL_BYTES.min(len);
    loop {
        let read = read_window(&mut f, len, window)
            .map_err(|e| Problem::error(&rel, format!("cannot read: {e}")))?;
        if !read.events.is_empty() || window >= len || window >= SCAN_BACK_BYTES {
            return Ok(read);
        }
        window = SCAN_BACK_BYTES.min(len);
    }
}

/// Reads the complete lines appended since `offset` (a log that grew).
pub fn read_from(fence: &Fence, path: &Path, offset: u64) -> Result<LogRead, Problem> {
    let rel = fence.rel(path);
    let io = |e: std::io::Error| Problem::error(&rel, format!("cannot read: {e}"));
    let (mut f, meta) = fence.open(path)?.map_err(io)?;
    let len = meta.len();
    if len < offset {
        return read_tail(fence, path);
    }
    // Appends larger than a tail are read as a tail: older lines no longer
    // matter for what is shown.
    if len - offset > TAIL_BYTES {
        return read_tail(fence, path);
    }
    f.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(len - offset).read_to_end(&mut bytes).map_err(io)?;
    let to = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut read = parse_text(&String::from_utf8_lossy(&bytes[..to]), None);
    read.consumed_to = offset + to as u64;
    Ok(read)
}

fn read_window(f: &mut fs::File, len: u64, window: u64) -> std::io::Result<LogRead> {
    let start = len - window;
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(window as usize);
    f.take(window).read_to_end(&mut bytes)?;
    let mut from = 0;
    if start > 0 {
        // The window begins mid-line: skip to the first full line.
        from = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
    }
    let to = bytes
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(from, |i| i + 1)
        .max(from);
    let text = String::from_utf8_lossy(&bytes[from..to]);
    let mut read = parse_text(&text, (start == 0).then_some(1));
    read.consumed_to = start + to as u64;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_line_shapes() {
        let a = parse_line(r#"{"timestamp":"2025-08-11T10:14:30Z","event":"milestone_activated","milestone_id":"m-001","details":"x"}"#)
            .expect("ok")
            .expect("event");
        assert_eq!(
            (a.name.as_str(), a.milestone_id.as_deref()),
            ("milestone_activated", Some("m-001"))
        );
        assert!(a.time.is_some());
        let b = parse_line(r#"{"event_type":"task_started","data":{"task_id":"t"}}"#)
            .expect("ok")
            .expect("event");
        assert_eq!(b.name, "task_started");
        assert!(b.details.is_some());
        assert_eq!(parse_line(r#"{"backend":"file"}"#), Ok(None));
        assert!(parse_line(r#"{"a":,}"#).is_err());
        assert!(parse_line("[1]").is_err());
    }

    #[test]
    fn bad_lines_are_counted_with_their_number() {
        let r = parse_text(
            "{\"event\":\"a\"}\n{\"event\":,}\n\n{\"event\":\"b\"}\nnope\n",
            Some(1),
        );
        assert_eq!(r.events.len(), 2);
        assert_eq!(r.invalid, 2);
        assert_eq!(r.first_invalid.as_ref().and_then(|f| f.0), Some(2));
    }

    #[test]
    fn pretty_printed_objects_are_decoded() {
        let r = parse_text(
            "{\n  \"event\": \"x\",\n  \"n\": {\"a\": 1}\n}\n{\n  \"event\": ,\n}\n",
            Some(1),
        );
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.invalid, 1);
    }

    #[test]
    fn unbalanced_quotes_do_not_swallow_following_lines() {
        let r = parse_text(
            "{\"event\":\"e\",\"data\":{\"b\":[\"a\"b\"]}}\n{\"event\":\"ok\"}\n",
            Some(1),
        );
        assert_eq!((r.events.len(), r.invalid), (1, 1));
    }

    #[test]
    fn compaction_keeps_what_blockers_need_and_stays_bounded() {
        let line = |t: u32, e: &str| {
            format!(
                "{{\"timestamp\":\"2026-01-01T00:{:02}:{:02}Z\",\"event\":\"{e}\",\"details\":{{\"type\":\"t{t}\"}}}}\n",
                t / 60,
                t % 60
            )
        };
        let mut text = String::new();
        for i in 0..500 {
            text += &line(i * 3, "blocker_detected");
            text += &line(i * 3 + 1, "blocker_resolved");
        }
        text += &line(1600, "blocker_detected");
        text += &line(1601, "task_started");
        let mut r = parse_text(&text, Some(1));
        let before = r.events.clone();
        r.compact();
        let names: Vec<&str> = r.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["blocker_resolved", "blocker_detected", "task_started"]
        );
        // The blocker still raised after the last clear is the same either way.
        let raised = |evs: &[Event]| {
            let after = evs
                .iter()
                .rposition(|e| CLEARS.contains(&e.name.as_str()))
                .map_or(0, |i| i + 1);
            evs[after..]
                .iter()
                .filter(|e| RAISES.contains(&e.name.as_str()))
                .map(|e| e.timestamp.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(raised(&before), raised(&r.events));
        assert_eq!(raised(&r.events).len(), 1);
    }
}
