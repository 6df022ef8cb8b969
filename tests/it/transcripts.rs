//! A session started by hand, read from its transcript (SPEC §8) when
//! Claude Code wrote the lines out of order: on a loaded machine the
//! session's first prompt reached the file after the answer that ended its
//! turn (tests/fixtures/transcripts/late-prompt.jsonl, as the real CLI
//! wrote it when `agent::a_session_started_by_hand_…` failed). The turn
//! goes by the lines' times, so the agent waits for input.

use crate::common;

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

const SESSION: &str = "81b99f7c-78b6-4d06-848f-3a8d8c3bb888";

fn status(root: &Path, home: &Path) -> Value {
    let out = common::bin()
        .args(["status", "--json"])
        .arg(root)
        .env("HOME", home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .output()
        .expect("mdash");
    assert!(
        out.status.success(),
        "status: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_prompt_written_after_its_answer_leaves_the_agent_waiting_for_input() {
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().canonicalize().expect("canon").join("ws");
    std::fs::create_dir_all(&root).expect("ws");
    common::init_repo(&root, "main");
    common::write(
        &root,
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Milestone 2b\nstatus: in_progress\n",
    );
    let w = common::add_worktree(&root, "2b");
    let home = tempfile::tempdir().expect("home");
    let name: String = w
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let projects = home.path().join(".claude/projects").join(name);
    std::fs::create_dir_all(&projects).expect("projects");
    let file = projects.join(format!("{SESSION}.jsonl"));
    let late =
        std::fs::read_to_string(common::fixture("transcripts/late-prompt.jsonl")).expect("fixture");
    std::fs::write(&file, &late).expect("transcript");

    let doc = status(&root, home.path());
    let agent = &common::milestone(&doc, "2b")["agent"];
    assert_eq!(agent["state"], "waiting_input", "{agent:#}");
    assert_eq!(agent["detail"], "Hello from a session mdash did not start.");
    assert_eq!(agent["session_id"], SESSION);
    // Since the newest line, not the last one in the file.
    assert_eq!(agent["since"], "2026-12-07T23:23:03.565Z");
    assert_eq!(
        agent["tokens"],
        json!({"input": 500, "output": 9, "cache_read": 70, "cache_write": 3})
    );
    let waiting: Vec<&Value> = doc["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["id"] == "2b" && b["kind"] == "agent_waiting")
        .collect();
    assert_eq!(waiting.len(), 1, "{doc:#}");
    assert_eq!(
        waiting[0]["detail"],
        "input: Hello from a session mdash did not start."
    );

    // A prompt typed after that answer is a new turn: working again.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("append");
    writeln!(
        f,
        r#"{{"parentUuid":"d7767c48-5a69-42f4-853c-15410dcc1881","type":"user","message":{{"role":"user","content":"and now?"}},"uuid":"p2","timestamp":"2026-12-07T23:30:00.000Z","sessionId":"{SESSION}"}}"#
    )
    .expect("prompt");
    drop(f);
    let doc = status(&root, home.path());
    let agent = &common::milestone(&doc, "2b")["agent"];
    assert_eq!(agent["state"], "working", "{agent:#}");
    assert_eq!(agent["since"], "2026-12-07T23:30:00.000Z");
}
