//! `mdash supervise ID -- ARGV...` (internal): runs the agent as its child
//! inside the run's process group, records the run, and records the exit
//! with its code or signal. It outlives the dashboard that started it.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::live::runs::{self, Run, bind, lock, procs, records};
use crate::model::RunState;

extern "C" fn ignore(_: libc::c_int) {}

/// Set by `SIGUSR1`, which `stop` sends the supervisor before it signals
/// the run: whatever the agent leaves behind is then ended too, even when
/// the record cannot be written (a full disk).
static STOPPING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOPPING.store(true, Ordering::SeqCst);
}

pub fn run(root: &Path, id: &str, argv: &[String], backend: &str, session_id: &str) -> i32 {
    let Some((program, args)) = argv.split_first() else {
        eprintln!("mdash supervise: no command");
        return 2;
    };
    // A handler, not SIG_IGN: handlers reset to the default in the agent at
    // exec, so the agent still stops on SIGTERM while the supervisor stays to
    // record how it ended.
    // SAFETY: installing a handler that does nothing is async-signal-safe.
    unsafe {
        for s in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::signal(s, ignore as *const () as libc::sighandler_t);
        }
        libc::signal(libc::SIGUSR1, on_stop as *const () as libc::sighandler_t);
    }
    // Orphaned grandchildren come to the supervisor, which reaps them.
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on us.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    // In tmux the agent is interactive: it keeps the pane's terminal.
    let stdin = if backend == "tmux" {
        Stdio::inherit()
    } else {
        Stdio::null()
    };
    crate::util::log::decided!("supervise {id}: running {program} {args:?} ({backend})");
    let mut child = match Command::new(program).args(args).stdin(stdin).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mdash supervise: cannot start {program}: {e}");
            let _ = records::event(
                root,
                id,
                "run_exited",
                serde_json::json!({"error": e.to_string()}),
            );
            return 127;
        }
    };
    let me = std::process::id() as i32;
    let start = runs::proc_stat(me).map_or(0, |(_, s)| s);
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let run = Run {
        id: id.to_string(),
        backend: crate::model::Backend::parse(backend).unwrap_or_default(),
        pid: Some(child.id() as i32),
        // SAFETY: getpgrp has no preconditions.
        pgid: unsafe { libc::getpgrp() },
        start_ticks: start,
        boot_id: runs::boot_id(),
        command: argv.to_vec(),
        state: RunState::Running,
        started_at: crate::util::time::format(chrono::Utc::now()),
        ended_at: None,
        exit_code: None,
        signal: None,
        session_id: session_id.to_string(),
        cwd,
        tmux: this_pane(backend),
        tmux_window: None,
        paused_from: None,
    };
    if let Err(e) = record_start(root, run.clone()) {
        eprintln!("mdash supervise: cannot record the run: {e}");
    }
    let agent = run
        .pid
        .map(|p| (p, runs::proc_stat(p).map_or(0, |(_, s)| s)));
    let seen: Vec<(i32, u64)> = [(me, start)].into_iter().chain(agent).collect();
    if let Err(e) = bind::Private::add(root, &run, &seen) {
        eprintln!("mdash supervise: cannot keep the run's private record: {e}");
    }
    let _ = records::event(
        root,
        id,
        "run_started",
        serde_json::json!({"pid": run.pid, "command": argv, "session_id": session_id}),
    );
    let status = loop {
        match child.wait() {
            Ok(s) => break Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break None,
        }
    };
    let (code, signal) = status.map_or((None, None), |s| (s.code(), s.signal()));
    let stopping = STOPPING.load(Ordering::SeqCst)
        || runs::read(root, id).is_some_and(|r| r.pgid == me && r.state == RunState::Stopped);
    if stopping {
        end_descendants(root);
    }
    // Reap whatever already ended below us; after an exit of its own, live
    // stragglers are left alone.
    // SAFETY: waitpid with WNOHANG never blocks.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
    let _ = runs::update(root, id, |r| {
        if r.pgid != me {
            return;
        }
        r.exit_code = code;
        r.signal = signal;
        r.ended_at = Some(crate::util::time::format(chrono::Utc::now()));
        // A stop the user asked for is not a failure.
        if stopping {
            r.state = RunState::Stopped;
        } else if r.state != RunState::Stopped {
            r.state = if code == Some(0) {
                RunState::Exited
            } else {
                RunState::Failed
            };
        }
    });
    if crate::live::agent::is_claude(argv) {
        // A killed agent runs no SessionEnd hook: its end is recorded here.
        let _ = crate::live::agent::record_ended(root, id);
    }
    bind::Private::remove(root, &run);
    let _ = records::event(
        root,
        id,
        "run_exited",
        serde_json::json!({"code": code, "signal": signal.map(runs::signal_name)}),
    );
    code.unwrap_or(1)
}

/// The pane this supervisor runs in, from what tmux tells its panes.
fn this_pane(backend: &str) -> Option<crate::model::TmuxPane> {
    if backend != "tmux" {
        return None;
    }
    let pane = std::env::var("TMUX_PANE").ok()?;
    let socket = std::env::var("TMUX").ok()?.split(',').next()?.to_string();
    Some(crate::model::TmuxPane { pane, socket })
}

/// Records the run as it starts, keeping what the starter already wrote
/// for this very supervisor (its tmux window).
fn record_start(root: &Path, mut run: Run) -> std::io::Result<()> {
    let _held = lock::record(root, &run.id)?;
    if let Some(old) = runs::read(root, &run.id).filter(|o| o.pgid == run.pgid) {
        run.tmux_window = old.tmux_window;
    }
    runs::save(root, &run)
}

/// After a stop, ends what the agent left below us: a child that called
/// `setsid` from its SIGTERM handler is no longer in the group, but as our
/// descendant (we are its subreaper) it is provably the run's. Each gets
/// SIGTERM; the stopper's SIGKILL comes when its grace ends (and reaches
/// them through us while we live); should the stopper be gone, we send it
/// ourselves a little later.
fn end_descendants(root: &Path) {
    let grace = crate::live::config::agent::load(root).stop_grace_secs;
    let until = std::time::Instant::now() + std::time::Duration::from_secs(grace + 2);
    let mut termed = std::collections::HashSet::new();
    loop {
        // SAFETY: waitpid with WNOHANG never blocks.
        while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
        let left = procs::descendants_of_me();
        if left.is_empty() {
            return;
        }
        let late = std::time::Instant::now() >= until;
        for p in left {
            if late || termed.insert(p) {
                let sig = if late { libc::SIGKILL } else { libc::SIGTERM };
                // SAFETY: kill only sends a signal, to our own descendant.
                unsafe {
                    libc::kill(p.0, sig);
                }
            }
        }
        if late && std::time::Instant::now() >= until + std::time::Duration::from_secs(2) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
