//! `mdash fleet` (SPEC §14): one dashboard over fleet.yaml's workspaces.
//! The seam: every workspace's snapshots come from a source
//! (`live::fleet::host`), one per host — ssh for a remote one, a child
//! `mdash watch --json` for this machine's — and reach the app as one
//! `Msg::Loaded` snapshot (`app::fleet::combine`) with its groups. Sources
//! run on threads of their own and only send: a slow or dead host delays
//! neither the keys nor the others. An action runs the same CLI there,
//! once, on a worker; the stream shows what it did.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_lite::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::update::update;
use crate::app::{App, Effect, Msg};
use crate::live::fleet::config::Entry;
use crate::live::fleet::host::{self, HostState, SourceMsg};
use crate::model::Snapshot;
use crate::model::fleet::Group;

mod attach;
mod effect;

const FRAME: Duration = Duration::from_millis(16);

struct Fleet {
    entries: Vec<Entry>,
    /// Each workspace's source and last snapshot.
    source_of: Vec<usize>,
    snaps: Vec<Option<Snapshot>>,
    errors: Vec<Option<String>>,
    states: Vec<HostState>,
    heard: Vec<(Instant, chrono::DateTime<Utc>)>,
    /// The fleet snapshot's rows: (workspace, own id).
    owners: Vec<(usize, String)>,
}

pub fn run(entries: Vec<Entry>) -> color_eyre::Result<i32> {
    super::on_a_terminal("`mdash status --json --fleet`", event_loop(entries))
}

impl Fleet {
    fn groups(&self) -> Vec<(Group, Option<&Snapshot>)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let s = self.source_of[i];
                let g = Group {
                    name: e.name.clone(),
                    host: e.host.clone(),
                    state: self.states[s].clone(),
                    heard: Some(self.heard[s].1),
                    error: self.errors[i].clone(),
                    first: 0,
                    len: 0,
                };
                (g, self.snaps[i].as_ref())
            })
            .collect()
    }

    /// The app gets the fleet as one snapshot and its groups.
    fn publish(&mut self, app: &mut App) -> Vec<Effect> {
        let (snap, groups, owners) = crate::app::fleet::combine(&self.groups(), Utc::now());
        self.owners = owners;
        let changed = app.fleet != groups;
        app.fleet = groups;
        let fx = update(app, Msg::Loaded(Box::new(snap)));
        // A heading changed (a host's state) even when no row did.
        app.dirty |= changed;
        fx
    }

    fn on_source(&mut self, m: SourceMsg) -> bool {
        match m {
            SourceMsg::Heard(s) => {
                self.heard[s] = (Instant::now(), Utc::now());
                if self.states[s] == HostState::Stale {
                    self.states[s] = HostState::Live;
                    return true;
                }
                false
            }
            SourceMsg::State(s, st) => {
                let changed = self.states[s] != st;
                self.states[s] = st;
                changed
            }
            SourceMsg::Doc(i, doc) => {
                self.snaps[i] = Some(crate::live::fleet::view::snapshot(&doc));
                self.errors[i] = None;
                true
            }
            SourceMsg::WsError(i, m) => {
                self.errors[i] = Some(m);
                true
            }
        }
    }

    /// Marks live hosts not heard for 45 s stale; when to look next.
    fn staleness(&mut self) -> (bool, Option<Instant>) {
        let now = Instant::now();
        let after = host::stale_after();
        let mut changed = false;
        let mut next = None::<Instant>;
        for (s, st) in self.states.iter_mut().enumerate() {
            if *st == HostState::Live {
                let at = self.heard[s].0 + after;
                if at <= now {
                    *st = HostState::Stale;
                    changed = true;
                } else {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
        }
        (changed, next)
    }
}

async fn event_loop(entries: Vec<Entry>) -> color_eyre::Result<i32> {
    let (stx, mut srx) = mpsc::unbounded_channel::<SourceMsg>();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    // One source per host (this machine's workspaces are one more).
    let mut hosts: Vec<Option<String>> = Vec::new();
    let mut source_of = Vec::new();
    for e in &entries {
        let s = hosts.iter().position(|h| *h == e.host).unwrap_or_else(|| {
            hosts.push(e.host.clone());
            hosts.len() - 1
        });
        source_of.push(s);
    }
    for (s, h) in hosts.iter().enumerate() {
        let mine: Vec<(usize, Entry)> = entries
            .iter()
            .enumerate()
            .filter(|(i, _)| source_of[*i] == s)
            .map(|(i, e)| (i, e.clone()))
            .collect();
        host::start(s, h.clone(), mine, stx.clone());
    }
    let n = entries.len();
    let mut fleet = Fleet {
        entries,
        source_of,
        snaps: vec![None; n],
        errors: vec![None; n],
        states: vec![HostState::Connecting; hosts.len()],
        heard: vec![(Instant::now(), Utc::now()); hosts.len()],
        owners: Vec::new(),
    };
    let mut tui = crate::runtime::tui::Tui::enter()?;
    let mut app = App::new(
        Default::default(),
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        Utc::now(),
    );
    let size = tui.term.size()?;
    app.size = (size.width, size.height);
    let mut events = EventStream::new();
    let mut pending = fleet.publish(&mut app);
    let mut last_draw: Option<Instant> = None;
    loop {
        for fx in std::mem::take(&mut pending) {
            effect::effect(&mut fleet, &mut app, &mut tui, &tx, fx)?;
        }
        if app.quit {
            break;
        }
        let now = Instant::now();
        let mut draw_at = None;
        if std::mem::take(&mut app.dirty) || last_draw.is_none() {
            match last_draw {
                Some(t) if now - t < FRAME => {
                    app.dirty = true;
                    draw_at = Some(t + FRAME);
                }
                _ => {
                    if tui.term.draw(|f| crate::ui::render(&app, f)).is_err() {
                        break;
                    }
                    last_draw = Some(now);
                }
            }
        }
        let (changed, stale_at) = fleet.staleness();
        if changed {
            pending.extend(fleet.publish(&mut app));
            continue;
        }
        let wake = [draw_at, stale_at].into_iter().flatten().min();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => pending.extend(update(&mut app, Msg::Key(k))),
                Some(Ok(TermEvent::Mouse(m))) => pending.extend(update(&mut app, Msg::Mouse(m))),
                Some(Ok(TermEvent::Resize(w, h))) => pending.extend(update(&mut app, Msg::Resize(w, h))),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            Some(m) = srx.recv() => {
                let mut changed = fleet.on_source(m);
                while let Ok(m) = srx.try_recv() {
                    changed |= fleet.on_source(m);
                }
                if changed {
                    pending.extend(fleet.publish(&mut app));
                }
            }
            Some(m) = rx.recv() => pending.extend(update(&mut app, m)),
            _ = tokio::time::sleep_until(wake.unwrap_or(now)), if wake.is_some() => {}
        }
    }
    drop(tui);
    Ok(0)
}
