//! What the event loop owns besides the app: the reader and watcher, the
//! single-flight reload and git jobs, the debounce, and how watcher events,
//! finished jobs and effects are handled.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::flight::SingleFlight;
use super::tui::Tui;
use super::{DEBOUNCE, JOB_FIRST, JOB_GIT, JOB_RELOAD, offload};
use crate::app::{App, Effect, Msg};
use crate::live::config::Config;
use crate::live::snapshot::Reader;
use crate::live::watch::{WatchMsg, Watcher};

/// Everything the loop owns besides the app.
pub(super) struct Runner {
    pub(super) root: PathBuf,
    pub(super) cfg: Config,
    pub(super) reader: Arc<Mutex<Reader>>,
    /// Set once its watches are up (`WatchMsg::Started`).
    pub(super) watcher: Arc<Mutex<Option<Watcher>>>,

    pub(super) tx: mpsc::UnboundedSender<Msg>,
    /// The reload in flight, if any.
    pub(super) reloads: SingleFlight,
    /// The live runs' supervisors, waited on through pidfds.
    pub(super) exits: super::exits::Exits,
    /// The watcher's channel: a run's end arrives as its record changing.
    pub(super) wtx: mpsc::UnboundedSender<WatchMsg>,
    /// A word for the status line (run ends polled, and why).
    pub(super) notice: Option<String>,
    /// The watcher is live: its events name every change.
    pub(super) trusted: bool,
    /// The log pane's history may have changed since it was last read (an
    /// event log changed, or a reload that does not know what changed).
    pub(super) log_stale: bool,
    /// The reload in flight may change it.
    pub(super) reload_touches_logs: bool,
    /// The milestone (and worktree) whose history the pane last read.
    pub(super) last_log: Option<(String, Option<String>)>,
    /// When the reload in flight started: the next one waits at least as
    /// long as it took, so reloads under a stream of changes coalesce and
    /// take at most half of a core.
    pub(super) reload_started: Option<Instant>,
    /// A reload was asked for while one ran: it starts at `debounce_at`.
    pub(super) queued: bool,
    pub(super) pending: HashSet<PathBuf>,
    pub(super) rescan: bool,
    pub(super) debounce_at: Option<Instant>,
    pub(super) last_notify: Option<Instant>,
    /// Milestone ids of the last snapshot, for mapping worktrees.
    pub(super) ids: Vec<String>,
    /// The git read in flight, if any.
    pub(super) git: SingleFlight,
    pub(super) git_pending: bool,
    pub(super) git_generation: u64,
    /// Forecast merges already done, by pair of commits: kept between git
    /// refreshes so only moved tips cost a merge.
    pub(super) forecast: Arc<Mutex<crate::live::git::forecast::Cache>>,
    /// The repository's git directory, whose changes mean git state changed.
    pub(super) git_dir: Option<PathBuf>,
    /// Runs live in tmux windows (`agent.backend: tmux`), read at start.
    pub(super) tmux_backend: bool,
    /// The reload in flight re-reads files inside a worktree: its git state
    /// (dirt) changed too.
    pub(super) worktree_touched: bool,
}

/// How many milestone files the first screenful reads (more rows than a
/// terminal shows).
const FIRST_SCREEN: usize = 200;

impl Runner {
    /// Starts a reload on a blocking worker, unless one is running (then
    /// another follows it).
    pub(super) fn reload(&mut self) {
        if !self.reloads.request() {
            return;
        }
        self.debounce_at = None;
        self.queued = false;
        let paths: Vec<PathBuf> = self.pending.drain().collect();
        let worktrees = self.root.join(crate::read::workspace::WORKTREES);
        self.worktree_touched = paths.iter().any(|p| p.starts_with(&worktrees));
        let rescan = std::mem::take(&mut self.rescan);
        let trusted = self.trusted;
        // History comes from event logs only (`read::history`), and not
        // from another known milestone's own log; a path without an
        // extension may be a directory of them.
        let shown = self.last_log.as_ref().map(|(id, _)| id.as_str());
        let ids = &self.ids;
        self.reload_touches_logs = rescan
            || !trusted
            || paths
                .iter()
                .any(|p| match crate::read::file::ext(p).as_str() {
                    "" => true,
                    "jsonl" => crate::read::log::owner(p)
                        .is_none_or(|o| Some(o.as_str()) == shown || !ids.contains(&o)),
                    _ => false,
                });
        crate::util::log::decided!(
            "reload: {} changed path(s) {:?}{}{}",
            paths.len(),
            paths
                .iter()
                .take(3)
                .map(|p| p.strip_prefix(&self.root).unwrap_or(p))
                .collect::<Vec<_>>(),
            if rescan { ", rescan" } else { "" },
            if trusted {
                ""
            } else {
                ", watcher not trusted: full read"
            }
        );
        self.reload_started = Some(Instant::now());
        let (reader, watcher) = (self.reader.clone(), self.watcher.clone());
        offload(&self.tx, JOB_RELOAD, move || {
            crate::util::fault::point("reload");
            // The trees are walked again only when a changed path may be a
            // directory (or when everything is read again).
            let changed = (!rescan && trusted).then_some(paths.as_slice());
            let root = watcher
                .lock()
                .map_or(crate::live::watch::Root::Same, |mut w| {
                    w.as_mut().map_or(crate::live::watch::Root::Same, |w| {
                        w.refresh_changed(changed)
                    })
                });
            let mut r = reader.lock().unwrap_or_else(|p| p.into_inner());
            let reopened = root == crate::live::watch::Root::Reopened;
            if rescan || reopened {
                r.invalidate_all();
            }
            // The watcher's paths are all that changed only while it is
            // live and lost nothing; else every file's stamp is looked at.
            let trusted = trusted && !rescan && root == crate::live::watch::Root::Same;
            Msg::Loaded(Box::new(r.load_changed(paths, trusted, Utc::now())))
        });
    }

    /// While the watches are set up (`WatchMsg::Started` starts the first
    /// full read): the first screenful, on a worker.
    pub(super) fn first_screen(&self) {
        let reader = self.reader.clone();
        offload(&self.tx, JOB_FIRST, move || {
            let mut r = reader.lock().unwrap_or_else(|p| p.into_inner());
            Msg::Partial(r.first_screen(FIRST_SCREEN, Utc::now()).map(Box::new))
        });
    }

    /// Reads every worktree's git state on a blocking worker: one refresh
    /// in flight, later requests folded into one more, results tagged with a
    /// generation so a stale one is dropped.
    pub(super) fn git_refresh(&mut self) {
        self.git_pending = false;
        if !self.git.request() {
            return;
        }
        self.git_generation += 1;
        let generation = self.git_generation;
        let (root, ids, base, cache) = (
            self.root.clone(),
            self.ids.clone(),
            self.cfg.base_branch.clone(),
            self.forecast.clone(),
        );
        offload(&self.tx, JOB_GIT, move || {
            crate::util::fault::point("git");
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            Msg::Git {
                generation,
                states: crate::live::git::states_with_forecast(
                    &root,
                    &ids,
                    base.as_deref(),
                    &mut cache,
                ),
            }
        });
    }

    fn git_done(&mut self) {
        if self.git.done() {
            self.git_refresh();
        }
    }

    /// Bookkeeping for a message before `update` sees it: finished jobs
    /// free their slot (and start again when asked meanwhile), a snapshot
    /// with another set of milestones asks for git state.
    pub(super) fn on_message(&mut self, msg: &Msg) {
        match msg {
            Msg::Git { .. } | Msg::Failed { job: JOB_GIT, .. } => self.git_done(),
            Msg::Failed {
                job: JOB_RELOAD, ..
            } => {
                // Not retried at once (a bug on some input would spin); the
                // next change, or the poll timer, reads everything again.
                self.reloads.done();
                self.rescan = true;
            }
            Msg::Loaded(snap) => {
                self.log_stale |= self.reload_touches_logs;
                // The worker has let go of the reader; never wait for it.
                if let Ok(r) = self.reader.try_lock() {
                    self.notice = self.exits.sync(&self.root, r.leaders(), &self.wtx);
                }
                let again = self.reloads.done();
                let ids: Vec<String> = snap
                    .milestones
                    .iter()
                    .map(|m| m.milestone.id.clone())
                    .collect();
                // Worktree states depend on which milestones exist; git
                // itself changing is seen by the metadata watch and timer.
                if ids != self.ids || self.git_generation == 0 || self.worktree_touched {
                    self.ids = ids;
                    self.git_refresh();
                }
                if again {
                    let took = self.reload_started.map_or(DEBOUNCE, |t| t.elapsed());
                    let at = Instant::now() + took.max(DEBOUNCE);
                    self.debounce_at = Some(self.debounce_at.map_or(at, |d| d.min(at)));
                    self.queued = true;
                }
            }
            _ => {}
        }
    }

    /// Carries out one effect of `update`. `Ok(true)` asks the loop to
    /// redraw from scratch (the terminal was given away meanwhile).
    pub(super) fn apply(
        &mut self,
        fx: Effect,
        tui: &mut Tui,
        app: &mut App,
    ) -> std::io::Result<bool> {
        match fx {
            Effect::LoadLog(id) => {
                let m = app
                    .snap
                    .as_ref()
                    .and_then(|s| s.milestones.iter().find(|m| m.milestone.id == id));
                if let Some(m) = m.map(|m| m.milestone.clone()) {
                    // A snapshot that changed no log leaves the history as
                    // read: reading it means every shared log's tail.
                    let key = (id.clone(), m.worktree_dir.clone());
                    if self.log_stale || self.last_log.as_ref() != Some(&key) {
                        self.log_stale = false;
                        self.last_log = Some(key);
                        load_log(self, m, id);
                    }
                }
            }
            Effect::Notify(text) => self.notify(tui, &text),
            Effect::AddWorktree(id) => self.add_worktree(id),
            Effect::Run { id, action } => self.run_action(id, action, app.snap.as_ref()),
            Effect::LoadAgentOutput(id) => self.agent_output(id),
            Effect::RunChecks(id) => self.run_checks(id, None),
            Effect::TrustChecks { id, fingerprint } => {
                app.checks.push(crate::app::ChecksLive {
                    id: id.clone(),
                    elapsed_secs: 0,
                    last: String::new(),
                });
                self.run_checks(id, Some(fingerprint))
            }
            Effect::LoadChecksOutput(id) => self.checks_output(id),
            Effect::Merge { id, force } => self.merge(id, force),
            Effect::RemoveWorktree(id) => self.remove_worktree(id),
            Effect::TmuxSelect(id) => {
                if self.tmux_backend && crate::live::tmux::inside() {
                    let root = self.root.clone();
                    offload(&self.tx, "switching to the run's tmux window", move || {
                        Msg::Notice(
                            match crate::live::runs::control::select_window(&root, &id) {
                                Ok(()) => format!("switched to {id}'s tmux window"),
                                Err(e) => format!("cannot switch to {id}'s tmux window: {e}"),
                            },
                        )
                    });
                }
            }
            Effect::ExcludeWorktrees => {
                let root = self.root.clone();
                offload(&self.tx, "updating .git/info/exclude", move || {
                    Msg::Notice(match crate::live::git::exclude_worktrees(&root) {
                        Ok(()) => "added /.worktrees/ to .git/info/exclude".to_string(),
                        Err(e) => format!("cannot update .git/info/exclude: {e}"),
                    })
                });
            }
            Effect::LoadPreview { id, agent } => {
                let root = self.root.clone();
                offload(&self.tx, "reading the agent's request", move || {
                    Msg::PreviewLoaded {
                        preview: crate::live::agent::request::preview(&root, &id, &agent),
                        id,
                    }
                });
            }
            Effect::Answer { id, hash, allow } => {
                let root = self.root.clone();
                offload(&self.tx, "answering the agent", move || Msg::Answered {
                    result: crate::live::agent::answer::answer(&root, &id, &hash, allow),
                    id,
                });
            }
            Effect::Reply { id, pane: _, text } => {
                let root = self.root.clone();
                offload(&self.tx, "replying to the agent", move || Msg::Answered {
                    result: crate::live::agent::answer::reply(&root, &id, &text),
                    id,
                });
            }
            Effect::FocusAgent { id, pane: _ } => {
                return focus_agent(app, tui, &self.tx, self.root.clone(), &id, &id);
            }
            Effect::Suspend => {
                tui.suspend()?;
                return Ok(true);
            }
            Effect::Quit => app.quit = true,
        }
        Ok(false)
    }
}

pub(super) fn load_log(runner: &Runner, m: std::sync::Arc<crate::model::Milestone>, id: String) {
    let (root, tx, max) = (
        runner.root.clone(),
        runner.tx.clone(),
        runner.cfg.max_file_bytes,
    );
    let known: std::collections::HashSet<String> = runner.ids.iter().cloned().collect();
    offload(&tx, "reading the event log", move || Msg::LogLoaded {
        events: crate::read::history::events(&root, &m, max, |o| known.contains(o)),
        id,
    });
}

/// `a`: to the pane of `own`'s agent in the workspace at `root` (`shown`:
/// the id as the screen names it), the pane proven again first. Inside
/// tmux its window is selected on a worker; outside, the dashboard gives
/// its terminal to `tmux attach` until the user detaches (whether to draw
/// everything again).
pub(super) fn focus_agent(
    app: &mut App,
    tui: &mut Tui,
    tx: &mpsc::UnboundedSender<Msg>,
    root: PathBuf,
    own: &str,
    shown: &str,
) -> std::io::Result<bool> {
    let (own, id) = (own.to_string(), shown.to_string());
    if crate::live::tmux::inside() {
        // tmux commands are process work: on a worker.
        offload(tx, "going to the agent", move || {
            // The pane proven again, not the snapshot's word.
            let went = crate::live::agent::answer::pane_now(&root, &own)
                .and_then(|(_, p)| crate::live::pane::focus(&p).map(|()| p));
            Msg::Notice(match went {
                Ok(p) => format!(
                    "at {id}'s agent ({}); back here: tmux last-window (prefix l)",
                    p.pane
                ),
                Err(e) => format!("cannot go to {id}'s agent: {e}"),
            })
        });
        return Ok(false);
    }
    // Outside tmux the dashboard gives its terminal to the attach.
    let pane = match crate::live::agent::answer::pane_now(&root, &own) {
        Ok((_, p)) => p,
        Err(e) => {
            app.message = Some(format!("cannot go to {id}'s agent: {e}"));
            app.dirty = true;
            return Ok(false);
        }
    };
    match crate::live::pane::attach_command(&pane) {
        Some(cmd) => {
            tui.run_outside(cmd)?;
            app.message = Some(format!("back from {id}'s agent"));
            Ok(true)
        }
        None => {
            app.message = Some(format!(
                "cannot go to {id}'s agent: {id}'s agent pane {} is gone",
                pane.pane
            ));
            app.dirty = true;
            Ok(false)
        }
    }
}
