//! `checks.command` (SPEC §9): the milestone's test suite, layered like
//! `agent.command` (the workspace's file over the user's) and approved the
//! same way: a workspace's command runs only once the user trusted exactly
//! that argv for that workspace.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::agent::user_dir;
use super::trust;
use crate::read::doc;
use crate::read::yaml::{self, Value};

fn read_yaml(path: &Path) -> Option<Value> {
    let text = crate::read::file::read_regular(path).ok()?;
    yaml::parse(&text).ok()
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// The argv; empty when no suite is configured.
    pub command: Vec<String>,
    /// It came from the workspace's file (so it needs approval).
    pub from_workspace: bool,
}

pub fn load(root: &Path) -> Checks {
    let argv = |v: &Value| -> Option<Vec<String>> {
        match doc::untag(doc::get(v, &["checks", "command"])?) {
            Value::Sequence(items) => Some(items.iter().filter_map(doc::text).collect()),
            _ => None,
        }
    };
    let ws = read_yaml(&root.join(super::FILE)).and_then(|v| argv(&v));
    if let Some(command) = ws.filter(|c| !c.is_empty()) {
        return Checks {
            command,
            from_workspace: true,
        };
    }
    let user = user_dir()
        .and_then(|d| read_yaml(&d.join("config.yaml")))
        .and_then(|v| argv(&v))
        .unwrap_or_default();
    Checks {
        command: user,
        from_workspace: false,
    }
}

impl Checks {
    pub fn configured(&self) -> bool {
        !self.command.is_empty()
    }

    /// What an approval covers: the workspace and the argv.
    pub fn fingerprint(&self, root: &Path) -> String {
        let doc = serde_json::json!({
            "workspace": root.display().to_string(),
            "checks_command": self.command,
        });
        let digest = Sha256::digest(doc.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn trusted(&self, root: &Path) -> bool {
        !self.from_workspace || trust::fingerprints().contains(&self.fingerprint(root))
    }

    pub fn trust(&self, root: &Path) -> Result<std::path::PathBuf, String> {
        trust::approve_fingerprint(self.fingerprint(root), root, self.fields(root))
    }

    /// What an approval covers, one field per line, escaped and whole: as
    /// the prompt shows it and `trust.yaml` records it.
    pub fn fields(&self, root: &Path) -> Vec<String> {
        vec![
            format!(
                "workspace: {}",
                trust::shown_arg(&root.display().to_string())
            ),
            format!("checks:    {}", self.shown()),
        ]
    }

    /// Every argument escaped and whole, as the trust prompt shows it.
    pub fn shown(&self) -> String {
        self.command
            .iter()
            .map(|a| trust::shown_arg(a))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
