//! Agent settings (`agent.*`), layered: defaults, then the user's file
//! (`$XDG_CONFIG_HOME/mdash/config.yaml`), then the workspace's
//! (`.milestones/config/mdash.yaml`); and trust: a workspace's command runs
//! only after the user approved exactly that command.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::read::doc;
use crate::read::yaml::{self, Value};

pub use crate::model::Backend;

#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub command: Vec<String>,
    pub resume_command: Vec<String>,
    /// Run in the milestone's worktree (true) or the workspace root.
    pub cwd_worktree: bool,
    pub env: Vec<(String, String)>,
    pub backend: Backend,
    pub max_concurrent: usize,
    pub stop_grace_secs: u64,
    pub create_worktree: Option<bool>,
    /// Where each key's value came from, for `mdash config`.
    pub sources: Vec<(&'static str, String)>,
    /// Whether `command`, `resume_command`, `env` or `cwd` came from the workspace.
    pub from_workspace: bool,
}

/// The user's config directory for mdash.
pub fn user_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("mdash"))
}

fn read_yaml(path: &Path) -> Option<Value> {
    let text = crate::read::file::read_regular(path).ok()?;
    yaml::parse(&text).ok()
}

const KEYS: [&str; 8] = [
    "command",
    "resume_command",
    "cwd",
    "env",
    "backend",
    "max_concurrent",
    "stop_grace_secs",
    "create_worktree",
];

pub fn load(root: &Path) -> Agent {
    let user_file = user_dir().map(|d| d.join("config.yaml"));
    let user = user_file.as_deref().and_then(read_yaml);
    let ws_file = root.join(crate::live::config::FILE);
    let ws = read_yaml(&ws_file);
    let mut sources = Vec::new();
    let mut from_workspace = false;
    let mut pick = |key: &'static str| -> Option<Value> {
        if let Some(v) = ws.as_ref().and_then(|w| doc::get(w, &["agent", key])) {
            sources.push((key, format!("workspace ({})", crate::live::config::FILE)));
            if matches!(key, "command" | "resume_command" | "env" | "cwd") {
                from_workspace = true;
            }
            return Some(v.clone());
        }
        if let Some(v) = user.as_ref().and_then(|u| doc::get(u, &["agent", key])) {
            sources.push((
                key,
                format!(
                    "user ({})",
                    user_file
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            ));
            return Some(v.clone());
        }
        sources.push((key, "default".into()));
        None
    };
    let values: Vec<Option<Value>> = KEYS.iter().map(|k| pick(k)).collect();
    let argv = |v: &Option<Value>| -> Vec<String> {
        match v.as_ref().map(doc::untag) {
            Some(Value::Sequence(items)) => items.iter().filter_map(doc::text).collect(),
            _ => Vec::new(),
        }
    };
    let env = match values[3].as_ref().map(doc::untag) {
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| Some((doc::text(k)?, doc::text(v)?)))
            .collect(),
        _ => Vec::new(),
    };
    let text = |v: &Option<Value>| v.as_ref().and_then(doc::text);
    let num = |v: &Option<Value>| v.as_ref().and_then(doc::number);
    Agent {
        command: argv(&values[0]),
        resume_command: argv(&values[1]),
        cwd_worktree: text(&values[2]).is_none_or(|c| c != "workspace"),
        env,
        backend: if text(&values[4]).as_deref() == Some("tmux") {
            Backend::Tmux
        } else {
            Backend::Process
        },
        max_concurrent: num(&values[5]).map_or(3, |n| n.clamp(1.0, 64.0) as usize),
        stop_grace_secs: num(&values[6]).map_or(10, |n| n.clamp(0.0, 3600.0) as u64),
        create_worktree: values[7].as_ref().and_then(doc::boolean),
        sources,
        from_workspace,
    }
}

impl Agent {
    /// What a trust approval covers: everything from the workspace's file
    /// that decides what runs and how.
    pub fn fingerprint(&self, root: &Path) -> String {
        let doc = serde_json::json!({
            "workspace": root.display().to_string(),
            "command": self.command,
            "resume_command": self.resume_command,
            "env": self.env,
            "cwd_worktree": self.cwd_worktree,
        });
        let digest = Sha256::digest(doc.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether this command may run: the user's own file is trusted, a
    /// workspace's needs `mdash trust`.
    pub fn trusted(&self, root: &Path) -> bool {
        !self.from_workspace || trusted_fingerprints().contains(&self.fingerprint(root))
    }

    pub fn trust(&self, root: &Path) -> Result<PathBuf, String> {
        let dir = user_dir().ok_or("no user config directory ($XDG_CONFIG_HOME or $HOME)")?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("trust.yaml");
        let mut list = trusted_fingerprints();
        let fp = self.fingerprint(root);
        if !list.contains(&fp) {
            list.push(fp);
        }
        let mut text = String::from(
            "# Agent commands approved with `mdash trust` (SHA-256 of workspace and command).\ntrusted:\n",
        );
        for f in &list {
            text.push_str(&format!("  - \"{f}\"\n"));
        }
        let tmp = path.with_extension("yaml.tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// The command line as shown to a person.
    pub fn shown(&self) -> String {
        self.command
            .iter()
            .map(|a| {
                if a.contains(' ') {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn trusted_fingerprints() -> Vec<String> {
    user_dir()
        .and_then(|d| read_yaml(&d.join("trust.yaml")))
        .and_then(|v| doc::get(&v, &["trusted"]).map(doc::id_list))
        .unwrap_or_default()
}

/// Fills `{id}`, `{title}`, `{worktree}`, `{branch}`, `{milestone_file}`,
/// `{workspace}` and `{session_id}` in each argument. Arguments stay
/// separate: nothing goes through a shell.
pub fn expand(argv: &[String], vars: &[(&str, String)]) -> Vec<String> {
    argv.iter()
        .map(|a| {
            let mut s = a.clone();
            for (k, v) in vars {
                s = s.replace(&format!("{{{k}}}"), v);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_each_argument() {
        let argv = vec!["run".to_string(), "--id={id}".into(), "{title}".into()];
        let out = expand(
            &argv,
            &[("id", "2a".into()), ("title", "A; rm -rf /".into())],
        );
        assert_eq!(out, ["run", "--id=2a", "A; rm -rf /"]);
    }
}
