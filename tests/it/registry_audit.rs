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
