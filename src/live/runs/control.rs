//! Start, pause, resume and stop, shared by the keys and `mdash run`. All
//! of them hold the milestone's control lock (`lock::control`) throughout,
//! so two dashboards and any number of CLI calls never interleave on one run.

mod signal;
mod target;

pub use signal::{Failure, Notes, pause, resume, stop};
pub use target::Target;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::live::config::agent::{self as agent, Agent, Backend};
use crate::live::runs::{self, bind, lock, records};
use crate::model::{Run, RunState, Status};

pub use crate::model::Refusal;

fn inside(root: &Path, p: &Path) -> bool {
    let c = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    c(p).starts_with(c(root))
}

/// Starts an agent run for milestone `id`.
/// Reads nothing of the workspace but `target`'s run record, its
/// worktree and the settings: what the milestone is comes with `target`.
pub fn start(root: &Path, target: &Target, force: bool, use_resume: bool) -> Result<i32, Refusal> {
    let id = target.id();
    let m = &*target.view;
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
        crate::util::log::decided!("refused: {id}'s agent command is not trusted");
        return Err(Refusal::NotTrusted {
            shown: agent.shown(root),
            fingerprint: agent.fingerprint(root),
        });
    }
    let _control = lock::control(root, id)
        .map_err(|e| Refusal::Other(format!("cannot lock {id}'s run record: {e}")))?;
    if let Some(r) =
        runs::read(root, id).filter(|r| r.state.is_live() && bind::reach(root, r).is_some())
    {
        return Err(Refusal::Other(format!(
            "{id} already has a {} run (process group {})",
            r.state, r.pgid
        )));
    }
    if !target.unmet.is_empty() && !force {
        return Err(Refusal::Unmet(target.unmet.clone()));
    }
    let mut worktree = target.worktree.clone();
    let repo = crate::live::git::head::is_repo(root);
    let mut note = None;
    if worktree.is_none() && agent.create_worktree.unwrap_or(repo) && repo {
        match crate::live::git::add_worktree(
            root,
            id,
            crate::live::config::load(root).0.base_branch.as_deref(),
        ) {
            Ok(w) => worktree = Some(w),
            // Asked for explicitly: refuse. Only defaulted: run in the
            // workspace (the caller says why, in `worktree add`'s words).
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
        .and_then(|w| crate::live::git::head::head(w).branch);
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
        // This mdash, wherever it was built or installed (the demo's agent).
        (
            "mdash",
            std::env::current_exe()
                .map(|e| e.display().to_string())
                .unwrap_or_else(|_| "mdash".into()),
        ),
    ];
    let argv = agent::expand(argv_template, &vars);
    if let Some(why) = runs::resume::planted_option(argv_template, &argv) {
        return Err(Refusal::Other(why));
    }
    let argv = if agent.claude {
        let exe = std::env::current_exe()
            .map_err(|e| Refusal::Other(format!("cannot find mdash itself: {e}")))?;
        // The same conversation, when one is known and no resume_command
        // says otherwise (SPEC §8).
        let resume = if use_resume && agent.resume_command.is_empty() {
            crate::live::agent::last_session(root, id)
        } else {
            None
        };
        let settings = crate::live::agent::claude::settings(&exe, root, id);
        crate::live::agent::claude::argv(&argv, settings, resume.as_deref())
    } else {
        argv
    };
    // The status first, in the copy that is shown (the worktree's, made
    // just now or before), so the agent reads `in_progress` and commits it
    // with its work; the base checkout's copy is left alone (issue 29).
    let shown = Target {
        worktree: worktree.clone(),
        ..target.clone()
    };
    let marked = matches!(m.status, Status::Planned | Status::Paused | Status::Unknown)
        .then(|| shown.status_file(root))
        .flatten()
        .filter(|f| records::set_status(f, "in_progress").is_ok());
    let pid = match spawn(root, id, &agent, &argv, &cwd, &session_id) {
        Ok(pid) => pid,
        Err(e) => {
            // Nothing started: the status it had, when it had one.
            if let (Some(f), Some(before)) = (&marked, &m.milestone.raw_status) {
                let _ = records::set_status(f, before);
            }
            return Err(Refusal::Other(e));
        }
    };
    if let Some(n) = note {
        let _ = records::event(root, id, "run_note", serde_json::json!(n));
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
        let (pid, window) = crate::live::tmux::new_window(
            // Outside tmux: the workspace's own detached session.
            crate::live::pane::session_target(root)?.as_deref(),
            &format!("mdash:{id}"),
            cwd,
            &agent.env,
            &sup,
        )?;
        // The pane's process is the supervisor: wait for its record as below,
        // then note its window (`a` switches to it by id).
        wait_for_record(root, id, pid, agent, &sup, cwd, session_id);
        let _ = runs::update(root, id, |r| {
            if r.pgid == pid {
                r.tmux_window = Some(window.to_string());
            }
        });
        return Ok(pid);
    }
    let log = crate::live::write::safe_name(id, "milestone id")
        .and_then(|id| {
            crate::live::write::open_append(
                &crate::live::write::Fence::new(root),
                &root
                    .join(".milestones/logs")
                    .join(format!("agent-{id}.log")),
            )
        })
        .map_err(|e| format!("cannot open the agent log: {e}"))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    crate::util::log::decided!("run: starting the supervisor {sup:?} in {}", cwd.display());
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
    wait_for_record(root, id, pid, agent, &sup, cwd, session_id);
    Ok(pid)
}

/// The supervisor writes the record as it starts; wait for it (under the
/// control lock, so a second start sees it), and write it from what is
/// known here if the supervisor is slow: a start never returns with its
/// run unrecorded.
fn wait_for_record(
    root: &Path,
    id: &str,
    pgid: i32,
    agent: &Agent,
    sup: &[String],
    cwd: &Path,
    session_id: &str,
) {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if runs::read(root, id).is_some_and(|r| r.pgid == pgid) {
            return;
        }
        if runs::proc_stat(pgid).is_none_or(|(st, _)| st == 'Z') {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let Some((_, start)) = runs::proc_stat(pgid) else {
        return;
    };
    let _held = lock::record(root, id);
    if runs::read(root, id).is_some_and(|r| r.pgid == pgid) {
        return;
    }
    let run = Run {
        id: id.to_string(),
        backend: agent.backend,
        pid: None,
        pgid,
        start_ticks: start,
        boot_id: runs::boot_id(),
        command: sup
            .iter()
            .skip_while(|a| *a != "--")
            .skip(1)
            .cloned()
            .collect(),
        state: RunState::Running,
        started_at: crate::util::time::format(chrono::Utc::now()),
        ended_at: None,
        exit_code: None,
        signal: None,
        session_id: session_id.to_string(),
        cwd: cwd.display().to_string(),
        tmux: None,
        tmux_window: None,
        paused_from: None,
    };
    let _ = runs::save(root, &run);
}

/// Switches the tmux client to the window of `id`'s run: by its id
/// (`@N`), and only while that window's pane is still the run's supervisor.
pub fn select_window(root: &Path, id: &str) -> Result<(), String> {
    use crate::live::tmux::{self, Window, WindowId};
    let run = runs::read(root, id).ok_or("it has no recorded run")?;
    if run.backend != Backend::Tmux {
        return Err("its run is not in tmux".into());
    }
    if run.state.is_over() {
        return Err(format!("its run has ended ({})", run.state));
    }
    if bind::reach(root, &run) != Some(bind::Reach::Group) {
        return Err("its run's supervisor is gone".into());
    }
    let w = run
        .tmux_window
        .as_deref()
        .and_then(WindowId::parse)
        .ok_or("no tmux window was recorded for it")?;
    let w = Window::Id(w);
    if tmux::pane_pid(&w) != Some(run.pgid) {
        return Err("its window is gone".into());
    }
    tmux::select_window(&w)
}
