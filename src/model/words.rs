//! The words agents write for statuses and events, and what they mean
//! (SPEC §2 status table, §4 log blocker events).

use super::Status;

/// Events that raise a log blocker (SPEC §4).
pub const RAISES: [&str; 4] = [
    "blocker_detected",
    "dependency_blocker",
    "task_dependency_blocker",
    "blockers_escalated",
];
/// Events after which earlier raised blockers no longer count.
pub const CLEARS: [&str; 5] = [
    "blocker_resolved",
    "blockers_cleared",
    "session_resumed",
    "milestone_activated",
    "milestone_completed",
];

/// Lower-cased, with `-` and spaces read as `_`.
pub fn normalize_word(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// `f` of the normalized word, without building a new string when `raw` is
/// already normal (the usual case, and this runs for every task and phase
/// on every reload).
pub fn with_word<T>(raw: &str, f: impl Fn(&str) -> T) -> T {
    if raw.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        f(raw)
    } else {
        f(&normalize_word(raw))
    }
}

/// The normalized status of a raw status word (SPEC §2).
pub fn normalize_status(raw: &str) -> Status {
    with_word(raw, normal_status)
}

fn normal_status(word: &str) -> Status {
    match word {
        "planned" | "planning" | "pending" | "not_started" | "created" | "new" | "draft"
        | "todo" => Status::Planned,
        "in_progress" | "active" | "executing" | "running" | "started" | "resumed" | "doing"
        | "kiro_managed" => Status::InProgress,
        "paused" | "suspended" => Status::Paused,
        "blocked" | "waiting" | "waiting_approval" => Status::Blocked,
        "completed" | "complete" | "done" | "finished" | "archived" | "approved" => {
            Status::Completed
        }
        "failed" | "error" | "validation_failed" | "security_failed" | "bundling_failed"
        | "coding_failed" => Status::Failed,
        "cancelled" | "canceled" | "abandoned" => Status::Cancelled,
        _ => Status::Unknown,
    }
}
