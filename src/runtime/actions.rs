//! What the loop does for the user's actions: agent runs, an attached
//! run's output, new worktrees, and notifications. Each runs on a blocking
//! worker through `offload` and comes back as a message.

use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use super::offload;
use super::runner::{Runner, tmux};
use crate::app::Msg;
use crate::runtime::tui::Tui;

impl Runner {
    pub(super) fn run_action(&self, id: String, action: crate::app::RunAction) {
        use crate::app::RunAction;
        use crate::live::runs::control::{self, Refusal};
        let root = self.root.clone();
        offload(&self.tx, "the run action", move || {
            let result = match action {
                RunAction::Start { force, trust } => {
                    let trusted = if trust {
                        crate::live::config::agent::load(&root)
                            .trust(&root)
                            .map(|_| ())
                            .map_err(Refusal::Other)
                    } else {
                        Ok(())
                    };
                    trusted
                        .and_then(|_| {
                            control::start(
                                &root,
                                &control::snapshot(&root, true),
                                &id,
                                force,
                                false,
                            )
                        })
                        .map(|pid| format!("started {id} (process group {pid})"))
                }
                RunAction::Pause => control::pause(&root, &control::snapshot(&root, false), &id)
                    .map(|_| format!("paused {id}"))
                    .map_err(Refusal::Other),
                RunAction::Resume => control::resume(&root, &control::snapshot(&root, true), &id)
                    .map(|_| format!("resumed {id}"))
                    .map_err(Refusal::Other),
                RunAction::Stop => control::stop(&root, &id)
                    .map(|_| format!("stopped {id}"))
                    .map_err(Refusal::Other),
            };
            Msg::RunDone { id, action, result }
        });
    }

    pub(super) fn agent_output(&self, id: String) {
        let root = self.root.clone();
        offload(&self.tx, "reading the run's output", move || {
            let path = root
                .join(".milestones/logs")
                .join(format!("agent-{id}.log"));
            let lines = tail_lines(&path, 64 * 1024, 2000);
            Msg::AgentOutput { id, lines }
        });
    }

    pub(super) fn add_worktree(&self, id: String) {
        let (root, base) = (self.root.clone(), self.cfg.base_branch.clone());
        offload(&self.tx, "creating the worktree", move || {
            let result = crate::live::git::add_worktree(&root, &id, base.as_deref())
                .map(|p| p.strip_prefix(&root).unwrap_or(&p).display().to_string());
            let ignored = crate::live::git::worktrees_ignored(&root);
            Msg::WorktreeAdded {
                id,
                result,
                ignored,
            }
        });
    }

    pub(super) fn notify(&mut self, tui: &mut Tui, text: &str) {
        let n = &self.cfg.notify;
        let now = Instant::now();
        if self
            .last_notify
            .is_some_and(|t| now - t < Duration::from_secs(n.cooldown_secs))
        {
            return;
        }
        self.last_notify = Some(now);
        if n.bell || n.desktop {
            tui.bell(n.desktop.then_some(text));
        }
        if n.tmux && std::env::var_os("TMUX").is_some() {
            tmux(&["display-message", &format!("mdash: {text}")]);
        }
    }
}

/// The last lines of a text file, from its last `bytes` bytes.
fn tail_lines(path: &Path, bytes: u64, max: usize) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return vec!["(no output yet)".into()];
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(bytes);
    let mut buf = Vec::new();
    if f.seek(SeekFrom::Start(start))
        .and_then(|_| f.take(bytes).read_to_end(&mut buf))
        .is_err()
    {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect()
        })
        .collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(max);
    lines.split_off(skip)
}
