//! What /proc says of processes: state, parent, group, session, start time,
//! command line and executable. Read only; signalling is `control`'s.

use std::path::{Path, PathBuf};

/// What `/proc/PID/stat` says of a process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub state: char,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    /// Start time in clock ticks since boot.
    pub start: u64,
}

impl Stat {
    /// Exists and has not ended (a zombie has).
    pub fn alive(&self) -> bool {
        !matches!(self.state, 'Z' | 'X' | 'x')
    }

    pub fn stopped(&self) -> bool {
        matches!(self.state, 'T' | 't')
    }
}

pub fn stat(pid: i32) -> Option<Stat> {
    if pid <= 0 {
        return None;
    }
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let rest = &s[s.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        pgid: fields.get(2)?.parse().ok()?,
        sid: fields.get(3)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

/// The process's arguments, as it was started.
pub fn cmdline(pid: i32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|c| *c == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
        })
        .map(|mut v| {
            if v.last().is_some_and(String::is_empty) {
                v.pop();
            }
            v
        })
        .unwrap_or_default()
}

/// One variable of the environment the process was started with
/// (`/proc/<pid>/environ`: readable for a process of this user only).
pub fn env_var(pid: i32, name: &str) -> Option<String> {
    let b = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let prefix = format!("{name}=");
    b.split(|c| *c == 0)
        .find_map(|kv| kv.strip_prefix(prefix.as_bytes()))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// The program the process runs (a binary replaced on disk since it
/// started still counts as the same path).
pub fn exe(pid: i32) -> Option<PathBuf> {
    let p = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    Some(without_deleted(&p))
}

fn without_deleted(p: &Path) -> PathBuf {
    let s = p.to_string_lossy();
    PathBuf::from(s.strip_suffix(" (deleted)").unwrap_or(&s).to_string())
}

/// This very binary, as /proc names it.
pub fn this_exe() -> Option<PathBuf> {
    exe(std::process::id() as i32)
        .or_else(|| std::env::current_exe().ok().map(|p| without_deleted(&p)))
}

/// Every process now, with its stat.
pub fn all() -> Vec<(i32, Stat)> {
    crate::read::file::list(Path::new("/proc"))
        .unwrap_or_default()
        .iter()
        .filter_map(|p| crate::read::file::name(p).parse::<i32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?)))
        .collect()
}

/// The live processes of the group led by `pgid`, and every descendant of
/// its leader that left the group (`setsid`, `setpgid`), with their states
/// and start times. Only call this for a leader proven to be mdash's own
/// supervisor: it is a child subreaper, so what its agent daemonized is
/// still its descendant.
pub fn members(pgid: i32) -> Vec<(i32, char, u64)> {
    let all = all();
    let mut inside: std::collections::HashSet<i32> = all
        .iter()
        .filter(|(pid, s)| s.pgid == pgid || *pid == pgid)
        .map(|(pid, _)| *pid)
        .collect();
    // Descendants, to a fixed point (a parent may be listed after its child).
    loop {
        let before = inside.len();
        for (pid, s) in &all {
            if inside.contains(&s.ppid) {
                inside.insert(*pid);
            }
        }
        if inside.len() == before {
            break;
        }
    }
    all.into_iter()
        .filter(|(pid, s)| inside.contains(pid) && s.alive())
        .map(|(pid, s)| (pid, s.state, s.start))
        .collect()
}

/// The live descendants of this process (to a fixed point).
pub fn descendants_of_me() -> Vec<(i32, u64)> {
    let me = std::process::id() as i32;
    let all = all();
    let mut inside: std::collections::HashSet<i32> = [me].into();
    loop {
        let before = inside.len();
        for (pid, s) in &all {
            if inside.contains(&s.ppid) {
                inside.insert(*pid);
            }
        }
        if inside.len() == before {
            break;
        }
    }
    all.into_iter()
        .filter(|(pid, s)| *pid != me && inside.contains(pid) && s.alive())
        .map(|(pid, s)| (pid, s.start))
        .collect()
}
