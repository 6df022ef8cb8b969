//! `cargo bench --bench idle`: wake-ups of the idle dashboard. The real
//! binary runs in a pseudo-terminal on a small workspace (no worktrees, no
//! runs, so no timer has a reason to run); once it has settled, its threads'
//! context switches and CPU ticks are summed from `/proc` over 10 seconds.
//! Expected: none.

#[path = "../tests/it/common/mod.rs"]
mod common;
use common::pty::Pty;
use common::write;

use std::collections::BTreeMap;
use std::time::Duration;

/// (context switches, CPU ticks) of every thread of `pid`, by thread id.
fn counters(pid: u32) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    for t in std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("task")
        .flatten()
    {
        let (mut switches, mut ticks) = (0, 0);
        let p = t.path();
        if let Ok(s) = std::fs::read_to_string(p.join("status")) {
            for l in s.lines() {
                if l.starts_with("voluntary_ctxt_switches")
                    || l.starts_with("nonvoluntary_ctxt_switches")
                {
                    switches += l
                        .split_whitespace()
                        .nth(1)
                        .and_then(|n| n.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
        if let Ok(s) = std::fs::read_to_string(p.join("stat")) {
            let f: Vec<&str> = s[s.rfind(')').map_or(0, |i| i + 1)..]
                .split_whitespace()
                .collect();
            ticks += f.get(11).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        }
        out.insert(
            t.file_name().to_string_lossy().into_owned(),
            (switches, ticks),
        );
    }
    out
}

fn main() {
    let d = tempfile::tempdir().expect("tmp");
    for i in 0..20 {
        write(
            d.path(),
            &format!(".milestones/active/m{i}.yaml"),
            format!("id: m{i}\ntitle: Milestone {i}\nstatus: in_progress\n"),
        );
    }
    let mut p = Pty::spawn(d.path(), 120, 40);
    p.wait_for("the dashboard", |s| s.contains("Milestone 1"));
    let pid = p.child.process_id().expect("pid");
    // Let the first read and frames settle, and the worker threads of that
    // read end (tokio keeps an idle blocking thread for 10 s).
    std::thread::sleep(Duration::from_secs(12));
    p.pump(Duration::from_millis(10));
    let before = counters(pid);
    std::thread::sleep(Duration::from_secs(10));
    let after = counters(pid);
    let (mut switches, mut ticks) = (0, 0);
    for (tid, (s0, t0)) in &before {
        let (s1, t1) = after.get(tid).copied().unwrap_or((*s0, *t0));
        switches += s1 - s0;
        ticks += t1 - t0;
    }
    let born = after.keys().filter(|t| !before.contains_key(*t)).count();
    let ended = before.keys().filter(|t| !after.contains_key(*t)).count();
    println!(
        "{:<48} {switches} context switches, {ticks} CPU ticks over 10 s ({} threads; {born} started, {ended} ended)",
        "idle dashboard wake-ups",
        before.len(),
    );
    p.send(b"q");
}
