//! `mdash watch --json [PATH…]` (SPEC §13): each workspace as a stream of
//! NDJSON lines. The dashboard's reader (`live::snapshot::Reader`, its
//! incremental `load_changed`) and watcher do the reading; this only says
//! what changed since the last line (`live::fleet::wire::Sent`), coalesced
//! to at most one line per workspace per 100 ms. Idle, nothing wakes up
//! but the 30 s ping; stdin's end or a closed stdout ends it (exit 0).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value as J, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::live::fleet::wire::{SCHEMA, Sent, Update};
use crate::live::snapshot::Reader;
use crate::live::watch::{Root, WatchMsg, Watcher};

/// At most one line per workspace in this time.
mod io;
use io::{ends, host, write_line};

const SPACING: Duration = Duration::from_millis(100);
/// A change waits this long for the rest of its burst (the dashboard's).
const SETTLE: Duration = crate::runtime::DEBOUNCE;
/// A workspace that cannot be read is tried again this often.
const RETRY: Duration = Duration::from_secs(2);

/// A `ping` after this long with nothing written (debug builds:
/// `MDASH_WATCH_PING_MS`, for tests).
fn ping_after() -> Duration {
    crate::live::fleet::debug_ms("MDASH_WATCH_PING_MS").unwrap_or(Duration::from_secs(30))
}

enum Ev {
    Watch(usize, WatchMsg),
    Loaded(usize, Result<(J, Option<DateTime<Utc>>), String>),
    Quit,
}

/// One workspace of the stream.
struct Ws {
    /// The path as given, made absolute (named in `error` lines).
    arg: PathBuf,
    reader: Option<Arc<Mutex<Reader>>>,
    watcher: Arc<Mutex<Option<Watcher>>>,
    root: Option<PathBuf>,
    /// `root/.git` when it is a directory (found once, with the root).
    git_dir: Option<PathBuf>,
    started: bool,
    trusted: bool,
    polling: bool,
    pending: HashSet<PathBuf>,
    rescan: bool,
    dirty: bool,
    busy: bool,
    due: Option<Instant>,
    last_line: Option<Instant>,
    /// When the rules' views change with time alone (a stall, a task
    /// turning long-running, pace): read again then.
    timed: Option<Instant>,
    seq: u64,
    sent: Option<Sent>,
    said_error: Option<String>,
    /// Lines held until the workspaces before it have written their first.
    held: Vec<String>,
}

pub fn run(paths: Vec<PathBuf>, now: Option<DateTime<Utc>>) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mdash: cannot start: {e}");
            return 1;
        }
    };
    let code = rt.block_on(stream(paths, now));
    rt.shutdown_background();
    code
}

async fn stream(paths: Vec<PathBuf>, now: Option<DateTime<Utc>>) -> i32 {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Ev>();
    ends(&tx);
    if !write_line(&json!({"type": "hello", "schema": SCHEMA, "version": env!("CARGO_PKG_VERSION"), "host": host()}).to_string()) {
        return 0;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut ws: Vec<Ws> = paths
        .into_iter()
        .map(|p| Ws {
            arg: cwd.join(p),
            reader: None,
            watcher: Arc::new(Mutex::new(None)),
            root: None,
            git_dir: None,
            started: false,
            trusted: false,
            polling: false,
            pending: HashSet::new(),
            rescan: false,
            dirty: true,
            busy: false,
            due: Some(Instant::now()),
            last_line: None,
            timed: None,
            seq: 0,
            sent: None,
            said_error: None,
            held: Vec::new(),
        })
        .collect();
    let mut firsts = 0usize;
    let mut last_write = Instant::now();
    let mut last_seq = 0u64;
    loop {
        // Start what is due; then sleep until the next deadline or event.
        let t = Instant::now();
        for w in ws.iter_mut() {
            if w.timed.is_some_and(|d| d <= t) {
                w.timed = None;
                w.dirty = true;
                if w.due.is_none() && !w.busy {
                    w.due = Some(t);
                }
            }
        }
        for (i, w) in ws.iter_mut().enumerate() {
            if w.due.is_some_and(|d| d <= t) && !w.busy {
                w.due = None;
                start(i, w, &tx, now);
            }
        }
        let next = ws.iter().flat_map(|w| [w.due, w.timed]).flatten().min();
        let ping_at = last_write + ping_after();
        let wake = next.map_or(ping_at, |n| n.min(ping_at));
        let ev = tokio::select! {
            ev = rx.recv() => ev,
            _ = tokio::time::sleep_until(wake) => {
                if Instant::now() >= ping_at {
                    if !write_line(&json!({"type": "ping", "seq": last_seq}).to_string()) {
                        return 0;
                    }
                    last_write = Instant::now();
                }
                continue;
            }
        };
        let Some(ev) = ev else { return 0 };
        let (i, lines) = match ev {
            Ev::Quit => return 0,
            Ev::Watch(i, m) => {
                on_watch(&mut ws[i], m);
                (i, Vec::new())
            }
            Ev::Loaded(i, res) => {
                let w = &mut ws[i];
                w.busy = false;
                let res = res.map(|(doc, next)| {
                    w.timed = next.map(timed);
                    doc
                });
                (i, loaded(w, res))
            }
        };
        let w = &mut ws[i];
        if w.polling && !w.busy && w.due.is_none() {
            // No live watch: read again every 2 s, as the dashboard does.
            w.dirty = true;
            w.due = Some(Instant::now() + crate::live::watch::POLL_INTERVAL);
        }
        if w.dirty && !w.busy && w.due.is_none() && (w.started || w.reader.is_none()) {
            let t = Instant::now() + SETTLE;
            w.due = Some(w.last_line.map_or(t, |l| t.max(l + SPACING)));
        }
        if !lines.is_empty() {
            w.last_line = Some(Instant::now());
            last_seq = w.seq;
            w.held.extend(lines);
        }
        // Each workspace's first line comes in the order of the arguments.
        while firsts < ws.len() && !ws[firsts].held.is_empty() {
            firsts += 1;
        }
        for w in ws.iter_mut().take(firsts) {
            for l in std::mem::take(&mut w.held) {
                if !write_line(&l) {
                    return 0;
                }
                last_write = Instant::now();
            }
        }
    }
}

fn on_watch(w: &mut Ws, m: WatchMsg) {
    match m {
        WatchMsg::Paths(paths) => {
            use crate::runtime::watching::{Seen, seen};
            let root = w.root.clone().unwrap_or_default();
            for p in paths {
                match seen(&root, w.git_dir.as_deref(), &p) {
                    Seen::Git => w.dirty = true,
                    Seen::File => {
                        w.pending.insert(p);
                        w.dirty = true;
                    }
                    Seen::Nothing => {}
                }
            }
        }
        WatchMsg::Rescan => (w.rescan, w.dirty) = (true, true),
        WatchMsg::Degraded(_) => {
            (w.trusted, w.polling, w.rescan, w.dirty) = (false, true, true, true)
        }
        WatchMsg::Live => (w.trusted, w.polling, w.rescan, w.dirty) = (true, false, true, true),
        WatchMsg::Started(polling) => {
            w.started = true;
            w.polling = polling.is_some();
            w.trusted = polling.is_none();
            w.dirty = true;
        }
    }
}

/// Starts the next read of a workspace on a blocking worker (the first
/// waits for its watches to be up).
fn start(i: usize, w: &mut Ws, tx: &mpsc::UnboundedSender<Ev>, now: Option<DateTime<Utc>>) {
    if w.reader.is_none() {
        match crate::live::git::discover::discover(&w.arg) {
            Ok(root) => {
                w.reader = Some(Arc::new(Mutex::new(Reader::new(&root))));
                w.git_dir = Some(root.join(".git")).filter(|d| d.is_dir());
                w.root = Some(root.clone());
                let (wtx, mut wrx) = mpsc::unbounded_channel();
                Watcher::start_in(w.watcher.clone(), &root, false, wtx);
                let tx = tx.clone();
                tokio::spawn(async move {
                    while let Some(m) = wrx.recv().await {
                        if tx.send(Ev::Watch(i, m)).is_err() {
                            return;
                        }
                    }
                });
            }
            Err(e) => {
                let _ = tx.send(Ev::Loaded(i, Err(e)));
                w.busy = true;
                w.dirty = true;
            }
        }
        return;
    }
    if !w.started || !w.dirty {
        return;
    }
    w.dirty = false;
    w.busy = true;
    let paths: Vec<PathBuf> = w.pending.drain().collect();
    let rescan = std::mem::take(&mut w.rescan);
    let trusted = w.trusted;
    let (reader, watcher) = (w.reader.clone(), w.watcher.clone());
    let root = w.root.clone().unwrap_or_default();
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let res = read(reader, watcher, &root, paths, rescan, trusted, now);
        let _ = tx.send(Ev::Loaded(i, res));
    });
}

/// The dashboard's reload (`runtime::runner::Runner::reload`) for one
/// workspace, with git state as `status --json` has it.
fn read(
    reader: Option<Arc<Mutex<Reader>>>,
    watcher: Arc<Mutex<Option<Watcher>>>,
    root: &std::path::Path,
    paths: Vec<PathBuf>,
    rescan: bool,
    trusted: bool,
    now: Option<DateTime<Utc>>,
) -> Result<(J, Option<DateTime<Utc>>), String> {
    let changed = (!rescan && trusted).then_some(paths.as_slice());
    let state = watcher.lock().map_or(Root::Same, |mut w| {
        w.as_mut()
            .map_or(Root::Same, |w| w.refresh_changed(changed))
    });
    if state == Root::Gone
        || !root.join(crate::read::workspace::MILESTONES).is_dir()
            && !root.join(crate::read::workspace::BUNDLES).is_dir()
    {
        return Err(format!("{}: no workspace here any more", root.display()));
    }
    let reader = reader.ok_or_else(|| "no reader".to_string())?;
    let mut r = reader.lock().unwrap_or_else(|p| p.into_inner());
    if rescan || state == Root::Reopened {
        r.invalidate_all();
    }
    let trusted = trusted && !rescan && state == Root::Same;
    let mut snap = r.load_changed(paths, trusted, now.unwrap_or_else(Utc::now));
    crate::live::snapshot::with_git(root, &mut snap);
    // A fixed `--now` never moves: nothing changes with time.
    let next = r.next_change().filter(|_| now.is_none());
    Ok((crate::cli::status::to_json(&snap), next))
}

/// The monotonic instant of the wall-clock time `at`, a little after it
/// (so the views computed then are overtaken).
fn timed(at: DateTime<Utc>) -> Instant {
    let wait = (at - Utc::now()).to_std().unwrap_or_default();
    Instant::now() + wait + Duration::from_millis(50)
}

/// The lines a finished read makes: a snapshot, a change, an error or none.
fn loaded(w: &mut Ws, res: Result<J, String>) -> Vec<String> {
    match res {
        Ok(doc) => {
            w.said_error = None;
            let update = match w.sent.as_mut() {
                None => {
                    w.sent = Some(Sent::of(&doc));
                    Update::Snapshot
                }
                Some(s) => s.update(&doc),
            };
            let workspace = doc["root"].clone();
            let line = match update {
                Update::Nothing => return Vec::new(),
                Update::Snapshot => {
                    w.seq += 1;
                    json!({"type": "snapshot", "workspace": workspace, "seq": w.seq, "doc": doc})
                }
                Update::Change(body) => {
                    w.seq += 1;
                    let mut line = json!({"type": "change", "workspace": workspace, "seq": w.seq});
                    if let (Some(l), J::Object(b)) = (line.as_object_mut(), body) {
                        l.extend(b);
                    }
                    line
                }
            };
            vec![line.to_string()]
        }
        Err(message) => {
            // Read again from scratch when it comes back; tried every 2 s.
            w.sent = None;
            w.rescan = true;
            w.dirty = true;
            w.due = Some(Instant::now() + RETRY);
            if w.said_error.as_deref() == Some(message.as_str()) {
                return Vec::new();
            }
            w.said_error = Some(message.clone());
            let workspace = w.root.as_ref().unwrap_or(&w.arg).display().to_string();
            vec![json!({"type": "error", "workspace": workspace, "message": message}).to_string()]
        }
    }
}
