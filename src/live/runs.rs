//! Agent runs: the registry under `.milestones/sessions/mdash-runs/`, the
//! identity of a run's processes, and pause, resume and stop of its whole
//! process group. A run is `mdash supervise` (a session and process group of
//! its own) with the agent as its child; the supervisor records the exit.

pub mod bind;
pub mod checks;
pub mod control;
pub mod lock;
pub mod procs;
pub mod records;
pub mod resume;
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
    // An id from a milestone file may hold `/` or `..`: it never names a
    // record outside the registry.
    if !crate::model::valid_id(id) {
        return None;
    }
    // A record speaks for the id it is filed under only: `2b.yaml` saying
    // `id: 1a` would otherwise make a stop of 2b reach 1a's run.
    parse(&read_text(&fence(root), &path(root, id))?).filter(|r| r.id == id)
}

/// The fence run records are read through: inside the workspace, at most
/// `limits.max_file_bytes` (a huge sparse record is refused, not read).
fn fence(root: &Path) -> crate::read::file::Fence {
    crate::read::file::Fence::new(root, crate::live::config::load(root).0.max_file_bytes)
}

/// A record's text, through the fence: regular, inside, not too large.
fn read_text(fence: &crate::read::file::Fence, p: &Path) -> Option<String> {
    fence.read_text(p).ok()
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
        tmux: doc::text_at(&v, &["tmux", "pane"])
            .zip(doc::text_at(&v, &["tmux", "socket"]))
            .map(|(pane, socket)| crate::model::TmuxPane { pane, socket }),
        tmux_window: t("tmux_window"),
        paused_from: t("paused_from"),
    })
}

/// Writes the record atomically: a new temp file of its own (never one
/// that exists, so a planted symlink is not followed), then a rename; a
/// failed write (a full disk) leaves no temp file behind.
pub fn save(root: &Path, run: &Run) -> std::io::Result<()> {
    if !crate::model::valid_id(&run.id) {
        return Err(std::io::Error::other(format!(
            "invalid run id {:?}",
            run.id
        )));
    }
    let text = yaml::to_yaml(run).map_err(std::io::Error::other)?;
    // Through the one write path: fenced, a new random temp file, synced,
    // renamed; a failed write removes its temp file.
    crate::live::write::replace(
        &crate::live::write::Fence::new(root),
        &path(root, &run.id),
        text.as_bytes(),
    )
}

/// Re-reads the record, applies `f`, and saves it, under the record lock
/// (the supervisor and controllers all update one record).
pub fn update(root: &Path, id: &str, f: impl FnOnce(&mut Run)) -> std::io::Result<Option<Run>> {
    let _held = lock::record(root, id)?;
    modify(root, id, f)
}

/// `update` for a caller that already holds the record lock.
pub fn modify(root: &Path, id: &str, f: impl FnOnce(&mut Run)) -> std::io::Result<Option<Run>> {
    let Some(mut run) = read(root, id) else {
        return Ok(None);
    };
    f(&mut run);
    save(root, &run)?;
    Ok(Some(run))
}

/// This boot's id: a pid and start time mean nothing across reboots.
pub fn boot_id() -> String {
    // The same for the life of the process: read once.
    static BOOT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BOOT.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    })
    .clone()
}

/// (state letter, start time in ticks) of a live process.
pub fn proc_stat(pid: i32) -> Option<(char, u64)> {
    procs::stat(pid).map(|s| (s.state, s.start))
}

/// The live (non-zombie) processes of a run whose group leader (the
/// supervisor) is `pgid`, with their states: the members of the process
/// group, and the leader's descendants that left it (`setsid`, `setpgid`).
pub fn group(pgid: i32) -> Vec<(i32, char)> {
    procs::members(pgid)
        .into_iter()
        .map(|(pid, state, _)| (pid, state))
        .collect()
}

/// `group`, with each process's start time (to refuse a reused pid later).
pub fn members(pgid: i32) -> Vec<(i32, char, u64)> {
    procs::members(pgid)
}

/// Whether the run's group leader is still the supervisor mdash started
/// for this id: same boot, same start time, this binary running
/// `supervise` for this id. It does not check the workspace: use
/// `bind::reach` before signalling anything.
pub fn is_ours(run: &Run) -> bool {
    bind::leader_is_ours(run, None)
}

/// The run of workspace `root` as shown: the recorded state, checked
/// against the processes.
pub fn observe(root: &Path, run: &Run) -> RunView {
    let reach = if run.state.is_live() {
        bind::reach(root, run)
    } else {
        None
    };
    let (state, detail) = match (run.state, reach) {
        (RunState::Exited, _) => (RunState::Exited, None),
        // Shown as exited (SPEC §7), told as what it was: stopped.
        (RunState::Stopped, _) => (RunState::Exited, Some("stopped".to_string())),
        (RunState::Failed, _) => (RunState::Failed, Some(exit_text(run))),
        (_, None) => (
            RunState::Failed,
            Some("died without an exit status".to_string()),
        ),
        // The supervisor was killed outright; what it left checks out.
        (_, Some(bind::Reach::Orphans(left))) => {
            if left
                .iter()
                .any(|&(pid, _)| procs::stat(pid).is_some_and(|s| s.stopped()))
            {
                (RunState::Paused, None)
            } else {
                (RunState::Running, None)
            }
        }
        // The agent's state tells (a tmux pane's own process is never
        // stopped). An agent that died while stopped stays unreaped until
        // the stopped supervisor runs again: still paused.
        (_, Some(bind::Reach::Group)) => match proc_stat(run.pid.unwrap_or(run.pgid)) {
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

/// Run records kept between loads: each read again only when its file's
/// stamp changed (a hundred live runs, a reload a few times a second).
#[derive(Default)]
pub struct Records(
    std::collections::HashMap<std::path::PathBuf, (crate::read::file::Stamp, Option<Run>)>,
);

impl Records {
    /// `all`, reading only the records that changed since the last call.
    pub fn all(&mut self, root: &Path) -> Vec<Run> {
        let mut kept = std::mem::take(&mut self.0);
        let mut out = Vec::new();
        let fence = std::cell::OnceCell::new();
        for p in crate::read::file::list(&root.join(DIR))
            .unwrap_or_default()
            .into_iter()
            .filter(|p| crate::read::file::ext(p) == "yaml")
        {
            let stamp = crate::read::file::stamp(&p);
            let run = match (kept.remove(&p), stamp) {
                (Some((old, run)), Some(new)) if old == new => run,
                _ => read_text(fence.get_or_init(|| self::fence(root)), &p).and_then(|t| parse(&t)),
            };
            if let Some(st) = stamp {
                self.0.insert(p, (st, run.clone()));
            }
            out.extend(run);
        }
        out
    }
}

/// Every recorded run of the workspace.
pub fn all(root: &Path) -> Vec<Run> {
    Records::default().all(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_again_only_when_they_change() {
        let d = tempfile::tempdir().expect("tmp");
        let dir = d.path().join(DIR);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let rec = |state: &str| {
            format!("id: a\npgid: 4242\nstart_ticks: 7\nstate: {state}\ncommand: [sleep]\n")
        };
        std::fs::write(dir.join("a.yaml"), rec("running")).expect("write");
        let mut records = Records::default();
        assert_eq!(records.all(d.path())[0].state, RunState::Running);
        // Unchanged: the kept record, even if the file can no longer be read.
        let kept = records.0.clone();
        assert_eq!(records.all(d.path()).len(), 1);
        assert_eq!(records.0.len(), kept.len());
        // Replaced (a new inode, as `save` writes): read again.
        std::fs::write(dir.join(".a.tmp"), rec("exited")).expect("write");
        std::fs::rename(dir.join(".a.tmp"), dir.join("a.yaml")).expect("rename");
        assert_eq!(records.all(d.path())[0].state, RunState::Exited);
        // Removed: forgotten.
        std::fs::remove_file(dir.join("a.yaml")).expect("rm");
        assert!(records.all(d.path()).is_empty());
        assert!(records.0.is_empty());
        assert_eq!(all(d.path()), records.all(d.path()));
    }

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
            tmux: Some(crate::model::TmuxPane {
                pane: "%3".into(),
                socket: "/tmp/tmux-0/default".into(),
            }),
            tmux_window: None,
            paused_from: None,
        };
        // The test binary is no supervisor: a live pid and the right start
        // time are not enough.
        assert!(!is_ours(&run));
        let forged = Run {
            start_ticks: start + 1,
            ..run.clone()
        };
        assert!(!is_ours(&forged), "a reused pid has another start time");
        assert_eq!(observe(Path::new("/"), &forged).state, RunState::Failed);
        let text = yaml::to_yaml(&run).expect("yaml");
        assert_eq!(parse(&text), Some(run));
    }
}
