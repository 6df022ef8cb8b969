//! `mdash hook`: the command Claude Code runs for each hook event of a run
//! mdash started (`--settings`, docs/claude-code.md). It reads the event on
//! stdin and appends an `agent_state` event to the milestone's log when the
//! state changed (SPEC §8). It always exits 0, quickly: a hook that fails
//! or hangs would get in the agent's way.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::model::{AgentState, valid_id};

/// Claude Code closes stdin after the event; this only guards against a
/// caller that never does.
const STDIN_WAIT: Duration = Duration::from_secs(3);
/// A hook event is a few KiB (a Write's content can be more).
const MAX_EVENT_BYTES: u64 = 8 << 20;

pub fn run(root: &Path, id: &str) -> i32 {
    if valid_id(id)
        && let Some(hook) = read_event()
    {
        // Errors are dropped on purpose: see the module comment.
        let _ = record(root, id, &hook);
    }
    0
}

fn read_event() -> Option<Value> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::stdin().take(MAX_EVENT_BYTES).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    let buf = rx.recv_timeout(STDIN_WAIT).ok()?;
    serde_json::from_slice(&buf).ok()
}

/// The read fence of the milestone's log (its size cap does not matter:
/// only the log's tail is read).
fn log_fence(root: &Path) -> crate::read::file::Fence {
    crate::read::file::Fence::new(root, crate::live::config::DEFAULT_MAX_FILE_BYTES)
}

/// Appends the new state, if the event changed it.
pub fn record(root: &Path, id: &str, hook: &Value) -> std::io::Result<bool> {
    // The session a resume goes on with, kept where the workspace cannot
    // write (a session id only: `live::runs::resume`).
    if let Some(s) = hook["session_id"].as_str() {
        let _ = crate::live::runs::resume::save(root, id, s);
    }
    let log = crate::live::agent::log_path(root, id);
    // The state read and the state appended are one step (`lock::hook`);
    // without the lock the hook still records what it can.
    let _held = crate::live::runs::lock::hook(root, id).ok();
    let prev = crate::read::agent::last_state(&log_fence(root), &log);
    let prev_step = prev.as_ref().map(|p| (p.state, p.detail.clone()));
    let session = hook["session_id"].as_str().unwrap_or_default();
    if let Some((aid, kind, state, detail)) = crate::rules::agent::subagent_step(hook) {
        let _ = crate::live::agent::append_subagent(
            root,
            id,
            session,
            (&aid, &kind),
            state,
            detail.as_deref(),
        );
    }
    let sub = hook["agent_id"]
        .as_str()
        .map(|aid| subagent_name(hook, aid));
    let Some((state, detail)) =
        crate::rules::agent::on_hook(prev_step.as_ref(), hook, sub.as_deref())
    else {
        return Ok(false);
    };
    if hook["hook_event_name"] == "PermissionRequest" && state == AgentState::WaitingPermission {
        // What it asks, for the dashboard's preview and answer (issue 19).
        let _ = crate::live::agent::request::save(root, id, hook);
    }
    if prev
        .as_ref()
        .is_some_and(|p| p.state == state && p.detail == detail && p.session_id == session)
    {
        return Ok(false);
    }
    crate::live::agent::append_state(root, id, state, detail.as_deref(), session)?;
    Ok(true)
}

/// How a subagent is named in its parent's detail: the description its
/// parent gave it (its meta file beside the session's transcript), else its
/// type (SPEC §8.1).
fn subagent_name(hook: &Value, aid: &str) -> String {
    let kind = hook["agent_type"].as_str().unwrap_or("subagent");
    let plain = !aid.is_empty()
        && aid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let meta = hook["transcript_path"]
        .as_str()
        .map(Path::new)
        .filter(|p| plain && p.extension().is_some_and(|x| x == "jsonl"))
        .and_then(|p| {
            let dir = p.with_extension("").join("subagents");
            let t = dir.join(format!("agent-{aid}.jsonl"));
            crate::read::transcript::subagents::meta(&t).description
        });
    meta.unwrap_or_else(|| kind.to_string())
}
