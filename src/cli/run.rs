//! `mdash run`, `mdash trust` and `mdash config`.

use std::path::Path;

use crate::cli::args::RunCommand;
use crate::live::runs::control;
use crate::model::RunState;
use crate::ui::text::escape;

/// The milestone `cmd` acts on, read once from its own file (a known id
/// costs no read of the workspace); or, when the id is wrong, why (SPEC
/// §7: exit 2, as in `mdash new`): it is not an id, or names no milestone
/// and no recorded run (a run outlives its milestone's file: it can still
/// be stopped).
fn target(
    root: &Path,
    cmd: &RunCommand,
) -> Result<Result<control::Target, control::Refusal>, String> {
    let id = match cmd {
        RunCommand::Start { id, .. }
        | RunCommand::Pause { id, .. }
        | RunCommand::Resume { id, .. }
        | RunCommand::Stop { id, .. } => id,
    };
    if let Some(why) = invalid_id(id) {
        return Err(why);
    }
    let target = control::Target::read(root, id);
    if target.is_err() && crate::live::runs::read(root, id).is_none() {
        let snap = crate::live::snapshot::load(root, chrono::Utc::now());
        if let Some(why) = unknown_milestone(&snap, id) {
            return Err(why);
        }
    }
    Ok(target)
}

/// Why `id` is not an id at all.
fn invalid_id(id: &str) -> Option<String> {
    (!crate::model::valid_id(id))
        .then(|| format!("invalid id \"{}\": {}", escape(id), crate::model::ID_RULE))
}

/// Why `id` names no milestone of `snap` (an invalid id, or an unknown one
/// with the nearest known id), or `None` when it names one. The same words
/// and exit code (2) for every command that takes an id.
pub fn unknown_milestone(snap: &crate::model::Snapshot, id: &str) -> Option<String> {
    if let Some(why) = invalid_id(id) {
        return Some(why);
    }
    let known: Vec<&str> = snap
        .milestones
        .iter()
        .map(|m| m.milestone.id.as_str())
        .collect();
    if known.contains(&id) {
        return None;
    }
    // Two edits make any short id look like another: no guess for those.
    let near = Some(id)
        .filter(|i| i.len() >= 4)
        .and_then(|i| crate::util::near::closest(i, &known))
        .map(|c| format!("; did you mean \"{}\"?", escape(c)))
        .unwrap_or_default();
    Some(format!(
        "no milestone \"{}\" in this workspace{near}",
        escape(id)
    ))
}

/// `zz has no recorded run` after `mdash: zz: `: the id once is enough.
fn without_id<'a>(e: &'a str, id: &str) -> &'a str {
    e.strip_prefix(id)
        .and_then(|r| r.strip_prefix(": ").or_else(|| r.strip_prefix(' ')))
        .filter(|r| !r.is_empty())
        .unwrap_or(e)
}

pub fn run(root: &Path, cmd: RunCommand) -> i32 {
    let target = match target(root, &cmd) {
        Ok(t) => t,
        Err(why) => {
            eprintln!("mdash: {why}");
            return crate::cli::EXIT_USAGE;
        }
    };
    let again = |id: &str| format!("`mdash run start {id}` starts it again");
    let (id, result) = match cmd {
        RunCommand::Start { id, force, .. } => {
            let wt = root
                .join(crate::read::workspace::WORKTREES)
                .join(format!("milestone-{id}"));
            let had = wt.exists();
            let r = target
                .and_then(|t| control::start(root, &t, force, false))
                .map(|pid| {
                    let mut msg = format!("started {id} (process group {pid})");
                    if !wt.is_dir() && crate::live::git::no_commits(root) {
                        msg.push_str(&format!(
                            "\nnote: {}: no worktree was made; the agent runs in the workspace",
                            crate::live::git::NO_COMMITS
                        ));
                    }
                    if !had && wt.is_dir() {
                        msg.push_str(&format!(
                            "\ncreated {} for it",
                            wt.strip_prefix(root).unwrap_or(&wt).display()
                        ));
                        if !crate::live::git::worktrees_ignored(root) {
                            msg.push_str(&format!("\n{}", worktree_note(&id)));
                        }
                    }
                    (msg, Vec::new())
                });
            (id, r.map_err(|e| e.to_string()))
        }
        RunCommand::Pause { id, .. } => {
            // A second pause changes nothing and records nothing.
            if crate::live::runs::read(root, &id).is_some_and(|r| r.state == RunState::Paused) {
                println!("{id} is already paused; `mdash run resume {id}` continues it");
                return 0;
            }
            let r = control::pause(root, &id, target.ok().as_ref())
                .map(|n| {
                    (
                        format!("paused {id}; `mdash run resume {id}` continues it"),
                        n,
                    )
                })
                .map_err(|e| e.text(&id));
            (id, r)
        }
        RunCommand::Resume { id, .. } => {
            // A running run is not resumed again, and nothing is recorded.
            // Running as shown, and no process of its group stopped (a pause
            // the record missed, e.g. on a full disk, is still resumed).
            let running = crate::live::runs::read(root, &id).is_some_and(|r| {
                crate::live::runs::observe(root, &r).state == RunState::Running
                    && !crate::live::runs::members(r.pgid)
                        .iter()
                        .any(|&(_, st, _)| matches!(st, 'T' | 't'))
            });
            if running {
                println!("{id} is running; `mdash run pause {id}` pauses it");
                return 0;
            }
            let r = control::resume(root, &id, target.ok().as_ref())
                .map(|n| (format!("resumed {id}"), n));
            let r = r.map_err(|e| match e {
                control::Failure::Ended(_) => format!("{}; {}", e.text(&id), again(&id)),
                e => e.text(&id),
            });
            (id, r)
        }
        RunCommand::Stop { id, .. } => {
            let r = control::stop(root, &id, target.ok().as_ref())
                .map(|n| (format!("stopped {id}; {}", after_stop(root, &id)), n))
                .map_err(|e| e.text(&id));
            (id, r)
        }
    };
    match result {
        Ok((msg, notes)) => {
            println!("{}", escape_lines(&msg));
            if !notes.is_empty() {
                eprintln!(
                    "mdash: {id}: warning: done, but not recorded: {}",
                    escape(&notes.join("; "))
                );
            }
            0
        }
        Err(e) => {
            // Named once: "2a's run has ended" needs no "2a: " before it.
            if e.starts_with(&format!("{id}'s ")) {
                eprintln!("mdash: {}", escape_lines(&e));
            } else {
                let e = without_id(&e, &id);
                eprintln!("mdash: {}: {}", escape(&id), escape_lines(e));
            }
            1
        }
    }
}

/// What starts a stopped run again: for a Claude Code run with a session,
/// `resume` continues its conversation, as `r` does in the dashboard.
fn after_stop(root: &Path, id: &str) -> String {
    let claude = crate::live::config::agent::load(root).claude;
    if claude && crate::live::agent::last_session(root, id).is_some() {
        format!(
            "`mdash run resume {id}` resumes its conversation, `mdash run start {id}` starts anew"
        )
    } else {
        format!("`mdash run start {id}` starts it again")
    }
}

/// The hint after a worktree was made where git does not ignore it.
pub fn worktree_note(id: &str) -> String {
    format!(
        "note: .worktrees/ is not ignored by git; `mdash worktree add {id} --exclude` adds it to .git/info/exclude"
    )
}

/// Each line escaped on its own: the line breaks are ours, the text is not.
fn escape_lines(s: &str) -> String {
    s.lines()
        .map(|l| escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `mdash trust`: shows every field an approval covers, escaped and whole,
/// then asks on a terminal; without one, approves only with `--yes`.
pub fn trust(root: &Path, yes: bool) -> i32 {
    use std::io::{BufRead, IsTerminal, Write};
    let agent = crate::live::config::agent::load(root);
    // A workspace's checks.command (SPEC §9) is approved along with it.
    let checks = Some(crate::live::config::checks::load(root)).filter(|c| c.from_workspace);
    if agent.command.is_empty() && checks.is_none() {
        eprintln!(
            "mdash: no agent.command in {}: nothing to trust",
            crate::live::config::FILE
        );
        return 1;
    }
    if !agent.command.is_empty() {
        println!("{}", agent.shown(root));
    }
    if let Some(c) = &checks {
        println!("checks:    {}", c.shown());
    }
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
    let approved = match &checks {
        Some(c) => c.trust(root),
        None => Ok(std::path::PathBuf::new()),
    };
    let approved = approved.and_then(|p| {
        if agent.command.is_empty() {
            Ok(p)
        } else {
            agent.trust(root)
        }
    });
    match approved {
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
    let loaded = crate::live::config::read(root);
    let mut rows = crate::live::config::shown::rows(&loaded);
    rows.retain(|(k, _, _)| k != "keys");
    for (file, k) in &loaded.layered.key_entries {
        let line = k.line.map(|l| format!(":{l}")).unwrap_or_default();
        rows.push((
            format!("keys.{}", k.action),
            k.keys.join(", "),
            format!(
                "{} {file}{line}",
                if file == crate::live::config::FILE {
                    "workspace"
                } else {
                    "user"
                }
            ),
        ));
    }
    rows.push((
        "agent.trusted".into(),
        loaded.agent.trusted(root).to_string(),
        "user (trust.yaml)".into(),
    ));
    for (k, v, s) in rows {
        println!("{:<26} {:<40} # {}", escape(&k), escape(&v), escape(&s));
    }
    let problems = loaded.problems();
    if !problems.is_empty() {
        eprintln!(
            "mdash: {} in the config; `mdash check` lists them",
            crate::ui::text::plural(problems.len(), "problem")
        );
    }
    0
}
