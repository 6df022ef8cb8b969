//! The agent state machine's rules, from hook payloads and screens.
use super::*;
use serde_json::json;

fn step(prev: Option<&Step>, v: Value) -> Option<Step> {
    on_hook(prev, &v, None)
}

#[test]
fn an_api_error_is_a_state_of_its_own_and_a_prompt_moves_it_on() {
    let fail = json!({"hook_event_name": "StopFailure", "error": "rate_limit",
        "last_assistant_message": "API Error: Request rejected (429) · slow down\nmore"});
    let e = step(None, fail).expect("step");
    assert_eq!(
        e,
        (
            AgentState::Error,
            Some("rate_limit: API Error: Request rejected (429) · slow down".into())
        )
    );
    let long = json!({"hook_event_name": "StopFailure", "error": "overloaded",
        "last_assistant_message": "x".repeat(300)});
    let d = step(None, long).and_then(|s| s.1).expect("detail");
    assert_eq!(d.chars().count(), DETAIL_CHARS);
    let idle = json!({"hook_event_name": "Notification", "notification_type": "idle_prompt"});
    assert_eq!(step(Some(&e), idle), None, "idle, still in error");
    let prompt = json!({"hook_event_name": "UserPromptSubmit", "prompt": "again"});
    assert_eq!(step(Some(&e), prompt), Some((AgentState::Working, None)));
}

#[test]
fn compaction_is_a_detail_not_a_state() {
    let w = (AgentState::Working, None);
    let pre = step(
        Some(&w),
        json!({"hook_event_name": "PreCompact", "trigger": "auto"}),
    );
    assert_eq!(pre, Some((AgentState::Working, Some(COMPACTING.into()))));
    let post = step(pre.as_ref(), json!({"hook_event_name": "PostCompact"}));
    assert_eq!(post, Some((AgentState::Working, None)));
}

#[test]
fn a_subagents_permission_names_it_and_its_siblings_do_not_hide_it() {
    let sub = |event: &str, id: &str, tool: &str| {
        json!({"hook_event_name": event, "agent_id": id, "agent_type": "general-purpose",
               "tool_name": tool, "cwd": "/w", "tool_input": {"file_path": "/w/a.txt"}})
    };
    let w = (AgentState::Working, None);
    let p = on_hook(
        Some(&w),
        &sub("PermissionRequest", "a1", "Write"),
        Some("Design 2a"),
    )
    .expect("step");
    assert_eq!(
        p,
        (
            AgentState::WaitingPermission,
            Some("Write a.txt (Design 2a)".into())
        )
    );
    // Its sibling reads on: the request still waits.
    assert_eq!(
        on_hook(Some(&p), &sub("PreToolUse", "a2", "Read"), Some("Spec 2a")),
        None
    );
    assert_eq!(
        on_hook(Some(&p), &sub("PostToolUse", "a2", "Read"), Some("Spec 2a")),
        None
    );
    // Approved: its own tool ran.
    assert_eq!(
        on_hook(
            Some(&p),
            &sub("PostToolUse", "a1", "Write"),
            Some("Design 2a")
        ),
        Some(w.clone())
    );
    assert_eq!(
        subagent_step(&sub("PreToolUse", "a1", "Write")),
        Some((
            "a1".into(),
            "general-purpose".into(),
            SubagentState::Working,
            Some("Write a.txt".into())
        ))
    );
    let stop = json!({"hook_event_name": "SubagentStop", "agent_id": "a1",
        "agent_type": "general-purpose", "last_assistant_message": "Design drafted.\nMore."});
    assert_eq!(
        subagent_step(&stop).map(|s| (s.2, s.3)),
        Some((SubagentState::Ended, Some("Design drafted.".into())))
    );
    // Start and stop say nothing new of the parent.
    assert_eq!(on_hook(Some(&w), &stop, None), None);
}

#[test]
fn hooks_move_the_state_as_the_spec_says() {
    let w = |t: &str| json!({"hook_event_name": "PreToolUse", "tool_name": t, "tool_input": {}});
    assert_eq!(step(None, w("Read")), Some((AgentState::Working, None)));
    let perm = json!({"hook_event_name": "PermissionRequest", "tool_name": "Write",
        "cwd": "/w/t", "tool_input": {"file_path": "/w/t/.milestones/active/2a.yaml"}});
    let p = step(None, perm).expect("step");
    assert_eq!(
        p,
        (
            AgentState::WaitingPermission,
            Some("Write .milestones/active/2a.yaml".into())
        )
    );
    let note = json!({"hook_event_name": "Notification", "notification_type": "permission_prompt"});
    assert_eq!(
        step(Some(&p), note.clone()),
        None,
        "the menu is already known"
    );
    assert_eq!(
        step(Some(&(AgentState::Working, None)), note).map(|s| s.0),
        Some(AgentState::WaitingPermission)
    );
    let stop = json!({"hook_event_name": "Stop", "last_assistant_message": "\n  Shall I continue to the spec?\nMore."});
    assert_eq!(
        step(None, stop),
        Some((
            AgentState::WaitingInput,
            Some("Shall I continue to the spec?".into())
        ))
    );
    assert_eq!(
        step(
            None,
            json!({"hook_event_name": "SessionEnd", "reason": "other"})
        )
        .map(|s| s.0),
        Some(AgentState::Ended)
    );
    assert_eq!(step(None, json!({"hook_event_name": "Other"})), None);
    assert_eq!(step(None, json!({})), None);
}

#[test]
fn a_question_is_input_not_permission() {
    let input = json!({"questions": [{"question": "Which colour?", "options": []}]});
    let pre = json!({"hook_event_name": "PreToolUse", "tool_name": "AskUserQuestion", "tool_input": input});
    let s = step(None, pre).expect("step");
    assert_eq!(s, (AgentState::WaitingInput, Some("Which colour?".into())));
    let perm = json!({"hook_event_name": "PermissionRequest", "tool_name": "AskUserQuestion", "tool_input": input});
    assert_eq!(step(Some(&s), perm), Some(s.clone()));
    let note = json!({"hook_event_name": "Notification", "notification_type": "permission_prompt"});
    assert_eq!(step(Some(&s), note), None);
}

#[test]
fn details_name_the_target() {
    let cwd = Some(Path::new("/w"));
    assert_eq!(
        tool_detail("Bash", &json!({"command": "npm test\nnpm run lint"}), cwd),
        "Bash npm test"
    );
    assert_eq!(
        tool_detail("Edit", &json!({"file_path": "/elsewhere/x"}), cwd),
        "Edit /elsewhere/x"
    );
    assert_eq!(
        tool_detail("WebFetch", &json!({"url": "u"}), cwd),
        "WebFetch"
    );
    assert_eq!(
        tool_detail("Bash", &json!({"command": "echo \u{1b}[31mred"}), cwd),
        "Bash echo [31mred"
    );
    let long = "x".repeat(300);
    assert_eq!(
        first_line(&long).map(|s| s.chars().count()),
        Some(DETAIL_CHARS)
    );
}

#[test]
fn the_screen_corrects_a_turn_no_hook_ended() {
    let prompt = "──────\n❯ \n──────\n  ? for shortcuts";
    let working = "✽ Nebulizing…\n──────\n❯ \n──────\n  esc to interrupt · ← for agents";
    let menu = " Do you want to overwrite a.txt?\n ❯ 1. Yes\n   2. Yes, allow\n   3. No";
    let question = "──────\n ☐ Color\n❯ 1. Red\n  2. Blue\nEnter to select · ↑/↓ to navigate";
    assert_eq!(screen(prompt), Screen::Prompt);
    assert_eq!(screen(working), Screen::Working);
    assert_eq!(screen(menu), Screen::PermissionMenu);
    assert_eq!(screen(question), Screen::Other);
    assert_eq!(
        correct(AgentState::Working, Screen::Prompt),
        Some(AgentState::WaitingInput)
    );
    assert_eq!(
        correct(AgentState::WaitingPermission, Screen::Prompt),
        Some(AgentState::WaitingInput)
    );
    assert_eq!(correct(AgentState::WaitingInput, Screen::Prompt), None);
    assert_eq!(correct(AgentState::WaitingInput, Screen::Other), None);
    assert_eq!(correct(AgentState::Ended, Screen::Working), None);
}

#[test]
fn a_screen_correction_stands_only_while_the_log_has_not_moved_on() {
    use crate::model::AgentStatus;
    let st = |state, detail: Option<&str>, since: &str| AgentStatus {
        state,
        detail: detail.map(str::to_string),
        session_id: "s1".into(),
        since: since.into(),
        subagents: Vec::new(),
    };
    let working = st(AgentState::Working, None, "2026-12-08T00:10:18Z");
    // The PermissionRequest landed after the snapshot's read: no correction.
    let asked = st(
        AgentState::WaitingPermission,
        Some("Bash echo no > c.txt"),
        "2026-12-08T00:10:20Z",
    );
    assert!(!log_unchanged(Some(&working), Some(&asked)));
    assert!(!log_unchanged(None, Some(&asked)));
    // Nothing new: the screen may correct.
    assert!(log_unchanged(Some(&working), Some(&working.clone())));
    assert!(log_unchanged(None, None));
}
