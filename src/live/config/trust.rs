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
            c if c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') =>
            {
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

/// Every fingerprinted field, one per line, escaped and whole.
pub fn fields(agent: &Agent, root: &Path) -> Vec<String> {
    let mut out = vec![
        format!("workspace: {}", shown_arg(&root.display().to_string())),
        format!("command:   {}", shown_argv(&agent.command)),
        format!("resume:    {}", shown_argv(&agent.resume_command)),
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
    let tmp = dir.join(format!(
        ".trust.yaml.{}.{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    let res = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .and_then(|_| std::fs::rename(&tmp, &path));
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
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
