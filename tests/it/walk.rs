//! What the third newcomer walk found (issue 29, checked again): the CLI's
//! run commands say what happened, once, and record only what happened.

use crate::common;
use common::newb::*;

#[test]
fn resume_of_a_running_run_changes_nothing_and_says_so() {
    let w = Ws::new();
    w.milestone("1a", "status: planned\n");
    w.looping_agent();
    let (code, out, err) = w.run(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = w.run(&["run", "resume", "1a"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1a is running"), "{out}{err}");
    assert!(!out.contains("resumed"), "{out}{err}");
    let log = w.read(".milestones/logs/execution-1a.jsonl");
    assert_eq!(log.matches("\"run_resumed\"").count(), 0, "{log}");
    // Paused, it is resumed (and recorded) as before.
    let (code, _, _) = w.run(&["run", "pause", "1a"]);
    assert_eq!(code, 0);
    let (code, out, err) = w.run(&["run", "resume", "1a"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("resumed 1a"), "{out}{err}");
    let log = w.read(".milestones/logs/execution-1a.jsonl");
    assert_eq!(log.matches("\"run_resumed\"").count(), 1, "{log}");
    let (code, _, _) = w.run(&["run", "stop", "1a"]);
    assert_eq!(code, 0);
}

#[test]
fn a_run_that_has_ended_is_named_once() {
    let w = Ws::new();
    w.milestone("1a", "status: planned\n");
    w.looping_agent();
    let (code, _, _) = w.run(&["run", "start", "1a"]);
    assert_eq!(code, 0);
    let (code, out, err) = w.run(&["run", "stop", "1a"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("`mdash run start 1a` starts it again"),
        "{out}"
    );
    let (code, out, err) = w.run(&["run", "pause", "1a"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.trim(), "mdash: 1a's run has ended (stopped)", "{err}");
}
