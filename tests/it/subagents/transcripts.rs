//! Subagents, API errors and costs of sessions mdash did not start, from
//! Claude Code's files alone (written here in the format 2.1.197 writes);
//! and `prices:` checked by `mdash check`.

use crate::common;

use std::path::Path;

use super::blockers;
use common::claude::{self, text};
use common::model::Usage;
use serde_json::{Value, json};

/// One transcript line as Claude Code 2.1.197 writes it.
fn line(kind: &str, body: Value) -> String {
    let mut v = json!({"parentUuid": null, "isSidechain": false, "cwd": "/w",
        "sessionId": "s1", "version": "2.1.197", "type": kind,
        "timestamp": "2026-11-22T09:00:00.000Z"});
    for (k, x) in body.as_object().expect("object") {
        v[k] = x.clone();
    }
    v.to_string() + "\n"
}

fn answer(id: &str, model: &str, content: Value, stop: &str, u: Usage) -> String {
    line(
        "assistant",
        json!({"message": {"id": id, "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop,
            "usage": {"input_tokens": u.input, "output_tokens": u.output,
                      "cache_read_input_tokens": u.cache_read,
                      "cache_creation_input_tokens": u.cache_write}}}),
    )
}

#[test]
fn sessions_mdash_did_not_start_show_subagents_errors_and_costs_from_transcripts() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().canonicalize().expect("canon").join("ws");
    std::fs::create_dir_all(&root).expect("ws");
    common::init_repo(&root, "main");
    for id in ["2a", "2b"] {
        common::write(
            &root,
            &format!(".milestones/active/{id}.yaml"),
            format!("id: {id}\ntitle: Milestone {id}\nstatus: in_progress\n"),
        );
    }
    let (w2a, w2b) = (
        common::add_worktree(&root, "2a"),
        common::add_worktree(&root, "2b"),
    );
    let config = dir.path().join("claude");
    let project = |w: &Path| config.join("projects").join(claude::project_dir_name(w));
    let p = project(&w2a);
    let read = json!([{"type": "tool_use", "id": "t3", "name": "Read",
                       "input": {"file_path": "/w/a.txt"}}]);
    let agents = json!([{"type": "tool_use", "id": "t1", "name": "Agent", "input": {}},
                        {"type": "tool_use", "id": "t2", "name": "Agent", "input": {}}]);
    let text_of = |t: &str| json!([{"type": "text", "text": t}]);
    let model = "claude-opus-4-8";
    common::write(
        &p,
        "s1.jsonl",
        line(
            "user",
            json!({"message": {"role": "user", "content": "go"}}),
        ) + &answer(
            "m1",
            model,
            agents.clone(),
            "tool_use",
            Usage::new(1000, 10, 0, 0),
        ) + &answer("m1", model, agents, "tool_use", Usage::new(1000, 10, 0, 0)),
    );
    common::write(
        &p,
        "s1/subagents/agent-a1.jsonl",
        line(
            "user",
            json!({"message": {"role": "user", "content": "design"}}),
        ) + &answer(
            "d1",
            model,
            text_of("Design drafted."),
            "end_turn",
            Usage::new(300, 3, 0, 0),
        ),
    );
    common::write(
        &p,
        "s1/subagents/agent-a1.meta.json",
        r#"{"agentType":"general-purpose","description":"Design 2a","toolUseId":"t1"}"#,
    );
    common::write(
        &p,
        "s1/subagents/agent-a2.jsonl",
        line(
            "user",
            json!({"message": {"role": "user", "content": "spec"}}),
        ) + &answer("e1", model, read, "tool_use", Usage::new(200, 2, 0, 0)),
    );
    common::write(
        &p,
        "s1/subagents/agent-a2.meta.json",
        r#"{"agentType":"spec-writer","toolUseId":"t2"}"#,
    );
    // 2b's turn ended on an API error; Claude Code noted it in a message
    // without tokens.
    let mut note: Value = serde_json::from_str(&answer(
        "x1",
        "<synthetic>",
        text_of("API Error: Repeated 529 Overloaded errors"),
        "stop_sequence",
        Usage::default(),
    ))
    .expect("json");
    note["error"] = json!("overloaded");
    note["isApiErrorMessage"] = json!(true);
    common::write(
        &project(&w2b),
        "s2.jsonl",
        line(
            "user",
            json!({"message": {"role": "user", "content": "go"}}),
        ) + &answer(
            "y1",
            "mystery-model",
            text_of("Hi"),
            "end_turn",
            Usage::new(5, 1, 0, 0),
        ) + &note.to_string()
            + "\n",
    );
    let out = common::bin()
        .env("CLAUDE_CONFIG_DIR", &config)
        .args(["status", "--json", "--now", "2026-11-22T09:01:00Z"])
        .arg(&root)
        .output()
        .expect("mdash");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let a = &common::milestone(&doc, "2a")["agent"];
    assert_eq!(a["state"], "working", "{a:#}");
    assert_eq!(
        a["subagents"],
        json!([
            {"id": "a1", "type": "general-purpose", "description": "Design 2a",
             "state": "ended", "detail": "Design drafted.",
             "tokens": {"input": 300, "output": 3, "cache_read": 0, "cache_write": 0}},
            {"id": "a2", "type": "spec-writer", "description": null,
             "state": "working", "detail": "Read a.txt",
             "tokens": {"input": 200, "output": 2, "cache_read": 0, "cache_write": 0}},
        ])
    );
    assert_eq!(
        a["tokens"],
        json!({"input": 1500, "output": 15, "cache_read": 0, "cache_write": 0})
    );
    // The built-in price of the Opus 4 family: $5 in, $25 out per million.
    assert_eq!(a["cost_usd"].as_f64(), Some(0.007875));
    let b = &common::milestone(&doc, "2b")["agent"];
    assert_eq!(b["state"], "error");
    assert_eq!(
        b["detail"],
        "overloaded: API Error: Repeated 529 Overloaded errors"
    );
    // A model without a price: the cost is unknown, not wrong.
    assert_eq!(b["cost_usd"], Value::Null);
    assert_eq!(blockers(&doc, "2b", "agent_error").len(), 1);
}

#[test]
fn a_bad_price_is_a_check_error_with_its_line() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path();
    common::write(
        root,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: A\nstatus: planned\n",
    );
    common::write(
        root,
        ".milestones/config/mdash.yaml",
        "prices:\n  claude-opus-4-8:\n    input: 3\n    output: lots\n    cache_read: 0.3\n    \
         cache_write: 3.75\n  claude-haiku: {input: 1, output: 5}\n  claude-x: 7\n",
    );
    let out = common::bin()
        .arg("check")
        .arg(root)
        .output()
        .expect("mdash");
    let said = text(&out.stdout) + &text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let lines: Vec<&str> = said.lines().filter(|l| l.contains("prices")).collect();
    assert_eq!(lines.len(), 3, "{said}");
    assert!(
        lines[0].contains("mdash.yaml:4:5: error: prices.claude-opus-4-8.output is \"lots\""),
        "{said}"
    );
    assert!(
        lines[1]
            .contains("mdash.yaml:7:3: error: prices.claude-haiku lacks cache_read, cache_write"),
        "{said}"
    );
    assert!(
        lines[2].contains("mdash.yaml:8:3: error: prices.claude-x"),
        "{said}"
    );
    // The good entries still price: status reads on.
    let doc = common::status_json(root);
    assert!(doc["errors"].is_array());
}
