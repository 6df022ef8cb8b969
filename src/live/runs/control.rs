//! Start, pause, resume and stop, shared by the keys and `mdash run`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::live::config::agent::{self as agent, Agent, Backend};
use crate::live::runs::{self, records};
use crate::model::{MilestoneView, RunState, Snapshot, Status};

pub use crate::model::Refusal;

/// The workspace as a run action needs it: with worktree states when it may
/// start an agent (its worktree decides where), without git otherwise.
pub fn snapshot(root: &Path, with_git: bool) -> Snapshot {
    let now = chrono::Utc::now();
    if with_git {
        crate::live::snapshot::load_with_git(root, now)
    } else {
        crate::live::snapshot::load(root, now)
    }
}

fn milestone<'a>(snap: &'a Snapshot, id: &str) -> Result<&'a MilestoneView, Refusal> {
    snap.milestones
        .iter()
        .find(|m| m.milestone.id == id)
        .ok_or_else(|| Refusal::Other(format!("no milestone \"{id}\" in this workspace")))
}

fn inside(root: &Path, p: &Path) -> bool {
    let c = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    c(p).starts_with(c(root))
}

/// Starts an agent run for milestone `id`.
pub fn start(
    root: &Path,
    snap: &Snapshot,
    id: &str,
    force: bool,
    use_resume: bool,
) -> Result<i32, Refusal> {
    if !crate::model::valid_id(id) {
        return Err(Refusal::Other(format!("invalid id \"{id}\"")));
    }
    let agent = agent::load(root);
    let argv_template = if use_resume && !agent.resume_command.is_empty() {
        &agent.resume_command
    } else {
        &agent.command
    };
    if argv_template.is_empty() {
        return Err(Refusal::Other(format!(
            "no agent command configured: set agent.command in {} (a list, e.g. [my-agent, --milestone, \"{{id}}\"]); mdash never guesses one",
            crate::live::config::FILE
        )));
    }
    if !agent.trusted(root) {
        return Err(Refusal::NotTrusted(agent.shown()));
    }
    let m = milestone(snap, id)?;
    if let Some(r) = runs::read(root, id).filter(|r| r.state.is_live() && runs::is_ours(r)) {
        return Err(Refusal::Other(format!(
            "{id} already has a {} run (pid {})",
            r.state, r.pgid
        )));
    }
    let missing = crate::rules::unmet(snap, m);
    if !missing.is_empty() && !force {
        return Err(Refusal::Unmet(missing));
    }
    let mut worktree = m
        .worktree
        .as_ref()
        .filter(|w| !w.prunable)
        .map(|w| root.join(&w.path));
    let repo = git2::Repository::open(root).is_ok();
    let mut note = None;
    if worktree.is_none() && agent.create_worktree.unwrap_or(repo) && repo {
        match crate::live::git::add_worktree(
            root,
            id,
            crate::live::config::load(root).0.base_branch.as_deref(),
        ) {
            Ok(w) => worktree = Some(w),
            // Asked for explicitly: refuse. Only defaulted: run in the workspace.
            Err(e) if agent.create_worktree == Some(true) => {
                return Err(Refusal::Other(format!("cannot create the worktree: {e}")));
            }
            Err(e) => note = Some(format!("no worktree ({e}); running in the workspace")),
        }
    }
    let cwd = match (&worktree, agent.cwd_worktree) {
        (Some(w), true) => w.clone(),
        _ => root.to_path_buf(),
    };
    if !inside(root, &cwd) && worktree.as_ref().is_none_or(|w| !inside(w, &cwd)) {
        return Err(Refusal::Other(format!(
            "working directory {} is outside the workspace",
            cwd.display()
        )));
    }
    let session_id = format!("run-{id}-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    let branch = worktree
        .as_ref()
        .and_then(|w| git2::Repository::open(w).ok())
        .and_then(|r| {
            let h = r.head().ok()?;
            h.shorthand().ok().map(str::to_string)
        });
    let vars = [
        ("id", id.to_string()),
        ("title", m.milestone.title.clone()),
        (
            "worktree",
            worktree
                .as_ref()
                .map(|w| w.display().to_string())
                .unwrap_or_default(),
        ),
        ("branch", branch.unwrap_or_default()),
        (
            "milestone_file",
            root.join(&m.milestone.source).display().to_string(),
        ),
        ("workspace", root.display().to_string()),
        ("session_id", session_id.clone()),
    ];
    let argv = agent::expand(argv_template, &vars);
    let pid = spawn(root, id, &agent, &argv, &cwd, &session_id).map_err(Refusal::Other)?;
    if let Some(n) = note {
        let _ = records::event(root, id, "run_note", serde_json::json!(n));
    }
    if matches!(m.status, Status::Planned | Status::Paused | Status::Unknown) {
        let _ = records::set_status(&root.join(&m.milestone.source), "in_progress");
    }
    Ok(pid)
}

fn spawn(
    root: &Path,
    id: &str,
    agent: &Agent,
    argv: &[String],
    cwd: &Path,
    session_id: &str,
) -> Result<i32, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find mdash itself: {e}"))?;
    let backend = if agent.backend == Backend::Tmux {
        "tmux"
    } else {
        "process"
    };
    let mut sup: Vec<String> = vec![
        exe.display().to_string(),
        "supervise".into(),
        id.into(),
        "--root".into(),
        root.display().to_string(),
        "--backend".into(),
        backend.into(),
        "--session".into(),
        session_id.into(),
        "--".into(),
    ];
    sup.extend(argv.iter().cloned());
    if agent.backend == Backend::Tmux {
        let mut cmd = Command::new("tmux");
        cmd.args([
            "new-window",
            "-d",
            "-P",
            "-F",
            "#{pane_pid}",
            "-n",
            &format!("mdash:{id}"),
            "-c",
        ])
        .arg(cwd);
        for (k, v) in &agent.env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        let out = cmd
            .arg("--")
            .args(&sup)
            .output()
            .map_err(|e| format!("cannot run tmux: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "tmux new-window failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let pid: i32 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| "tmux gave no pane pid".to_string())?;
        // The pane's process is the supervisor: wait for its record as below.
        wait_for_record(root, id, pid);
        return Ok(pid);
    }
    let log_dir = root.join(".milestones/logs");
    std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_dir.join(format!("agent-{id}.log")))
        .map_err(|e| format!("cannot open the agent log: {e}"))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(&sup[0]);
    cmd.args(&sup[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err);
    for (k, v) in &agent.env {
        cmd.env(k, v);
    }
    // SAFETY: setsid is async-signal-safe; it gives the run a session and
    // process group of its own, so a paused group survives mdash exiting.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the supervisor: {e}"))?;
    let pid = child.id() as i32;
    // Reap the supervisor when it ends, so it leaves no zombie behind while
    // this process lives on.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    wait_for_record(root, id, pid);
    Ok(pid)
}

/// The supervisor writes the record as it starts; wait for it briefly so a
/// pause right after a start finds it.
fn wait_for_record(root: &Path, id: &str, pgid: i32) {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if runs::read(root, id).is_some_and(|r| r.pgid == pgid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The live run of `id`, or why it cannot be signalled.
fn live(root: &Path, id: &str) -> Result<runs::Run, String> {
    let run = runs::read(root, id).ok_or_else(|| format!("{id} has no recorded run"))?;
    if run.state.is_over() {
        return Err(format!("{id}'s run has ended ({})", run.state));
    }
    if !runs::is_ours(&run) {
        return Err(format!(
            "process group {} is not the run mdash started (it ended, or its pid was reused); not signalling it",
            run.pgid
        ));
    }
    Ok(run)
}

fn killpg(pgid: i32, sig: i32) -> Result<(), String> {
    // SAFETY: killpg only sends a signal.
    if unsafe { libc::killpg(pgid, sig) } == 0 {
        Ok(())
    } else {
        Err(format!(
            "cannot signal process group {pgid}: {}",
            std::io::Error::last_os_error()
        ))
    }
}

/// The run's processes now, with their start times, so that a pid reused
/// later is never signalled.
fn processes(pgid: i32) -> Vec<(i32, u64)> {
    runs::members(pgid)
        .into_iter()
        .map(|(pid, _, start)| (pid, start))
        .collect()
}

/// The process is the one recorded and has not ended.
fn still(&(pid, start): &(i32, u64)) -> bool {
    runs::proc_stat(pid).is_some_and(|(st, s)| s == start && st != 'Z')
}

/// Signals the run's group, and each of `procs` (which includes those that
/// left the group: a grandchild that called `setsid`). `but_leader` spares
/// the supervisor.
fn signal_run(pgid: i32, procs: &[(i32, u64)], sig: i32, but_leader: bool) -> Result<(), String> {
    // An empty group is no error while processes that left it remain.
    let group = if but_leader {
        Ok(())
    } else {
        killpg(pgid, sig)
    };
    if group.is_err() && !procs.iter().any(still) {
        return group;
    }
    for p in procs {
        if (but_leader && p.0 == pgid) || !still(p) {
            continue;
        }
        // SAFETY: kill only sends a signal, to a process of our run.
        unsafe {
            libc::kill(p.0, sig);
        }
    }
    Ok(())
}

fn source_of(root: &Path, snap: &Snapshot, id: &str) -> Option<PathBuf> {
    snap.milestones
        .iter()
        .find(|m| m.milestone.id == id)
        .map(|m| root.join(&m.milestone.source))
}

pub fn pause(root: &Path, snap: &Snapshot, id: &str) -> Result<(), String> {
    let run = live(root, id)?;
    // tmux continues a pane's own process when it stops, so there the
    // pane's process (the supervisor, which only waits) is left running and
    // everything below it is stopped.
    signal_run(
        run.pgid,
        &processes(run.pgid),
        libc::SIGSTOP,
        run.backend == Backend::Tmux,
    )?;
    runs::update(root, id, |r| r.state = RunState::Paused).map_err(|e| e.to_string())?;
    let m = snap.milestones.iter().find(|m| m.milestone.id == id);
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
    let repo = git2::Repository::open(&run.cwd).ok();
    let head = repo.as_ref().and_then(|r| r.head().ok());
    let branch = head
        .as_ref()
        .and_then(|h| h.shorthand().ok().map(str::to_string));
    let commit = head
        .as_ref()
        .and_then(|h| h.target())
        .map(|o| o.to_string());
    records::save_pause(
        root,
        &records::Pause {
            session_id: &run.session_id,
            milestone_id: id,
            working_directory: &run.cwd,
            git_branch: branch.as_deref(),
            git_commit: commit.as_deref(),
            current_task: current.map(|t| t.id.as_str()),
            progress: m.map_or(0.0, |m| m.progress),
            next_tasks: next,
        },
    )
    .map_err(|e| e.to_string())?;
    mark(root, snap, id, &run, "paused", "run_paused")
}

/// The milestone file's new status and the run's event, after a pause or a
/// resume.
fn mark(
    root: &Path,
    snap: &Snapshot,
    id: &str,
    run: &runs::Run,
    status: &str,
    event: &str,
) -> Result<(), String> {
    if let Some(f) = source_of(root, snap, id) {
        records::set_status(&f, status).map_err(|e| e.to_string())?;
    }
    records::event(
        root,
        id,
        event,
        serde_json::json!({"pgid": run.pgid, "session_id": run.session_id}),
    )
    .map_err(|e| e.to_string())
}

pub fn resume(root: &Path, snap: &Snapshot, id: &str) -> Result<(), String> {
    let run = match live(root, id) {
        Ok(r) => r,
        // A run that is gone resumes through agent.resume_command, if set.
        Err(e) => {
            let agent = agent::load(root);
            if agent.resume_command.is_empty() {
                return Err(e);
            }
            return start(root, snap, id, true, true)
                .map(|_| ())
                .map_err(|r| r.to_string());
        }
    };
    // Recorded before the signal: an agent that died while stopped ends as
    // soon as it is continued, and the supervisor's record of that must
    // come last.
    runs::update(root, id, |r| r.state = RunState::Running).map_err(|e| e.to_string())?;
    if let Err(e) = signal_run(run.pgid, &processes(run.pgid), libc::SIGCONT, false) {
        let _ = runs::update(root, id, |r| r.state = RunState::Paused);
        return Err(e);
    }
    records::mark_resumed(root, &run.session_id).map_err(|e| e.to_string())?;
    mark(root, snap, id, &run, "in_progress", "run_resumed")
}

/// SIGTERM to the group (continued first, so a paused agent can act on
/// it), then SIGKILL once `stop_grace_secs` have passed.
pub fn stop(root: &Path, id: &str) -> Result<(), String> {
    let run = live(root, id)?;
    let grace = Duration::from_secs(agent::load(root).stop_grace_secs);
    runs::update(root, id, |r| r.state = RunState::Stopped).map_err(|e| e.to_string())?;
    // Taken before any signal: once the supervisor ends, what escaped the
    // group is no longer its descendant.
    let procs = processes(run.pgid);
    signal_run(run.pgid, &procs, libc::SIGTERM, false)?;
    let _ = signal_run(run.pgid, &procs, libc::SIGCONT, false);
    let until = Instant::now() + grace;
    // A zombie leader still answers killpg: count only live members.
    let gone = || group_empty(run.pgid) && !procs.iter().any(still);
    while !gone() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = !gone();
    if killed {
        let _ = signal_run(run.pgid, &procs, libc::SIGKILL, false);
    }
    records::event(
        root,
        id,
        "run_stopped",
        serde_json::json!({"pgid": run.pgid, "killed": killed}),
    )
    .map_err(|e| e.to_string())
}

/// No live (non-zombie) process is left in the group.
fn group_empty(pgid: i32) -> bool {
    runs::group(pgid).is_empty()
}
