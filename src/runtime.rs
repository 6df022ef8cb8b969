//! The event loop: terminal events, file changes, reload results and signals
//! in; one frame out when something changed. Disk work runs on blocking
//! workers, never on this task; with nothing happening it sleeps without a
//! timer.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_lite::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::keymap::Keymap;
use crate::app::update::update;
use crate::app::{App, Effect, Msg, WatchMode};
use crate::live::watch::{WatchMsg, Watcher};
use crate::live::config::{self, Config};
use crate::read::workspace::Reader;
use crate::runtime::tui::Tui;

mod actions;
pub mod tui;

/// Changes closer together than this are read as one.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// At most one frame per this interval.
const FRAME: Duration = Duration::from_millis(16);
/// While ages are on screen, they are refreshed this often (they show minutes).
const AGE_TICK: Duration = Duration::from_secs(60);

pub struct Options {
    pub poll: bool,
}

/// Runs the dashboard until the user quits. Returns the exit code.
pub fn run(root: PathBuf, opts: Options) -> color_eyre::Result<i32> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "mdash: the dashboard needs a terminal; for text output use `mdash status` (or `mdash status --json`)"
        );
        return Ok(crate::cli::EXIT_USAGE);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let code = rt.block_on(event_loop(root, opts));
    // Blocking workers (a reload in flight) are not waited for.
    rt.shutdown_background();
    code
}

const JOB_RELOAD: &str = "reading the workspace";
const JOB_GIT: &str = "reading git state";

/// Runs blocking work (disk, git, processes) on a worker and sends the
/// message it returns; a panic in the worker comes back as `Msg::Failed`,
/// in words, instead of being lost (and the loop can clear its in-flight
/// flag).
fn offload(
    tx: &mpsc::UnboundedSender<Msg>,
    what: &'static str,
    job: impl FnOnce() -> Msg + Send + 'static,
) {
    let task = tokio::task::spawn_blocking(job);
    let tx = tx.clone();
    tokio::spawn(async move {
        let msg = match task.await {
            Ok(msg) => msg,
            Err(e) => Msg::Failed {
                job: what,
                text: panic_text(e),
            },
        };
        let _ = tx.send(msg);
    });
}

/// Fire-and-forget tmux command; tmux answers at once.
fn tmux(args: &[&str]) {
    let _ = std::process::Command::new("tmux")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// Everything the loop owns besides the app.
struct Runner {
    root: PathBuf,
    cfg: Config,
    reader: Arc<Mutex<Reader>>,
    watcher: Arc<Mutex<Watcher>>,
    tx: mpsc::UnboundedSender<Msg>,
    reloading: bool,
    reload_again: bool,
    pending: HashSet<PathBuf>,
    rescan: bool,
    debounce_at: Option<Instant>,
    last_notify: Option<Instant>,
    /// Milestone ids of the last snapshot, for mapping worktrees.
    ids: Vec<String>,
    git_running: bool,
    git_again: bool,
    git_pending: bool,
    git_generation: u64,
    /// The repository's git directory, whose changes mean git state changed.
    git_dir: Option<PathBuf>,
    /// Runs live in tmux windows (`agent.backend: tmux`), read at start.
    tmux_backend: bool,
    /// The reload in flight re-reads files inside a worktree: its git state
    /// (dirt) changed too.
    worktree_touched: bool,
}

impl Runner {
    /// Starts a reload on a blocking worker, unless one is running (then
    /// another follows it).
    fn reload(&mut self) {
        if self.reloading {
            self.reload_again = true;
            return;
        }
        self.reloading = true;
        self.reload_again = false;
        self.debounce_at = None;
        let paths: Vec<PathBuf> = self.pending.drain().collect();
        let worktrees = self.root.join(crate::read::workspace::WORKTREES);
        self.worktree_touched = paths.iter().any(|p| p.starts_with(&worktrees));
        let rescan = std::mem::take(&mut self.rescan);
        let (reader, watcher) = (self.reader.clone(), self.watcher.clone());
        offload(&self.tx, JOB_RELOAD, move || {
            crate::util::fault::point("reload");
            if let Ok(mut w) = watcher.lock() {
                w.refresh();
            }
            let mut r = reader.lock().unwrap_or_else(|p| p.into_inner());
            if rescan {
                r.invalidate_all();
            }
            r.invalidate(paths);
            Msg::Loaded(Box::new(r.load(Utc::now())))
        });
    }

    /// Reads every worktree's git state on a blocking worker: one refresh
    /// in flight, later requests folded into one more, results tagged with a
    /// generation so a stale one is dropped.
    fn git_refresh(&mut self) {
        self.git_pending = false;
        if self.git_running {
            self.git_again = true;
            return;
        }
        self.git_running = true;
        self.git_again = false;
        self.git_generation += 1;
        let generation = self.git_generation;
        let (root, ids, base) = (
            self.root.clone(),
            self.ids.clone(),
            self.cfg.base_branch.clone(),
        );
        offload(&self.tx, JOB_GIT, move || {
            crate::util::fault::point("git");
            Msg::Git {
                generation,
                states: crate::live::git::states_for(&root, &ids, base.as_deref()),
            }
        });
    }
}

fn panic_text(e: tokio::task::JoinError) -> String {
    crate::runtime::tui::WORKER_PANIC
        .lock()
        .ok()
        .and_then(|mut p| p.take())
        .unwrap_or_else(|| e.to_string())
}

fn keymap(cfg: &Config) -> (Keymap, Vec<String>) {
    let mut km = Keymap::default();
    let errors = km.apply(&cfg.keys);
    (km, errors)
}

async fn event_loop(root: PathBuf, opts: Options) -> color_eyre::Result<i32> {
    let (cfg, _) = config::load(&root);
    let (km, key_errors) = keymap(&cfg);
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(km, color, Utc::now());
    let agent = crate::live::config::agent::load(&root);
    app.max_concurrent = agent.max_concurrent;
    if let Some(e) = key_errors.first() {
        app.message = Some(format!("{}: {e}", config::FILE));
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (wtx, mut wrx) = mpsc::unbounded_channel::<WatchMsg>();
    let watcher = Watcher::start(&root, opts.poll, wtx);
    if let Some(why) = &watcher.polling {
        app.watch = WatchMode::Polling(why.clone());
    }
    let mut runner = Runner {
        root: root.clone(),
        cfg,
        reader: Arc::new(Mutex::new(Reader::new(&root))),
        watcher: Arc::new(Mutex::new(watcher)),
        tx,
        reloading: false,
        reload_again: false,
        pending: HashSet::new(),
        rescan: false,
        debounce_at: None,
        last_notify: None,
        ids: Vec::new(),
        git_running: false,
        git_again: false,
        git_pending: false,
        git_generation: 0,
        git_dir: Some(root.join(".git")).filter(|d| d.is_dir()),
        tmux_backend: agent.backend == crate::live::config::agent::Backend::Tmux,
        worktree_touched: false,
    };
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;

    let mut tui = Tui::enter()?;
    let size = tui.term.size()?;
    app.size = (size.width, size.height);
    let mut events = EventStream::new();
    runner.reload();

    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut tick_at: Option<Instant> = None;
    let mut poll_at: Option<Instant> = None;
    let mut git_at: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let draw_at = match (dirty, last_draw) {
            (false, _) => None,
            (true, Some(t)) if now - t < FRAME => Some(t + FRAME),
            (true, _) => {
                if tui.term.draw(|f| crate::ui::render(&app, f)).is_err() {
                    break; // the terminal is gone
                }
                dirty = false;
                last_draw = Some(now);
                None
            }
        };
        if app.quit {
            break;
        }
        if app.shows_ages() {
            tick_at.get_or_insert(now + AGE_TICK);
        } else {
            tick_at = None;
        }
        // A run killed outright leaves no record: look again now and then
        // while runs are live.
        let live_runs = app.snap.as_ref().is_some_and(|s| {
            s.milestones.iter().any(|m| {
                m.run
                    .as_ref()
                    .is_some_and(|r| r.state.is_live())
            })
        });
        if (live_runs || matches!(app.watch, WatchMode::Polling(_))) && !runner.reloading {
            poll_at.get_or_insert(now + crate::live::watch::POLL_INTERVAL);
        }
        // The slow git timer catches working-tree dirt, which is not watched.
        if !app.git.is_empty() && !runner.git_running {
            git_at.get_or_insert(now + Duration::from_secs(runner.cfg.git_refresh_secs.max(1)));
        }
        let wake = [draw_at, runner.debounce_at, tick_at, poll_at, git_at]
            .into_iter()
            .flatten()
            .min();
        let mut msgs: Vec<Msg> = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => msgs.push(Msg::Key(k)),
                Some(Ok(TermEvent::Mouse(m))) => msgs.push(Msg::Mouse(m)),
                Some(Ok(TermEvent::Resize(w, h))) => msgs.push(Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                // The terminal went away (tmux pane killed): leave, don't spin.
                Some(Err(_)) | None => break,
            },
            Some(w) = wrx.recv() => {
                watch_msg(&mut runner, &mut app, w);
                while let Ok(w) = wrx.try_recv() {
                    watch_msg(&mut runner, &mut app, w);
                }
            }
            Some(m) = rx.recv() => {
                msgs.push(m);
                while let Ok(m) = rx.try_recv() {
                    msgs.push(m);
                }
            }
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
            _ = sigtstp.recv() => {
                tui.suspend()?;
                dirty = true;
                last_draw = None;
            }
            _ = tokio::time::sleep_until(wake.unwrap_or(now)), if wake.is_some() => {
                let now = Instant::now();
                let debounced = runner.debounce_at.is_some_and(|t| t <= now);
                if debounced && runner.git_pending {
                    runner.git_refresh();
                }
                if debounced && (runner.rescan || !runner.pending.is_empty()) || poll_at.is_some_and(|t| t <= now) {
                    poll_at = None;
                    runner.reload();
                }
                runner.debounce_at = runner.debounce_at.filter(|t| *t > now);
                if git_at.is_some_and(|t| t <= now) {
                    git_at = None;
                    runner.git_refresh();
                }
                if tick_at.is_some_and(|t| t <= now) {
                    tick_at = None;
                    msgs.push(Msg::Tick(Utc::now()));
                }
            }
        }
        for msg in msgs {
            let git_done = matches!(&msg, Msg::Git { .. } | Msg::Failed { job: JOB_GIT, .. });
            if git_done {
                runner.git_running = false;
                if runner.git_again {
                    runner.git_refresh();
                }
            }
            if let Msg::Failed {
                job: JOB_RELOAD, ..
            } = &msg
            {
                // Not retried at once (a bug on some input would spin); the
                // next change, or the poll timer, reads everything again.
                runner.reloading = false;
                runner.rescan = true;
            }
            if let Msg::Loaded(snap) = &msg {
                runner.reloading = false;
                let ids: Vec<String> = snap
                    .milestones
                    .iter()
                    .map(|m| m.milestone.id.clone())
                    .collect();
                // Worktree states depend on which milestones exist; git
                // itself changing is seen by the metadata watch and timer.
                if ids != runner.ids || runner.git_generation == 0 || runner.worktree_touched {
                    runner.ids = ids;
                    runner.git_refresh();
                }
                if runner.reload_again {
                    runner.reload();
                }
            }
            dirty = true;
            for fx in update(&mut app, msg) {
                match fx {
                    Effect::LoadLog(id) => {
                        let m = app
                            .snap
                            .as_ref()
                            .and_then(|s| s.milestones.iter().find(|m| m.milestone.id == id));
                        if let Some(m) = m.map(|m| m.milestone.clone()) {
                            load_log(&runner, m, id);
                        }
                    }
                    Effect::Notify(text) => runner.notify(&mut tui, &text),
                    Effect::AddWorktree(id) => runner.add_worktree(id),
                    Effect::Run { id, action } => runner.run_action(id, action),
                    Effect::LoadAgentOutput(id) => runner.agent_output(id),
                    Effect::TmuxSelect(id) => {
                        if runner.tmux_backend && std::env::var_os("TMUX").is_some() {
                            tmux(&["select-window", "-t", &format!("mdash:{id}")]);
                        }
                    }
                    Effect::ExcludeWorktrees => {
                        let root = runner.root.clone();
                        offload(&runner.tx, "updating .git/info/exclude", move || {
                            Msg::Notice(match crate::live::git::exclude_worktrees(&root) {
                                Ok(()) => "added /.worktrees/ to .git/info/exclude".to_string(),
                                Err(e) => format!("cannot update .git/info/exclude: {e}"),
                            })
                        });
                    }
                    Effect::Suspend => {
                        tui.suspend()?;
                        last_draw = None;
                    }
                    Effect::Quit => app.quit = true,
                }
            }
        }
    }
    drop(tui);
    Ok(0)
}

fn load_log(runner: &Runner, m: std::sync::Arc<crate::model::Milestone>, id: String) {
    let (root, tx, max) = (
        runner.root.clone(),
        runner.tx.clone(),
        runner.cfg.max_file_bytes,
    );
    offload(&tx, "reading the event log", move || Msg::LogLoaded {
        events: crate::read::history::events(&root, &m, max),
        id,
    });
}

fn watch_msg(runner: &mut Runner, app: &mut App, w: WatchMsg) {
    match w {
        WatchMsg::Paths(paths) => {
            for p in paths {
                if runner.git_dir.as_ref().is_some_and(|g| p.starts_with(g)) {
                    runner.git_pending |= !p.components().any(|c| c.as_os_str() == "objects");
                } else if relevant(&runner.root, &p) {
                    runner.pending.insert(p);
                }
            }
        }
        WatchMsg::Rescan => runner.rescan = true,
        WatchMsg::Degraded(why) => {
            app.watch = WatchMode::Polling(why);
            runner.rescan = true;
        }
    }
    if (runner.rescan || runner.git_pending || !runner.pending.is_empty())
        && runner.debounce_at.is_none()
    {
        runner.debounce_at = Some(Instant::now() + DEBOUNCE);
    }
}

/// Changes that can alter what is shown: under the watched trees, or the
/// creation and removal of those trees. Other files in the root and the
/// worktree roots (source files an agent writes) are not.
fn relevant(root: &Path, p: &Path) -> bool {
    let Ok(rel) = p.strip_prefix(root) else {
        return true;
    };
    let mut parts = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let first = parts.next().unwrap_or_default();
    match first.as_str() {
        ".milestones" | ".milestone_bundles" | ".task_bundles" => true,
        ".worktrees" => match (parts.next(), parts.next()) {
            (None, _) | (Some(_), None) => true,
            (Some(_), Some(third)) => matches!(
                third.as_str(),
                ".milestones" | ".milestone_bundles" | ".task_bundles"
            ),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_workspace_files_matter() {
        let r = Path::new("/w");
        assert!(relevant(r, Path::new("/w/.milestones/active/a.yaml")));
        assert!(relevant(r, Path::new("/w/.worktrees/m-1")));
        assert!(relevant(
            r,
            Path::new("/w/.worktrees/m-1/.milestones/logs/x.jsonl")
        ));
        assert!(!relevant(r, Path::new("/w/.worktrees/m-1/src/main.rs")));
        assert!(!relevant(r, Path::new("/w/README.md")));
        assert!(relevant(r, Path::new("/w/.milestones")));
    }
}
