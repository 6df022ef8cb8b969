//! The dashboard's checks runs, merges and worktree removals: each on a
//! blocking worker through `offload`, progress and results as messages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::offload;
use super::runner::Runner;
use crate::app::Msg;
use crate::live::merge as flow;

impl Runner {
    /// `trust`: the user approved the workspace's command just now, as
    /// shown with this fingerprint.
    pub(super) fn run_checks(&self, id: String, trust: Option<String>) {
        let (root, tx) = (self.root.clone(), self.tx.clone());
        offload(&self.tx, "the checks run", move || {
            let checks = crate::live::config::checks::load(&root);
            if let Some(fp) = trust {
                // Only what was shown: a file changed since is neither
                // approved nor run (issue 24 item 7).
                if checks.fingerprint(&root) != fp {
                    return Msg::ChecksDone {
                        id,
                        result: Err("checks.command changed after it was shown; nothing approved and nothing run, press t to see it again".into()),
                    };
                }
                if let Err(e) = checks.trust(&root) {
                    return Msg::ChecksDone { id, result: Err(e) };
                }
            }
            if checks.configured() && !checks.trusted(&root) {
                return Msg::ChecksUntrusted {
                    id,
                    shown: checks.fields(&root).join("\n"),
                    fingerprint: checks.fingerprint(&root),
                };
            }
            let snap = crate::live::snapshot::load_with_git(&root, chrono::Utc::now());
            let prepared = match flow::prepare_test(&root, &snap, &id) {
                Ok(p) => p,
                Err(e) => return Msg::ChecksDone { id, result: Err(e) },
            };
            let started = Instant::now();
            // A heartbeat, so the elapsed time moves while the suite is quiet.
            let done = Arc::new(AtomicBool::new(false));
            let beat = {
                let (done, tx, id) = (done.clone(), tx.clone(), id.clone());
                std::thread::spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_secs(1));
                        let _ = tx.send(Msg::ChecksProgress {
                            id: id.clone(),
                            line: None,
                            elapsed_secs: started.elapsed().as_secs(),
                        });
                    }
                })
            };
            let res = flow::test(&root, &id, &prepared, |line| {
                let _ = tx.send(Msg::ChecksProgress {
                    id: id.clone(),
                    line: Some(crate::ui::text::plain(line)),
                    elapsed_secs: started.elapsed().as_secs(),
                });
            });
            done.store(true, Ordering::Relaxed);
            let _ = beat.join();
            let result = res.map(|o| {
                let what = if o.passed() {
                    "passed".to_string()
                } else {
                    format!("FAILED ({})", o.failure())
                };
                // Not HEAD's result when the worktree had uncommitted changes.
                let dirty = match prepared.dirty {
                    0 => String::new(),
                    n => format!(" with {n} uncommitted path(s), so not counted as HEAD's"),
                };
                format!(
                    "{id}: checks {what} at {}{dirty} in {:.1}s (T shows the output)",
                    flow::short(&prepared.head),
                    o.seconds
                )
            });
            Msg::ChecksDone { id, result }
        });
    }

    pub(super) fn checks_output(&self, id: String) {
        let root = self.root.clone();
        offload(&self.tx, "reading the checks output", move || {
            let path = crate::live::runs::checks::log_path(&root, &id);
            let lines = super::actions::output_lines(&root, &path);
            Msg::ChecksOutput { id, lines }
        });
    }

    pub(super) fn merge(&self, id: String, force: bool) {
        let root = self.root.clone();
        offload(&self.tx, "the merge", move || {
            let snap = crate::live::snapshot::load_with_git(&root, chrono::Utc::now());
            let result = flow::plan(&snap, &root, &id, force)
                .map_err(|why| format!("refused, nothing changed: {}", why.join("; ")))
                .and_then(|plan| {
                    // The post-merge output goes to the checks log (T).
                    let m = flow::merge(&root, &id, &plan, |_| {})?;
                    let clean = m
                        .post
                        .as_ref()
                        .is_none_or(|r| r.as_ref().is_ok_and(|o| o.passed()));
                    Ok((m.summary(&id, &plan), clean))
                });
            Msg::MergeDone { id, result }
        });
    }

    pub(super) fn remove_worktree(&self, id: String) {
        let root = self.root.clone();
        offload(&self.tx, "removing the worktree", move || {
            let snap = crate::live::snapshot::load_with_git(&root, chrono::Utc::now());
            let result = flow::remove(&root, &snap, &id, false);
            Msg::Notice(match result {
                Ok(s) => s,
                Err(e) => format!("{id}: {e}"),
            })
        });
    }
}
