//! `cargo bench --bench fleet`: the fleet dashboard (issue 28 item 8) over
//! a real sshd on 127.0.0.1 (the tests' `common::sshd`: generated keys, its
//! own config). `WORKSPACES` (10) workspaces of `N` (1,000) generated
//! milestones each, `REMOTE` (2) of them behind ssh, listed first so that a
//! remote milestone is on screen. The real binary in a pseudo-terminal:
//!
//! - a remote edit (a milestone's title, replaced by rename) → the new
//!   title on the local screen, `EDITS` (100) times: median and p99;
//! - a key (`j`/`k`) → the selection's detail heading on screen, `KEYS`
//!   (200) times: median and p99;
//! - memory (VmHWM, VmRSS) of the dashboard, of its local `watch --json`
//!   child and of the remote `watch --json`;
//! - idle wake-ups: context switches and CPU ticks of those three over
//!   `IDLE_SECS` (60) once settled (the streams' 30 s pings are the only
//!   lines; ssh's keep-alives are ssh's own processes).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::Pty;
use common::sshd::{HOST, Sshd};

fn env_n(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// Waits for `pred` on the screen, draining the terminal every 0.2 ms; ms
/// since `t0`.
fn until(p: &mut Pty, t0: Instant, what: &str, pred: impl Fn(&str) -> bool) -> f64 {
    loop {
        if pred(&p.screen()) {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        p.pump(Duration::from_micros(200));
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "timed out: {what}\n{}",
            p.screen()
        );
    }
}

/// Processes of `exe` whose command line holds every one of `parts`.
fn pids_with(parts: &[&str]) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            (cmd.starts_with(&format!("{} ", ws::EXE)) && parts.iter().all(|p| cmd.contains(p)))
                .then_some(pid)
        })
        .collect()
}

fn write_atomic(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    let tmp = p.with_extension("tmp~");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, &p).expect("rename");
}

fn main() {
    println!("load average at start: {}", ws::load());
    let (n, count, remote) = (
        env_n("N", 1000),
        env_n("WORKSPACES", 10),
        env_n("REMOTE", 2),
    );
    let (edits, keys, idle) = (
        env_n("EDITS", 100),
        env_n("KEYS", 200),
        env_n("IDLE_SECS", 60),
    );
    let sshd = Sshd::start();
    let trees: Vec<tempfile::TempDir> = (0..count).map(|_| ws::tree(n, true)).collect();
    let cfg = tempfile::tempdir().expect("cfg");
    let mut yaml = String::from("workspaces:\n");
    for (i, t) in trees.iter().enumerate() {
        if i < remote {
            yaml.push_str(&format!(
                "  - host: {HOST}\n    path: {}\n    name: r{i}\n    mdash: {}\n",
                t.path().display(),
                ws::EXE
            ));
        } else {
            yaml.push_str(&format!(
                "  - path: {}\n    name: l{i}\n",
                t.path().display()
            ));
        }
    }
    let file = cfg.path().join("fleet.yaml");
    std::fs::write(&file, yaml).expect("fleet.yaml");

    let mut cmd = portable_pty::CommandBuilder::new(ws::EXE);
    cmd.args(["fleet", "--fleet"]);
    cmd.arg(&file);
    for (k, v) in sshd.envs() {
        cmd.env(k, v);
    }
    cmd.env("XDG_CONFIG_HOME", cfg.path());
    let t0 = Instant::now();
    let mut p = Pty::spawn_cmd(cmd, 200, 60);
    let first = if remote > 0 { "r0" } else { "l0" };
    let all = until(&mut p, t0, "every workspace live", |s| {
        s.contains(&format!("{first} · "))
            && s.contains("Milestone 0")
            && s.matches(" · live").count() >= 1
    });
    // Every host heard: headings of all of them (below the screen too) are
    // only known by the app; wait until each source has its document by
    // looking at the header's count.
    let total = n * count;
    let counted = until(&mut p, t0, "every milestone counted", |s| {
        s.contains(&format!("{total} milestones"))
    });
    println!(
        "{:<56} {all:>8.1} ms (first rows), {counted:.1} ms (all {total} milestones counted)",
        format!("start-up, {count} × {n}, {remote} remote")
    );
    let pid = p.child.process_id().expect("pid");

    // A remote edit → on the local screen.
    let mut seen = Vec::new();
    if remote > 0 {
        let root = trees[0].path();
        for k in 0..edits {
            let title = format!("Remote edit {k}");
            let t0 = Instant::now();
            write_atomic(
                root,
                ".milestones/active/m0.yaml",
                &ws::milestone_titled(0, &title),
            );
            seen.push(until(&mut p, t0, "the remote edit", |s| s.contains(&title)));
        }
        ws::stats(
            &format!("remote edit → local screen (ssh, {count} × {n})"),
            seen,
        );
    }

    // Keys → screen: the detail's heading follows the selection.
    let heading = |s: &str| -> Option<String> {
        s.lines()
            .find_map(|l| l.split("┐┌ ").nth(1).or_else(|| l.split("┐┌").nth(1)))
            .map(|h| h.split(" ─").next().unwrap_or(h).to_string())
    };
    let mut times = Vec::new();
    for k in 0..keys {
        let before = heading(&p.screen());
        let t0 = Instant::now();
        p.send(if k % 2 == 0 { b"j" } else { b"k" });
        times.push(until(&mut p, t0, "the selection moved", |s| {
            heading(s) != before
        }));
    }
    ws::stats(&format!("key (j/k) → screen, {count} × {n}"), times);

    let local = pids_with(&["watch", "--json"])
        .into_iter()
        .filter(|&c| ws::status_kb(c, "PPid") == u64::from(pid))
        .collect::<Vec<_>>();
    let remote_watch: Vec<u32> = if remote > 0 {
        pids_with(&["watch", "--json", &trees[0].path().display().to_string()])
            .into_iter()
            .filter(|c| !local.contains(c) && ws::status_kb(*c, "PPid") != u64::from(pid))
            .collect()
    } else {
        Vec::new()
    };
    let mem = |who: &str, pid: u32| {
        println!(
            "{who:<56} VmHWM {:>7} kB  VmRSS {:>7} kB",
            ws::status_kb(pid, "VmHWM"),
            ws::status_kb(pid, "VmRSS")
        );
    };
    mem("memory: the fleet dashboard", pid);
    for &c in &local {
        mem(
            &format!(
                "memory: its local watch --json ({} workspaces)",
                count - remote
            ),
            c,
        );
    }
    for &c in &remote_watch {
        mem(
            &format!("memory: the remote watch --json ({remote} workspaces)"),
            c,
        );
    }

    // Idle: settled (tokio keeps an idle blocking thread for 10 s).
    ws::settle(Duration::from_secs(12));
    p.pump(Duration::from_millis(10));
    let mut who: Vec<(String, u32)> = vec![("the fleet dashboard".into(), pid)];
    who.extend(
        local
            .iter()
            .map(|&c| ("its local watch --json".to_string(), c)),
    );
    who.extend(
        remote_watch
            .iter()
            .map(|&c| ("the remote watch --json".to_string(), c)),
    );
    let before: Vec<(u64, u64)> = who.iter().map(|(_, c)| ws::counters(*c)).collect();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(idle as u64) {
        p.pump(Duration::from_millis(500));
    }
    for ((name, c), (s0, t0)) in who.iter().zip(before) {
        let (s1, t1) = ws::counters(*c);
        println!(
            "{:<56} {} context switches, {} CPU ticks over {idle} s",
            format!("idle: {name}"),
            s1 - s0,
            t1 - t0
        );
    }
    p.send(b"q");
    let _ = p.wait_exit_within(Duration::from_secs(10));
    println!("load average at end: {}", ws::load());
}
