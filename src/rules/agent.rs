//! How Claude Code's hook events, its transcript and its tmux screen move
//! an agent's state (SPEC §8; the facts are in docs/claude-code.md). Pure:
//! the hook payload, the previous state and the screen text come in.

use std::path::Path;

use serde_json::Value;

use crate::model::{
    AgentState, AgentStatus, AgentView, Blocker, BlockerKind, BlockerSource, MilestoneView, Status,
    SubagentState,
};

/// SPEC §8: the detail of `waiting_input` is at most this long.
pub const DETAIL_CHARS: usize = 120;

/// The tool that is a question to the human, not a permission.
const ASK: &str = "AskUserQuestion";

/// A state and its detail.
pub type Step = (AgentState, Option<String>);

/// The detail while a conversation is compacted (no state of its own).
pub const COMPACTING: &str = "compacting";

/// The state a hook event moves to, given the state before it; `None`
/// when the event says nothing new about the state. `sub` names the
/// subagent that raised it (its description, else its type), when one did.
pub fn on_hook(prev: Option<&Step>, hook: &Value, sub: Option<&str>) -> Option<Step> {
    let event = hook["hook_event_name"].as_str()?;
    let tool = hook["tool_name"].as_str();
    let cwd = hook["cwd"].as_str().map(Path::new);
    let prev_state = prev.map(|p| p.0);
    if hook["agent_id"].is_string() {
        return on_subagent_hook(prev, hook, sub.unwrap_or("subagent"));
    }
    match event {
        "StopFailure" => Some((AgentState::Error, Some(error_detail(hook)))),
        "PreCompact" => Some((
            prev_state.unwrap_or(AgentState::Working),
            Some(COMPACTING.to_string()),
        )),
        "PostCompact" => prev.map(|(s, d)| {
            let d = d.clone().filter(|d| d != COMPACTING);
            (*s, d)
        }),
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
            // An API error stays until something happens (SPEC §8.2).
            Some("idle_prompt") if prev_state == Some(AgentState::Error) => None,
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

/// `<error>: <first line of last_assistant_message>`, at most
/// `DETAIL_CHARS` characters (SPEC §8.2).
pub fn error_detail(hook: &Value) -> String {
    let kind = clean(hook["error"].as_str().unwrap_or("unknown"));
    let msg = hook["last_assistant_message"]
        .as_str()
        .and_then(first_line)
        .unwrap_or_default();
    let d = if msg.is_empty() {
        kind
    } else {
        format!("{kind}: {msg}")
    };
    d.chars().take(DETAIL_CHARS).collect()
}

/// A subagent's hook, for its parent: a permission it asks names it; its
/// tool calls mean the parent works, except while another request waits
/// (parallel subagents must not hide a waiting permission).
fn on_subagent_hook(prev: Option<&Step>, hook: &Value, name: &str) -> Option<Step> {
    let tool = hook["tool_name"].as_str();
    let cwd = hook["cwd"].as_str().map(Path::new);
    let name = clean(name);
    let mine = format!("({name})");
    let waiting = prev.filter(|p| p.0 == AgentState::WaitingPermission);
    match hook["hook_event_name"].as_str()? {
        "PermissionRequest" if tool != Some(ASK) => Some((
            AgentState::WaitingPermission,
            Some(format!(
                "{} {mine}",
                tool_detail(tool.unwrap_or("tool"), &hook["tool_input"], cwd)
            )),
        )),
        "PreToolUse" | "PostToolUse" => match waiting {
            Some((_, d)) if d.as_deref().is_some_and(|d| d.ends_with(&mine)) => {
                (hook["hook_event_name"] == "PostToolUse").then_some((AgentState::Working, None))
            }
            Some(_) => None,
            None => Some((AgentState::Working, None)),
        },
        _ => None,
    }
}

/// What a subagent's own hook says of it: (id, type, state, detail).
pub fn subagent_step(hook: &Value) -> Option<(String, String, SubagentState, Option<String>)> {
    let id = clean(hook["agent_id"].as_str()?);
    let kind = clean(hook["agent_type"].as_str().unwrap_or_default());
    let cwd = hook["cwd"].as_str().map(Path::new);
    let (state, detail) = match hook["hook_event_name"].as_str()? {
        "SubagentStart" => (SubagentState::Working, None),
        "SubagentStop" => (
            SubagentState::Ended,
            hook["last_assistant_message"].as_str().and_then(first_line),
        ),
        "PreToolUse" => (
            SubagentState::Working,
            Some(tool_detail(
                hook["tool_name"].as_str().unwrap_or("tool"),
                &hook["tool_input"],
                cwd,
            )),
        ),
        _ => return None,
    };
    (!id.is_empty()).then_some((id, kind, state, detail))
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

/// Whether a screen correction worked out from `read` (the newest agent
/// state when the snapshot was read) still stands now that the log's newest
/// is `now`: a hook that spoke meanwhile wins over the screen (a
/// `PermissionRequest` lands as its menu is drawn, and a correction from the
/// `working` before it appended `waiting_permission` without its detail).
/// Subagents' states do not count.
pub fn log_unchanged(read: Option<&AgentStatus>, now: Option<&AgentStatus>) -> bool {
    match (read, now) {
        (Some(a), Some(b)) => {
            (a.state, &a.detail, &a.since, &a.session_id)
                == (b.state, &b.detail, &b.since, &b.session_id)
        }
        (a, b) => a.is_none() && b.is_none(),
    }
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
        v.blockers
            .retain(|b| !matches!(b.kind, BlockerKind::AgentWaiting | BlockerKind::AgentError));
        v.agent = agent.cloned().map(Box::new);
        let Some(a) = &v.agent else { continue };
        if !a.state.waits() || matches!(v.status, Status::Completed | Status::Cancelled) {
            continue;
        }
        let (kind, detail) = if a.state == AgentState::Error {
            (
                BlockerKind::AgentError,
                a.detail.clone().unwrap_or_default(),
            )
        } else {
            (
                BlockerKind::AgentWaiting,
                waiting_detail(a.state, a.detail.as_deref()),
            )
        };
        v.blockers.push(Blocker {
            id: v.milestone.id.clone(),
            kind,
            detail,
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
mod tests;
