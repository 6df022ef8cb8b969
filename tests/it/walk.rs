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

/// A tmux run started from a shell gets that shell's environment, not the
/// one of whoever started the tmux server (the agent lacked its API key).
#[test]
fn a_tmux_run_outside_tmux_gets_mdash_s_environment() {
    let w = Ws::new();
    w.milestone("1a", "status: planned\n");
    let out = w.dir.path().join("seen");
    let script = w.script(
        "agent.sh",
        &format!(
            "#!/bin/sh\nprintf '%s' \"$MDASH_WALK_VAR\" > '{}'\nwhile true; do sleep 1; done\n",
            out.display()
        ),
    );
    w.user_config(&format!(
        "agent:\n  command: [\"{}\", \"{{id}}\"]\n  backend: tmux\n  stop_grace_secs: 1\n",
        script.display()
    ));
    // A private tmux server, started by someone without the variable.
    let tmp = w.dir.path().join("tmux");
    std::fs::create_dir_all(&tmp).expect("tmux dir");
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(args)
            .env("TMUX_TMPDIR", &tmp)
            .env_remove("TMUX")
            .env_remove("MDASH_WALK_VAR")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("tmux")
    };
    assert!(tmux(&["new-session", "-d", "-s", "other"]).status.success());
    struct Kill<F: Fn(&[&str]) -> std::process::Output>(F);
    impl<F: Fn(&[&str]) -> std::process::Output> Drop for Kill<F> {
        fn drop(&mut self) {
            let _ = (self.0)(&["kill-server"]);
        }
    }
    let _kill = Kill(tmux);
    let run = |args: &[&str]| {
        let out = w
            .cmd_in(&w.root, args)
            .env("TMUX_TMPDIR", &tmp)
            .env("MDASH_WALK_VAR", "from the caller")
            .output()
            .expect("mdash");
        decode(&out)
    };
    let (code, o, e) = run(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{o}{e}");
    eventually(
        "the agent's output",
        std::time::Duration::from_secs(30),
        || std::fs::read_to_string(&out).is_ok_and(|s| !s.is_empty()),
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("seen"),
        "from the caller"
    );
    let (code, o, e) = run(&["run", "stop", "1a"]);
    assert_eq!(code, 0, "{o}{e}");
}
