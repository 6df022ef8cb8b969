//! `checks.command` (SPEC §9): the milestone's test suite, layered like
//! `agent.command` (the workspace's file over the user's) and approved the
//! same way: a workspace's command runs only once the user trusted exactly
//! that argv for that workspace.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::trust;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// The argv; empty when no suite is configured.
    pub command: Vec<String>,
    /// It came from the workspace's file (so it needs approval).
    pub from_workspace: bool,
}

/// The checks command, from both files read through their fences (a
/// workspace file symlinked out of the workspace is not read).
pub fn load(root: &Path) -> Checks {
    super::read(root).checks
}

impl Checks {
    pub fn from_layers(l: &super::layers::Layered) -> Checks {
        Checks {
            command: l.argv("checks.command"),
            from_workspace: l.origin("checks.command").is_workspace(),
        }
    }

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
