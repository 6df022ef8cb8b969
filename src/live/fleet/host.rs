//! One source of snapshots per host (SPEC §14): a thread that keeps one
//! `watch --json` stream open for all of the host's workspaces, through
//! ssh for a remote host and as a child process for the local ones, and
//! says what it hears. A lost connection is opened again after 1 s,
//! doubling to 60 s; a stream that breaks its contract is dropped and
//! opened again. Nothing here blocks the dashboard: it only sends.

use std::time::Duration;

use serde_json::Value as J;
use tokio::sync::mpsc::UnboundedSender;

use super::config::Entry;
use super::stream::{Conn, End, Event};

pub use crate::model::fleet::HostState;

/// What a source says: `source` is its index, `ws` the workspace's index
/// in the fleet.
#[derive(Debug)]
pub enum SourceMsg {
    State(usize, HostState),
    Doc(usize, J),
    WsError(usize, String),
    /// A line came (a ping included): the host is alive.
    Heard(usize),
}

/// Nothing heard for this long makes a host stale (debug builds:
/// `MDASH_FLEET_STALE_MS`).
pub fn stale_after() -> Duration {
    super::debug_ms("MDASH_FLEET_STALE_MS").unwrap_or(Duration::from_secs(45))
}

fn first_backoff() -> Duration {
    super::debug_ms("MDASH_FLEET_BACKOFF_MS").unwrap_or(Duration::from_secs(1))
}

const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Starts the source `source` for `entries` (their fleet indices in `ids`):
/// `host` `None` is this machine.
pub fn start(
    source: usize,
    host: Option<String>,
    entries: Vec<(usize, Entry)>,
    tx: UnboundedSender<SourceMsg>,
) {
    let _ = std::thread::Builder::new()
        .name("mdash-fleet".into())
        .spawn(move || run(source, host, entries, tx));
}

fn open(host: Option<&str>, entries: &[Entry]) -> std::io::Result<Conn> {
    match host {
        Some(h) => Conn::open(h, entries),
        None => Conn::open_local(entries),
    }
}

fn run(
    source: usize,
    host: Option<String>,
    entries: Vec<(usize, Entry)>,
    tx: UnboundedSender<SourceMsg>,
) {
    let (ids, entries): (Vec<usize>, Vec<Entry>) = entries.into_iter().unzip();
    let mut backoff = first_backoff();
    loop {
        let said = |m: SourceMsg| tx.send(m).is_ok();
        let why = match open(host.as_deref(), &entries) {
            Err(e) => HostState::Unreachable(format!("cannot run ssh: {e}")),
            Ok(mut conn) => {
                let end = loop {
                    let ev = conn.recv();
                    if ev.is_ok() && !said(SourceMsg::Heard(source)) {
                        conn.close();
                        return;
                    }
                    let ok = match ev {
                        Ok(Event::Hello(_)) => {
                            backoff = first_backoff();
                            said(SourceMsg::State(source, HostState::Live))
                        }
                        Ok(Event::Doc(i, doc)) => said(SourceMsg::Doc(ids[i], doc)),
                        Ok(Event::Error(i, m)) => said(SourceMsg::WsError(ids[i], m)),
                        Ok(Event::Ping) => true,
                        Err(end) => break end,
                    };
                    if !ok {
                        conn.close();
                        return;
                    }
                };
                conn.close();
                let name = host.as_deref().unwrap_or("localhost");
                match end {
                    End::Lost(e) => HostState::Unreachable(super::ssh::advice(name, &e)),
                    End::Broken(e) => {
                        HostState::Unreachable(format!("the stream broke ({e}); connecting again"))
                    }
                    End::Incompatible(e) => HostState::Incompatible(e),
                }
            }
        };
        if !said(SourceMsg::State(source, why)) {
            return;
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
