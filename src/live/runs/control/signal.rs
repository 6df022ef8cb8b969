//! Pause, resume and stop of a run: signals to what is proven to be the
//! run's (see `bind`), serialized per milestone by the control lock.
//! Signals come first and bookkeeping after, so a full disk never keeps a
//! run from being paused, continued or stopped; what could not be recorded
//! is returned as notes for the user.

use std::path::Path;
use std::time::{Duration, Instant};

use super::Target;
use crate::live::config::agent;
use crate::live::runs::bind::{self, Reach};
use crate::live::runs::{self, lock, records};
use crate::model::{Backend, Run, RunState, Status};

/// Why a pause, resume or stop did nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The run is over (the front end says how to start it again).
    Ended(RunState),
    Other(String),
}

impl Failure {
    pub fn text(&self, id: &str) -> String {
        match self {
            Failure::Ended(s) => format!("{id}'s run has ended ({s})"),
            Failure::Other(s) => s.clone(),
        }
    }
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

/// What could not be written after the signals went out.
pub type Notes = Vec<String>;

struct Live {
    run: Run,
    reach: Reach,
}

/// The live run of `id`, or why it cannot be signalled.
fn live(root: &Path, id: &str) -> Result<Live, Failure> {
    let run = runs::read(root, id).ok_or_else(|| other(format!("{id} has no recorded run")))?;
    if run.state.is_over() {
        return Err(Failure::Ended(run.state));
    }
    match bind::reach(root, &run) {
        Some(reach) => Ok(Live { run, reach }),
        None => Err(other({
            crate::util::log::decided!("refused: {id}'s process group {} is not mdash's", run.pgid);
            format!(
                "process group {} is not the run mdash started (it ended, its pid was reused, or the record was not written by mdash); not signalling it",
                run.pgid
            )
        })),
    }
}

/// The run's processes now, with their start times, so that a pid reused
/// later is never signalled.
fn targets(lv: &Live) -> Vec<(i32, u64)> {
    match &lv.reach {
        Reach::Group => runs::members(lv.run.pgid)
            .into_iter()
            .map(|(pid, _, start)| (pid, start))
            .collect(),
        Reach::Orphans(left) => left.clone(),
    }
}

/// The process is the one recorded and has not ended.
fn still(&(pid, start): &(i32, u64)) -> bool {
    runs::procs::stat(pid).is_some_and(|s| s.start == start && s.alive())
}

fn kill(pid: i32, sig: i32) {
    // SAFETY: kill only sends a signal, to a process proven to be the run's.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// Signals the run: its group (only under a leader proven ours) and each
/// of `procs` (which includes those that left the group: a grandchild that
/// called `setsid`). `but_leader` spares the supervisor.
fn signal(lv: &Live, procs: &[(i32, u64)], sig: i32, but_leader: bool) -> Result<(), String> {
    let pgid = lv.run.pgid;
    if lv.reach == Reach::Group && !but_leader {
        // SAFETY: killpg only sends a signal, to the group of our supervisor.
        let group = unsafe { libc::killpg(pgid, sig) };
        // An empty group is no error while processes that left it remain.
        if group != 0 && !procs.iter().any(still) {
            return Err(format!(
                "cannot signal process group {pgid}: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    if !procs.iter().any(still) && lv.reach != Reach::Group {
        return Err("none of the run's processes is left".into());
    }
    for p in procs {
        if (but_leader && p.0 == pgid) || !still(p) {
            continue;
        }
        kill(p.0, sig);
    }
    Ok(())
}

/// The control lock, or a note saying the action ran without it: a lock
/// file that cannot be created (a full disk, a run started by an older
/// mdash) must not keep a run from being paused or stopped.
fn control_lock(root: &Path, id: &str, notes: &mut Notes) -> Option<lock::Held> {
    match lock::control(root, id) {
        Ok(h) => Some(h),
        Err(e) => {
            notes.push(format!("the run lock, so this was not serialized ({e})"));
            None
        }
    }
}

fn note(notes: &mut Notes, what: &str, r: std::io::Result<impl Sized>) {
    if let Err(e) = r {
        notes.push(format!("{what} ({e})"));
    }
}

/// A status a pause may hand back to a stop: a word, not arbitrary text
/// (the record it comes from is workspace data).
fn plain_status(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '))
}

/// `target` is the milestone as shown (none when it is gone): its status
/// and tasks go into the session file, and its status file is edited.
pub fn pause(root: &Path, id: &str, target: Option<&Target>) -> Result<Notes, Failure> {
    let mut notes = Notes::new();
    let _control = control_lock(root, id, &mut notes);
    let lv = live(root, id)?;
    let procs = targets(&lv);
    let m = target.map(|t| &*t.view);
    {
        let _rec = lock::record(root, id);
        // tmux continues a pane's own process when it stops, so there the
        // pane's process (the supervisor, which only waits) is left running
        // and everything below it is stopped.
        signal(&lv, &procs, libc::SIGSTOP, lv.run.backend == Backend::Tmux)
            .map_err(Failure::Other)?;
        let before = m
            .filter(|m| m.status != Status::Paused)
            .and_then(|m| m.milestone.raw_status.clone())
            .filter(|s| plain_status(s));
        note(
            &mut notes,
            "the run's state",
            runs::modify(root, id, |r| {
                r.state = RunState::Paused;
                if before.is_some() {
                    r.paused_from = before;
                }
            }),
        );
    }
    note(
        &mut notes,
        "mdash's private record of the run",
        bind::Private::add(root, &lv.run, &procs),
    );
    let current = m.and_then(|m| {
        m.milestone
            .tasks
            .iter()
            .find(|t| crate::rules::status::of_task(t) == Status::InProgress)
    });
    let next: Vec<String> = m
        .map(|m| {
            m.milestone
                .tasks
                .iter()
                .filter(|t| {
                    !matches!(
                        crate::rules::status::of_task(t),
                        Status::Completed | Status::Cancelled
                    )
                })
                .map(|t| t.id.clone())
                .collect()
        })
        .unwrap_or_default();
    let head = crate::live::git::head::head(Path::new(&lv.run.cwd));
    note(
        &mut notes,
        "the session file",
        records::save_pause(
            root,
            &records::Pause {
                session_id: &lv.run.session_id,
                milestone_id: id,
                working_directory: &lv.run.cwd,
                git_branch: head.branch.as_deref(),
                git_commit: head.commit.as_deref(),
                current_task: current.map(|t| t.id.as_str()),
                progress: m.map_or(0.0, |m| m.progress),
                next_tasks: next,
            },
        ),
    );
    mark(
        root,
        target,
        id,
        &lv.run,
        "paused",
        "run_paused",
        &mut notes,
    );
    Ok(notes)
}

/// The milestone file's new status and the run's event, after a pause or a
/// resume.
fn mark(
    root: &Path,
    target: Option<&Target>,
    id: &str,
    run: &Run,
    status: &str,
    event: &str,
    notes: &mut Notes,
) {
    if let Some(f) = target.and_then(|t| t.status_file(root)) {
        note(
            notes,
            "the milestone's status",
            records::set_status(&f, status),
        );
    }
    note(
        notes,
        "the event",
        records::event(
            root,
            id,
            event,
            serde_json::json!({"pgid": run.pgid, "session_id": run.session_id}),
        ),
    );
}

pub fn resume(root: &Path, id: &str, target: Option<&Target>) -> Result<Notes, Failure> {
    let mut notes = Notes::new();
    let control = control_lock(root, id, &mut notes);
    let lv = match live(root, id) {
        Ok(r) => r,
        // A run that is gone resumes through agent.resume_command, if set,
        // or, for Claude Code, as the same conversation (`--resume`).
        Err(e) => {
            let agent = agent::load(root);
            let same_conversation =
                agent.claude && crate::live::agent::last_session(root, id).is_some();
            if agent.resume_command.is_empty() && !same_conversation {
                return Err(e);
            }
            drop(control);
            let Some(t) = target else {
                return Err(Failure::Other(format!(
                    "no milestone \"{id}\" in this workspace"
                )));
            };
            return super::start(root, t, true, true)
                .map(|_| Notes::new())
                .map_err(|r| Failure::Other(r.to_string()));
        }
    };
    let procs = targets(&lv);
    {
        // Held across the signal and the record: an agent that died while
        // stopped ends as soon as it is continued, and the supervisor's
        // record of that (it waits for this lock) must come last.
        let _rec = lock::record(root, id);
        signal(&lv, &procs, libc::SIGCONT, false).map_err(Failure::Other)?;
        note(
            &mut notes,
            "the run's state",
            runs::modify(root, id, |r| {
                r.state = RunState::Running;
                r.paused_from = None;
            }),
        );
    }
    note(
        &mut notes,
        "the session file",
        records::mark_resumed(root, &lv.run.session_id),
    );
    mark(
        root,
        target,
        id,
        &lv.run,
        "in_progress",
        "run_resumed",
        &mut notes,
    );
    Ok(notes)
}

/// SIGTERM to the run (continued first, so a paused agent can act on it),
/// then SIGKILL once `stop_grace_secs` have passed. A paused run's
/// milestone gets back the status its pause replaced.
pub fn stop(root: &Path, id: &str, target: Option<&Target>) -> Result<Notes, Failure> {
    let mut notes = Notes::new();
    let _control = control_lock(root, id, &mut notes);
    let lv = live(root, id)?;
    let grace = Duration::from_secs(agent::load(root).stop_grace_secs);
    // Taken before any signal: once the supervisor ends, what escaped the
    // group is no longer its descendant.
    let mut procs = targets(&lv);
    let was_paused = lv.run.state == RunState::Paused
        || procs
            .iter()
            .any(|&(p, _)| runs::procs::stat(p).is_some_and(|s| s.stopped()));
    {
        let _rec = lock::record(root, id);
        if lv.reach == Reach::Group {
            // Tells the supervisor this is a stop, even if the record
            // cannot say so: it then ends what the agent leaves behind.
            kill(lv.run.pgid, libc::SIGUSR1);
        }
        signal(&lv, &procs, libc::SIGTERM, false).map_err(Failure::Other)?;
        let _ = signal(&lv, &procs, libc::SIGCONT, false);
        let orphans = lv.reach != Reach::Group;
        note(
            &mut notes,
            "the run's state",
            runs::modify(root, id, |r| {
                r.state = RunState::Stopped;
                // No supervisor is left to record the end.
                if orphans {
                    r.ended_at = Some(crate::util::time::format(chrono::Utc::now()));
                }
            }),
        );
    }
    let until = Instant::now() + grace;
    // A zombie leader still answers killpg: count only live members.
    let gone = |procs: &[(i32, u64)]| {
        (lv.reach != Reach::Group || runs::group(lv.run.pgid).is_empty())
            && !procs.iter().any(still)
    };
    while !gone(&procs) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
        // What the agent started while ending is the run's too.
        if lv.reach == Reach::Group && bind::leader_is_ours(&lv.run, Some(root)) {
            for p in targets(&lv) {
                if !procs.contains(&p) {
                    procs.push(p);
                }
            }
        }
    }
    let killed = !gone(&procs);
    if killed {
        let _ = signal(&lv, &procs, libc::SIGKILL, false);
    }
    if lv.reach != Reach::Group {
        // Without a supervisor nobody else forgets the run.
        bind::Private::remove(root, &lv.run);
    }
    if was_paused {
        let back = lv
            .run
            .paused_from
            .clone()
            .filter(|s| plain_status(s))
            .unwrap_or_else(|| "in_progress".into());
        if let Some(f) = target.and_then(|t| t.status_file(root)) {
            note(
                &mut notes,
                "the milestone's status",
                records::set_status(&f, &back),
            );
        }
    }
    note(
        &mut notes,
        "the event",
        records::event(
            root,
            id,
            "run_stopped",
            serde_json::json!({"pgid": lv.run.pgid, "killed": killed}),
        ),
    );
    Ok(notes)
}
