//! Claude Code as a first-class agent (issue 13, SPEC §8), against the real
//! CLI and the scripted model: states and details from hooks, the
//! `agent_waiting` blocker, `agent_state` events, exact token sums, pause,
//! resume and stop of its processes, resume of the same conversation, a
//! session started by hand, the screen correcting a turn ended with Esc, and
//! `a` taking the dashboard to the agent's pane.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::claude::{self, Setup, blockers_of, descendants, proc_stat, screen, text, wait_until};
use common::model::{Turn, Usage};
use serde_json::{Value, json};

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn a_claude_run_is_followed_through_permissions_questions_pause_stop_and_resume() {
    let Some(bin) = claude::require() else { return };
    // The worktree's a.txt is read, then rewritten (permission 1), the turn
    // ends on a question, the reply leads to a shell command (permission 2).
    let script_for = |w: &Path| {
        let a = w.join("a.txt").to_string_lossy().into_owned();
        vec![
            Turn::tool("Read", json!({"file_path": a}))
                .with_text("Let me look.")
                .usage(Usage::new(1000, 20, 300, 40)),
            Turn::tool("Write", json!({"file_path": a, "content": "two\n"}))
                .usage(Usage::new(1100, 30, 500, 0)),
            Turn::text("Written.\nShall I continue to the spec?").usage(Usage::new(1200, 7, 0, 5)),
            Turn::tool(
                "Bash",
                json!({"command": "echo spec > b.txt\necho more", "description": "Write the spec"}),
            )
            .usage(Usage::new(1300, 11, 100, 0)),
            Turn::text("All done.").usage(Usage::new(1400, 3, 0, 0)),
        ]
    };
    // The worktree path is known before the model starts.
    let probe = Setup::new(&bin, Vec::new());
    let w = probe.worktree("2a");
    probe.model.push(script_for(&w));
    let s = probe;

    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));

    // 1. The permission for the Write, from hooks, with the blocker.
    let doc = s.wait_state("2a", "waiting_permission", Some("Write a.txt"));
    let agent = &common::milestone(&doc, "2a")["agent"];
    assert_eq!(agent["kind"], "claude");
    let session = agent["session_id"]
        .as_str()
        .expect("session id")
        .to_string();
    let transcript = s.home.transcripts(&w).join(format!("{session}.jsonl"));
    assert!(transcript.is_file(), "the session id names the transcript");
    chrono::DateTime::parse_from_rfc3339(agent["since"].as_str().expect("since"))
        .expect("since is RFC 3339");
    let b = blockers_of(&doc, "2a");
    assert_eq!(b.len(), 1, "{doc:#}");
    assert_eq!(b[0]["detail"], "permission: Write a.txt");
    assert_eq!(b[0]["source"], "agent");
    assert!(blockers_of(&doc, "2b").is_empty());
    assert_eq!(
        std::fs::read_to_string(w.join("a.txt")).expect("a"),
        "one\n"
    );

    // 2. Approved in the pane: the turn ends on a question.
    let pane = s
        .tmux
        .wait_pane("the permission menu", screen::permission_menu);
    s.tmux.keys(&pane, &["1"]);
    // The Stop hook can come before the answer reaches the transcript (a
    // loaded machine): the tokens are whole once it has.
    let doc = s.wait_tokens(
        "2a",
        "waiting_input",
        "Written.",
        &json!({"input": 3300, "output": 57, "cache_read": 800, "cache_write": 45}),
    );
    assert_eq!(
        std::fs::read_to_string(w.join("a.txt")).expect("a"),
        "two\n"
    );
    assert_eq!(blockers_of(&doc, "2a")[0]["detail"], "input: Written.");

    // 3. A reply; the second permission names the command's first line.
    s.tmux.wait_screen(&pane, "the prompt", screen::prompt);
    s.tmux.type_text(&pane, "yes, continue");
    s.tmux.keys(&pane, &["Enter"]);
    s.wait_state("2a", "waiting_permission", Some("Bash echo spec > b.txt"));

    // 4. Pause stops every process of the agent; resume continues them.
    let sup = s.tmux.pane_pid(&pane).expect("pane pid");
    let procs = descendants(sup);
    assert!(!procs.is_empty(), "the agent runs under the pane");
    let out = s.mdash(&["run", "pause", "2a"]);
    assert!(out.status.success(), "pause: {}", text(&out.stderr));
    let ps = || {
        text(
            &Command::new("ps")
                .args(["-eo", "pid,ppid,pgid,sid,stat,args"])
                .output()
                .expect("ps")
                .stdout,
        )
    };
    for p in &procs {
        wait_until(&format!("{p} stopped, {procs:?} {}", ps()), || {
            proc_stat(*p).is_none_or(|(st, _)| st == 'T' || st == 'Z')
        });
    }
    let out = s.mdash(&["run", "resume", "2a"]);
    assert!(out.status.success(), "resume: {}", text(&out.stderr));
    for p in &procs {
        wait_until(&format!("{p} continued"), || {
            proc_stat(*p).is_none_or(|(st, _)| st != 'T')
        });
    }

    // 5. The second approval, the end of the work.
    s.tmux
        .wait_screen(&pane, "the Bash menu", screen::permission_menu);
    s.tmux.keys(&pane, &["1"]);
    s.wait_state("2a", "waiting_input", Some("All done."));
    let sum = s.model.served_usage();
    assert_eq!(sum, Usage::new(6000, 71, 900, 45));
    s.wait_tokens(
        "2a",
        "waiting_input",
        "All done.",
        &json!({"input": sum.input, "output": sum.output, "cache_read": sum.cache_read,
               "cache_write": sum.cache_write}),
    );
    assert_eq!(
        std::fs::read_to_string(w.join("b.txt")).expect("b"),
        "spec\n"
    );

    // 6. Stop ends it.
    let out = s.mdash(&["run", "stop", "2a"]);
    assert!(out.status.success(), "stop: {}", text(&out.stderr));
    let doc = s.wait_state("2a", "ended", None);
    assert!(blockers_of(&doc, "2a").is_empty());
    assert_eq!(
        common::milestone(&doc, "2a")["agent"]["session_id"],
        session
    );
    for p in &procs {
        wait_until(&format!("{p} gone"), || {
            proc_stat(*p).is_none_or(|(st, _)| st == 'Z')
        });
    }

    // Every change of state was logged, in order, with its details.
    let events = s.agent_events("2a");
    let states: Vec<&str> = events
        .iter()
        .map(|e| e["details"]["state"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        states,
        [
            "starting",
            "working",
            "waiting_permission",
            "working",
            "waiting_input",
            "working",
            "waiting_permission",
            "working",
            "waiting_input",
            "ended"
        ],
        "{events:#?}"
    );
    for e in &events {
        assert_eq!(e["milestone_id"], "2a");
        assert_eq!(e["details"]["agent"], "claude");
        assert_eq!(e["details"]["session_id"], session.as_str());
        assert!(e["timestamp"].is_string());
    }
    assert_eq!(events[2]["details"]["detail"], "Write a.txt");
    assert_eq!(events[3]["details"]["detail"], Value::Null);

    // 7. Resume of a run whose process is gone: the same conversation.
    s.model.push(vec![
        Turn::text("Picked up where we left off.").usage(Usage::new(2000, 5, 0, 0)),
    ]);
    let out = s.mdash(&["run", "resume", "2a"]);
    assert!(out.status.success(), "resume: {}", text(&out.stderr));
    let pane = s.tmux.wait_pane("the resumed prompt", |sc| {
        screen::prompt(sc) && sc.contains("All done.")
    });
    let doc = s.wait_agent("2a", "resumed", |a| {
        a["session_id"] == session.as_str() && a["state"] != "ended"
    });
    assert_eq!(common::milestone(&doc, "2a")["run"]["state"], "running");
    s.tmux.type_text(&pane, "carry on");
    s.tmux.keys(&pane, &["Enter"]);
    s.wait_state("2a", "waiting_input", Some("Picked up where we left off."));
    let last = s.model.main_requests().pop().expect("a request");
    let seen = last.conversation_text();
    for said in [
        "Work on milestone 2a",
        "Shall I continue to the spec?",
        "yes, continue",
        "echo spec > b.txt",
        "All done.",
        "carry on",
    ] {
        assert!(seen.contains(said), "the model saw {said:?} again:\n{seen}");
    }
    assert_eq!(s.model.exhausted(), 0);
    let _ = s.mdash(&["run", "stop", "2a"]);
}

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn a_session_started_by_hand_in_a_worktree_is_read_from_its_transcript() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(
        &bin,
        vec![
            Turn::text("Hello from a session mdash did not start.\nSecond line.")
                .usage(Usage::new(500, 9, 70, 3)),
        ],
    );
    let w = s.worktree("2b");
    // No hooks: plain `claude` in the worktree, started by hand.
    let pane = s.tmux.start(
        "by-hand",
        &w,
        &[bin.to_string_lossy().into_owned(), "Say hello".into()],
    );
    s.tmux.wait_text(&pane, "Hello from a session");
    let dir = s.home.transcripts(&w);
    let _dump = Dump(dir.clone());
    let doc = s.wait_state(
        "2b",
        "waiting_input",
        Some("Hello from a session mdash did not start."),
    );
    let agent = &common::milestone(&doc, "2b")["agent"];
    assert_eq!(agent["kind"], "claude");
    assert_eq!(
        agent["tokens"],
        json!({"input": 500, "output": 9, "cache_read": 70, "cache_write": 3})
    );
    let session = agent["session_id"].as_str().expect("sid");
    assert!(
        s.home
            .transcripts(&w)
            .join(format!("{session}.jsonl"))
            .is_file()
    );
    assert_eq!(
        blockers_of(&doc, "2b")[0]["detail"],
        "input: Hello from a session mdash did not start."
    );
    // The other milestone has no agent at all.
    assert_eq!(common::milestone(&doc, "2a")["agent"], Value::Null);
}

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn the_dashboard_shows_who_needs_you_corrects_an_esc_and_a_goes_to_the_pane() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    let w = s.worktree("2a");
    let a = w.join("a.txt").to_string_lossy().into_owned();
    s.model.push(vec![
        Turn::tool("Read", json!({"file_path": a})),
        Turn::tool("Write", json!({"file_path": a, "content": "x\n"})),
        Turn::text("Written.").usage(Usage::default()),
        // The next turn hangs until the test presses Esc in the pane.
        Turn::text("never seen").hold(Duration::from_secs(90)),
    ]);
    // The dashboard in its own tmux session; its runs open windows there.
    let dash = s
        .tmux
        .start("dash", &s.root, &[env!("CARGO_BIN_EXE_mdash").to_string()]);
    s.tmux.wait_text(&dash, "2a");
    // Select 2a (the first milestone) and start its agent.
    s.tmux.keys(&dash, &["s"]);
    s.wait_state("2a", "waiting_permission", Some("Write a.txt"));
    let shown = s
        .tmux
        .wait_screen(&dash, "1 need you", |sc| sc.contains("1 need you"));
    assert!(shown.contains("permission: Write a.txt"), "{shown}");

    // `a` lands in the agent's window, whose pane shows the menu.
    s.tmux.keys(&dash, &["a"]);
    wait_until("the agent's window active", || {
        let active = s
            .tmux
            .ok(&["display-message", "-p", "-t", "dash", "#{pane_id}"]);
        let active = active.trim();
        active != dash && screen::permission_menu(&s.tmux.screen(active))
    });
    let agent_pane = s
        .tmux
        .ok(&["display-message", "-p", "-t", "dash", "#{pane_id}"])
        .trim()
        .to_string();
    s.tmux.keys(&agent_pane, &["1"]);
    s.wait_state("2a", "waiting_input", Some("Written."));

    // A new prompt; Esc ends the turn and no hook says so: the screen does.
    s.tmux
        .wait_screen(&agent_pane, "the prompt", screen::prompt);
    s.tmux.type_text(&agent_pane, "and now?");
    s.tmux.keys(&agent_pane, &["Enter"]);
    s.wait_state("2a", "working", None);
    s.tmux.wait_screen(&agent_pane, "working", screen::working);
    s.tmux.keys(&agent_pane, &["Escape"]);
    s.wait_state("2a", "waiting_input", None);
    let _ = s.mdash(&["run", "stop", "2a"]);
}

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn outside_tmux_runs_go_to_a_session_of_their_own_and_a_attaches_there() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, vec![Turn::text("Ready when you are.")]);
    // The dashboard in a pane, but told it is not inside tmux: its runs go
    // to the workspace's own detached session on the same (private) server.
    let dash = s.tmux.start(
        "dash",
        &s.root,
        &[
            "env".to_string(),
            "-u".into(),
            "TMUX".into(),
            "-u".into(),
            "TMUX_PANE".into(),
            env!("CARGO_BIN_EXE_mdash").to_string(),
        ],
    );
    s.tmux.wait_text(&dash, "Milestone 2b");
    s.tmux.keys(&dash, &["s"]);
    s.wait_state("2a", "waiting_input", Some("Ready when you are."));
    let sessions = s.tmux.ok(&["list-sessions", "-F", "#{session_name}"]);
    let own = sessions
        .lines()
        .find(|l| l.starts_with("mdash-"))
        .unwrap_or_else(|| panic!("no session of the workspace's own: {sessions}"))
        .to_string();
    let in_own = s
        .tmux
        .ok(&["list-panes", "-s", "-t", &own, "-F", "#{pane_id}"]);
    assert!(
        in_own
            .lines()
            .any(|p| s.tmux.screen(p).contains("Ready when you are.")),
        "the agent runs in {own}"
    );
    // `a` attaches this pane to that session; detaching comes back.
    s.tmux.keys(&dash, &["a"]);
    s.tmux.wait_screen(&dash, "the agent's screen", |sc| {
        sc.contains("Ready when you are.")
    });
    // The dashboard's own detail pane shows that text too: wait for the
    // client to be attached to the session before detaching it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while s.tmux.ok(&["list-clients", "-t", &own]).trim().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "`a` never attached a client to {own}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Detach (what `C-b d` does in the attached client).
    s.tmux.ok(&["detach-client", "-s", &own]);
    s.tmux.wait_text(&dash, "Milestone 2b");
    let _ = s.mdash(&["run", "stop", "2a"]);
}

struct Dump(std::path::PathBuf);
impl Drop for Dump {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for e in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
                eprintln!("FILE {:?}", e.path());
                if e.path().is_file() {
                    for l in std::fs::read_to_string(e.path())
                        .unwrap_or_default()
                        .lines()
                    {
                        eprintln!("{}", l.chars().take(300).collect::<String>());
                    }
                }
            }
        }
    }
}
