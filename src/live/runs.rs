//! Agent runs: the registry under `.milestones/sessions/mdash-runs/`, the
//! identity of a run's processes, and pause, resume and stop of its whole
//! process group. A run is `mdash supervise` (a session and process group of
//! its own) with the agent as its child; the supervisor records the exit.

pub mod control;
pub mod records;
pub mod supervise;

use std::path::{Path, PathBuf};

use crate::model::{Backend, RunState};
pub use crate::model::{Run, RunView};
use crate::read::doc;
use crate::read::yaml;

pub const DIR: &str = ".milestones/sessions/mdash-runs";

pub fn path(root: &Path, id: &str) -> PathBuf {
    root.join(DIR).join(format!("{id}.yaml"))
}

pub fn read(root: &Path, id: &str) -> Option<Run> {
    parse(&crate::read::file::read_regular(&path(root, id)).ok()?)
}

pub fn parse(text: &str) -> Option<Run> {
    let v = yaml::parse(text).ok()?;
    let t = |k: &str| doc::text_at(&v, &[k]);
    let n = |k: &str| doc::number_at(&v, &[k]);
    Some(Run {
        id: t("id")?,
        backend: t("backend")
            .and_then(|b| Backend::parse(&b))
            .unwrap_or_default(),
        pid: n("pid").map(|p| p as i32),
        pgid: n("pgid")? as i32,
        start_ticks: n("start_ticks")? as u64,
        boot_id: t("boot_id").unwrap_or_default(),
        command: doc::get(&v, &["command"])
            .map(doc::id_list)
            .unwrap_or_default(),
        state: t("state")
            .and_then(|s| RunState::parse(&s))
            .unwrap_or_default(),
        started_at: t("started_at").unwrap_or_default(),
        ended_at: t("ended_at"),
        exit_code: n("exit_code").map(|c| c as i32),
        signal: n("signal").map(|c| c as i32),
        session_id: t("session_id").unwrap_or_default(),
        cwd: t("cwd").unwrap_or_default(),
    })
}

/// Writes the record atomically.
pub fn save(root: &Path, run: &Run) -> std::io::Result<()> {
    let p = path(root, &run.id);
    std::fs::create_dir_all(p.parent().unwrap_or(root))?;
    let text = yaml::to_yaml(run).map_err(std::io::Error::other)?;
    let tmp = p.with_extension(format!("yaml.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &p)
}

/// Re-reads the record, applies `f`, and saves it (the supervisor and a
/// controller may both update one record).
pub fn update(root: &Path, id: &str, f: impl Fn(&mut Run)) -> std::io::Result<Option<Run>> {
    let Some(mut run) = read(root, id) else {
        return Ok(None);
    };
    f(&mut run);
    save(root, &run)?;
    Ok(Some(run))
}

/// This boot's id: a pid and start time mean nothing across reboots.
pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// What `/proc/PID/stat` says of a process.
struct Stat {
    state: char,
    ppid: i32,
    pgid: i32,
    /// Start time in clock ticks since boot.
    start: u64,
}

fn stat_fields(pid: i32) -> Option<Stat> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let rest = &s[s.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        pgid: fields.get(2)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

/// (state letter, start time in ticks) of a live process.
pub fn proc_stat(pid: i32) -> Option<(char, u64)> {
    stat_fields(pid).map(|s| (s.state, s.start))
}

/// The live (non-zombie) processes of a run whose group leader (the
/// supervisor) is `pgid`, with their states: the members of the process
/// group, and the leader's descendants that left it (`setsid`, `setpgid`).
/// The supervisor is a child subreaper, so a daemonized grandchild is
/// still its descendant.
pub fn group(pgid: i32) -> Vec<(i32, char)> {
    members(pgid)
        .into_iter()
        .map(|(pid, state, _)| (pid, state))
        .collect()
}

/// `group`, with each process's start time (to refuse a reused pid later).
pub fn members(pgid: i32) -> Vec<(i32, char, u64)> {
    let all: Vec<(i32, Stat)> = crate::read::file::list(Path::new("/proc"))
        .unwrap_or_default()
        .iter()
        .filter_map(|p| crate::read::file::name(p).parse::<i32>().ok())
        .filter_map(|pid| Some((pid, stat_fields(pid)?)))
        .collect();
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
        .filter(|(pid, s)| inside.contains(pid) && s.state != 'Z')
        .map(|(pid, s)| (pid, s.state, s.start))
        .collect()
}

/// Whether the run's group leader is still the process that was started:
/// same boot, same start time (a reused pid has another start time).
pub fn is_ours(run: &Run) -> bool {
    run.boot_id == boot_id()
        && proc_stat(run.pgid).is_some_and(|(st, start)| start == run.start_ticks && st != 'Z')
}

/// The run as shown: the recorded state, checked against the processes.
pub fn observe(run: &Run) -> RunView {
    let (state, detail) = match run.state {
        RunState::Exited | RunState::Stopped => (RunState::Exited, None),
        RunState::Failed => (RunState::Failed, Some(exit_text(run))),
        _ if !is_ours(run) => (
            RunState::Failed,
            Some("died without an exit status".to_string()),
        ),
        // The agent's state tells (a tmux pane's own process is never
        // stopped). An agent that died while stopped stays unreaped until
        // the stopped supervisor runs again: still paused.
        _ => match proc_stat(run.pid.unwrap_or(run.pgid)) {
            Some(('T' | 't', _)) => (RunState::Paused, None),
            Some(('Z', _)) | None if matches!(proc_stat(run.pgid), Some(('T' | 't', _))) => {
                (RunState::Paused, None)
            }
            _ => (RunState::Running, None),
        },
    };
    RunView {
        state,
        pid: run.pid.or(Some(run.pgid)),
        started_at: run.started_at.clone(),
        detail,
    }
}

/// `3` for an exit code, `SIGKILL` for a signal.
pub fn exit_text(run: &Run) -> String {
    match (run.exit_code, run.signal) {
        (_, Some(s)) => signal_name(s),
        (Some(c), None) => c.to_string(),
        (None, None) => "died without an exit status".to_string(),
    }
}

pub fn signal_name(s: i32) -> String {
    match s {
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGINT => "SIGINT".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGPIPE => "SIGPIPE".into(),
        other => format!("signal {other}"),
    }
}

/// Every recorded run of the workspace.
pub fn all(root: &Path) -> Vec<Run> {
    crate::read::file::list(&root.join(DIR))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| crate::read::file::ext(p) == "yaml")
        .filter_map(|p| parse(&crate::read::file::read_regular(&p).ok()?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_identity() {
        let me = std::process::id() as i32;
        let (state, start) = proc_stat(me).expect("stat");
        assert!(matches!(state, 'R' | 'S'));
        let run = Run {
            id: "x".into(),
            backend: Backend::Process,
            pid: Some(me),
            pgid: me,
            start_ticks: start,
            boot_id: boot_id(),
            command: vec![],
            state: RunState::Running,
            started_at: String::new(),
            ended_at: None,
            exit_code: None,
            signal: None,
            session_id: String::new(),
            cwd: String::new(),
        };
        assert!(is_ours(&run));
        let forged = Run {
            start_ticks: start + 1,
            ..run.clone()
        };
        assert!(!is_ours(&forged), "a reused pid has another start time");
        assert_eq!(observe(&forged).state, RunState::Failed);
        let text = yaml::to_yaml(&run).expect("yaml");
        assert_eq!(parse(&text), Some(run));
    }
}
