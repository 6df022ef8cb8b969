//! `cargo bench --bench actions`: what a key that acts on one milestone
//! costs, at 10 and 10,000 milestones in one run (issue 25 item 1). The
//! real binary in a pseudo-terminal on generated trees (with logs), one
//! extra milestone `0a` (the last row, selected with `G`) whose agent is
//! `sleep 600`:
//! `s` → its run's supervisor alive, `p` → the supervisor stopped (`T` in
//! `/proc`), `r` → running again, `x` `y` → every process of the run gone.
//! Each time is from the key to the kernel's state, polled every 0.2 ms.
//! `SIZES=10,10000` to choose the sizes, `ROUNDS=N` the rounds per size.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/ws.rs"]
mod ws;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pty::Pty;

const TIMEOUT: Duration = Duration::from_secs(60);

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// The process group of `0a`'s recorded run, with its start time.
fn run_of(root: &Path) -> Option<(i32, String)> {
    let t = std::fs::read_to_string(root.join(".milestones/sessions/mdash-runs/0a.yaml")).ok()?;
    let field = |k: &str| {
        t.lines()
            .find_map(|l| l.trim().strip_prefix(k))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    Some((field("pgid:")?.parse().ok()?, field("started_at:")?))
}

/// The state letter of a process (`S`, `T`, `Z`), none when it is gone.
fn state(pid: i32) -> Option<char> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    s[s.rfind(')')? + 1..].trim_start().chars().next()
}

/// Polls `done` every 0.2 ms (the terminal drained meanwhile); ms since `t0`.
fn until(p: &mut Pty, t0: Instant, what: &str, done: impl Fn() -> bool) -> f64 {
    loop {
        if done() {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        p.pump(Duration::from_micros(200));
        assert!(t0.elapsed() < TIMEOUT, "timed out: {what}\n{}", p.screen());
    }
}

/// The run's state as the dashboard shows it (`Run running`, …).
fn shown(p: &mut Pty, word: &str) {
    let want = format!("Run {word}");
    p.wait_for(&want, |s| s.contains(&want));
}

fn main() {
    println!("load average at start: {}", ws::load());
    let rounds = env_list("ROUNDS", &[10])[0];
    let mut medians = Vec::new();
    for n in env_list("SIZES", &[10, 10_000]) {
        let d = ws::tree(n, true);
        let root = d.path().to_path_buf();
        let cfg = tempfile::tempdir().expect("cfg");
        common::write(
            &root,
            ".milestones/active/0a.yaml",
            "id: 0a\ntitle: Bench run\nstage: \"0\"\nstatus: planned\n",
        );
        ws::agent_config(&root, cfg.path(), &["sleep", "600"], "");
        let _cleanup = ws::Groups(root.clone());
        let mut p = Pty::spawn_env(&root, 200, 60, &[], &[("XDG_CONFIG_HOME", cfg.path())]);
        p.wait_for("every milestone read", |s| {
            s.contains("Milestone 0") && !s.contains("reading")
        });
        // The generated ids are digits alone, so they have no stage and
        // their group comes first: `0a` (stage 0) is the last row.
        p.send(b"G");
        p.wait_for("0a selected", |s| s.contains("┌ 0a Bench run"));
        let (mut start, mut pause, mut resume, mut stop) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // The previous run's record: a new run is a new process group (its
        // `started_at` alone, to the second, can be the previous one's).
        let mut last: Option<i32> = None;
        for _ in 0..rounds {
            let t0 = Instant::now();
            p.send(b"s");
            start.push(until(&mut p, t0, "s: the run's supervisor", || {
                run_of(&root)
                    .is_some_and(|(g, _)| last != Some(g) && state(g).is_some_and(|c| c != 'Z'))
            }));
            let (pgid, _) = run_of(&root).expect("a run");
            last = Some(pgid);
            shown(&mut p, "running");
            let t0 = Instant::now();
            p.send(b"p");
            pause.push(until(&mut p, t0, "p: stopped", || state(pgid) == Some('T')));
            shown(&mut p, "paused");
            let t0 = Instant::now();
            p.send(b"r");
            resume.push(until(&mut p, t0, "r: running", || {
                state(pgid).is_some_and(|c| c != 'T')
            }));
            shown(&mut p, "running");
            p.send(b"x");
            p.wait_for("the stop question", |s| s.contains("stop 0a's run"));
            let t0 = Instant::now();
            p.send(b"y");
            stop.push(until(&mut p, t0, "x: every process gone", || {
                ws::run_groups(&root).is_empty()
                    || state(pgid).is_none_or(|c| c == 'Z')
                        && !std::fs::read_dir("/proc").is_ok_and(|rd| {
                            rd.flatten().any(|e| {
                                e.file_name()
                                    .to_str()
                                    .and_then(|s| s.parse::<i32>().ok())
                                    .is_some_and(|pid| pid != pgid && pgid_of(pid) == Some(pgid))
                            })
                        })
            }));
            shown(&mut p, "stopped");
        }
        medians.push((
            n,
            ws::stats(&format!("s → run started, {n} milestones"), start),
            ws::stats(&format!("p → run stopped (SIGSTOP), {n}"), pause),
            ws::stats(&format!("r → run continued (SIGCONT), {n}"), resume),
            ws::stats(&format!("x y → every process gone, {n}"), stop),
        ));
        p.send(b"q");
        let _ = p.wait_exit_within(Duration::from_secs(10));
    }
    if let (Some(a), Some(b)) = (medians.first(), medians.last())
        && a.0 != b.0
    {
        println!(
            "ratio {} ÷ {} milestones (medians): s {:.2}×, p {:.2}×, r {:.2}×, x {:.2}×",
            b.0,
            a.0,
            b.1 / a.1,
            b.2 / a.2,
            b.3 / a.3,
            b.4 / a.4
        );
    }
    println!("load average at end: {}", ws::load());
}

/// The process group of a process.
fn pgid_of(pid: i32) -> Option<i32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    s[s.rfind(')')? + 1..]
        .split_whitespace()
        .nth(2)
        .and_then(|g| g.parse().ok())
}
