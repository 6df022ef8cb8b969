//! Processes as /proc shows them, for tests that check what mdash did to
//! real processes: state letters, groups, memory, finding by command line,
//! and waiting for a condition with a deadline.

use std::time::{Duration, Instant};

/// State letter, process group and start time (clock ticks since boot).
pub fn stat(pid: i32) -> Option<(char, i32, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after
    // the last ')'.
    let f: Vec<&str> = s[s.rfind(')')? + 1..].split_whitespace().collect();
    Some((
        f.first()?.chars().next()?,
        f.get(2)?.parse().ok()?,
        f.get(19)?.parse().ok()?,
    ))
}

/// The state letter (`R`, `S`, `T`, `Z`, ...), or `None` when it is gone.
pub fn state(pid: i32) -> Option<char> {
    stat(pid).map(|s| s.0)
}

/// Resident memory in KiB (0 when unknown).
pub fn rss_kb(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Live (non-zombie) processes whose command line is exactly `argv`:
/// (pid, process group, state).
pub fn find(argv: &[&str]) -> Vec<(i32, i32, char)> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            if cmd != want {
                return None;
            }
            let (st, pgid, _) = stat(pid)?;
            (st != 'Z').then_some((pid, pgid, st))
        })
        .collect()
}

/// Waits until `f` holds, for at most 10 s (generous: CI is a loaded
/// 2-core machine), failing the test with `what` otherwise.
pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops, with SIGKILL, every run recorded under `root` that is still the
/// one mdash started (the record's proof holds): what a test calls from
/// `Drop`, so that a failing test leaves no agent behind.
pub fn reap_runs(root: &std::path::Path) {
    let dir = root.join(".milestones/sessions/mdash-runs");
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        if let Some(run) = milestone_dash::live::runs::parse(&text)
            && supervisor_lives(&run)
        {
            // SAFETY: killpg only sends a signal, to a group whose leader is
            // the supervisor this test's mdash recorded.
            unsafe {
                libc::killpg(run.pgid as libc::pid_t, libc::SIGKILL);
            }
        }
    }
}

/// Calls [`reap_runs`] on drop.
pub struct Reap(pub std::path::PathBuf);

impl Drop for Reap {
    fn drop(&mut self) {
        reap_runs(&self.0);
    }
}

/// Whether the run's recorded supervisor still lives: its group leader has
/// the recorded start time and runs `mdash supervise`. (The library's
/// `runs::is_ours` also wants the caller to be the mdash binary, which a
/// test is not.)
pub fn supervisor_lives(run: &milestone_dash::model::Run) -> bool {
    run.pgid > 1
        && stat(run.pgid).is_some_and(|(st, _, start)| st != 'Z' && start == run.start_ticks)
        && std::fs::read(format!("/proc/{}/cmdline", run.pgid))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains("supervise"))
}
