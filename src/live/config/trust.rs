//! Trust: a workspace's agent command runs only after the user approved
//! exactly what it would run (SHA-256 over workspace, command,
//! resume_command, env and cwd), recorded in the user's `trust.yaml` with
//! what was shown, so `mdash trust --list` can say what is approved and
//! `--revoke` can take it back. Trust covers the argv, not the program or
//! script it names: that file can change after the approval.

use std::path::{Path, PathBuf};

use super::agent::{Agent, user_dir};
use crate::read::{doc, yaml};

/// What the prompt says about the limits of an approval.
pub const COVERS: &str = "trust covers exactly these arguments, environment and directory, not the script or program they name: if that file changes, mdash does not notice";

/// One argument as a person must see it: quoted when it is not plain, with
/// every control, BiDi and invisible character written as an escape, and
/// never shortened.
pub fn shown_arg(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%{}^~".contains(c));
    if plain {
        return a.to_string();
    }
    let mut out = String::from("'");
    for c in a.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            // Blank and invisible characters too: a run of U+00A0 pads
            // the rest of a line out of view.
            c if crate::util::text::hidden_char(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn shown_argv(argv: &[String]) -> String {
    if argv.is_empty() {
        return "(none)".into();
    }
    argv.iter()
        .map(|a| shown_arg(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a run whose process is gone is resumed: `resume_command`, or, for
/// Claude Code without one, the same conversation as `claude` is really
/// started (`live::agent::claude::argv`).
fn shown_resume(agent: &Agent) -> String {
    match agent.command.first() {
        Some(program) if agent.claude && agent.resume_command.is_empty() => format!(
            "{} --resume=<session id> --settings=<mdash's hooks> (the same conversation: the id Claude Code gave mdash's hooks, kept outside the workspace)",
            shown_arg(program)
        ),
        _ => shown_argv(&agent.resume_command),
    }
}

/// Every fingerprinted field, one per line, escaped and whole.
pub fn fields(agent: &Agent, root: &Path) -> Vec<String> {
    let mut out = vec![
        format!("workspace: {}", shown_arg(&root.display().to_string())),
        format!("command:   {}", shown_argv(&agent.command)),
        format!("resume:    {}", shown_resume(agent)),
        format!(
            "cwd:       {}",
            if agent.cwd_worktree {
                "the milestone's worktree"
            } else {
                "the workspace"
            }
        ),
    ];
    if agent.env.is_empty() {
        out.push("env:       (none)".into());
    }
    for (k, v) in &agent.env {
        out.push(format!("env:       {}={}", shown_arg(k), shown_arg(v)));
    }
    out
}

/// One approval as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub fingerprint: String,
    /// What was approved, as shown then; empty for approvals recorded
    /// before mdash kept them.
    pub workspace: String,
    pub shown: Vec<String>,
}

fn file() -> Option<PathBuf> {
    user_dir().map(|d| d.join("trust.yaml"))
}

/// Every approval (old entries are bare fingerprints).
pub fn entries() -> Vec<Entry> {
    let Some(v) = file()
        .and_then(|f| crate::read::file::read_regular(&f).ok())
        .and_then(|t| yaml::parse(&t).ok())
    else {
        return Vec::new();
    };
    let Some(yaml::Value::Sequence(items)) = doc::get(&v, &["trusted"]).map(doc::untag) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            if let Some(fp) = doc::text(i) {
                return Some(Entry {
                    fingerprint: fp,
                    workspace: String::new(),
                    shown: Vec::new(),
                });
            }
            Some(Entry {
                fingerprint: doc::text_at(i, &["fingerprint"])?,
                workspace: doc::text_at(i, &["workspace"]).unwrap_or_default(),
                shown: doc::get(i, &["shown"])
                    .map(doc::id_list)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

pub fn fingerprints() -> Vec<String> {
    entries().into_iter().map(|e| e.fingerprint).collect()
}

fn save(list: &[Entry]) -> Result<PathBuf, String> {
    let path = file().ok_or("no user config directory ($XDG_CONFIG_HOME or $HOME)")?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let items: Vec<serde_json::Value> = list
        .iter()
        .map(|e| {
            serde_json::json!({
                "fingerprint": e.fingerprint,
                "workspace": e.workspace,
                "shown": e.shown,
            })
        })
        .collect();
    let body = yaml::to_yaml(&serde_json::json!({ "trusted": items }))?;
    let text = format!(
        "# Agent commands approved with `mdash trust` (SHA-256 of workspace and command),\n# with what was shown when approved. `mdash trust --list` / `--revoke`.\n{body}"
    );
    // Through the one write path; the user's own file, so a symlink into
    // their dotfiles is followed.
    let mut fence = crate::live::write::Fence::new(dir);
    if let Some(target) = std::fs::canonicalize(&path)
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        fence.allow(target);
    }
    crate::live::write::replace(&fence, &path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Records the approval of `agent` for `root`.
pub fn approve(agent: &Agent, root: &Path) -> Result<PathBuf, String> {
    let fp = agent.fingerprint(root);
    let mut list = entries();
    list.retain(|e| e.fingerprint != fp);
    list.push(Entry {
        fingerprint: fp,
        workspace: root.display().to_string(),
        shown: fields(agent, root),
    });
    save(&list)
}

/// Removes every approval for `root` (and the bare fingerprint of what its
/// file says now); returns how many.
pub fn revoke(agent: &Agent, root: &Path) -> Result<usize, String> {
    let fp = agent.fingerprint(root);
    let ws = root.display().to_string();
    let mut list = entries();
    let before = list.len();
    list.retain(|e| e.fingerprint != fp && e.workspace != ws);
    let n = before - list.len();
    if n > 0 {
        save(&list)?;
    }
    Ok(n)
}

/// Records one approval given by its fingerprint and what was shown
/// (`checks.command` is approved this way: `config::checks`).
pub fn approve_fingerprint(fp: String, root: &Path, shown: Vec<String>) -> Result<PathBuf, String> {
    let mut list = entries();
    list.retain(|e| e.fingerprint != fp);
    list.push(Entry {
        fingerprint: fp,
        workspace: root.display().to_string(),
        shown,
    });
    save(&list)
}
