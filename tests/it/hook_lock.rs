//! Two writers of one agent's state at once (`mdash hook`, SPEC §8): a
//! hook reads the newest `agent_state` and appends the next one; another
//! writer in between (a second hook, or the dashboard's screen correction,
//! which once appended `waiting_permission` without its detail right after
//! a `PermissionRequest`, in `answer::requests_are_previewed_…`) must not
//! be acted on from the state before it. A hook holds the milestone's hook
//! lock from its read of the state to its append. Here the test holds that
//! lock, as the other writer would, and records that writer's state while a
//! `Notification` hook waits.

use crate::common;

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SESSION: &str = "5b0c1d2e-0000-4000-8000-000000000001";

/// One `agent_state` line of the milestone's log.
fn state(state: &str, detail: Option<&str>) -> String {
    json!({"timestamp": "2026-12-07T10:00:00Z", "event": "agent_state", "milestone_id": "1a",
           "details": {"agent": "claude", "state": state, "detail": detail, "session_id": SESSION}})
    .to_string()
        + "\n"
}

fn append(log: &std::path::Path, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log");
    f.write_all(line.as_bytes()).expect("append");
}

/// Whether `/proc/locks` shows `pid` waiting for a lock on inode `ino`.
fn waits_for(pid: u32, ino: u64) -> bool {
    std::fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(1) == Some(&"->")
                && f.get(5) == Some(&pid.to_string().as_str())
                && f.get(6).is_some_and(|d| d.ends_with(&format!(":{ino}")))
        })
}

#[test]
fn a_hook_acts_on_the_state_another_hook_recorded_meanwhile() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().canonicalize().expect("canon");
    common::write(
        &root,
        ".milestones/active/1a.yaml",
        "id: 1a\ntitle: One\nstatus: in_progress\n",
    );
    let log = root.join(".milestones/logs/execution-1a.jsonl");
    std::fs::create_dir_all(log.parent().expect("logs")).expect("logs");
    append(&log, &state("working", None));

    // The other hook (its PermissionRequest) holds the lock.
    let runs = root.join(".milestones/sessions/mdash-runs");
    std::fs::create_dir_all(&runs).expect("runs");
    let lock = std::fs::File::create(runs.join("1a.hook.lock")).expect("lock");
    // SAFETY: flock on a descriptor this test owns.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let ino = lock.metadata().expect("md").ino();

    let home = tempfile::tempdir().expect("home");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mdash"))
        .args(["hook", "--root"])
        .arg(&root)
        .args(["--milestone", "1a"])
        .env("HOME", home.path())
        .env_remove("XDG_STATE_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("hook");
    let event = json!({"session_id": SESSION, "hook_event_name": "Notification",
                       "notification_type": "permission_prompt",
                       "message": "Claude needs your permission"});
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(event.to_string().as_bytes())
        .expect("event");
    drop(stdin);
    // The notification's hook waits for the lock (it must not have read
    // the state and recorded its own yet).
    let deadline = Instant::now() + common::claude::SCREEN_TIMEOUT;
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            let last = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("the hook ended ({st}) without waiting for the hook lock; the log:\n{last}");
        }
        if waits_for(child.id(), ino) {
            break;
        }
        assert!(Instant::now() < deadline, "the hook never reached the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Meanwhile the other hook records the permission, and lets go.
    append(
        &log,
        &state("waiting_permission", Some("Bash echo no > c.txt")),
    );
    drop(lock);
    assert!(child.wait().expect("hook").success());

    // The notification saw the permission: nothing new, the detail stays.
    let states: Vec<Value> = std::fs::read_to_string(&log)
        .expect("log")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json")["details"].clone())
        .collect();
    assert_eq!(states.len(), 2, "{states:#?}");
    assert_eq!(states[1]["state"], "waiting_permission");
    assert_eq!(states[1]["detail"], "Bash echo no > c.txt");
}
