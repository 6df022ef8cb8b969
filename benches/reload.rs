//! `cargo bench --bench reload`: the real binary in a pseudo-terminal on
//! generated workspaces of 10, 1,000 and 10,000 milestones (with logs):
//! start-up until the first frame ("reading…") and until the first
//! milestone is on screen; one milestone file renamed over until its new
//! title is on screen (and the dashboard's CPU time per edit, which does
//! not depend on the machine's load); peak resident memory.
//! `SIZES=10,1000` to choose the sizes, `EDITS=N` the number of edits.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::Pty;

const TIMEOUT: Duration = Duration::from_secs(60);

/// Pumps the terminal until `pred` holds; the time it took since `t0`.
fn until(p: &mut Pty, t0: Instant, what: &str, pred: impl Fn(&str) -> bool) -> f64 {
    loop {
        p.pump(Duration::from_millis(1));
        if pred(&p.screen()) {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(t0.elapsed() < TIMEOUT, "timed out: {what}\n{}", p.screen());
    }
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn rename_over(root: &Path, i: usize, title: &str) {
    let dir = root.join(".milestones/active");
    let tmp = dir.join(format!(".m{i}.yaml.tmp"));
    std::fs::write(&tmp, ws::milestone_titled(i, title)).expect("write");
    std::fs::rename(&tmp, dir.join(format!("m{i}.yaml"))).expect("rename");
}

fn main() {
    println!("load average at start: {}", ws::load());
    let edits = env_list("EDITS", &[20])[0];
    for n in env_list("SIZES", &[10, 1_000, 10_000]) {
        let d = ws::tree(n, true);
        let starts = if n >= 10_000 { 3 } else { 5 };
        let (mut first_frame, mut first_row, mut all_read) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..starts {
            let t0 = Instant::now();
            let mut p = Pty::spawn(d.path(), 200, 60);
            first_frame.push(until(&mut p, t0, "first frame", |s| s.contains("mdash")));
            first_row.push(until(&mut p, t0, "first milestone", |s| {
                s.contains("Milestone 0")
            }));
            // A large workspace shows its first screenful while the rest is
            // read ("reading N files…" in the header).
            all_read.push(until(&mut p, t0, "every milestone", |s| {
                s.contains("Milestone 0") && !s.contains("reading")
            }));
            p.send(b"q");
            let _ = p.wait_exit_within(Duration::from_secs(10));
        }
        ws::stats(
            &format!("start-up: first frame, {n} milestones"),
            first_frame,
        );
        ws::stats(
            &format!("start-up: first milestone on screen, {n}"),
            first_row,
        );
        ws::stats(&format!("start-up: every milestone read, {n}"), all_read);

        let mut p = Pty::spawn(d.path(), 200, 60);
        until(&mut p, Instant::now(), "loaded", |s| {
            s.contains("Milestone 0") && !s.contains("reading")
        });
        let pid = p.child.process_id().expect("pid");
        std::thread::sleep(Duration::from_millis(500));
        p.pump(Duration::from_millis(10));
        let ticks0 = ws::cpu_ticks(pid);
        let (sw0, _) = ws::counters(pid);
        let mut lat = Vec::new();
        for k in 0..edits {
            let title = format!("Renamed {k} over");
            let t0 = Instant::now();
            rename_over(d.path(), 0, &title);
            lat.push(until(&mut p, t0, "new title", |s| s.contains(&title)));
            // Let the reload finish before the next edit (one edit at a time).
            std::thread::sleep(Duration::from_millis(if n >= 10_000 { 400 } else { 100 }));
            p.pump(Duration::from_millis(1));
        }
        let ticks = ws::cpu_ticks(pid) - ticks0;
        let (sw1, _) = ws::counters(pid);
        ws::stats(&format!("rename-over -> new title on screen, {n}"), lat);
        println!(
            "{:<56} {:.1} ms CPU per edit ({ticks} ticks over {edits} edits), {} context switches per edit",
            format!("dashboard CPU per edit, {n}"),
            ticks as f64 * 10.0 / edits as f64,
            (sw1 - sw0) / edits as u64
        );
        println!(
            "{:<56} {:.1} MB peak resident (VmHWM), {:.1} MB now",
            format!("dashboard memory, {n} milestones with logs"),
            ws::status_kb(pid, "VmHWM") as f64 / 1024.0,
            ws::status_kb(pid, "VmRSS") as f64 / 1024.0
        );
        p.send(b"q");
        let _ = p.wait_exit_within(Duration::from_secs(10));
    }
    println!("load average at end: {}", ws::load());
}
