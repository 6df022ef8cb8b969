//! The coordinators' SQLite database (SPEC §12), read without ever making a
//! writer wait: one short read, never a long transaction.
//!
//! - WAL mode: opened read-only with a short busy timeout; one read
//!   transaction for both tables (readers never block WAL writers).
//! - Rollback-journal mode: a reader's SHARED lock would make a committing
//!   writer fail with `SQLITE_BUSY`, so no lock is taken at all. The file's
//!   bytes are copied while no writer is committing (no POSIX write lock on
//!   SQLite's PENDING byte or SHARED range, probed with `F_GETLK`, before and
//!   after) and its change counter stayed the same, then read in memory. A
//!   writer that only holds an open transaction (RESERVED) has not touched
//!   the file yet, so its copy is read as it was committed.
//!
//! Tables and columns are matched case-insensitively, by alias, first match
//! wins; a missing table or column reads as nothing or `null`.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::model::{RegAgent, RegMessage};
use crate::read::file::Fence;

/// The tables as read: agents and the newest messages (newest first).
#[derive(Debug, Default, PartialEq)]
pub struct Tables {
    pub agents: Vec<RegAgent>,
    pub messages: Vec<RegMessage>,
}

/// At most this many messages are read (the newest).
pub const MAX_MESSAGES: usize = 2000;

const AGENT_TABLES: [&str; 2] = ["agent_registry", "agents"];
const AGENT_COLUMNS: [&[&str]; 7] = [
    &["agent_id", "id"],
    &["agent_type", "type"],
    &["milestone_id", "milestone"],
    &["session_id", "session"],
    &["capabilities"],
    &["status", "state"],
    &["updated_at", "last_heartbeat", "last_updated", "created_at"],
];
const MESSAGE_TABLES: [&str; 2] = ["agent_messages", "messages"];
const MESSAGE_COLUMNS: [&[&str]; 5] = [
    &["from_agent", "sender", "from_id"],
    &["to_agent", "recipient", "to_id"],
    &["message_type", "type"],
    &["payload", "content"],
    &["created_at", "timestamp"],
];

/// Reads the database at `path`: `Ok(None)` when there is none, `Err` with
/// why a file that is there could not be read (corrupt, locked, foreign).
pub fn read(fence: &Fence, path: &Path) -> Result<Option<Tables>, String> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let real = fence.check(path).map_err(|p| p.message)?;
    let mut f = crate::read::file::open_regular(&real).map_err(|e| format!("cannot open: {e}"))?;
    let mut header = [0u8; 100];
    let n = read_full(&mut f, &mut header).map_err(|e| format!("cannot read: {e}"))?;
    if n == 0 {
        // SQLite's own empty database: no tables yet.
        return Ok(Some(Tables::default()));
    }
    if n < 100 || &header[..16] != b"SQLite format 3\0" {
        return Err(
            "not an SQLite database (no SQLite header); expected the coordinators' database".into(),
        );
    }
    let wal = header[18] == 2 || header[19] == 2;
    let conn = if wal && !wal_file(&real).exists() {
        // WAL mode with no writer open (the last one's close checkpointed
        // and removed the `-wal`): the file is the whole database. Read a
        // copy, as in rollback mode, so nothing is made beside it (SQLite's
        // read-only open would create `-shm` and `-wal`, and fails in a
        // directory mdash cannot write).
        let mut bytes = copy_quiet(&f)?;
        if wal_file(&real).exists() {
            return Err(
                "database is busy (a writer opened it); read again on the next reload".into(),
            );
        }
        // The copy is read without a WAL (same pages, rollback header).
        bytes[18] = 1;
        bytes[19] = 1;
        in_memory(&bytes)?
    } else if wal {
        let c = Connection::open_with_flags(
            &real,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("cannot open: {e}"))?;
        c.busy_timeout(Duration::from_millis(25))
            .map_err(|e| e.to_string())?;
        c
    } else {
        in_memory(&copy_quiet(&f)?)?
    };
    query(&conn).map(Some).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            "database is busy (a writer holds it); read again on the next reload".to_string()
        }
        e => e.to_string(),
    })
}

/// The database's `-wal` file.
fn wal_file(db: &Path) -> std::path::PathBuf {
    let mut o = db.as_os_str().to_os_string();
    o.push("-wal");
    o.into()
}

/// A read-only in-memory database of a copy's bytes.
fn in_memory(bytes: &[u8]) -> Result<Connection, String> {
    let mut c = Connection::open_in_memory().map_err(|e| e.to_string())?;
    c.deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), true)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(c)
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// SQLite's lock bytes (os_unix.c): PENDING, RESERVED, then the SHARED range.
const PENDING_BYTE: i64 = 0x4000_0000;
const SHARED_FIRST: i64 = PENDING_BYTE + 2;
const SHARED_SIZE: i64 = 510;

/// Whether another process holds a write lock in `[start, start+len)`.
fn write_locked(f: &std::fs::File, start: i64, len: i64) -> bool {
    // SAFETY: a zeroed flock is a valid argument; F_GETLK only reads locks.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_RDLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = start;
    fl.l_len = len;
    // SAFETY: a valid descriptor and a valid flock; nothing is locked.
    let rc = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut fl) };
    rc != 0 || fl.l_type != libc::F_UNLCK as libc::c_short
}

/// A writer is committing: it holds PENDING or EXCLUSIVE.
fn committing(f: &std::fs::File) -> bool {
    write_locked(f, PENDING_BYTE, 1) || write_locked(f, SHARED_FIRST, SHARED_SIZE)
}

fn change_counter(bytes: &[u8]) -> Option<[u8; 4]> {
    bytes.get(24..28).map(|b| [b[0], b[1], b[2], b[3]])
}

fn header_counter(f: &std::fs::File) -> Option<[u8; 4]> {
    let mut b = [0u8; 4];
    std::os::unix::fs::FileExt::read_exact_at(f, &mut b, 24).ok()?;
    Some(b)
}

/// The file's bytes as last committed, taking no lock (rollback mode).
fn copy_quiet(f: &std::fs::File) -> Result<Vec<u8>, String> {
    for _ in 0..3 {
        if committing(f) {
            continue;
        }
        let before = header_counter(f);
        let len = f.metadata().map_err(|e| format!("cannot read: {e}"))?.len();
        let mut bytes = vec![0u8; len as usize];
        let mut n = 0;
        while n < bytes.len() {
            match std::os::unix::fs::FileExt::read_at(f, &mut bytes[n..], n as u64) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Err(format!("cannot read: {e}")),
            }
        }
        bytes.truncate(n);
        if !committing(f)
            && before.is_some()
            && header_counter(f) == before
            && change_counter(&bytes) == before
        {
            return Ok(bytes);
        }
    }
    Err("database is busy (a writer is committing); read again on the next reload".into())
}

/// A value as text: numbers in decimal, blobs lossily.
fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The first of `aliases` among `names`, case-insensitively, as spelled there.
fn pick<'a>(names: &'a [String], aliases: &[&str]) -> Option<&'a str> {
    aliases.iter().find_map(|a| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(a))
            .map(String::as_str)
    })
}

/// Rows of the first table of `tables`, each with the first column of each
/// alias list (`None` where missing); `newest` orders by that column, descending.
fn rows(
    conn: &Connection,
    names: &[String],
    tables: &[&str],
    columns: &[&[&str]],
    newest: Option<(usize, usize)>,
) -> rusqlite::Result<Vec<Vec<Option<String>>>> {
    let Some(table) = pick(names, tables) else {
        return Ok(Vec::new());
    };
    let mut cols: Vec<String> = Vec::new();
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote(table)))?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        cols.push(r.get::<_, String>(1)?);
    }
    let picked: Vec<Option<&str>> = columns.iter().map(|a| pick(&cols, a)).collect();
    let list: Vec<String> = picked
        .iter()
        .map(|c| c.map_or("NULL".to_string(), quote))
        .collect();
    let base = format!("SELECT {} FROM {}", list.join(", "), quote(table));
    let mut stmt = match newest {
        None => conn.prepare(&base)?,
        Some((col, limit)) => {
            let by = picked[col].map_or("rowid".to_string(), quote);
            // A view or a table without rowid has no `rowid`: unordered.
            conn.prepare(&format!("{base} ORDER BY {by} DESC LIMIT {limit}"))
                .or_else(|_| conn.prepare(&format!("{base} LIMIT {limit}")))?
        }
    };
    let mut q = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        out.push(
            (0..columns.len())
                .map(|i| r.get_ref(i).ok().and_then(text))
                .collect(),
        );
    }
    Ok(out)
}

/// Capabilities: a JSON list, or text split on commas, each part trimmed.
pub fn capabilities(raw: &str) -> Vec<String> {
    let t = raw.trim();
    if t.starts_with('[')
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str(t)
    {
        return items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
    }
    t.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Both tables in one read transaction.
fn query(conn: &Connection) -> rusqlite::Result<Tables> {
    let tx = conn.unchecked_transaction()?;
    let mut names = Vec::new();
    {
        let mut stmt =
            tx.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            names.push(r.get::<_, String>(0)?);
        }
    }
    let agents = rows(&tx, &names, &AGENT_TABLES, &AGENT_COLUMNS, None)?
        .into_iter()
        .map(|mut r| RegAgent {
            agent_id: r[0].take(),
            kind: r[1].take(),
            milestone: r[2].take(),
            session_id: r[3].take(),
            capabilities: r[4].as_deref().map(capabilities).unwrap_or_default(),
            status: r[5].take(),
            updated_at: r[6].take(),
        })
        .collect();
    let messages = rows(
        &tx,
        &names,
        &MESSAGE_TABLES,
        &MESSAGE_COLUMNS,
        Some((4, MAX_MESSAGES)),
    )?
    .into_iter()
    .map(|mut r| RegMessage {
        from: r[0].take(),
        to: r[1].take(),
        kind: r[2].take(),
        payload: r[3].take(),
        at: r[4].take(),
    })
    .collect();
    tx.rollback()?;
    Ok(Tables { agents, messages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_as_json_or_commas() {
        assert_eq!(capabilities("[\"rust\", 3]"), ["rust", "3"]);
        assert_eq!(capabilities(" rust , sql,, "), ["rust", "sql"]);
        assert!(capabilities("").is_empty());
    }
}
