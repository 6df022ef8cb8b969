//! `cargo bench --bench dense`: a dense dependency graph (issue 16 item 7):
//! 1,000 milestones each requiring all the others. `mdash status --json`
//! once (time, peak memory of the child, blockers printed), then the
//! dashboard in a pseudo-terminal: its CPU time per edit of one file and
//! its peak memory. `N=1000` to change the size.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use common::pty::Pty;

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    println!("load average at start: {}", ws::load());
    let d = tempfile::tempdir().expect("tmp");
    ws::dense(d.path(), n);

    let t = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M %U %S"])
        .arg(ws::EXE)
        .args(["status", "--json"])
        .arg(d.path())
        .output()
        .expect("status");
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let blockers = doc["blockers"].as_array().map_or(0, Vec::len);
    let times = String::from_utf8_lossy(&out.stderr);
    let f: Vec<&str> = times.split_whitespace().collect();
    println!(
        "{:<56} {wall:.0} ms, {} blockers, {:.0} MB peak, CPU user {} s sys {} s",
        format!("status --json, {n} milestones requiring all others"),
        blockers,
        f.first().and_then(|k| k.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0,
        f.get(1).unwrap_or(&"?"),
        f.get(2).unwrap_or(&"?"),
    );

    let mut p = Pty::spawn(d.path(), 160, 50);
    let t0 = Instant::now();
    loop {
        p.pump(Duration::from_millis(5));
        if p.screen().contains("Dense 0") {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "never loaded");
    }
    let pid = p.child.process_id().expect("pid");
    println!(
        "{:<56} {:.0} ms",
        "dashboard: first milestone on screen",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    std::thread::sleep(Duration::from_secs(1));
    let ticks0 = ws::cpu_ticks(pid);
    let edits = 5;
    let file = d.path().join(".milestones/active/d0000.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    for k in 0..edits {
        let title = format!("Edited {k} dense");
        std::fs::write(&file, text.replace("Dense 0", &title)).expect("write");
        let t = Instant::now();
        loop {
            p.pump(Duration::from_millis(5));
            if p.screen().contains(&title) {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(120), "edit never shown");
        }
        std::thread::sleep(Duration::from_millis(1500));
    }
    let ticks = ws::cpu_ticks(pid) - ticks0;
    println!(
        "{:<56} {:.0} ms CPU per edit, {:.0} MB peak resident",
        format!("dashboard, {n} dense milestones: one file edited"),
        ticks as f64 * 10.0 / edits as f64,
        ws::status_kb(pid, "VmHWM") as f64 / 1024.0
    );
    p.send(b"q");
    let _ = p.wait_exit_within(Duration::from_secs(10));
}
