//! The coordination database (issue 27, SPEC §12): real SQLite files, with
//! aliased tables and columns at a configured path, missing columns, a
//! corrupt and a foreign file, and writers that run beside the dashboard —
//! one holding an open transaction, one inserting without waiting — in WAL
//! and rollback-journal modes. A writer never sees `SQLITE_BUSY` because
//! the dashboard reads.

use crate::common;
use common::*;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use serde_json::{Value, json};

const SCHEMA: &str = "CREATE TABLE agent_registry (agent_id TEXT PRIMARY KEY, agent_type TEXT,
    milestone_id TEXT, session_id TEXT, capabilities TEXT, status TEXT, updated_at TEXT);
    CREATE TABLE agent_messages (id INTEGER PRIMARY KEY, from_agent TEXT, to_agent TEXT,
    message_type TEXT, payload TEXT, created_at TEXT);";

/// A workspace with milestones `m1` and `m2` and a database in `mode`
/// (`wal` or `delete`) at the default path.
fn workspace(mode: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/m1.yaml", "id: m1\nstatus: active\n");
    write(r, ".milestones/active/m2.yaml", "id: m2\nstatus: planned\n");
    let db = r.join(".milestones/coordination.db");
    let c = Connection::open(&db).expect("open");
    c.pragma_update(None, "journal_mode", mode).expect("mode");
    c.execute_batch(SCHEMA).expect("schema");
    c.execute_batch(
        "INSERT INTO agent_registry VALUES ('coder-1', 'coder', 'm1', 's1', '[\"rust\",\"sql\"]', 'active', '2026-11-22T09:58:00Z');
         INSERT INTO agent_registry VALUES ('rev-1', 'reviewer', 'm1', 's2', 'review, docs ,', 'idle', '2026-11-22T09:59:00Z');
         INSERT INTO agent_messages (from_agent, to_agent, message_type, payload, created_at)
           VALUES ('coder-1', 'rev-1', 'review_request', 'please review', '2026-11-22T09:59:30Z');",
    )
    .expect("rows");
    (d, db)
}

fn registry(doc: &Value, id: &str) -> Value {
    milestone(doc, id)["registry"].clone()
}

#[test]
fn agents_per_milestone_newest_first() {
    for mode in ["wal", "delete"] {
        let (d, _db) = workspace(mode);
        let doc = status_json(d.path());
        assert_eq!(doc["registry_error"], Value::Null, "{mode}");
        assert_eq!(
            registry(&doc, "m1"),
            json!([
                {"agent_id": "rev-1", "type": "reviewer", "session_id": "s2", "status": "idle",
                 "capabilities": ["review", "docs"], "updated_at": "2026-11-22T09:59:00Z"},
                {"agent_id": "coder-1", "type": "coder", "session_id": "s1", "status": "active",
                 "capabilities": ["rust", "sql"], "updated_at": "2026-11-22T09:58:00Z"}
            ]),
            "{mode}"
        );
        assert_eq!(registry(&doc, "m2"), json!([]));
        assert_eq!(doc["errors"], json!([]));
    }
}

#[test]
fn no_database_is_no_error() {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), ".milestones/active/m1.yaml", "id: m1\n");
    let doc = status_json(d.path());
    assert_eq!(doc["registry_error"], Value::Null);
    assert_eq!(registry(&doc, "m1"), json!([]));
}

#[test]
fn aliased_tables_and_columns_at_a_configured_path() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/m1.yaml", "id: m1\n");
    write(
        r,
        ".milestones/config/mdash.yaml",
        "coordination:\n  path: coord/kiro.sqlite\n",
    );
    std::fs::create_dir_all(r.join("coord")).expect("mkdir");
    let c = Connection::open(r.join("coord/kiro.sqlite")).expect("open");
    c.execute_batch(
        "CREATE TABLE AGENTS (ID TEXT, Type TEXT, MILESTONE TEXT, Session TEXT, STATE TEXT,
            Last_Heartbeat INTEGER, Created_At TEXT, extra BLOB);
         INSERT INTO AGENTS VALUES ('a1', 'coordinator', 'm1', 'sess', 'working', 1795341600, 'old', x'00');
         CREATE TABLE Messages (Sender TEXT, Recipient TEXT, TYPE TEXT, Content TEXT, Timestamp TEXT);
         INSERT INTO Messages VALUES ('a1', 'a9', 'note', 'hello', '2026-11-22T09:00:00Z');
         CREATE TABLE agent_registry_old (agent_id TEXT);",
    )
    .expect("rows");
    drop(c);
    let doc = status_json(r);
    assert_eq!(doc["registry_error"], Value::Null, "{doc:#}");
    assert_eq!(
        registry(&doc, "m1"),
        json!([{"agent_id": "a1", "type": "coordinator", "session_id": "sess", "status": "working",
                "capabilities": [], "updated_at": "1795341600"}])
    );
    // The default path is not read when another is configured.
    let c = Connection::open(r.join(".milestones/coordination.db")).expect("open");
    c.execute_batch(SCHEMA).expect("schema");
    c.execute(
        "INSERT INTO agent_registry (agent_id, milestone_id) VALUES ('x', 'm1')",
        [],
    )
    .expect("row");
    assert_eq!(registry(&status_json(r), "m1")[0]["agent_id"], "a1");
}

#[test]
fn missing_tables_and_columns_read_as_nothing_and_null() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/m1.yaml", "id: m1\n");
    let c = Connection::open(r.join(".milestones/coordination.db")).expect("open");
    c.execute_batch(
        "CREATE TABLE agent_registry (milestone_id TEXT, agent_id TEXT);
         INSERT INTO agent_registry VALUES ('m1', 'bare');",
    )
    .expect("rows");
    drop(c);
    let doc = status_json(r);
    assert_eq!(doc["registry_error"], Value::Null);
    assert_eq!(
        registry(&doc, "m1"),
        json!([{"agent_id": "bare", "type": null, "session_id": null, "status": null,
                "capabilities": [], "updated_at": null}])
    );
}

#[test]
fn a_corrupt_or_foreign_file_is_registry_error_and_nothing_else_is_lost() {
    let (d, db) = workspace("delete");
    let r = d.path();
    let mut bytes = std::fs::read(&db).expect("read");
    // Keep the header, wreck the schema page.
    for b in bytes.iter_mut().skip(100).take(3000) {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).expect("write");
    let doc = status_json(r);
    let e = doc["registry_error"]
        .as_str()
        .expect("registry_error")
        .to_string();
    assert!(e.contains(".milestones/coordination.db"), "{e}");
    assert_eq!(ids(&doc), ["m1", "m2"]);
    assert_eq!(doc["errors"], json!([]));
    assert_eq!(registry(&doc, "m1"), json!([]));
    let out = bin().arg("check").arg(r).output().expect("check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with(".milestones/coordination.db:")
                && l.contains("error: coordination database cannot be opened")),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(&db, "id: not a database\n".repeat(20)).expect("write");
    let doc = status_json(r);
    let e = doc["registry_error"].as_str().expect("registry_error");
    assert!(e.contains("not an SQLite database"), "{e}");
    assert_eq!(ids(&doc), ["m1", "m2"]);
}

#[test]
fn a_database_outside_the_workspace_is_not_read() {
    let (d, _) = workspace("wal");
    let (other, _) = workspace("wal");
    let r = d.path();
    let target = other.path().join(".milestones/coordination.db");
    write(
        r,
        ".milestones/config/mdash.yaml",
        format!("coordination:\n  path: \"{}\"\n", target.display()),
    );
    let doc = status_json(r);
    assert!(
        doc["registry_error"]
            .as_str()
            .is_some_and(|e| e.contains("outside the workspace")),
        "{doc:#}"
    );
    assert_eq!(registry(&doc, "m1"), json!([]));
}

/// Loads the workspace with the dashboard's reader: the snapshot's registry.
fn load(
    _r: &Path,
    reader: &mut milestone_dash::live::snapshot::Reader,
) -> Arc<milestone_dash::model::Registry> {
    let now = milestone_dash::util::time::parse(NOW).expect("now");
    reader.load(now).registry
}

#[test]
fn a_writer_holding_an_open_transaction_is_read_around() {
    for mode in ["wal", "delete"] {
        let (d, db) = workspace(mode);
        let r = d.path();
        let w = Connection::open(&db).expect("writer");
        w.execute_batch("BEGIN IMMEDIATE").expect("begin");
        w.execute("UPDATE agent_registry SET status = 'uncommitted'", [])
            .expect("update");
        let mut reader = milestone_dash::live::snapshot::Reader::new(r);
        let reg = load(r, &mut reader);
        assert_eq!(reg.error, None, "{mode}");
        let st: Vec<_> = reg
            .agents_of("m1")
            .iter()
            .map(|a| a.status.clone())
            .collect();
        assert_eq!(
            st,
            [Some("idle".into()), Some("active".into())],
            "{mode}: the committed rows"
        );
        // The writer commits without waiting, the dashboard still open.
        w.execute_batch("COMMIT")
            .expect("commit without SQLITE_BUSY");
        let reg = load(r, &mut reader);
        assert!(
            reg.agents_of("m1")
                .iter()
                .all(|a| a.status.as_deref() == Some("uncommitted")),
            "{mode}"
        );
    }
}

/// Another process writing the database with Python's `sqlite3` (SQLite's
/// locks are per process): it runs `steps`, one per line on its stdin,
/// answering "ok" or the error after each.
struct Writer(
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
);

impl Writer {
    fn start(db: &Path) -> Option<Writer> {
        let script = "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1],timeout=0,isolation_level=None)\n\
for l in sys.stdin:\n  try:\n    c.execute(l.strip()); print('ok',flush=True)\n  except Exception as e:\n    print('error',e,flush=True)\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .ok()?;
        let out = std::io::BufReader::new(child.stdout.take()?);
        Some(Writer(child, out))
    }

    fn run(&mut self, sql: &str) -> String {
        use std::io::{BufRead, Write};
        let stdin = self.0.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{sql}").expect("send");
        let mut line = String::new();
        self.1.read_line(&mut line).expect("answer");
        line.trim().to_string()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

#[test]
fn a_writer_mid_commit_in_rollback_mode_is_busy_and_read_on_the_next_reload() {
    let (d, db) = workspace("delete");
    let r = d.path();
    let Some(mut w) = Writer::start(&db) else {
        eprintln!("python3 not found: skipped");
        return;
    };
    let mut reader = milestone_dash::live::snapshot::Reader::new(r);
    // An open transaction (RESERVED): the file is untouched, read as committed.
    assert_eq!(w.run("BEGIN IMMEDIATE"), "ok");
    assert_eq!(w.run("UPDATE agent_registry SET status = 'late'"), "ok");
    let reg = load(r, &mut reader);
    assert_eq!(reg.error, None);
    assert_eq!(reg.agents_of("m1")[0].status.as_deref(), Some("idle"));
    assert_eq!(
        w.run("COMMIT"),
        "ok",
        "the writer commits beside the reader"
    );
    // EXCLUSIVE, as while a commit writes the file: no read, no wait.
    assert_eq!(w.run("BEGIN EXCLUSIVE"), "ok");
    assert_eq!(w.run("UPDATE agent_registry SET status = 'later'"), "ok");
    let reg = load(r, &mut reader);
    assert!(
        reg.error.as_deref().is_some_and(|e| e.contains("busy")),
        "{reg:?}"
    );
    assert_eq!(w.run("COMMIT"), "ok");
    let reg = load(r, &mut reader);
    assert_eq!(reg.error, None);
    assert_eq!(reg.agents_of("m1")[0].status.as_deref(), Some("later"));
}

/// A writer process inserting without waiting (`timeout=0`) while the
/// dashboard's reader loads in a loop: no write fails, in either mode.
#[test]
fn a_writer_process_that_never_waits_never_sees_busy() {
    for mode in ["wal", "delete"] {
        let (d, db) = workspace(mode);
        let r = d.path().to_path_buf();
        let Some(mut w) = Writer::start(&db) else {
            eprintln!("python3 not found: skipped");
            return;
        };
        let done = Arc::new(AtomicBool::new(false));
        let reads = {
            let (r, done) = (r.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reader = milestone_dash::live::snapshot::Reader::new(&r);
                let mut n = 0;
                while !done.load(Ordering::SeqCst) {
                    let reg = load(&r, &mut reader);
                    if let Some(e) = &reg.error {
                        assert!(e.contains("busy"), "{e}");
                    }
                    n += 1;
                }
                n
            })
        };
        for i in 0..200 {
            let sql = format!(
                "INSERT INTO agent_registry VALUES ('p-{i:03}', 'coder', 'm2', 's', '[]', 'active', '2026-11-22T09:00:00Z')"
            );
            assert_eq!(w.run(&sql), "ok", "{mode}: insert {i}");
        }
        done.store(true, Ordering::SeqCst);
        assert!(reads.join().expect("reader") > 0);
        let mut reader = milestone_dash::live::snapshot::Reader::new(&r);
        let reg = load(&r, &mut reader);
        assert_eq!(reg.error, None, "{mode}");
        assert_eq!(reg.agents_of("m2").len(), 200, "{mode}");
    }
}

/// A writer thread inserting with no busy timeout (it never waits) while
/// the dashboard's reader loads again and again: every write succeeds, and
/// the last read sees every row.
#[test]
fn writers_that_never_wait_never_see_busy_beside_the_dashboard() {
    for mode in ["wal", "delete"] {
        let (d, db) = workspace(mode);
        let r = d.path().to_path_buf();
        let done = Arc::new(AtomicBool::new(false));
        let reads = {
            let (r, done) = (r.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reader = milestone_dash::live::snapshot::Reader::new(&r);
                let mut n = 0;
                while !done.load(Ordering::SeqCst) {
                    let reg = load(&r, &mut reader);
                    // A read that meets a commit says busy; none is torn.
                    if let Some(e) = &reg.error {
                        assert!(e.contains("busy"), "{e}");
                    }
                    n += 1;
                }
                n
            })
        };
        let w = Connection::open(&db).expect("writer");
        w.busy_timeout(std::time::Duration::ZERO)
            .expect("no waiting");
        for i in 0..300 {
            let res = w.execute(
                "INSERT INTO agent_registry VALUES (?1, 'coder', 'm2', 's', 'a,b', 'active', ?2)",
                rusqlite::params![
                    format!("w-{i:03}"),
                    format!("2026-11-22T09:{:02}:00Z", i % 60)
                ],
            );
            if let Err(e) = &res {
                panic!("{mode}: insert {i} failed beside the dashboard: {e}");
            }
            if i % 50 == 0 {
                w.execute(
                    "INSERT INTO agent_messages (from_agent, to_agent, message_type, payload, created_at) VALUES (?1, 'rev-1', 'progress', 'step', '2026-11-22T09:59:59Z')",
                    [format!("w-{i:03}")],
                )
                .unwrap_or_else(|e| panic!("{mode}: message {i}: {e}"));
            }
        }
        done.store(true, Ordering::SeqCst);
        let n = reads.join().expect("reader thread");
        assert!(n > 0);
        let mut reader = milestone_dash::live::snapshot::Reader::new(&r);
        let reg = load(&r, &mut reader);
        assert_eq!(reg.error, None, "{mode}");
        assert_eq!(reg.agents_of("m2").len(), 300, "{mode}");
        assert_eq!(reg.messages.len(), 7, "{mode}");
    }
}

/// The detail pane lists the selected milestone's agents and their newest
/// messages.
#[test]
fn the_detail_pane_lists_agents_and_their_messages() {
    let (d, _db) = workspace("wal");
    let s = crate::plans::screen(d.path(), 180, 30).join("\n");
    assert!(s.contains("Registry .milestones/coordination.db"), "{s}");
    assert!(
        s.contains("rev-1 reviewer idle [review, docs] 1m ago"),
        "{s}"
    );
    assert!(s.contains("coder-1 coder active [rust, sql] 2m ago"), "{s}");
    assert!(
        s.contains("coder-1 → rev-1 review_request: please review"),
        "{s}"
    );
}

/// The real dashboard in a terminal: a registration written to the database
/// (WAL: only the `-wal` file changes) and a plan document edited beside it
/// show without a key pressed.
#[test]
fn the_dashboard_watches_the_database_and_the_plans() {
    use crate::common::pty::Pty;
    let (d, db) = workspace("wal");
    let r = d.path();
    write(
        r,
        "specs/milestones/m1.md",
        "# m1\n## Task Sequence\nTASK-001\n",
    );
    let mut p = Pty::spawn(r, 160, 40);
    p.wait_for("the registry and the plan", |s| {
        s.contains("rev-1 reviewer idle") && s.contains("○TASK-001")
    });
    let w = Connection::open(&db).expect("writer");
    w.execute(
        "INSERT INTO agent_registry VALUES ('late-1', 'tester', 'm1', 's3', 'qa', 'active', '2026-11-22T09:59:50Z')",
        [],
    )
    .expect("insert");
    p.wait_for("the new agent", |s| s.contains("late-1 tester active [qa]"));
    write(
        r,
        "specs/milestones/m1.md",
        "# m1\n## Task Sequence\nTASK-001 TASK-002\n",
    );
    p.wait_for("the edited plan", |s| s.contains("○TASK-002"));
    p.send(b"q");
    p.wait_exit();
}
