//! Security, third pass (issue 24 items 6, 7, 8; issue 29 item 10's trust
//! box): what the dashboard asks you to approve is shown whole, escaped,
//! and is exactly what a `y` approves. The real binary in a pseudo-terminal.

use std::time::Duration;

use crate::common::merge::{Ws as Repo, commit};
use crate::common::pty::Pty;
use crate::common::sec::{Ws, eventually};

/// A repository whose milestone 2a is done in its worktree, and whose
/// workspace config sets `checks.command` to `argv` (not approved yet).
fn repo_with_checks(argv: &[String]) -> Repo {
    let ws = Repo::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    set_checks(&ws, argv);
    ws
}

fn set_checks(ws: &Repo, argv: &[String]) {
    let list = serde_json::to_string(argv).expect("json");
    crate::common::write(
        &ws.root,
        ".milestones/config/mdash.yaml",
        format!("checks:\n  command: {list}\n"),
    );
}

/// The dashboard once it has read the worktree's state (the checklist
/// needs a wide screen), then at `cols`×`rows`.
fn dashboard(ws: &Repo, cols: u16, rows: u16) -> Pty {
    let mut p = Pty::spawn_env(&ws.root, 120, 40, &[], &[("XDG_CONFIG_HOME", &ws.cfg)]);
    p.wait_for("the checklist", |s| s.contains("not ready: wants checks"));
    if (cols, rows) != (120, 40) {
        p.resize(cols, rows);
        p.wait_for("the new size", |s| s.lines().count() <= rows as usize);
        p.pump_for(Duration::from_millis(200));
    }
    p
}

/// Sends `j` until `pred` holds for the screen (at most `n` times).
fn scroll_until(p: &mut Pty, n: usize, pred: impl Fn(&str) -> bool) -> String {
    for _ in 0..n {
        let s = p.screen();
        if pred(&s) {
            return s;
        }
        p.send(b"j");
        p.pump_for(Duration::from_millis(60));
    }
    let s = p.screen();
    assert!(pred(&s), "never shown by scrolling:\n{s}");
    s
}

/// Item 6: the checks question is in the box, with the start of the
/// command on screen and blank padding escaped; `y` waits for all of it.
#[test]
fn sec3_the_checks_prompt_shows_the_whole_command_escaped() {
    let canary = tempfile::tempdir().expect("tmp");
    let touched = canary.path().join("ran");
    let pad = "\u{a0}".repeat(400);
    let script = format!("touch '{}' ;{pad}: harmless", touched.display());
    let ws = repo_with_checks(&["sh".into(), "-c".into(), script]);
    let mut p = dashboard(&ws, 80, 24);
    p.send(b"t");
    let s = p.wait_for("the question", |s| {
        s.contains("(y/n)") || s.contains("approve?")
    });
    assert!(
        s.contains("touch"),
        "the start of the command is shown:\n{s}"
    );
    assert!(s.contains("\\u{a0}"), "the padding is escaped:\n{s}");
    // Not all of it has been on screen: a `y` approves nothing yet.
    p.send(b"y");
    p.pump_for(Duration::from_millis(500));
    assert!(!touched.exists(), "ran before all of it was shown");
    assert!(p.screen().contains("approve?"), "{}", p.screen());
    scroll_until(&mut p, 200, |s| {
        s.contains("harmless") && s.contains("(y/n)")
    });
    p.send(b"y");
    eventually("the approved checks ran", || touched.exists());
    p.send(b"q");
}

/// Item 7: a `y` approves what was shown; a file changed meanwhile runs
/// nothing, is not recorded as trusted, and the user is told.
#[test]
fn sec3_the_checks_approval_approves_only_what_was_shown() {
    let out = tempfile::tempdir().expect("tmp");
    let shown = out.path().join("shown");
    let swapped = out.path().join("swapped");
    let touch = |p: &std::path::Path| vec!["touch".to_string(), p.display().to_string()];
    let ws = repo_with_checks(&touch(&shown));
    let mut p = dashboard(&ws, 120, 40);
    p.send(b"t");
    p.wait_for("the question", |s| {
        s.contains("(y/n)") && s.contains("shown")
    });
    set_checks(&ws, &touch(&swapped));
    p.send(b"y");
    p.wait_for("the refusal", |s| s.contains("changed after it was shown"));
    p.pump_for(Duration::from_millis(300));
    assert!(!swapped.exists() && !shown.exists(), "something ran");
    let trust = std::fs::read_to_string(ws.cfg.join("mdash/trust.yaml")).unwrap_or_default();
    assert!(!trust.contains("swapped"), "recorded unseen text:\n{trust}");
    p.send(b"q");
}

/// Item 8: the agent's trust box escapes blank padding, and at a small size
/// `y` does nothing until every line (the last `env:` one too) was shown.
#[test]
fn sec3_the_agent_trust_box_is_seen_whole_before_y() {
    let w = Ws::new();
    let mut env = String::new();
    for i in 0..24 {
        env.push_str(&format!("    VAR_{i:02}: value {i}\n"));
    }
    env.push_str("    ZZ_BASH_ENV: /tmp/evil.sh\n");
    w.file(
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{id}}\", \"a{}b{}c\"]\n  stop_grace_secs: 2\n  env:\n{env}",
            w.agent_path().display(),
            "\u{3000}".repeat(3),
            "\u{2800}".repeat(3),
        ),
    );
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(&w.root);
    cmd.env("XDG_CONFIG_HOME", &w.cfg);
    cmd.env("XDG_STATE_HOME", &w.state);
    let mut p = Pty::spawn_cmd(cmd, 60, 20);
    p.wait_for("the list", |s| s.contains("Target"));
    p.send(b"s");
    let s = p.wait_for("the trust box", |s| s.contains("approve?"));
    assert!(
        s.contains("\\u{3000}") && s.contains("\\u{2800}"),
        "blank padding is escaped:\n{s}"
    );
    assert!(
        !s.contains("ZZ_BASH_ENV"),
        "the test needs a box too tall:\n{s}"
    );
    p.send(b"y");
    p.pump_for(Duration::from_millis(500));
    assert!(
        w.agents().is_empty(),
        "started before the box was seen whole"
    );
    scroll_until(&mut p, 60, |s| {
        s.contains("ZZ_BASH_ENV") && s.contains("(y/n)")
    });
    p.send(b"y");
    eventually("the agent started", || !w.agents().is_empty());
    let _ = w.mdash(&["run", "stop", "1a"]);
    p.send(b"q");
}

/// Issue 29 item 10: the trust box tells how a Claude Code run resumes.
#[test]
fn sec3_the_trust_box_shows_a_claude_runs_resume() {
    let w = Ws::new();
    w.file(
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [claude, \"/milestone {id}\"]\n",
    );
    let (code, out, err) = w.run(&["trust", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("resume:"))
        .unwrap_or_else(|| panic!("no resume line:\n{out}"));
    assert!(
        line.contains("claude --resume=<session id>") && !line.contains("(none)"),
        "{line}"
    );
}
