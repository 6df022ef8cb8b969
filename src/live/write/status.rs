//! The status edit of a milestone file (pause, resume, start): read, check
//! it reads as the same milestone, change only the status value, and
//! replace the file only while it still holds what was read. A file that is
//! empty, cut short or does not parse (an agent rewriting it in place) is
//! waited for, with back-off, and given up on with a message naming it;
//! it is never written then.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Fence, Refusal, swap_in, with_status_in, write_temp};

/// How long an edit keeps trying while the file is being rewritten.
const PATIENCE: Duration = Duration::from_secs(3);
/// Larger files are not edited (the reader's default limit).
const MAX_BYTES: u64 = 1 << 20;
/// A file written more recently than this may be half-way through an
/// agent's rewrite (truncate, then write in pieces): wait until it is still.
const QUIET: Duration = Duration::from_millis(5);
/// How long after the replace the displaced file is watched for a write
/// that was already under way (it is put back if one lands).
const SETTLE: Duration = Duration::from_millis(5);

/// How long ago the file was last written; `None` while within `QUIET`.
/// A modification time far in the future (a skewed clock) says nothing.
fn still_for(meta: &fs::Metadata) -> Option<Duration> {
    let m = meta.modified().ok()?;
    match std::time::SystemTime::now().duration_since(m) {
        Ok(age) if age >= QUIET => Some(age),
        Ok(_) => None,
        Err(e) if e.duration() > Duration::from_secs(1) => Some(QUIET),
        Err(_) => None,
    }
}

#[derive(Default)]
struct Seen {
    id: Option<String>,
    writer: bool,
}

enum Try {
    Done,
    Again(String),
}

fn refused(file: &Path, status: &str, why: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "{}: status not set to {status}: {why}; the file was left as it is",
        file.display()
    ))
}

/// Sets the milestone file's status. When the agent changes the file
/// meanwhile, its change is kept and the status applied on top of it; when
/// the status cannot be changed in place (see `with_status`), nothing is
/// written and the error says why.
pub fn set_status(file: &Path, status: &str) -> std::io::Result<()> {
    let fence = Fence::around(file);
    let json = crate::read::file::ext(file) == "json";
    // The JSON state store (`state/active/<id>.json`) holds the milestone
    // under `state:` (SPEC §1).
    let in_store = json && file.parent().is_some_and(|d| d.ends_with("state/active"));
    let within: &[&str] = if in_store { &["state"] } else { &[] };
    let stem = crate::read::file::stem(file);
    let started = Instant::now();
    let mut delay = Duration::from_millis(1);
    // The milestone id the file states (the first time it reads), and
    // whether a process was seen writing into it.
    let mut seen = Seen::default();
    let mut tries = 0;
    loop {
        tries += 1;
        let real = fence
            .resolve(file)
            .map_err(|e| refused(file, status, &e.to_string()))?;
        match attempt(file, &real, (json, within), status, &stem, &mut seen)? {
            Try::Done => return Ok(()),
            Try::Again(why) if started.elapsed() >= PATIENCE || tries >= 400 => {
                return Err(refused(
                    file,
                    status,
                    &format!(
                        "{why} (tried {tries} times over {:.1} s)",
                        started.elapsed().as_secs_f64()
                    ),
                ));
            }
            Try::Again(_) => {}
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(40));
    }
}

fn attempt(
    file: &Path,
    real: &Path,
    (json, within): (bool, &[&str]),
    status: &str,
    stem: &str,
    seen: &mut Seen,
) -> std::io::Result<Try> {
    // Once a writer was caught holding it, wait for it to close the file
    // rather than replace and put back again.
    if seen.writer
        && let Some((pid, name)) = super::writers::writer_of(real)
    {
        return Ok(Try::Again(format!(
            "process {pid} ({name}) has it open for writing"
        )));
    }
    let id = &mut seen.id;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(real)
        .map_err(|e| refused(file, status, &format!("cannot open it: {e}")))?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(refused(file, status, "it is not a regular file"));
    }
    if meta.nlink() > 1 {
        // Replacing it would split the link (the other names keep the old
        // text); writing into it in place is not atomic, and a reader or
        // an agent could see it half-written. Neither is acceptable.
        return Err(refused(
            file,
            status,
            &format!(
                "it has {} hard links, and an edit can neither replace it without splitting them nor rewrite it in place safely; set the status by hand",
                meta.nlink()
            ),
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(refused(
            file,
            status,
            &format!("it is {} bytes, over the limit of {MAX_BYTES}", meta.len()),
        ));
    }
    if still_for(&meta).is_none() {
        return Ok(Try::Again(
            "it was written a moment ago (an agent is writing it?)".into(),
        ));
    }
    let mut before = Vec::with_capacity(meta.len() as usize);
    (&f).take(MAX_BYTES + 1).read_to_end(&mut before)?;
    let (after, file_id) = match with_status_in(&before, json, within, status) {
        Ok(x) => x,
        Err(Refusal::Unreadable(why)) => {
            return Ok(Try::Again(format!(
                "it does not read as a milestone: {why}"
            )));
        }
        Err(Refusal::Layout(why)) => {
            return Err(refused(
                file,
                status,
                &format!("its status cannot be changed in place: {why}"),
            ));
        }
    };
    let file_id = file_id.unwrap_or_else(|| stem.to_string());
    match id {
        Some(first) if *first != file_id => {
            return Ok(Try::Again(format!(
                "it now holds milestone \"{file_id}\", not \"{first}\""
            )));
        }
        Some(_) => {}
        None => *id = Some(file_id),
    }
    if after == before {
        return Ok(Try::Done);
    }
    let tmp = write_temp(real, &after, Some(&meta))?;
    let res = swap_in(real, &tmp, &meta, &before, &after).and_then(|swapped| {
        if !swapped {
            return Ok(Try::Again("it changed while it was being edited".into()));
        }
        // `f` is the file just displaced (now at `tmp`). A write into it that
        // was already under way would be lost: watch it briefly, and put it
        // back while ours is still untouched.
        // An agent half-way through rewriting it in place still holds it
        // open for writing (`/proc`): its next write would land in the
        // file just displaced.
        let started = Instant::now();
        let holder = super::writers::writer_of(&tmp);
        std::thread::sleep(SETTLE.saturating_sub(started.elapsed()));
        let later = f.metadata()?;
        seen.writer |= holder.is_some();
        let written = holder.is_some()
            || later.len() != meta.len()
            || later.mtime() != meta.mtime()
            || later.mtime_nsec() != meta.mtime_nsec();
        if written && fs::read(real).is_ok_and(|now| now == after) {
            super::exchange(&tmp, real)?;
            return Ok(Try::Again(
                "an agent wrote into it as it was replaced; its write was kept".into(),
            ));
        }
        Ok(Try::Done)
    });
    let _ = fs::remove_file(&tmp);
    res
}
