//! `cargo bench --bench registry`: the coordination database (SPEC §12)
//! with 10,000 agents across 1,000 milestones and 10,000 messages, read as
//! a reload reads it: after a write (the whole read, grouped by milestone),
//! and when nothing changed (three stamps). WAL and rollback-journal modes.

use std::time::Instant;

use milestone_dash::live::registry::{Cache, load};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    for mode in ["wal", "delete"] {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        std::fs::create_dir_all(r.join(".milestones")).expect("mkdir");
        let c = rusqlite::Connection::open(r.join(".milestones/coordination.db")).expect("open");
        c.pragma_update(None, "journal_mode", mode).expect("mode");
        c.execute_batch(
            "CREATE TABLE agent_registry (agent_id TEXT PRIMARY KEY, agent_type TEXT, milestone_id TEXT,
               session_id TEXT, capabilities TEXT, status TEXT, updated_at TEXT);
             CREATE TABLE agent_messages (from_agent TEXT, to_agent TEXT, message_type TEXT,
               payload TEXT, created_at TEXT);
             BEGIN;",
        )
        .expect("schema");
        for i in 0..10_000 {
            c.execute(
                "INSERT INTO agent_registry VALUES (?1, 'coder', ?2, ?3, '[\"rust\",\"sql\",\"review\"]', 'active', ?4)",
                rusqlite::params![
                    format!("agent-{i:05}"),
                    format!("m{}", i % 1000),
                    format!("session-{i}"),
                    format!("2026-11-22T{:02}:{:02}:00Z", (i / 60) % 24, i % 60)
                ],
            )
            .expect("agent");
            c.execute(
                "INSERT INTO agent_messages VALUES (?1, 'coordinator', 'progress', 'task step done', ?2)",
                rusqlite::params![format!("agent-{i:05}"), format!("2026-11-22T09:{:02}:00Z", i % 60)],
            )
            .expect("message");
        }
        c.execute_batch("COMMIT").expect("commit");
        let size = std::fs::metadata(r.join(".milestones/coordination.db")).map_or(0, |m| m.len());
        let mut changed = Vec::new();
        for _ in 0..15 {
            let mut cache = Cache::default();
            let t0 = Instant::now();
            let reg = load(r, &mut cache);
            changed.push(t0.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(reg.error, None);
            assert_eq!(reg.agents.len(), 1000);
        }
        let mut cache = Cache::default();
        load(r, &mut cache);
        let mut same = Vec::new();
        for _ in 0..200 {
            let t0 = Instant::now();
            load(r, &mut cache);
            same.push(t0.elapsed().as_secs_f64() * 1_000_000.0);
        }
        println!(
            "registry {mode}: 10,000 agents / 1,000 milestones / 10,000 messages ({} KiB): read after a change {:.1} ms (median of 15), unchanged {:.0} µs (median of 200)",
            size / 1024,
            median(changed),
            median(same)
        );
    }
}
