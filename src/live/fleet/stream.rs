//! The reading end of `mdash watch --json` over ssh (SPEC §13–14): one ssh
//! per host covering all of that host's workspaces; its lines checked
//! (schema, `seq` without gaps, workspaces it was asked for) and applied
//! (`wire::apply`), each workspace's document coming out whole. A remote
//! is untrusted: a line that breaks the contract ends the connection.

use std::io::BufRead;
use std::process::Child;

use serde_json::Value as J;

use super::config::Entry;
use super::wire::{SCHEMA, apply};

/// What one connection says, in the order it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The remote mdash answered (its version).
    Hello(String),
    /// The whole document of the host's `i`-th workspace, as it is now.
    Doc(usize, J),
    /// The `i`-th workspace cannot be read there (the remote's words).
    Error(usize, String),
    /// Alive, nothing changed.
    Ping,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// ssh ended: its last error line.
    Lost(String),
    /// The stream broke its contract (a gap in `seq`, a line that is not
    /// JSON): connect again.
    Broken(String),
    /// The remote speaks another schema: which version is needed.
    Incompatible(String),
}

/// One connection: `ssh HOST MDASH watch --json PATH…`.
pub struct Conn {
    pub child: Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    /// The workspace strings, by first appearance: the i-th is the i-th path.
    names: Vec<String>,
    docs: Vec<Option<J>>,
    seqs: Vec<u64>,
    hello: bool,
}

/// The longest line read from a remote (a snapshot of 10,000 milestones
/// is some 20 MB).
const MAX_LINE: usize = 256 << 20;

impl Conn {
    /// Starts ssh for `entries` (all on one host, in fleet.yaml's order).
    pub fn open(host: &str, entries: &[Entry]) -> std::io::Result<Conn> {
        let mdash = entries.first().map_or("mdash", |e| e.mdash.as_str());
        let mut line = super::ssh::remote_line(&[mdash, "watch", "--json", "--"]);
        for e in entries {
            // fleet.yaml's paths: `~/` is the remote home.
            line.push(' ');
            line.push_str(&super::ssh::quote(&e.path));
        }
        Conn::of(super::ssh::spawn(host, line)?, entries.len())
    }

    /// The same stream of this machine's workspaces: this mdash as a child
    /// (in a process group of its own, no shell), read as a remote's is.
    pub fn open_local(entries: &[Entry]) -> std::io::Result<Conn> {
        use std::os::unix::process::CommandExt;
        use std::process::Stdio;
        let child = std::process::Command::new(std::env::current_exe()?)
            .args(["watch", "--json", "--"])
            .args(entries.iter().map(|e| &e.path))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()?;
        Conn::of(child, entries.len())
    }

    fn of(mut child: Child, n: usize) -> std::io::Result<Conn> {
        let out = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        Ok(Conn {
            child,
            lines: std::io::BufReader::new(out).lines(),
            names: Vec::new(),
            docs: vec![None; n],
            seqs: vec![0; n],
            hello: false,
        })
    }

    /// The next event; `Err` when the connection is over (then `close`).
    pub fn recv(&mut self) -> Result<Event, End> {
        let line = match self.lines.next() {
            Some(Ok(l)) if l.len() <= MAX_LINE => l,
            Some(Ok(_)) => return Err(End::Broken("a line too long".into())),
            Some(Err(e)) => return Err(End::Lost(e.to_string())),
            None => return Err(End::Lost(self.last_error())),
        };
        let v: J =
            serde_json::from_str(&line).map_err(|e| End::Broken(format!("not JSON: {e}")))?;
        self.event(&v)
    }

    fn slot(&mut self, v: &J, new: bool) -> Result<usize, End> {
        let w = v["workspace"]
            .as_str()
            .ok_or_else(|| End::Broken("no workspace".into()))?;
        if let Some(i) = self.names.iter().position(|n| n == w) {
            return Ok(i);
        }
        if !new || self.names.len() >= self.docs.len() {
            return Err(End::Broken("a workspace it was not asked for".into()));
        }
        self.names.push(w.to_string());
        Ok(self.names.len() - 1)
    }

    fn event(&mut self, v: &J) -> Result<Event, End> {
        let kind = v["type"].as_str().unwrap_or_default();
        if !self.hello {
            if kind != "hello" {
                return Err(End::Incompatible(
                    "the remote mdash does not speak `watch --json` (install mdash there, or set `mdash:` in fleet.yaml)".into(),
                ));
            }
            if v["schema"].as_u64() != Some(SCHEMA) {
                return Err(End::Incompatible(format!(
                    "the remote mdash speaks stream schema {}; this mdash needs schema {SCHEMA} (install the same mdash version there: {})",
                    v["schema"],
                    env!("CARGO_PKG_VERSION")
                )));
            }
            self.hello = true;
            return Ok(Event::Hello(
                v["version"].as_str().unwrap_or_default().to_string(),
            ));
        }
        match kind {
            "snapshot" => {
                let i = self.slot(v, true)?;
                self.check_seq(i, v, true)?;
                let doc = v["doc"].clone();
                if !doc["milestones"].is_array() {
                    return Err(End::Broken("a snapshot without milestones".into()));
                }
                self.docs[i] = Some(doc.clone());
                Ok(Event::Doc(i, doc))
            }
            "change" => {
                let i = self.slot(v, false)?;
                self.check_seq(i, v, false)?;
                let doc = self.docs[i]
                    .as_mut()
                    .ok_or_else(|| End::Broken("a change before its snapshot".into()))?;
                apply(doc, v);
                Ok(Event::Doc(i, doc.clone()))
            }
            "error" => {
                let i = self.slot(v, true)?;
                self.docs[i] = None;
                Ok(Event::Error(
                    i,
                    v["message"]
                        .as_str()
                        .unwrap_or("cannot be read")
                        .to_string(),
                ))
            }
            "ping" => Ok(Event::Ping),
            other => Err(End::Broken(format!("an unknown line type {other:?}"))),
        }
    }

    /// `seq` grows by one per workspace: a gap means a line was lost.
    fn check_seq(&mut self, i: usize, v: &J, snapshot: bool) -> Result<(), End> {
        let seq = v["seq"]
            .as_u64()
            .ok_or_else(|| End::Broken("no seq".into()))?;
        // A snapshot after an error starts the workspace over at 1.
        let ok = seq == self.seqs[i] + 1 || (snapshot && seq == 1);
        if !ok {
            return Err(End::Broken(format!(
                "seq {seq} after {}: a line was lost",
                self.seqs[i]
            )));
        }
        self.seqs[i] = seq;
        Ok(())
    }

    /// ssh's last line on stderr (why it ended), once it has exited.
    fn last_error(&mut self) -> String {
        let _ = self.child.wait();
        let mut text = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut text);
        }
        text.lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or("the connection closed")
            .to_string()
    }

    /// Ends the connection: its stdin closed (the remote mdash exits), ssh
    /// and its process group ended.
    pub fn close(mut self) {
        drop(self.child.stdin.take());
        let pgid = self.child.id() as i32;
        // SAFETY: the group is the ssh mdash spawned in a group of its own.
        unsafe {
            libc::killpg(pgid, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
