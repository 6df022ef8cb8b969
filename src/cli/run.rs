//! `mdash run`, `mdash trust` and `mdash config`.

use std::path::Path;

use crate::cli::args::RunCommand;
use crate::live::runs::control;

pub fn run(root: &Path, cmd: RunCommand) -> i32 {
    let (id, result) = match cmd {
        RunCommand::Start { id, force } => {
            let r = control::start(root, &control::snapshot(root, true), &id, force, false)
                .map(|pid| format!("started {id} (process group {pid})"));
            (id, r.map_err(|e| e.to_string()))
        }
        RunCommand::Pause { id } => {
            let r = control::pause(root, &control::snapshot(root, false), &id)
                .map(|_| format!("paused {id}"));
            (id, r)
        }
        RunCommand::Resume { id } => {
            let r = control::resume(root, &control::snapshot(root, true), &id)
                .map(|_| format!("resumed {id}"));
            (id, r)
        }
        RunCommand::Stop { id } => {
            let r = control::stop(root, &id).map(|_| format!("stopped {id}"));
            (id, r)
        }
    };
    match result {
        Ok(msg) => {
            println!("{msg}");
            0
        }
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}

pub fn trust(root: &Path) -> i32 {
    let agent = crate::live::config::agent::load(root);
    if agent.command.is_empty() {
        eprintln!(
            "mdash: no agent.command in {}: nothing to trust",
            crate::live::config::FILE
        );
        return 1;
    }
    println!("workspace: {}", root.display());
    println!("command:   {}", agent.shown());
    if !agent.resume_command.is_empty() {
        println!("resume:    {}", agent.resume_command.join(" "));
    }
    for (k, v) in &agent.env {
        println!("env:       {k}={v}");
    }
    match agent.trust(root) {
        Ok(p) => {
            println!("trusted (recorded in {})", p.display());
            0
        }
        Err(e) => {
            eprintln!("mdash: {e}");
            1
        }
    }
}

pub fn config(root: &Path) -> i32 {
    let (cfg, problems) = crate::live::config::load(root);
    let agent = crate::live::config::agent::load(root);
    let from = |k: &str| {
        agent
            .sources
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let rows: Vec<(String, String, String)> = vec![
        (
            "agent.command".into(),
            format!("{:?}", agent.command),
            from("command"),
        ),
        (
            "agent.resume_command".into(),
            format!("{:?}", agent.resume_command),
            from("resume_command"),
        ),
        (
            "agent.cwd".into(),
            if agent.cwd_worktree {
                "worktree"
            } else {
                "workspace"
            }
            .into(),
            from("cwd"),
        ),
        ("agent.env".into(), format!("{:?}", agent.env), from("env")),
        (
            "agent.backend".into(),
            format!("{:?}", agent.backend).to_lowercase(),
            from("backend"),
        ),
        (
            "agent.max_concurrent".into(),
            agent.max_concurrent.to_string(),
            from("max_concurrent"),
        ),
        (
            "agent.stop_grace_secs".into(),
            agent.stop_grace_secs.to_string(),
            from("stop_grace_secs"),
        ),
        (
            "agent.create_worktree".into(),
            agent
                .create_worktree
                .map_or("when a repository exists".into(), |b| b.to_string()),
            from("create_worktree"),
        ),
        (
            "agent.trusted".into(),
            agent.trusted(root).to_string(),
            "user (trust.yaml)".into(),
        ),
        (
            "limits.max_file_bytes".into(),
            cfg.max_file_bytes.to_string(),
            crate::live::config::FILE.into(),
        ),
        (
            "blockers.long_task_minutes".into(),
            cfg.rules.long_task_minutes.to_string(),
            crate::live::config::FILE.into(),
        ),
        (
            "git.base_branch".into(),
            cfg.base_branch
                .clone()
                .unwrap_or_else(|| "main, else master".into()),
            crate::live::config::FILE.into(),
        ),
        (
            "git.refresh_secs".into(),
            cfg.git_refresh_secs.to_string(),
            crate::live::config::FILE.into(),
        ),
    ];
    for (k, v, s) in rows {
        println!("{k:<26} {v:<40} # {s}");
    }
    for p in problems {
        eprintln!("{}: {}", p.path, p.message);
    }
    0
}
