//! Starting Claude Code the way mdash runs it: its hooks given on the
//! command line (`--settings`, no file of the user's touched), each hook
//! being `mdash hook`; and resuming a session (`claude --resume <id>`).

use std::path::Path;

use serde_json::{Value, json};

/// The hook events whose payloads move an agent's state (SPEC §8), its
/// subagents' (§8.1), its API errors (§8.2) and compaction.
pub const EVENTS: [&str; 13] = [
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "PermissionRequest",
    "Notification",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "SessionEnd",
];

/// Quotes one word for `sh -c`, which is how Claude Code runs a hook.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The `--settings` JSON: every event runs `mdash hook` for milestone `id`.
pub fn settings(exe: &Path, root: &Path, id: &str) -> String {
    let command = format!(
        "{} hook --root {} --milestone {}",
        shell_quote(&exe.to_string_lossy()),
        shell_quote(&root.to_string_lossy()),
        shell_quote(id)
    );
    let hook =
        json!([{"matcher": "", "hooks": [{"type": "command", "command": command, "timeout": 10}]}]);
    let hooks: serde_json::Map<String, Value> = EVENTS
        .iter()
        .map(|e| (e.to_string(), hook.clone()))
        .collect();
    json!({ "hooks": hooks }).to_string()
}

/// The command line of a run: the configured one with the hooks added
/// after the program, or, to resume, the program with `--resume=<session>`
/// (the conversation goes on; the configured prompt is not sent again).
/// Each value is one word with its option (`--opt=value`): `--resume`
/// takes an optional value, so a separate word could be taken as an option.
/// A session that is not a session id is not resumed.
pub fn argv(configured: &[String], settings: String, resume: Option<&str>) -> Vec<String> {
    let Some((program, rest)) = configured.split_first() else {
        return Vec::new();
    };
    let resume = resume.filter(|s| crate::live::runs::resume::is_session_id(s));
    let mut out = vec![program.clone()];
    if let Some(sid) = resume {
        out.push(format!("--resume={sid}"));
    }
    out.push(format!("--settings={settings}"));
    if resume.is_none() {
        out.extend(rest.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_call_mdash_with_quoted_words() {
        let s = settings(Path::new("/opt/m dash/mdash"), Path::new("/w/it's"), "2a");
        let v: Value = serde_json::from_str(&s).expect("json");
        for e in EVENTS {
            let c = v["hooks"][e][0]["hooks"][0]["command"]
                .as_str()
                .expect("command");
            assert_eq!(
                c,
                "'/opt/m dash/mdash' hook --root '/w/it'\\''s' --milestone 2a"
            );
        }
        let cmd = vec!["claude".to_string(), "/milestone 2a".into()];
        assert_eq!(
            argv(&cmd, "{}".into(), None),
            ["claude", "--settings={}", "/milestone 2a"]
        );
        let sid = "3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b";
        assert_eq!(
            argv(&cmd, "{}".into(), Some(sid)),
            ["claude", &format!("--resume={sid}"), "--settings={}"]
        );
        // Not a session id: a new conversation, nothing of it on the line.
        assert_eq!(
            argv(&cmd, "{}".into(), Some("--dangerously-skip-permissions")),
            ["claude", "--settings={}", "/milestone 2a"]
        );
    }
}
