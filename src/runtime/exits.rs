//! Learning of a live run's end from the kernel, not a timer: a `pidfd`
//! (Linux ≥ 5.3) per run supervisor, in the event loop. It becomes readable
//! when the supervisor exits, whoever killed it; the loop then reads the
//! run's record again, as if the watcher had seen it change. A supervisor
//! that ends normally writes its exit record, which the watcher sees too;
//! this catches the one killed outright, which writes nothing. Only where
//! `pidfd_open` is missing does the loop fall back to looking every 2 s.

use std::collections::HashMap;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::live::runs;
use crate::live::snapshot::Leader;
use crate::live::watch::WatchMsg;

/// The live runs being waited on, by (supervisor pid, its start time).
#[derive(Default)]
pub struct Exits {
    waiting: HashMap<(i32, u64), AbortHandle>,
    /// Why run ends are looked for on a timer instead, once that is known.
    pub fallback: Option<String>,
}

/// A pidfd for `pid`, or the errno.
fn pidfd_open(pid: i32) -> Result<OwnedFd, i32> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor
    // (or -1); nothing of ours is touched.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOSYS));
    }
    // SAFETY: the kernel just returned this descriptor, owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

impl Exits {
    /// Whether run ends must be looked for on a timer.
    pub fn polls(&self) -> bool {
        self.fallback.is_some()
    }

    /// Waits on exactly the `live` runs: new ones get a pidfd, ended ones
    /// lose theirs. A run already gone (or its pid reused by another
    /// process) is reported at once. Returns the reason when pidfds cannot
    /// be used here, the first time that is found.
    pub fn sync(
        &mut self,
        root: &Path,
        live: &[Leader],
        tx: &UnboundedSender<WatchMsg>,
    ) -> Option<String> {
        let keys: Vec<(i32, u64)> = live.iter().map(|l| (l.pgid, l.start_ticks)).collect();
        self.waiting.retain(|k, task| {
            let keep = keys.contains(k);
            if !keep {
                task.abort();
            }
            keep
        });
        if self.fallback.is_some() {
            return None;
        }
        for l in live {
            let key = (l.pgid, l.start_ticks);
            if self.waiting.contains_key(&key) {
                continue;
            }
            let record = runs::path(root, &l.id);
            let fd = match pidfd_open(l.pgid) {
                Ok(fd) => fd,
                Err(libc::ESRCH) => {
                    gone(tx, record);
                    continue;
                }
                Err(e) => {
                    let why = format!(
                        "run ends are looked for every 2 s (no pidfd: {})",
                        std::io::Error::from_raw_os_error(e)
                    );
                    self.fallback = Some(why.clone());
                    return Some(why);
                }
            };
            // The pidfd was opened by pid: make sure it is still the
            // supervisor that was started, not a process that got its pid.
            if runs::proc_stat(l.pgid).is_none_or(|(st, start)| start != l.start_ticks || st == 'Z')
            {
                gone(tx, record);
                continue;
            }
            // SAFETY: the descriptor moves into the AsyncFd and stays open,
            // the same one, until the AsyncFd is dropped.
            let afd = match unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) } {
                Ok(a) => a,
                Err(e) => {
                    let why = format!("run ends are looked for every 2 s (pidfd: {e})");
                    self.fallback = Some(why.clone());
                    return Some(why);
                }
            };
            let tx = tx.clone();
            let task = tokio::spawn(async move {
                // Readable once the process has exited; nothing else wakes it.
                if afd.readable().await.is_ok() {
                    gone(&tx, record);
                }
            });
            self.waiting.insert(key, task.abort_handle());
        }
        None
    }
}

/// Reads the run's record again, as a watched change would.
fn gone(tx: &UnboundedSender<WatchMsg>, record: PathBuf) {
    let _ = tx.send(WatchMsg::Paths(vec![record]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_child_ending_is_seen_without_a_timer() {
        let d = tempfile::tempdir().expect("tmp");
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn");
        let pid = child.id() as i32;
        let (_, start) = runs::proc_stat(pid).expect("stat");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut exits = Exits::default();
        let live = [Leader {
            id: "x".into(),
            pgid: pid,
            start_ticks: start,
        }];
        if let Some(why) = exits.sync(d.path(), &live, &tx) {
            eprintln!("SKIPPED: {why}");
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        assert!(rx.try_recv().is_err(), "nothing before the end");
        child.kill().expect("kill");
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .expect("told of the end")
            .expect("message");
        assert!(
            matches!(&msg, WatchMsg::Paths(p) if p == &[runs::path(d.path(), "x")]),
            "{msg:?}"
        );
        let _ = child.wait();
        // A recorded start time that does not match is reported at once.
        let mut exits = Exits::default();
        let me = std::process::id() as i32;
        let forged = [Leader {
            id: "y".into(),
            pgid: me,
            start_ticks: 1,
        }];
        exits.sync(d.path(), &forged, &tx);
        assert!(matches!(rx.try_recv(), Ok(WatchMsg::Paths(_))));
    }
}
