//! `cargo bench --bench agents100`: 100 live agent runs, each a real
//! `mdash sim` started with `mdash run start` (the simulated agent edits its
//! milestone file and appends events a few times a second), and the real
//! dashboard in a pseudo-terminal beside them. Measured while they work:
//! a key's answer on screen (help opened with `?`, closed with Esc, each
//! timed until the screen shows it) and the dashboard's CPU time and
//! context switches. The agents also load the machine, so the latency
//! figure includes that. `AGENTS=N`, `PACE_MS=N`, `SECS=N` to change it.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use common::pty::Pty;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let agents = env("AGENTS", 100) as usize;
    let pace = env("PACE_MS", 1000);
    let secs = env("SECS", 20);
    println!("load average at start: {}", ws::load());
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path().join("ws");
    let cfg = d.path().join("cfg");
    for i in 0..agents {
        // More tasks than the generated default, so a run outlasts the bench.
        let tasks: String = (0..60)
            .map(|t| format!("  - {{id: t{t}, title: Task {t}, status: pending}}\n"))
            .collect();
        common::write(
            &root,
            &format!(".milestones/active/a{i:03}.yaml"),
            format!(
                "id: a{i:03}\ntitle: Agent {i}\nstatus: planned\nkiro_configuration:\n  phases:\n    design: {{weight: 15, status: pending}}\n    spec: {{weight: 25, status: pending}}\n    task: {{weight: 20, status: pending}}\n    execute: {{weight: 40, status: pending}}\ntasks:\n{tasks}"
            ),
        );
    }
    let pace_s = pace.to_string();
    ws::agent_config(
        &root,
        &cfg,
        &[ws::EXE, "sim", "{id}", "--pace-ms", &pace_s],
        "",
    );
    let _cleanup = ws::Groups(root.clone());
    let mut p = Pty::spawn_env(&root, 160, 50, &[], &[("XDG_CONFIG_HOME", &cfg)]);
    p.wait_for("the dashboard", |s| s.contains("Agent 0"));
    let pid = p.child.process_id().expect("pid");
    let t_start = Instant::now();
    for i in 0..agents {
        let out = ws::mdash(&root, &cfg, &["run", "start", &format!("a{i:03}")]);
        assert!(out.status.success(), "run start: {out:?}");
        p.pump(Duration::from_millis(1));
    }
    println!(
        "started {agents} runs in {:.1} s",
        t_start.elapsed().as_secs_f64()
    );
    p.wait_for("the live runs", |s| s.contains(" runs "));
    let live_at_start = live_runs(&p.screen());
    let (s0, t0) = ws::counters(pid);
    let begin = Instant::now();
    let mut lat = Vec::new();
    while begin.elapsed() < Duration::from_secs(secs) {
        for (key, shown) in [(&b"?"[..], true), (&b"\x1b"[..], false)] {
            let t = Instant::now();
            p.send(key);
            loop {
                p.pump(Duration::from_millis(1));
                if p.screen().contains("Esc closes") == shown {
                    break;
                }
                assert!(t.elapsed() < Duration::from_secs(30), "key never answered");
            }
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = begin.elapsed().as_secs_f64();
    let (s1, t1) = ws::counters(pid);
    let live = live_runs(&p.screen());
    ws::stats(&format!("{agents} agents: a key's answer on screen"), lat);
    println!(
        "{:<56} {:.0} % of one core ({} ticks in {took:.1} s), {:.0} context switches/s, {:.1} MB peak",
        format!("{agents} agents: dashboard CPU"),
        (t1 - t0) as f64 * 10.0 / (took * 1000.0) * 100.0,
        t1 - t0,
        (s1 - s0) as f64 / took,
        ws::status_kb(pid, "VmHWM") as f64 / 1024.0
    );
    println!(
        "runs live at the start of the measurement: {live_at_start}, at the end: {live}; load average: {}",
        ws::load()
    );
    p.send(b"q");
    let _ = p.wait_exit_within(Duration::from_secs(10));
}

/// The header's count of live runs.
fn live_runs(screen: &str) -> u64 {
    screen
        .lines()
        .next()
        .and_then(|l| {
            let i = l.find(" runs")?;
            l[..i].rsplit(' ').next()?.parse::<u64>().ok()
        })
        .unwrap_or(0)
}
