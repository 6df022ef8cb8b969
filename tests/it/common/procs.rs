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
