//! The test infrastructure for Claude Code agents, proven on the real CLI:
//! `claude` in a private tmux server against the scripted model, through a
//! permission prompt answered with `1`, to the end of the turn. Skips (and
//! says why) where the CLI is not installed; CI installs it and must run it.

use crate::common;

use std::path::Path;

use common::claude::{self, Home, Tmux, screen};
use common::model::{Model, Turn, Usage};
use serde_json::{Value, json};

/// Hook settings for every event, each appending its stdin as one line.
fn recording_hooks(log: &Path) -> String {
    let cmd = format!(
        "cat >> {q}; echo >> {q}",
        q = claude::shell_quote(&log.to_string_lossy())
    );
    let events = [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "PermissionRequest",
        "Notification",
        "Stop",
        "SessionEnd",
    ];
    let hooks: serde_json::Map<String, Value> = events
        .iter()
        .map(|e| {
            (
                e.to_string(),
                json!([{"matcher": "", "hooks": [{"type": "command", "command": cmd}]}]),
            )
        })
        .collect();
    json!({ "hooks": hooks }).to_string()
}

fn hook_events(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn wait_hook(log: &Path, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let end = std::time::Instant::now() + claude::SCREEN_TIMEOUT;
    while std::time::Instant::now() < end {
        if let Some(e) = hook_events(log).into_iter().find(|e| pred(e)) {
            return e;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no {what} hook; heard: {:#?}", hook_events(log));
}

/// Sums usage over the transcript's assistant lines, each message id once.
fn transcript_usage(file: &Path) -> (Usage, usize, usize) {
    let text = std::fs::read_to_string(file).expect("transcript");
    let mut seen = std::collections::HashSet::new();
    let (mut sum, mut lines) = (Usage::default(), 0);
    for l in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(l) else {
            continue;
        };
        if v["type"] != "assistant" {
            continue;
        }
        lines += 1;
        let m = &v["message"];
        if !seen.insert(m["id"].as_str().unwrap_or("").to_string()) {
            continue;
        }
        let u = &m["usage"];
        let n = |k: &str| u[k].as_u64().unwrap_or(0);
        sum = sum.add(Usage::new(
            n("input_tokens"),
            n("output_tokens"),
            n("cache_read_input_tokens"),
            n("cache_creation_input_tokens"),
        ));
    }
    (sum, seen.len(), lines)
}

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn real_claude_asks_permission_and_ends_its_turn() {
    let Some(bin) = claude::require() else { return };
    let work = tempfile::tempdir().expect("work");
    let dir = work.path().canonicalize().expect("canon");
    std::fs::write(dir.join("a.txt"), "hello\n").expect("a.txt");
    let a = dir.join("a.txt").to_string_lossy().into_owned();
    let model = Model::start(vec![
        Turn::tool("Read", json!({"file_path": a}))
            .with_text("Reading it first.")
            .usage(Usage::new(1000, 20, 300, 40)),
        Turn::tool("Write", json!({"file_path": a, "content": "bye\n"}))
            .usage(Usage::new(1100, 30, 500, 0)),
        Turn::text("Done. Shall I continue?").usage(Usage::new(1200, 7, 0, 5)),
    ]);
    let home = Home::new(&[&dir]);
    let hooks = work.path().join("hooks.jsonl");
    let tmux = Tmux::new(home.env(&model.base_url(), &bin));
    let argv = vec![
        bin.to_string_lossy().into_owned(),
        "--settings".into(),
        recording_hooks(&hooks),
        "Please change a.txt".into(),
    ];
    let pane = tmux.start("agent", &dir, &argv);

    let shown = tmux.wait_screen(&pane, "the permission menu", screen::permission_menu);
    assert!(shown.contains("a.txt"), "menu names the file:\n{shown}");
    let req = wait_hook(&hooks, "PermissionRequest", |e| {
        e["hook_event_name"] == "PermissionRequest"
    });
    assert_eq!(req["tool_name"], "Write");
    assert_eq!(req["tool_input"]["file_path"], a.as_str());
    let session = req["session_id"].as_str().expect("session_id").to_string();
    assert_eq!(req["cwd"], dir.to_string_lossy().as_ref());
    assert_eq!(
        std::fs::read_to_string(&a).expect("a"),
        "hello\n",
        "not yet written"
    );

    tmux.keys(&pane, &["1"]);
    let stop = wait_hook(&hooks, "Stop", |e| e["hook_event_name"] == "Stop");
    assert_eq!(stop["last_assistant_message"], "Done. Shall I continue?");
    assert_eq!(std::fs::read_to_string(&a).expect("a"), "bye\n");
    tmux.wait_screen(&pane, "the empty prompt", screen::prompt);

    // The hooks in order, the way docs/claude-code.md describes them.
    let names: Vec<String> = hook_events(&hooks)
        .iter()
        .map(|e| e["hook_event_name"].as_str().unwrap_or("").to_string())
        .filter(|n| n != "Notification")
        .collect();
    assert_eq!(
        names,
        [
            "SessionStart",
            "UserPromptSubmit",
            "PreToolUse",
            "PostToolUse",
            "PreToolUse",
            "PermissionRequest",
            "PostToolUse",
            "Stop"
        ],
        "hooks heard"
    );

    // The transcript: where the docs say, each answer's usage once.
    let file = home.transcripts(&dir).join(format!("{session}.jsonl"));
    assert_eq!(
        Path::new(req["transcript_path"].as_str().expect("path")),
        file
    );
    // `Stop` can fire before the last answer reaches the transcript: wait
    // for it (with a deadline) rather than read too early.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (sum, ids, lines) = loop {
        let got = transcript_usage(&file);
        if got.1 >= 3 || std::time::Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(ids, 3, "three answers");
    assert!(
        lines > ids,
        "an answer with text and a tool is written as two lines"
    );
    assert_eq!(sum, Usage::new(3300, 57, 800, 45));
    assert_eq!(sum, model.served_usage());
    assert_eq!(model.exhausted(), 0);
    assert_eq!(model.main_requests().len(), 3);
}
