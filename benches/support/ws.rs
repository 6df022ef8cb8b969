//! Workspace generators and process counters shared by the benches that
//! drive the real binary (`reload`, `live_runs`, `agents100`, `dense`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub const EXE: &str = env!("CARGO_BIN_EXE_mdash");

/// One ~1 KB milestone as agents write them (the `read` bench's shape):
/// kiro phases, three tasks, a dependency on the previous one, a folded
/// description. `title` replaces "Milestone {i}".
pub fn milestone_titled(i: usize, title: &str) -> String {
    let stage = i / 100 + 1;
    let req = if i.is_multiple_of(100) {
        String::new()
    } else {
        format!("\"{}{}\"", stage, i - 1)
    };
    format!(
        "id: \"{stage}{i}\"\ntitle: \"{title}\"\nstatus: {st}\ndescription: >-\n  A milestone as agents write them, with a description of a few lines\n  and the usual sections below.\ndependencies:\n  requires: [{req}]\nkiro_configuration:\n  phases:\n    design: {{weight: 15, status: completed}}\n    spec: {{weight: 25, status: in_progress}}\n    task: {{weight: 20, status: pending}}\n    execute: {{weight: 40, status: pending}}\ntasks:\n  - {{id: t1, title: First, status: completed}}\n  - {{id: t2, title: Second, status: in_progress, started_at: \"2026-11-22T08:00:00Z\"}}\n  - {{id: t3, title: Third, status: pending}}\nprogress:\n  percentage: 30\n",
        st = ["planned", "in_progress", "blocked"][i % 3]
    )
}

pub fn milestone(i: usize) -> String {
    milestone_titled(i, &format!("Milestone {i}"))
}

pub fn id_of(i: usize) -> String {
    format!("{}{i}", i / 100 + 1)
}

/// `n` milestones in `.milestones/active/m{i}.yaml`; with `logs`, a 20-line
/// event log for every fourth one.
pub fn tree(n: usize, logs: bool) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let active = d.path().join(".milestones/active");
    std::fs::create_dir_all(&active).expect("mkdir");
    std::fs::create_dir_all(d.path().join(".milestones/logs")).expect("mkdir");
    for i in 0..n {
        std::fs::write(active.join(format!("m{i}.yaml")), milestone(i)).expect("write");
        if logs && i.is_multiple_of(4) {
            let id = id_of(i);
            let line = format!(
                "{{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"task_started\",\"details\":{{\"task_id\":\"t2\"}},\"milestone_id\":\"{id}\"}}\n"
            );
            std::fs::write(
                d.path()
                    .join(format!(".milestones/logs/execution-{id}.jsonl")),
                line.repeat(20),
            )
            .expect("log");
        }
    }
    d
}

/// `n` small milestones, each requiring every other one (issue 16 item 7).
pub fn dense(root: &Path, n: usize) {
    let active = root.join(".milestones/active");
    std::fs::create_dir_all(&active).expect("mkdir");
    let ids: Vec<String> = (0..n).map(|i| format!("d{i:04}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let reqs: Vec<&str> = ids
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| s.as_str())
            .collect();
        std::fs::write(
            active.join(format!("{id}.yaml")),
            format!(
                "id: {id}\ntitle: Dense {i}\nstatus: planned\ndependencies:\n  requires: [{}]\n",
                reqs.join(", ")
            ),
        )
        .expect("write");
    }
}

/// Writes an `agent:` configuration and trusts it, with a private user
/// configuration directory (`cfg`).
pub fn agent_config(root: &Path, cfg: &Path, command: &[&str], extra: &str) {
    let argv: Vec<String> = command.iter().map(|a| format!("\"{a}\"")).collect();
    let p = root.join(".milestones/config/mdash.yaml");
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        p,
        format!(
            "agent:\n  command: [{}]\n  create_worktree: false\n  stop_grace_secs: 1\n  max_concurrent: 64\n{extra}",
            argv.join(", ")
        ),
    )
    .expect("config");
    let out = mdash(root, cfg, &["trust", "--yes"]);
    assert!(out.status.success(), "trust: {out:?}");
}

pub fn mdash(root: &Path, cfg: &Path, args: &[&str]) -> std::process::Output {
    Command::new(EXE)
        .args(args)
        .current_dir(root)
        .env("XDG_CONFIG_HOME", cfg)
        .output()
        .expect("run mdash")
}

/// Process groups of the runs recorded under `root`, for cleaning up.
pub fn run_groups(root: &Path) -> Vec<i32> {
    let dir = root.join(".milestones/sessions/mdash-runs");
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter_map(|t| {
                    t.lines()
                        .find_map(|l| l.trim().strip_prefix("pgid:"))
                        .and_then(|v| v.trim().trim_matches('"').parse().ok())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Kills what the benches started (only the groups their registries name).
pub struct Groups(pub PathBuf);

impl Drop for Groups {
    fn drop(&mut self) {
        for g in run_groups(&self.0) {
            if g > 1 {
                // SAFETY: killpg only sends a signal, to a group this bench started.
                unsafe {
                    libc::killpg(g, libc::SIGKILL);
                }
            }
        }
    }
}

/// Sum over a process's threads: (context switches, CPU ticks).
pub fn counters(pid: u32) -> (u64, u64) {
    let mut switches = 0;
    for t in std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|r| r.flatten().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if let Ok(s) = std::fs::read_to_string(t.path().join("status")) {
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
    }
    (switches, cpu_ticks(pid))
}

/// utime + stime of the whole process (exited threads included), in ticks
/// of 10 ms.
pub fn cpu_ticks(pid: u32) -> u64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    let f: Vec<&str> = s[s.rfind(')').map_or(0, |i| i + 1)..]
        .split_whitespace()
        .collect();
    f.get(11).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
}

/// A field of `/proc/PID/status` in kB (`VmHWM`, `VmRSS`).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub fn stats(name: &str, mut ms: Vec<f64>) -> f64 {
    if ms.is_empty() {
        println!("{name:<56} no samples");
        return 0.0;
    }
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<56} median {:>8.1} ms  p99 {:>8.1} ms  min {:>8.1}  max {:>8.1}  (n={})",
        p(0.5),
        p(0.99),
        ms[0],
        ms[ms.len() - 1],
        ms.len()
    );
    p(0.5)
}

/// The machine's load, printed beside figures that depend on it.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

pub fn settle(d: Duration) {
    std::thread::sleep(d);
}
