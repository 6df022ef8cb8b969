//! Runs a milestone's test suite (`checks.command`, SPEC §9): a child in
//! its own process group in the milestone's worktree (or, after a merge,
//! the base checkout), its output to `.milestones/logs/checks-<id>.log`,
//! its start and result as events in the milestone's log.

use std::io::{BufRead, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Process groups of the suites this process is running: ours to stop
/// when the dashboard quits (a child we started and are still waiting for,
/// so its pid cannot have been reused).
static RUNNING: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

/// SIGTERMs every suite still running (the dashboard is quitting).
pub fn stop_all() {
    let groups = RUNNING.lock().map(|g| g.clone()).unwrap_or_default();
    // 0 and 1 would be this process's own group, or everything.
    for pgid in groups.into_iter().filter(|p| *p > 1) {
        // SAFETY: killpg only sends a signal, to a group this process
        // created and has not reaped.
        unsafe {
            libc::killpg(pgid, libc::SIGTERM);
        }
    }
}

/// Where the output of `id`'s last checks run is kept.
pub fn log_path(root: &Path, id: &str) -> PathBuf {
    root.join(format!(".milestones/logs/checks-{id}.log"))
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub seconds: f64,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// `3` for an exit code, `SIGKILL` for a signal.
    pub fn failure(&self) -> String {
        crate::model::ChecksRun {
            head: String::new(),
            exit_code: self.exit_code.map(i64::from),
            signal: self.signal.map(i64::from),
            seconds: None,
            at: None,
            dirty: 0,
        }
        .failure()
    }

    /// The exit status a shell would report: the code, or 128 + signal.
    pub fn status(&self) -> i32 {
        match (self.exit_code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => 1,
        }
    }
}

/// What a run is: who, where, at which commit.
pub struct Job<'a> {
    pub root: &'a Path,
    pub id: &'a str,
    pub argv: &'a [String],
    pub cwd: &'a Path,
    /// The full commit id the suite runs against.
    pub head: &'a str,
    /// A post-merge run in the base checkout.
    pub base: bool,
    /// Uncommitted paths in the worktree when it started: a result HEAD
    /// alone did not produce (recorded as `"dirty"`; it passes no gate).
    pub dirty: usize,
}

fn details(job: &Job, out: Option<&Outcome>) -> serde_json::Value {
    let mut d = serde_json::json!({"head": job.head});
    if let Some(o) = out {
        d["exit_code"] = o.exit_code.into();
        d["signal"] = o.signal.into();
        d["seconds"] = crate::util::round::half_away(o.seconds, 3).into();
    }
    if job.base {
        d["where"] = "base".into();
    }
    if job.dirty > 0 {
        d["dirty"] = job.dirty.into();
    }
    d
}

/// Runs the suite to its end, calling `line` with each output line as it
/// comes (stdout and stderr interleaved as written).
pub fn run(job: &Job, mut line: impl FnMut(&str)) -> Result<Outcome, String> {
    let Some((prog, args)) = job.argv.split_first() else {
        return Err("checks.command is empty".into());
    };
    let mut sink = open_log(job.root, &log_path(job.root, job.id))?;
    let (reader, writer) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
    let err_writer = writer.try_clone().map_err(|e| e.to_string())?;
    let started = Instant::now();
    event(job, "checks_started", None)?;
    crate::util::log::decided!("checks {}: running {prog} {args:?}", job.id);
    let child = Command::new(prog)
        .args(args)
        .current_dir(job.cwd)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(err_writer)
        // Its own group: stopping the suite stops what it started.
        .process_group(0)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            // Recorded as a failure: the suite did not run.
            let o = Outcome {
                exit_code: Some(127),
                signal: None,
                seconds: started.elapsed().as_secs_f64(),
            };
            let _ = writeln!(sink, "mdash: cannot start {prog}: {e}");
            event(job, "checks_failed", Some(&o))?;
            return Err(format!("cannot start {prog}: {e}"));
        }
    };
    let pgid = i32::try_from(child.id()).unwrap_or(0);
    if let Ok(mut g) = RUNNING.lock()
        && pgid > 1
    {
        g.push(pgid);
    }
    for l in std::io::BufReader::new(reader)
        .split(b'\n')
        .map_while(Result::ok)
    {
        let _ = sink.write_all(&l).and_then(|_| sink.write_all(b"\n"));
        line(&String::from_utf8_lossy(&l));
    }
    let status = child.wait();
    if let Ok(mut g) = RUNNING.lock() {
        g.retain(|p| *p != pgid);
    }
    let status = status.map_err(|e| format!("waiting for the suite: {e}"))?;
    let o = Outcome {
        exit_code: status.code(),
        signal: status.signal(),
        seconds: started.elapsed().as_secs_f64(),
    };
    event(
        job,
        if o.passed() {
            "checks_passed"
        } else {
            "checks_failed"
        },
        Some(&o),
    )?;
    Ok(o)
}

/// Opens the run's output log afresh, through the write fence like every
/// write: never through a symlink leading out or a hard link (a planted
/// link would aim the suite's output at any file of the user's).
fn open_log(root: &Path, path: &Path) -> Result<std::fs::File, String> {
    let fence = crate::live::write::Fence::new(root);
    crate::live::write::replace(&fence, path, b"")
        .and_then(|()| crate::live::write::open_append(&fence, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn event(job: &Job, name: &str, out: Option<&Outcome>) -> Result<(), String> {
    super::records::event(job.root, job.id, name, details(job, out))
        .map_err(|e| format!("cannot record {name} for {}: {e}", job.id))
}
