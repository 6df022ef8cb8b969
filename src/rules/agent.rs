//! How Claude Code's hook events, its transcript and its tmux screen move
//! an agent's state (SPEC §8; the facts are in docs/claude-code.md). Pure:
//! the hook payload, the previous state and the screen text come in.

use std::path::Path;

use serde_json::Value;

use crate::model::{
    AgentState, AgentView, Blocker, BlockerKind, BlockerSource, MilestoneView, Status,
};

/// SPEC §8: the detail of `waiting_input` is at most this long.
pub const DETAIL_CHARS: usize = 120;

/// The tool that is a question to the human, not a permission.
const ASK: &str = "AskUserQuestion";

/// A state and its detail.
pub type Step = (AgentState, Option<String>);

/// The state a hook event moves to, given the state before it; `None`
/// when the event says nothing new about the state.
pub fn on_hook(prev: Option<&Step>, hook: &Value) -> Option<Step> {
    let event = hook["hook_event_name"].as_str()?;
    let tool = hook["tool_name"].as_str();
    let cwd = hook["cwd"].as_str().map(Path::new);
    let prev_state = prev.map(|p| p.0);
    match event {
        "SessionStart" => Some((AgentState::Starting, None)),
        "UserPromptSubmit" | "PostToolUse" => Some((AgentState::Working, None)),
        "PreToolUse" | "PermissionRequest" if tool == Some(ASK) => {
            Some((AgentState::WaitingInput, question(&hook["tool_input"])))
        }
        "PreToolUse" => Some((AgentState::Working, None)),
        "PermissionRequest" => Some((
            AgentState::WaitingPermission,
            Some(tool_detail(
                tool.unwrap_or("tool"),
                &hook["tool_input"],
                cwd,
            )),
        )),
        "Notification" => match hook["notification_type"].as_str() {
            // Claude Code sends this a few seconds after the menu (whose
            // PermissionRequest already moved the state), and after an
            // AskUserQuestion too: only news when nothing waits yet.
            Some("permission_prompt") if !prev_state.is_some_and(AgentState::waits) => {
                Some((AgentState::WaitingPermission, None))
            }
            Some("idle_prompt") => Some(match prev {
                Some((AgentState::WaitingInput, d)) => (AgentState::WaitingInput, d.clone()),
                _ => (AgentState::WaitingInput, None),
            }),
            _ => None,
        },
        "Stop" => Some((
            AgentState::WaitingInput,
            hook["last_assistant_message"].as_str().and_then(first_line),
        )),
        "SessionEnd" => Some((AgentState::Ended, None)),
        _ => None,
    }
}

/// `<Tool> <target>`: a file path relative to `cwd`, the first line of a
/// shell command, else the tool alone.
pub fn tool_detail(tool: &str, input: &Value, cwd: Option<&Path>) -> String {
    let tool = clean(tool);
    let path = ["file_path", "notebook_path", "path"]
        .iter()
        .find_map(|k| input[*k].as_str());
    if let Some(p) = path {
        let p = Path::new(p);
        let rel = cwd
            .and_then(|c| p.strip_prefix(c).ok())
            .filter(|r| !r.as_os_str().is_empty())
            .unwrap_or(p);
        return format!("{tool} {}", clean(&rel.to_string_lossy()));
    }
    if let Some(c) = input["command"].as_str().and_then(first_line_full) {
        return format!("{tool} {c}");
    }
    tool
}

/// The first question of an `AskUserQuestion`.
fn question(input: &Value) -> Option<String> {
    input["questions"][0]["question"]
        .as_str()
        .or_else(|| input["question"].as_str())
        .and_then(first_line)
}

fn first_line_full(s: &str) -> Option<String> {
    let l = clean(s.lines().map(str::trim).find(|l| !l.is_empty())?);
    (!l.is_empty()).then_some(l)
}

/// The first non-empty line, at most `DETAIL_CHARS` characters, without
/// control characters (nothing from the agent reaches a terminal raw).
pub fn first_line(s: &str) -> Option<String> {
    first_line_full(s).map(|l| l.chars().take(DETAIL_CHARS).collect())
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// What a Claude Code pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The permission menu (`❯ 1. Yes`).
    PermissionMenu,
    /// A turn in progress (`esc to interrupt`).
    Working,
    /// The prompt box, nothing in progress.
    Prompt,
    /// Something else (a question menu, a dialog, a shell).
    Other,
}

pub fn screen(text: &str) -> Screen {
    if text.contains("❯ 1. Yes") {
        return Screen::PermissionMenu;
    }
    if text.contains("esc to interrupt") {
        return Screen::Working;
    }
    let lines: Vec<&str> = text.lines().collect();
    let boxed = lines
        .windows(2)
        .any(|w| w[0].trim_start().starts_with('─') && w[1].trim_start().starts_with('❯'));
    // A question's menu also has `❯ 1.` lines, but not under a rule and
    // with its own footer.
    if boxed && !text.contains("Enter to select") {
        Screen::Prompt
    } else {
        Screen::Other
    }
}

/// The state the screen says, when it contradicts `current`: a turn ended
/// by Esc, a permission denied with "No" fire no hook.
pub fn correct(current: AgentState, shown: Screen) -> Option<AgentState> {
    let said = match shown {
        Screen::PermissionMenu => AgentState::WaitingPermission,
        Screen::Working => AgentState::Working,
        Screen::Prompt => AgentState::WaitingInput,
        Screen::Other => return None,
    };
    (current != AgentState::Ended && current != said).then_some(said)
}

/// Gives each milestone its agent, and an `agent_waiting` blocker while
/// that agent waits for the human (SPEC §4, §8).
pub fn attach_agents(views: &mut [std::sync::Arc<MilestoneView>], agents: &[(String, AgentView)]) {
    let by_id: std::collections::HashMap<&str, &AgentView> =
        agents.iter().map(|(id, a)| (id.as_str(), a)).collect();
    for v in views.iter_mut() {
        let agent = by_id.get(v.milestone.id.as_str()).copied();
        // Only views whose agent changes are touched (and copied).
        if v.agent.as_deref() == agent {
            continue;
        }
        let v = std::sync::Arc::make_mut(v);
        v.blockers.retain(|b| b.kind != BlockerKind::AgentWaiting);
        v.agent = agent.cloned().map(Box::new);
        let Some(a) = &v.agent else { continue };
        if !a.state.waits() || matches!(v.status, Status::Completed | Status::Cancelled) {
            continue;
        }
        v.blockers.push(Blocker {
            id: v.milestone.id.clone(),
            kind: BlockerKind::AgentWaiting,
            detail: waiting_detail(a.state, a.detail.as_deref()),
            source: BlockerSource::Agent,
            since: crate::util::time::parse(&a.since),
        });
        v.blockers
            .sort_by(|a, b| (a.kind.name(), &a.detail).cmp(&(b.kind.name(), &b.detail)));
    }
}

/// `permission: <what>` or `input: <what>` (SPEC §4).
pub fn waiting_detail(state: AgentState, detail: Option<&str>) -> String {
    let why = if state == AgentState::WaitingPermission {
        "permission"
    } else {
        "input"
    };
    match detail {
        Some(d) if !d.is_empty() => format!("{why}: {d}"),
        _ => why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(prev: Option<&Step>, v: Value) -> Option<Step> {
        on_hook(prev, &v)
    }

    #[test]
    fn hooks_move_the_state_as_the_spec_says() {
        let w =
            |t: &str| json!({"hook_event_name": "PreToolUse", "tool_name": t, "tool_input": {}});
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
        let note =
            json!({"hook_event_name": "Notification", "notification_type": "permission_prompt"});
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
        let note =
            json!({"hook_event_name": "Notification", "notification_type": "permission_prompt"});
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
}
