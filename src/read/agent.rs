//! `agent_state` events (SPEC §8) as read from a milestone's log: the
//! newest one is the state its hooks last reported.

use std::path::Path;

use crate::model::{AgentState, AgentStatus, Event};

/// The event name of a change of an agent's state.
pub const EVENT: &str = "agent_state";

/// How far back from the end of a log `last_state` looks.
const TAIL_BYTES: u64 = 64 * 1024;

/// The state an `agent_state` event records.
pub fn of_event(e: &Event) -> Option<AgentStatus> {
    if e.name != EVENT {
        return None;
    }
    let d = e.details.as_ref()?;
    Some(AgentStatus {
        state: AgentState::parse(d["state"].as_str()?)?,
        detail: d["detail"].as_str().map(str::to_string),
        session_id: d["session_id"].as_str().unwrap_or_default().to_string(),
        since: e.timestamp.clone().unwrap_or_default(),
    })
}

/// The newest `agent_state` in the last 64 KiB of `log` (by position: one
/// writer, `mdash hook`, appends them in order), read through the fence:
/// a log that leads out of the workspace is not read, and a FIFO, socket
/// or device put in its place is refused, never waited on (each hook event
/// would stall the agent, and a run's end would never be recorded).
pub fn last_state(fence: &crate::read::file::Fence, log: &Path) -> Option<AgentStatus> {
    let (text, _) = crate::read::file::tail_text(fence, log, TAIL_BYTES).ok()?;
    text.lines()
        .rev()
        .filter(|l| l.contains(EVENT))
        .find_map(|l| {
            let e = crate::read::log::parse_line(l).ok()??;
            of_event(&e)
        })
}
