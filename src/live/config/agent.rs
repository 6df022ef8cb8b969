//! Agent settings (`agent.*`), layered: defaults, then the user's file
//! (`$XDG_CONFIG_HOME/mdash/config.yaml`), then the workspace's
//! (`.milestones/config/mdash.yaml`); and trust: a workspace's command runs
//! only after the user approved exactly that command.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::read::doc;
use crate::read::yaml::Value;

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
    /// The agent is Claude Code (`agent.kind: claude`, or a command whose
    /// program is `claude`): hooks, states, tokens and resume (SPEC §8).
    pub claude: bool,
    /// A session mdash did not start counts as ended after this long
    /// without a change to its transcript.
    pub ended_after_minutes: u64,
    /// Whether `command`, `resume_command`, `env` or `cwd` came from the workspace.
    pub from_workspace: bool,
    /// What the agent's tokens cost (SPEC §8.3): the built-in prices under
    /// the config's `prices:`.
    pub prices: crate::model::Prices,
}

/// The user's own config file, `$XDG_CONFIG_HOME/mdash/config.yaml`.
pub fn user_file() -> Option<PathBuf> {
    user_dir().map(|d| d.join("config.yaml"))
}

/// The user's config directory for mdash.
pub fn user_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("mdash"))
}

pub fn load(root: &Path) -> Agent {
    super::read(root).agent
}

impl Agent {
    /// The agent settings from the layered files.
    pub fn from_layers(l: &super::layers::Layered) -> Agent {
        let command = l.argv("agent.command");
        let claude = l.text("agent.kind").map_or_else(
            || crate::live::agent::is_claude(&command),
            |k| k == "claude",
        );
        let env = match l.value("agent.env").map(doc::untag) {
            Some(Value::Mapping(m)) => m
                .iter()
                .filter_map(|(k, v)| Some((doc::text(k)?, doc::text(v)?)))
                .collect(),
            _ => Vec::new(),
        };
        let from_workspace = [
            "agent.command",
            "agent.resume_command",
            "agent.env",
            "agent.cwd",
        ]
        .iter()
        .any(|k| l.origin(k).is_workspace());
        Agent {
            prices: super::prices::of(l.value("prices")),
            resume_command: l.argv("agent.resume_command"),
            cwd_worktree: l.text("agent.cwd").is_none_or(|c| c != "workspace"),
            env,
            // Claude Code is interactive: it runs in tmux unless told otherwise.
            backend: match l.text("agent.backend").as_deref() {
                Some("tmux") => Backend::Tmux,
                Some("process") => Backend::Process,
                _ if claude => Backend::Tmux,
                _ => Backend::Process,
            },
            max_concurrent: l.int("agent.max_concurrent") as usize,
            stop_grace_secs: l.int("agent.stop_grace_secs"),
            create_worktree: l.boolean("agent.create_worktree"),
            claude,
            ended_after_minutes: l.int("agent.ended_after_minutes"),
            command,
            from_workspace,
        }
    }

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
        super::trust::approve(self, root)
    }

    /// Everything an approval covers, as shown to a person before asking:
    /// every field, escaped and whole, and what trust does not cover.
    pub fn shown(&self, root: &Path) -> String {
        let mut lines = super::trust::fields(self, root);
        lines.push(format!("note:      {}", super::trust::COVERS));
        lines.join("\n")
    }
}

fn trusted_fingerprints() -> Vec<String> {
    super::trust::fingerprints()
}

/// Fills `{id}`, `{title}`, `{worktree}`, `{branch}`, `{milestone_file}`,
/// `{workspace}` and `{session_id}` in each argument. Arguments stay
/// separate: nothing goes through a shell.
///
/// One pass over each argument: a value put in is never searched again, so
/// a title holding `{workspace}` reaches the agent as written.
pub fn expand(argv: &[String], vars: &[(&str, String)]) -> Vec<String> {
    argv.iter()
        .map(|a| {
            let mut out = String::with_capacity(a.len());
            let mut rest = a.as_str();
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let after = &rest[open + 1..];
                let hit = after.find('}').and_then(|close| {
                    let name = &after[..close];
                    vars.iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| (v, close))
                });
                match hit {
                    Some((v, close)) => {
                        out.push_str(v);
                        rest = &after[close + 1..];
                    }
                    None => {
                        out.push('{');
                        rest = after;
                    }
                }
            }
            out.push_str(rest);
            out
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
        let argv = vec!["{title}-{id}{".to_string(), "{nope}{{id}}".into()];
        let out = expand(
            &argv,
            &[("id", "2a".into()), ("title", "{id} {workspace}".into())],
        );
        assert_eq!(out, ["{id} {workspace}-2a{", "{nope}{2a}"]);
    }
}
