//! `mdash supervise ID -- ARGV...` (internal): runs the agent as its child
//! inside the run's process group, records the run, and records the exit
//! with its code or signal. It outlives the dashboard that started it.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::live::runs::{self, Run, records};
use crate::model::RunState;

extern "C" fn ignore(_: libc::c_int) {}

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
    }
    // Orphaned grandchildren come to the supervisor, which reaps them.
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on us.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
    {
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
    };
    if let Err(e) = runs::save(root, &run) {
        eprintln!("mdash supervise: cannot record the run: {e}");
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
    // Reap whatever already ended below us; live stragglers are left alone.
    // SAFETY: waitpid with WNOHANG never blocks.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
    let _ = runs::update(root, id, |r| {
        r.exit_code = code;
        r.signal = signal;
        r.ended_at = Some(crate::util::time::format(chrono::Utc::now()));
        // A stop the user asked for is not a failure.
        if r.state != RunState::Stopped {
            r.state = if code == Some(0) {
                RunState::Exited
            } else {
                RunState::Failed
            };
        }
    });
    let _ = records::event(
        root,
        id,
        "run_exited",
        serde_json::json!({"code": code, "signal": signal.map(runs::signal_name)}),
    );
    code.unwrap_or(1)
}
