//! The coordination database (SPEC §12) checked against issue 27's list:
//! the detail pane's registry at 60 and 100 columns shows each agent's id,
//! type, status, capabilities and age even when its id is long, escaped.

use crate::common;
use common::*;

use rusqlite::Connection;

#[test]
fn the_registry_list_keeps_every_field_at_60_and_100_columns() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/2a.yaml", "id: 2a\nstatus: active\n");
    let c = Connection::open(r.join(".milestones/coordination.db")).expect("db");
    c.execute_batch(
        "CREATE TABLE agent_registry (agent_id TEXT, agent_type TEXT, milestone_id TEXT,
           session_id TEXT, capabilities TEXT, status TEXT, updated_at TEXT);
         INSERT INTO agent_registry VALUES ('execute-agent-with-a-very-long-name-000001',
           'execute', '2a', 's1', 'rust, sql, python, typescript, docker', 'active',
           '2026-11-22T09:00:00Z');
         INSERT INTO agent_registry VALUES (char(27) || ']0;owned' || char(7) || 'x', 'spec',
           '2a', 's2', '[\"a' || char(27) || '[2Jb\"]', 'idle', '2026-11-22T08:00:00Z');",
    )
    .expect("rows");
    drop(c);
    for w in [60u16, 100] {
        let s = crate::plans::screen(r, w, 40).join("\n");
        let row = s
            .lines()
            .find(|l| l.contains("execute-age"))
            .unwrap_or_else(|| panic!("at {w} columns, no agent row:\n{s}"));
        assert!(
            row.contains(" execute active") && row.contains(" ago"),
            "at {w} columns, the type, status and age: {row:?}\n{s}"
        );
        assert!(s.contains("[rust, sql"), "at {w}, capabilities:\n{s}");
        assert!(
            s.contains("\\e]0;owned") && s.contains(" spec idle") && s.contains("a\\e[2Jb"),
            "at {w}, escaped:\n{s}"
        );
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
    }
}

/// A WAL database whose writers have all closed (their last close removed
/// the `-wal`) is read as it is: opened read-only means nothing is made
/// beside it (SQLite's read-only open would create `-shm` and `-wal`, and
/// fails in a directory the dashboard's user cannot write). A writer that
/// opens it afterwards, and one that keeps it open, are read as before.
#[test]
fn a_closed_wal_database_is_read_without_a_file_made_beside_it() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/2a.yaml", "id: 2a\nstatus: active\n");
    let db = r.join(".milestones/coordination.db");
    let c = Connection::open(&db).expect("db");
    let mode: String = c
        .query_row("PRAGMA journal_mode=wal", [], |row| row.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    c.execute_batch(
        "CREATE TABLE agent_registry (agent_id TEXT, milestone_id TEXT, status TEXT);
         INSERT INTO agent_registry VALUES ('a1', '2a', 'active');",
    )
    .expect("rows");
    drop(c);
    let names = || {
        let mut v: Vec<String> = std::fs::read_dir(r.join(".milestones"))
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(), ["active", "coordination.db"]);
    let agents = |doc: &serde_json::Value| -> Vec<String> {
        milestone(doc, "2a")["registry"]
            .as_array()
            .expect("registry")
            .iter()
            .map(|a| a["agent_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let doc = status_json(r);
    assert_eq!(doc["registry_error"], serde_json::Value::Null, "{doc:#}");
    assert_eq!(agents(&doc), ["a1"]);
    assert_eq!(
        names(),
        ["active", "coordination.db"],
        "nothing made beside it"
    );
    // A writer that stays open: its commits are in the `-wal`.
    let w = Connection::open(&db).expect("writer");
    w.execute("INSERT INTO agent_registry VALUES ('a2', '2a', 'idle')", [])
        .expect("insert");
    let doc = status_json(r);
    assert_eq!(doc["registry_error"], serde_json::Value::Null, "{doc:#}");
    let mut got = agents(&doc);
    got.sort();
    assert_eq!(got, ["a1", "a2"]);
}
