//! A running `mdash watch --json` and a reader of its lines, for the
//! stream's tests (local, and through ssh in `fleet`).

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as J;

/// A line has this long to come before a test fails (not a timing
/// assertion: a ceiling for a hung stream).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Stream {
    pub child: Child,
    lines: mpsc::Receiver<String>,
}

impl Stream {
    /// `mdash watch --json --now NOW PATHS…` with piped stdin and stdout.
    pub fn start(paths: &[&Path], envs: &[(&str, &str)]) -> Stream {
        let mut cmd = super::bin();
        cmd.args(["watch", "--json", "--now", super::NOW])
            .args(paths);
        cmd.envs(envs.iter().copied());
        Stream::spawn(cmd)
    }

    pub fn spawn(mut cmd: Command) -> Stream {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the stream");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines() {
                let Ok(l) = l else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        Stream { child, lines }
    }

    /// The next line, parsed; `None` when the stream ended.
    pub fn next(&self) -> Option<J> {
        self.next_within(PATIENCE)
    }

    pub fn next_within(&self, d: Duration) -> Option<J> {
        let l = self.lines.recv_timeout(d).ok()?;
        Some(serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
    }

    /// The next line, which must come.
    pub fn line(&self) -> J {
        self.next().expect("a line from the stream")
    }

    /// Closes stdin and waits for the exit code.
    pub fn close(mut self) -> Option<i32> {
        drop(self.child.stdin.take());
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The order of §7's milestones, written here independently of mdash's.
fn order(m: &J) -> (Option<(u64, String)>, String) {
    let stage = m["stage"]
        .as_str()
        .map(|s| (s.parse::<u64>().unwrap_or(u64::MAX), s.to_string()));
    (stage, m["id"].as_str().unwrap_or_default().to_string())
}

/// Applies a change line to a document, as SPEC §13 says a reader does.
pub fn apply(doc: &mut J, change: &J) {
    let removed: Vec<&J> = change["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .collect();
    let new = change["milestones"].as_array().expect("milestones");
    let mut list: Vec<J> = doc["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter(|m| !removed.contains(&&m["id"]) && !new.iter().any(|n| n["id"] == m["id"]))
        .cloned()
        .collect();
    list.extend(new.iter().cloned());
    list.sort_by_key(order);
    doc["milestones"] = J::Array(list);
    doc["blockers"] = change["blockers"].clone();
    doc["errors"] = change["errors"].clone();
}
