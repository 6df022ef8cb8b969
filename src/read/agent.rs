//! `agent_state` events (SPEC §8) as read from a milestone's log: the
//! newest one is the state its hooks last reported.

use std::path::Path;

use crate::model::{AgentState, AgentStatus, Event, SubagentHook, SubagentState};

/// The event name of a change of an agent's state.
pub const EVENT: &str = "agent_state";
/// The event name of a change of a subagent's state (SPEC §8.1).
pub const SUB_EVENT: &str = "subagent_state";

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
        subagents: Vec::new(),
    })
}

/// The state a `subagent_state` event records.
pub fn of_sub_event(e: &Event) -> Option<SubagentHook> {
    if e.name != SUB_EVENT {
        return None;
    }
    let d = e.details.as_ref()?;
    let state = match d["state"].as_str()? {
        "working" => SubagentState::Working,
        "ended" => SubagentState::Ended,
        _ => return None,
    };
    Some(SubagentHook {
        id: d["agent_id"].as_str()?.to_string(),
        kind: d["agent_type"].as_str().unwrap_or_default().to_string(),
        state,
        detail: d["detail"].as_str().map(str::to_string),
        session_id: d["session_id"].as_str().unwrap_or_default().to_string(),
        since: e.timestamp.clone().unwrap_or_default(),
    })
}

/// Marks in `keep` each subagent's first and newest `subagent_state`
/// event (per milestone and subagent id): what `subagents` needs, bounded
/// by the number of subagents however long their logs grow.
pub fn keep_subagents(events: &[Event], keep: &mut [bool]) {
    let mut seen: std::collections::HashMap<(Option<&str>, &str), (usize, usize)> =
        std::collections::HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.name != SUB_EVENT {
            continue;
        }
        let Some(aid) = e.details.as_ref().and_then(|d| d["agent_id"].as_str()) else {
            continue;
        };
        seen.entry((e.milestone_id.as_deref(), aid))
            .and_modify(|(_, last)| *last = i)
            .or_insert((i, i));
    }
    for (first, last) in seen.into_values() {
        keep[first] = true;
        keep[last] = true;
    }
}

/// The newest state of each subagent of session `session` among `events`
/// (in log order), oldest subagent first. The start of a subagent whose
/// first event fell out of the log's tail is known from its transcript.
pub fn subagents(events: &[Event], session: &str) -> Vec<SubagentHook> {
    let mut out: Vec<SubagentHook> = Vec::new();
    for h in events.iter().filter_map(of_sub_event) {
        if h.session_id != session {
            continue;
        }
        match out.iter_mut().find(|o| o.id == h.id) {
            Some(o) => {
                // The type and start stay those of its first event.
                o.state = h.state;
                o.detail = h.detail;
            }
            None => out.push(h),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(aid: &str, state: &str, detail: Option<&str>, session: &str) -> Event {
        let line = serde_json::json!({"event": SUB_EVENT, "timestamp": "2026-11-22T09:00:00Z",
            "milestone_id": "2a", "details": {"agent": "claude", "agent_id": aid,
            "agent_type": "general-purpose", "state": state, "detail": detail,
            "session_id": session}});
        crate::read::log::parse_line(&line.to_string())
            .ok()
            .flatten()
            .expect("event")
    }

    #[test]
    fn a_subagents_first_and_newest_states_are_kept_and_merged() {
        let events = vec![
            ev("a1", "working", None, "s1"),
            ev("a2", "working", None, "s1"),
            ev("a1", "working", Some("Read a.txt"), "s1"),
            ev("a1", "working", Some("Write a.txt"), "s1"),
            ev("a2", "ended", Some("Spec drafted."), "s1"),
            ev("a9", "working", None, "s0"),
        ];
        let mut keep = vec![false; events.len()];
        keep_subagents(&events, &mut keep);
        assert_eq!(keep, [true, true, false, true, true, true]);
        let kept: Vec<Event> = events
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(e, _)| e.clone())
            .collect();
        let subs = subagents(&kept, "s1");
        let view: Vec<(&str, SubagentState, Option<&str>)> = subs
            .iter()
            .map(|s| (s.id.as_str(), s.state, s.detail.as_deref()))
            .collect();
        assert_eq!(
            view,
            [
                ("a1", SubagentState::Working, Some("Write a.txt")),
                ("a2", SubagentState::Ended, Some("Spec drafted.")),
            ]
        );
    }
}
