//! The event loop: terminal events, file changes, reload results and signals
//! in; one frame out when something changed. Disk work runs on blocking
//! workers, never on this task; with nothing happening it sleeps without a
//! timer.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
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
use crate::app::{App, Msg, WatchMode};
use crate::live::config::{self, Config};
use crate::live::snapshot::Reader;
use crate::live::watch::{WatchMsg, Watcher};
use crate::runtime::tui::Tui;

mod actions;
mod exits;
pub mod fleet;
mod flight;
mod merge;
mod runner;
pub mod tui;
pub(crate) mod watching;

use flight::SingleFlight;
use runner::Runner;
use watching::watch_msg;

/// Changes closer together than this are read as one.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// How long a message stays in the status line.
const MESSAGE_TIME: Duration = Duration::from_secs(8);

/// At most one frame per this interval.
const FRAME: Duration = Duration::from_millis(16);
/// While ages are on screen, they are refreshed this often (they show minutes).
const AGE_TICK: Duration = Duration::from_secs(60);

pub struct Options {
    pub poll: bool,
}

/// Runs the dashboard until the user quits. Returns the exit code.
pub fn run(root: PathBuf, opts: Options) -> color_eyre::Result<i32> {
    let code = on_a_terminal(
        "`mdash status` (or `mdash status --json`)",
        event_loop(root, opts),
    );
    // A test suite started with `t` does not outlive the dashboard.
    crate::live::runs::checks::stop_all();
    code
}

/// Runs a dashboard's event loop on a single-threaded runtime, when stdin
/// and stdout are a terminal; else says what gives text instead (exit 2).
pub(crate) fn on_a_terminal(
    text_instead: &str,
    event_loop: impl std::future::Future<Output = color_eyre::Result<i32>>,
) -> color_eyre::Result<i32> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("mdash: the dashboard needs a terminal; for text output use {text_instead}");
        return Ok(crate::util::EXIT_USAGE);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let code = rt.block_on(event_loop);
    // Blocking workers (a reload in flight) are not waited for.
    rt.shutdown_background();
    code
}

const JOB_RELOAD: &str = "reading the workspace";
const JOB_GIT: &str = "reading git state";
const JOB_FIRST: &str = "reading the first milestones";

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
    // Whatever `keys:` says, q and C-c leave.
    km.keep_quit();
    (km, errors)
}

type Channels = (
    mpsc::UnboundedReceiver<Msg>,
    mpsc::UnboundedReceiver<WatchMsg>,
);

/// The app and the runner for `root`, the watcher started, and the
/// channels their messages arrive on. The first frame (the header and
/// "reading…") is drawn at once; the watcher is set up on a thread of its
/// own (watching a large tree walks all of it) while the first read goes on.
fn setup(root: PathBuf, opts: &Options, tui: &mut Tui) -> (App, Runner, Channels) {
    // Both config files, read once for the whole start-up.
    let loaded = config::read(&root);
    let cfg = loaded.config.clone();
    let (km, key_errors) = keymap(&cfg);
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(km, color, Utc::now());
    let agent = loaded.agent.clone();
    app.max_concurrent = agent.max_concurrent;
    app.tmux_runs =
        agent.backend == crate::live::config::agent::Backend::Tmux && crate::live::tmux::inside();
    let _ = key_errors;
    // Every config problem, with file and line, as `mdash check` tells it.
    let mut problems = loaded.problems().to_vec();
    problems.extend(config::check::key_problems(
        &loaded.layered,
        Keymap::entry_problems,
    ));
    app.config_problems = problems.iter().map(|p| p.told()).collect();
    if let Some(first) = app.config_problems.first() {
        let more = app.config_problems.len() - 1;
        app.message = Some(if more == 0 {
            format!("config: {first}")
        } else {
            format!("config: {first} (and {more} more: mdash check lists them)")
        });
    }
    if let Ok(size) = tui.term.size() {
        app.size = (size.width, size.height);
    }
    let _ = tui.term.draw(|f| crate::ui::render(&app, f));
    let (tx, rx) = mpsc::unbounded_channel::<Msg>();
    let (wtx, wrx) = mpsc::unbounded_channel::<WatchMsg>();
    // Set up beside the first read (`WatchMsg::Started`), not before it.
    let watcher = Arc::new(Mutex::new(None));
    Watcher::start_in(watcher.clone(), &root, opts.poll, wtx.clone());
    let runner = Runner {
        root: root.clone(),
        cfg,
        reader: Arc::new(Mutex::new(Reader::new(&root).writing())),
        watcher,
        tx,
        reloads: SingleFlight::default(),
        exits: exits::Exits::default(),
        wtx,
        notice: None,
        trusted: false,
        log_stale: true,
        reload_touches_logs: true,
        last_log: None,
        reload_started: None,
        queued: false,
        pending: HashSet::new(),
        rescan: false,
        debounce_at: None,
        last_notify: None,
        ids: Vec::new(),
        git: SingleFlight::default(),
        git_pending: false,
        git_generation: 0,
        forecast: Default::default(),
        git_dir: Some(root.join(".git")).filter(|d| d.is_dir()),
        tmux_backend: agent.backend == crate::live::config::agent::Backend::Tmux,
        worktree_touched: false,
    };
    (app, runner, (rx, wrx))
}

async fn event_loop(root: PathBuf, opts: Options) -> color_eyre::Result<i32> {
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigtstp = signal(SignalKind::from_raw(rustix::process::Signal::TSTP.as_raw()))?;

    let mut tui = Tui::enter()?;
    let (mut app, mut runner, (mut rx, mut wrx)) = setup(root, &opts, &mut tui);
    let size = tui.term.size()?;
    app.size = (size.width, size.height);
    let mut events = EventStream::new();
    // The full read follows when the watches are up (`WatchMsg::Started`).
    runner.first_screen();

    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut tick_at: Option<Instant> = None;
    let mut poll_at: Option<Instant> = None;
    let mut git_at: Option<Instant> = None;
    // A message stays up for a while, then the key hints come back.
    let mut said: Option<String> = None;
    let mut said_until: Option<Instant> = None;
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
        // A run killed outright leaves no record: its supervisor's pidfd
        // says when it ends; only without pidfds, look again now and then
        // while runs are live.
        let live_runs = runner.exits.polls()
            && app.snap.as_ref().is_some_and(|s| {
                s.milestones
                    .iter()
                    .any(|m| m.run.as_ref().is_some_and(|r| r.state.is_live()))
            });
        if (live_runs || matches!(app.watch, WatchMode::Polling(_))) && !runner.reloads.running() {
            poll_at.get_or_insert(now + crate::live::watch::POLL_INTERVAL);
        }
        // A turn that ended with no hook shows only on the agent's screen.
        if app.watches_agent_screens() && !runner.reloads.running() {
            poll_at.get_or_insert(now + crate::live::watch::POLL_INTERVAL);
        }
        // The slow git timer catches working-tree dirt, which is not watched.
        if !app.git.is_empty() && !runner.git.running() {
            // Saturating: no configured value can overflow the clock.
            let every = Duration::from_secs(runner.cfg.git_refresh_secs.max(1));
            git_at.get_or_insert(
                now.checked_add(every)
                    .unwrap_or_else(|| now + Duration::from_secs(86_400)),
            );
        }
        if app.message != said {
            said = app.message.clone();
            said_until = said.as_ref().map(|_| now + MESSAGE_TIME);
        }
        let wake = [
            draw_at,
            runner.debounce_at,
            tick_at,
            poll_at,
            git_at,
            said_until,
        ]
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
                // The header says how the workspace is watched.
                dirty |= std::mem::take(&mut app.dirty);
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
                if debounced && (runner.rescan || runner.queued || !runner.pending.is_empty()) || poll_at.is_some_and(|t| t <= now) {
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
                if said_until.is_some_and(|t| t <= now) {
                    said_until = None;
                    if let Some(text) = said.clone() {
                        msgs.push(Msg::MessageExpired(text));
                    }
                }
            }
        }
        for msg in msgs {
            runner.on_message(&msg);
            if let Some(why) = runner.notice.take() {
                app.message = Some(why);
                dirty = true;
            }
            for fx in update(&mut app, msg) {
                if runner.apply(fx, &mut tui, &mut app)? {
                    last_draw = None;
                }
            }
            dirty |= std::mem::take(&mut app.dirty);
        }
    }
    drop(tui);
    Ok(0)
}
