//! One level deeper into the agents (issue 26, SPEC §8.1–8.3), against the
//! real Claude Code CLI and the scripted model: a coordinator that deploys
//! two subagents in parallel (both working, on screen and in `status
//! --json`, then ended with their last messages; tokens per subagent and in
//! total exact to the token, cost exact to the configured prices); a turn
//! that ends on a 429 (`error`, `agent_error`, the header's count, a new
//! prompt moving on); a resumed run reaching `waiting_input` at its empty
//! prompt (issue 29 item 4); and sessions mdash did not start, from their
//! transcripts alone.

mod transcripts;

use crate::common;

use std::time::Duration;

use common::claude::{self, Setup, screen, text};
use common::model::{Turn, Usage};
use serde_json::{Value, json};

/// Dollars per million: input, output, cache read, cache write.
const PRICE: [f64; 4] = [3.0, 15.0, 0.3, 3.75];

/// What every model is priced at in the tests' config: a configured prefix
/// wins over a longer built-in one (`claude-opus-4`).
const PREFIX: &str = "claude-";

/// The config every test here runs with: API errors end the turn at once,
/// and every model `PREFIX` names has the prices above.
fn configure(s: &Setup) {
    common::write(
        &s.root,
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [claude, \"Work on milestone {id}\"]\n  env:\n    \
         CLAUDE_CODE_MAX_RETRIES: \"0\"\nprices:\n  \
         claude-: {input: 3, output: 15, cache_read: 0.3, cache_write: 3.75}\n",
    );
    let out = s.mdash(&["trust", "--yes"]);
    assert!(out.status.success(), "trust: {}", text(&out.stderr));
}

/// The cost of `usage` at `PRICE`, as SPEC §8.3 rounds it.
fn cost(u: Usage) -> f64 {
    let m = |x: f64| (x * 1e6).round() as u128;
    let pico = u.input as u128 * m(PRICE[0])
        + u.output as u128 * m(PRICE[1])
        + u.cache_read as u128 * m(PRICE[2])
        + u.cache_write as u128 * m(PRICE[3]);
    ((pico + 500_000) / 1_000_000) as f64 / 1e6
}

fn tokens(u: Usage) -> Value {
    json!({"input": u.input, "output": u.output, "cache_read": u.cache_read,
           "cache_write": u.cache_write})
}

fn subagents(doc: &Value, id: &str) -> Vec<Value> {
    common::milestone(doc, id)["agent"]["subagents"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn blockers(doc: &Value, id: &str, kind: &str) -> Vec<Value> {
    doc["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["id"] == id && b["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn a_coordinator_deploys_two_subagents_in_parallel() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    configure(&s);
    let w = s.worktree("2a");
    let a = w.join("a.txt").to_string_lossy().into_owned();
    let coord = [Usage::new(1000, 20, 100, 50), Usage::new(1100, 5, 0, 7)];
    let design = [Usage::new(300, 3, 10, 0), Usage::new(310, 4, 0, 1)];
    let spec = [Usage::new(200, 2, 0, 0)];
    let hold = Duration::from_secs(60);
    s.model.push(vec![
        Turn::tool(
            "Agent",
            json!({"description": "Design 2a", "prompt": "LANE-DESIGN: draft the design",
                   "subagent_type": "general-purpose"}),
        )
        .and_tool(
            "Agent",
            json!({"description": "Spec 2a", "prompt": "LANE-SPEC: draft the spec",
                   "subagent_type": "general-purpose"}),
        )
        .usage(coord[0]),
        Turn::text("Both done.").usage(coord[1]),
    ]);
    s.model.lane(
        "LANE-DESIGN",
        vec![
            Turn::tool("Read", json!({"file_path": a}))
                .usage(design[0])
                .hold(hold),
            Turn::text("Design drafted.\nIt has two parts.").usage(design[1]),
        ],
    );
    s.model.lane(
        "LANE-SPEC",
        vec![Turn::text("Spec drafted.").usage(spec[0]).hold(hold)],
    );
    let dash = s
        .tmux
        .start("dash", &s.root, &[env!("CARGO_BIN_EXE_mdash").to_string()]);
    s.tmux.wait_text(&dash, "Milestone 2b");
    s.tmux.keys(&dash, &["s"]);

    // 1. Both work at once, with their types and descriptions.
    // (Claude Code writes a subagent's meta file, with its description, a
    // moment after it starts.)
    let doc = s.wait_agent("2a", "two working subagents", |a| {
        let subs = a["subagents"].as_array().cloned().unwrap_or_default();
        subs.len() == 2
            && subs
                .iter()
                .all(|x| x["state"] == "working" && x["description"].is_string())
    });
    let subs = subagents(&doc, "2a");
    let mut described: Vec<(&str, &str)> = subs
        .iter()
        .map(|x| {
            (
                x["type"].as_str().unwrap_or("?"),
                x["description"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            ("general-purpose", "Design 2a"),
            ("general-purpose", "Spec 2a")
        ]
    );
    for x in &subs {
        assert!(x["id"].as_str().is_some_and(|i| !i.is_empty()), "{x:#}");
    }
    assert_eq!(common::milestone(&doc, "2a")["agent"]["state"], "working");
    let shown = s
        .tmux
        .wait_screen(&dash, "both subagents in the tree", |sc| {
            sc.contains("⑂2")
                && sc.contains("▶ Design 2a · general-purpose")
                && sc.contains("▶ Spec 2a · general-purpose")
        });
    assert!(shown.contains("cost $"), "{shown}");

    // 2. Both end, with their last messages; the coordinator ends its turn.
    assert!(s.model.release_each(2, Duration::from_secs(30)), "released");
    let doc = s.wait_state("2a", "waiting_input", Some("Both done."));
    let subs = subagents(&doc, "2a");
    assert_eq!(subs.len(), 2, "{doc:#}");
    let by = |d: &str| {
        subs.iter()
            .find(|x| x["description"] == d)
            .cloned()
            .unwrap_or_else(|| panic!("no {d}: {subs:#?}"))
    };
    let (de, sp) = (by("Design 2a"), by("Spec 2a"));
    assert_eq!(de["state"], "ended");
    assert_eq!(de["detail"], "Design drafted.");
    assert_eq!(sp["state"], "ended");
    assert_eq!(sp["detail"], "Spec drafted.");
    // Tokens: each subagent its own transcript, the agent all of them.
    assert_eq!(de["tokens"], tokens(design[0].add(design[1])));
    assert_eq!(sp["tokens"], tokens(spec[0]));
    let all = coord[0]
        .add(coord[1])
        .add(design[0])
        .add(design[1])
        .add(spec[0]);
    assert_eq!(all, s.model.served_usage());
    let agent = &common::milestone(&doc, "2a")["agent"];
    assert_eq!(agent["tokens"], tokens(all));
    for r in s.model.main_requests() {
        let model = r.body["model"].as_str().unwrap_or_default();
        assert!(model.starts_with(PREFIX), "priced in the config: {model}");
    }
    assert_eq!(agent["cost_usd"].as_f64(), Some(cost(all)), "{agent:#}");
    s.tmux.wait_screen(&dash, "both ended", |sc| {
        sc.contains("✓ Design 2a")
            && sc.contains("✓ Spec 2a")
            && sc.contains("Design drafted.")
            && sc.contains("Spec drafted.")
            && !sc.contains("⑂")
    });

    // The hooks logged each subagent's states.
    let log =
        std::fs::read_to_string(s.root.join(".milestones/logs/execution-2a.jsonl")).expect("log");
    let sub_events = log
        .lines()
        .filter(|l| l.contains("\"subagent_state\""))
        .count();
    assert!(sub_events >= 5, "start, Read, stop ×2: {log}");

    // `mdash status` tells the workspace's cost.
    let out = s.mdash(&["status"]);
    let table = text(&out.stdout);
    assert!(
        table.contains(&format!("agents ${:.6}", cost(all))),
        "{table}"
    );
}

#[test]
fn a_turn_that_meets_a_429_is_an_error_until_the_next_prompt() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    configure(&s);
    s.model.push(vec![
        Turn::http_error(429, "rate_limit_error"),
        Turn::text("Recovered.").usage(Usage::new(500, 5, 0, 0)),
    ]);
    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));
    let doc = s.wait_state("2a", "error", None);
    let agent = &common::milestone(&doc, "2a")["agent"];
    let detail = agent["detail"].as_str().expect("detail");
    assert!(detail.starts_with("rate_limit: API Error"), "{detail}");
    assert!(detail.chars().count() <= 120);
    let b = blockers(&doc, "2a", "agent_error");
    assert_eq!(b.len(), 1, "{doc:#}");
    assert_eq!(b[0]["source"], "agent");
    assert_eq!(b[0]["detail"], detail);
    assert!(blockers(&doc, "2a", "agent_waiting").is_empty());
    // The error message has no tokens and costs nothing.
    assert_eq!(agent["cost_usd"].as_f64(), Some(0.0), "{agent:#}");

    // On the dashboard: its own glyph, counted among those that need you.
    let dash = s
        .tmux
        .start("dash", &s.root, &[env!("CARGO_BIN_EXE_mdash").to_string()]);
    let shown = s.tmux.wait_screen(&dash, "the error in the list", |sc| {
        sc.contains("↯ 2a") && sc.contains("1 need you")
    });
    assert!(shown.contains("rate_limit"), "{shown}");

    // A new prompt moves it on: `R` replies to an agent in error too.
    s.tmux.wait_pane("the agent's prompt", |sc| {
        screen::prompt(sc) && sc.contains("429")
    });
    s.tmux.keys(&dash, &["R"]);
    s.tmux.wait_text(&dash, "reply to 2a's agent");
    s.tmux.type_text(&dash, "try again");
    s.tmux.wait_text(&dash, "try again_");
    s.tmux.keys(&dash, &["Enter"]);
    s.tmux.wait_text(&dash, "2a: replied");
    let doc = s.wait_state("2a", "waiting_input", Some("Recovered."));
    assert!(blockers(&doc, "2a", "agent_error").is_empty());
    let events = s.agent_events("2a");
    let states: Vec<&str> = events
        .iter()
        .filter_map(|e| e["details"]["state"].as_str())
        .collect();
    assert!(
        states.windows(2).any(|w| w == ["error", "working"]),
        "{states:?}"
    );
}

#[test]
fn a_resumed_run_at_its_empty_prompt_waits_for_input() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    s.model
        .push(vec![Turn::text("Hello.").usage(Usage::new(10, 1, 0, 0))]);
    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));
    s.wait_state("2a", "waiting_input", Some("Hello."));
    let out = s.mdash(&["run", "stop", "2a"]);
    assert!(out.status.success(), "stop: {}", text(&out.stderr));
    s.wait_state("2a", "ended", None);
    let out = s.mdash(&["run", "resume", "2a"]);
    assert!(out.status.success(), "resume: {}", text(&out.stderr));
    // No hook fires until a prompt is sent: the screen says it waits.
    let doc = s.wait_state("2a", "waiting_input", None);
    assert_eq!(common::milestone(&doc, "2a")["run"]["state"], "running");
    assert_eq!(blockers(&doc, "2a", "agent_waiting").len(), 1, "{doc:#}");
    let _ = s.mdash(&["run", "stop", "2a"]);
}

#[test]
fn a_permission_a_subagent_asks_names_it() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    configure(&s);
    let w = s.worktree("2a");
    // A new file: an existing one must be read before it is written.
    let a = w.join("design.md").to_string_lossy().into_owned();
    s.model.push(vec![
        Turn::tool(
            "Agent",
            json!({"description": "Design 2a", "prompt": "LANE-WRITER: write it",
                   "subagent_type": "general-purpose"}),
        ),
        Turn::text("Delegated and done."),
    ]);
    s.model.lane(
        "LANE-WRITER",
        vec![
            Turn::tool("Write", json!({"file_path": a, "content": "designed\n"})),
            Turn::text("Wrote the design."),
        ],
    );
    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));
    let doc = s.wait_state(
        "2a",
        "waiting_permission",
        Some("Write design.md (Design 2a)"),
    );
    let subs = subagents(&doc, "2a");
    assert_eq!(subs.len(), 1, "{doc:#}");
    assert_eq!(subs[0]["state"], "working");
    assert_eq!(subs[0]["detail"], "Write design.md");
    let b = blockers(&doc, "2a", "agent_waiting");
    assert_eq!(b[0]["detail"], "permission: Write design.md (Design 2a)");
    let pane = s
        .tmux
        .wait_pane("the permission menu", screen::permission_menu);
    s.tmux.keys(&pane, &["1"]);
    let doc = s.wait_state("2a", "waiting_input", Some("Delegated and done."));
    let subs = subagents(&doc, "2a");
    assert_eq!(subs[0]["state"], "ended");
    assert_eq!(subs[0]["detail"], "Wrote the design.");
    assert_eq!(
        std::fs::read_to_string(w.join("design.md")).expect("design"),
        "designed\n"
    );
}

#[test]
fn compaction_shows_as_a_detail_and_ends_even_without_post_compact() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    s.model
        .push(vec![Turn::text("Hello.").usage(Usage::new(10, 1, 0, 0))]);
    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));
    s.wait_state("2a", "waiting_input", Some("Hello."));
    let pane = s.tmux.wait_pane("the prompt", |sc| {
        screen::prompt(sc) && sc.contains("Hello.")
    });
    // Too short a conversation: Claude Code fires PreCompact, then says
    // "Not enough messages to compact." and fires no PostCompact.
    s.tmux.type_text(&pane, "/compact");
    std::thread::sleep(Duration::from_millis(300));
    s.tmux.keys(&pane, &["Enter"]);
    claude::wait_until("the compacting detail logged", || {
        s.agent_events("2a")
            .iter()
            .any(|e| e["details"]["detail"] == "compacting")
    });
    let events = s.agent_events("2a");
    let c = events
        .iter()
        .find(|e| e["details"]["detail"] == "compacting")
        .expect("compacting");
    assert_eq!(
        c["details"]["state"], "waiting_input",
        "no state of its own"
    );
    // The pane shows the prompt again: the detail is over.
    s.wait_state("2a", "waiting_input", Some("Hello."));
    let _ = s.mdash(&["run", "stop", "2a"]);
}
