//! `cargo bench --bench live_runs`: wake-ups of a dashboard that has
//! nothing to show change while 0, 20 and 50 agent runs are live (each
//! agent is `sleep 600`, started with `mdash run start`). The real binary
//! in a pseudo-terminal; its threads' context switches and its CPU ticks
//! over 10 s, from `/proc`, after it settled. Expected: none at any count.
//! `COUNTS=0,20,50` to choose the counts.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::time::Duration;

use common::pty::Pty;

fn main() {
    println!("load average at start: {}", ws::load());
    let counts: Vec<usize> = std::env::var("COUNTS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 20, 50]);
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path().join("ws");
    let cfg = d.path().join("cfg");
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    for i in 0..max {
        common::write(
            &root,
            &format!(".milestones/active/r{i:02}.yaml"),
            format!("id: r{i:02}\ntitle: Run {i}\nstatus: in_progress\n"),
        );
    }
    ws::agent_config(&root, &cfg, &["sleep", "600"], "");
    let _cleanup = ws::Groups(root.clone());
    let mut started = 0;
    for n in counts {
        while started < n {
            let out = ws::mdash(&root, &cfg, &["run", "start", &format!("r{started:02}")]);
            assert!(out.status.success(), "run start: {out:?}");
            started += 1;
        }
        let mut p = Pty::spawn_env(&root, 120, 60, &[], &[("XDG_CONFIG_HOME", &cfg)]);
        p.wait_for("the dashboard", |s| s.contains("Run 0"));
        if n > 0 {
            p.wait_for("the live runs", |s| s.contains(&format!("{n} runs")));
        }
        let pid = p.child.process_id().expect("pid");
        // The first read's worker threads end after 10 s idle (tokio).
        std::thread::sleep(Duration::from_secs(12));
        p.pump(Duration::from_millis(10));
        let (s0, t0) = ws::counters(pid);
        std::thread::sleep(Duration::from_secs(10));
        let (s1, t1) = ws::counters(pid);
        println!(
            "{:<56} {} context switches, {} CPU ticks over 10 s",
            format!("dashboard with {n} live runs (sleep agents)"),
            s1.saturating_sub(s0),
            t1 - t0
        );
        p.send(b"q");
        let _ = p.wait_exit_within(Duration::from_secs(10));
    }
    println!("load average at end: {}", ws::load());
}
