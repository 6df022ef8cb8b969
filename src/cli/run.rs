//! `mdash run`, `mdash trust` and `mdash config`.

use std::path::Path;

use crate::cli::args::RunCommand;
use crate::live::runs::control;

pub fn run(root: &Path, cmd: RunCommand) -> i32 {
    let again = |id: &str| format!("`mdash run start {id}` starts it again");
    let (id, result) = match cmd {
        RunCommand::Start { id, force } => {
            let r = control::start(root, &control::snapshot(root, true), &id, force, false)
                .map(|pid| (format!("started {id} (process group {pid})"), Vec::new()));
            (id, r.map_err(|e| e.to_string()))
        }
        RunCommand::Pause { id } => {
            let r = control::pause(root, &control::snapshot(root, false), &id)
                .map(|n| (format!("paused {id}"), n))
                .map_err(|e| e.text(&id));
            (id, r)
        }
        RunCommand::Resume { id } => {
            let r = control::resume(root, &control::snapshot(root, true), &id)
                .map(|n| (format!("resumed {id}"), n));
            let r = r.map_err(|e| match e {
                control::Failure::Ended(_) => format!("{}; {}", e.text(&id), again(&id)),
                e => e.text(&id),
            });
            (id, r)
        }
        RunCommand::Stop { id } => {
            let r = control::stop(root, &id)
                .map(|n| (format!("stopped {id}; {}", again(&id)), n))
                .map_err(|e| e.text(&id));
            (id, r)
        }
    };
    match result {
        Ok((msg, notes)) => {
            println!("{msg}");
            if !notes.is_empty() {
                eprintln!(
                    "mdash: {id}: warning: done, but not recorded: {}",
                    notes.join("; ")
                );
            }
            0
        }
        Err(e) => {
            eprintln!("mdash: {id}: {e}");
            1
        }
    }
}

/// `mdash trust`: shows every field an approval covers, escaped and whole,
/// then asks on a terminal; without one, approves only with `--yes`.
pub fn trust(root: &Path, yes: bool) -> i32 {
    use std::io::{BufRead, IsTerminal, Write};
    let agent = crate::live::config::agent::load(root);
    if agent.command.is_empty() {
        eprintln!(
            "mdash: no agent.command in {}: nothing to trust",
            crate::live::config::FILE
        );
        return 1;
    }
    println!("{}", agent.shown(root));
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "mdash: not approved: no terminal to ask on; run `mdash trust --yes` to approve exactly what is shown above"
            );
            return 1;
        }
        print!("approve this for {}? (y/n) ", root.display());
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            println!("not approved");
            return 1;
        }
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

/// `mdash trust --list`: every approval, for which workspace, with what was
/// shown when it was given.
pub fn trust_list() -> i32 {
    let entries = crate::live::config::trust::entries();
    if entries.is_empty() {
        println!("nothing approved");
    }
    for e in entries {
        if e.workspace.is_empty() {
            println!(
                "{} (approved before mdash recorded what; revoke and approve again to see it)",
                e.fingerprint
            );
            continue;
        }
        println!("{}", crate::live::config::trust::shown_arg(&e.workspace));
        for line in e.shown.iter().filter(|l| !l.starts_with("workspace:")) {
            // Recorded escaped; escaped again in case the file was edited.
            let safe: String = line
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            println!("  {safe}");
        }
    }
    0
}

/// `mdash trust --revoke [PATH]`.
pub fn trust_revoke(root: &Path) -> i32 {
    let agent = crate::live::config::agent::load(root);
    match crate::live::config::trust::revoke(&agent, root) {
        Ok(0) => {
            println!("nothing was approved for {}", root.display());
            0
        }
        Ok(n) => {
            println!(
                "revoked {n} approval{} for {}",
                if n == 1 { "" } else { "s" },
                root.display()
            );
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
