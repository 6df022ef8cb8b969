//! What the loop does for the user's actions: agent runs, an attached
//! run's output, new worktrees, and notifications. Each runs on a blocking
//! worker through `offload` and comes back as a message.

use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use super::offload;
use super::runner::Runner;
use crate::app::Msg;
use crate::runtime::tui::Tui;

impl Runner {
    /// `snap` is the snapshot the app holds: the action reads the
    /// milestone from it, and of the disk only its run record, its
    /// worktree and the settings (issue 25 item 1).
    pub(super) fn run_action(
        &self,
        id: String,
        action: crate::app::RunAction,
        snap: Option<&crate::model::Snapshot>,
    ) {
        use crate::app::RunAction;
        use crate::live::runs::control::{self, Refusal, Target};
        let root = self.root.clone();
        let target = snap.map_or_else(
            || {
                Err(Refusal::Other(format!(
                    "{id} is not read yet; try again once the list is shown"
                )))
            },
            |s| Target::of(s, &id),
        );
        offload(&self.tx, "the run action", move || {
            let result = match action.clone() {
                RunAction::Start { force, trust } => {
                    let trusted = match trust {
                        Some(fp) => {
                            let agent = crate::live::config::agent::load(&root);
                            if agent.fingerprint(&root) == fp {
                                agent.trust(&root).map(|_| ()).map_err(Refusal::Other)
                            } else {
                                Err(Refusal::Other(
                                    "the agent settings changed after they were shown; nothing approved, press s to see them again"
                                        .into(),
                                ))
                            }
                        }
                        None => Ok(()),
                    };
                    let wt = root
                        .join(crate::read::workspace::WORKTREES)
                        .join(format!("milestone-{id}"));
                    let had = wt.exists();
                    trusted
                        .and(target)
                        .and_then(|t| control::start(&root, &t, force, false))
                        .map(|pid| {
                            let mut msg = format!("started {id} (process group {pid})");
                            if !wt.is_dir() && crate::live::git::no_commits(&root) {
                                msg.push_str(&format!(
                                    "; {}: no worktree was made, the agent runs in the workspace",
                                    crate::live::git::NO_COMMITS
                                ));
                            }
                            if !had && wt.is_dir() && !crate::live::git::worktrees_ignored(&root) {
                                msg.push_str(&format!(
                                    "; created .worktrees/milestone-{id}, which git does not ignore: `mdash worktree add {id} --exclude` adds it to .git/info/exclude"
                                ));
                            }
                            msg
                        })
                }
                RunAction::Pause => told(
                    &id,
                    format!("paused {id}"),
                    control::pause(&root, &id, target.as_ref().ok()),
                ),
                RunAction::Resume => told(
                    &id,
                    format!("resumed {id}"),
                    control::resume(&root, &id, target.as_ref().ok()),
                ),
                RunAction::Stop => told(
                    &id,
                    format!("stopped {id} — press s to start it again"),
                    control::stop(&root, &id, target.as_ref().ok()),
                ),
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
            let lines = output_lines(&root, &path);
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
        if n.tmux && crate::live::tmux::inside() {
            crate::live::tmux::display_message(&format!("mdash: {text}"));
        }
    }
}

/// The last lines of a text file, from its last `bytes` bytes.
/// The last lines of a run's output (an agent's or a checks run's), read
/// through the read fence: a symlinked log (or `logs/`) that leads out of
/// the workspace is not shown. Control characters but tabs are dropped.
pub(super) fn output_lines(root: &Path, path: &Path) -> Vec<String> {
    let fence = crate::read::file::Fence::new(root, u64::MAX);
    let (text, cut) = match crate::read::file::tail_text(&fence, path, 64 * 1024) {
        Ok(t) => t,
        Err(_) if std::fs::symlink_metadata(path).is_err() => {
            return vec!["(no output yet)".into()];
        }
        Err(p) => return vec![format!("(not shown: {})", p.message)],
    };
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect()
        })
        .collect();
    if cut && !lines.is_empty() {
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(2000);
    lines.split_off(skip)
}

/// A pause, resume or stop in the dashboard's words: what was done, what
/// could not be recorded, and the next step when the run is over.
fn told(
    id: &str,
    done: String,
    r: Result<crate::live::runs::control::Notes, crate::live::runs::control::Failure>,
) -> Result<String, crate::live::runs::control::Refusal> {
    use crate::live::runs::control::{Failure, Refusal};
    match r {
        Ok(notes) if notes.is_empty() => Ok(done),
        Ok(notes) => Ok(format!("{done}; not recorded: {}", notes.join("; "))),
        Err(e @ Failure::Ended(_)) => Err(Refusal::Other(format!(
            "{} — press s to start it again",
            e.text(id)
        ))),
        Err(e) => Err(Refusal::Other(e.text(id))),
    }
}
