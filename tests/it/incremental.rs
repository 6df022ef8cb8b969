//! Incremental reloads equal full ones (issue 15): random sequences of the
//! edits agents and people make (rewrites in place, renames over, new and
//! deleted files, broken YAML, log appends, temp files, moves to
//! `completed/`, duplicate ids, the clock moving past a long-running task),
//! each applied once and read two ways: by the dashboard's reader told only
//! the paths that changed, and by a fresh full read. The snapshots must be
//! equal after every step. `MDASH_INC_SEQS=N` for a longer run by hand.

use crate::common;
use common::*;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use milestone_dash::live::snapshot::{self, Reader};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const IDS: [&str; 8] = ["1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b"];

fn doc(rng: &mut Rng, id: &str, now: DateTime<Utc>) -> String {
    let status = rng.pick(&[
        "planned",
        "in_progress",
        "completed",
        "blocked",
        "paused",
        "done",
    ]);
    let reqs: Vec<&str> = (0..rng.below(3)).map(|_| rng.pick(&IDS)).collect();
    let started = (now - Duration::minutes(rng.below(120) as i64)).to_rfc3339();
    let task = rng.pick(&["in_progress", "completed", "failed", "pending"]);
    let blockers = if rng.below(4) == 0 {
        "blockers: [\"waiting on review\"]\n"
    } else {
        ""
    };
    format!(
        "id: \"{id}\"\ntitle: \"Title {id} {}\"\nstatus: {status}\ndependencies:\n  requires: [{}]\ntasks:\n  - {{id: t1, status: {task}, started_at: \"{started}\"}}\n{blockers}",
        rng.below(100),
        reqs.join(", ")
    )
}

fn event(rng: &mut Rng, now: DateTime<Utc>) -> String {
    let name = rng.pick(&[
        "task_started",
        "blocker_detected",
        "blocker_resolved",
        "task_completed",
    ]);
    format!(
        "{{\"timestamp\":\"{}\",\"event\":\"{name}\"}}\n",
        (now - Duration::seconds(rng.below(3600) as i64)).to_rfc3339()
    )
}

/// One random edit; returns the paths a watcher would report.
fn edit(rng: &mut Rng, root: &Path, now: DateTime<Utc>) -> Vec<PathBuf> {
    let active = root.join(".milestones/active");
    let id = rng.pick(&IDS);
    let file = active.join(format!("{id}.yaml"));
    match rng.below(12) {
        // Most edits are an agent rewriting its own file.
        0..=3 => {
            std::fs::write(&file, doc(rng, id, now)).expect("write");
            vec![file]
        }
        4 | 5 => {
            let tmp = active.join(format!(".{id}.yaml.tmp"));
            std::fs::write(&tmp, doc(rng, id, now)).expect("write");
            std::fs::rename(&tmp, &file).expect("rename");
            vec![tmp, file]
        }
        6 => {
            let _ = std::fs::remove_file(&file);
            vec![file]
        }
        7 => {
            std::fs::write(&file, "id: [unclosed\n").expect("write");
            vec![file]
        }
        8 => {
            let log = root.join(format!(".milestones/logs/execution-{id}.jsonl"));
            // Appended to, mostly; now and then cut back (rotated).
            let mut text = if rng.below(4) == 0 {
                String::new()
            } else {
                std::fs::read_to_string(&log).unwrap_or_default()
            };
            text += &event(rng, now);
            std::fs::write(&log, text).expect("log");
            vec![log]
        }
        9 => {
            let done = root.join(format!(".milestones/completed/{id}.yaml"));
            if rng.below(2) == 0 {
                std::fs::write(&done, doc(rng, id, now)).expect("write");
            } else {
                let _ = std::fs::remove_file(&done);
            }
            vec![done]
        }
        10 => {
            let dup = active.join(format!("copy-{id}.yaml"));
            if rng.below(2) == 0 {
                std::fs::write(&dup, doc(rng, id, now)).expect("write");
            } else {
                let _ = std::fs::remove_file(&dup);
            }
            vec![dup]
        }
        _ => {
            let cur = active.join("current.txt");
            std::fs::write(&cur, format!("{id}\n")).expect("write");
            vec![cur]
        }
    }
}

fn sequence(seed: u64, steps: usize) {
    let d = tempfile::tempdir().expect("tmp");
    let root = std::fs::canonicalize(d.path()).expect("canon");
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut now = milestone_dash::util::time::parse(NOW).expect("now");
    for id in IDS {
        write(
            &root,
            &format!(".milestones/active/{id}.yaml"),
            doc(&mut rng, id, now),
        );
    }
    write(&root, ".milestones/completed/.keep", "");
    write(&root, ".milestones/logs/.keep", "");
    let mut reader = Reader::new(&root);
    assert_eq!(reader.load(now), snapshot::load(&root, now));
    for step in 0..steps {
        let paths = edit(&mut rng, &root, now);
        if rng.below(3) == 0 {
            now += Duration::minutes(rng.below(40) as i64);
        }
        let inc = reader.load_changed(paths.clone(), true, now);
        let full = snapshot::load(&root, now);
        assert!(
            inc == full,
            "seed {seed}, step {step}, after {paths:?}:\nincremental {inc:#?}\nfull {full:#?}"
        );
    }
}

#[test]
fn incremental_reloads_equal_full_ones() {
    let seqs: u64 = std::env::var("MDASH_INC_SEQS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    for seed in 0..seqs {
        sequence(seed, 30);
    }
}
