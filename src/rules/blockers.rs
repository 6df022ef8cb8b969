//! What stands in a milestone's way (SPEC §4), except the git and run
//! blockers, which come from their own sources.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{
    Blocker, BlockerKind, BlockerSource, Event, Milestone, Phase, PhaseMap, Status,
};
use crate::model::{CLEARS, RAISES};
use crate::rules::{Settings, status};

/// What the rules know about the rest of the workspace.
pub struct Context<'a> {
    pub completed: &'a HashSet<&'a str>,
    pub cycles: &'a HashMap<String, String>,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
}

/// At most this many `unmet_dependency` blockers per milestone: the first
/// `UNMET_CAP - 1` unmet ids, each its own blocker (SPEC §4), then one
/// summary, `… and N more (first to last)`, for the rest. No real milestone
/// requires a hundred others, so ordinary trees are unchanged.
pub const UNMET_CAP: usize = 100;

/// Every blocker of one milestone, sorted by (kind, detail), duplicates
/// dropped. `events` are the milestone's events, oldest first.
pub fn compute(m: &Milestone, st: Status, events: &[Event], ctx: &Context) -> Vec<Blocker> {
    if matches!(st, Status::Completed | Status::Cancelled) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut add = |kind, detail: String, source, since| {
        out.push(Blocker {
            id: m.id.clone(),
            kind,
            detail,
            source,
            since,
        })
    };
    let mut unmet = m
        .requires
        .iter()
        .filter(|r| !ctx.completed.contains(r.as_str()));
    for r in unmet.by_ref().take(UNMET_CAP - 1) {
        add(
            BlockerKind::UnmetDependency,
            r.clone(),
            BlockerSource::Computed,
            None,
        );
    }
    // Past the cap, one summary instead of one blocker per id: a milestone
    // requiring a thousand others would otherwise add a thousand blockers,
    // and a thousand such milestones a million (issue 16 item 7).
    let rest: Vec<&String> = unmet.collect();
    match rest.as_slice() {
        [] => {}
        [one] => add(
            BlockerKind::UnmetDependency,
            (*one).clone(),
            BlockerSource::Computed,
            None,
        ),
        many => add(
            BlockerKind::UnmetDependency,
            format!(
                "… and {} more ({} to {})",
                many.len(),
                many[0],
                many[many.len() - 1]
            ),
            BlockerSource::Computed,
            None,
        ),
    }
    if let Some(c) = ctx.cycles.get(&m.id) {
        add(
            BlockerKind::DependencyCycle,
            c.clone(),
            BlockerSource::Computed,
            None,
        );
    }
    for r in &m.recorded_blockers {
        add(
            BlockerKind::Recorded,
            r.clone(),
            BlockerSource::Recorded,
            None,
        );
    }
    if let Some(phases) = &m.phases {
        for (kind, detail) in phase_blockers(None, phases) {
            add(kind, detail, BlockerSource::Computed, None);
        }
    }
    let long = crate::util::time::minutes(ctx.settings.long_task_minutes);
    for t in &m.tasks {
        if let Some(phases) = &t.phases {
            for (kind, detail) in phase_blockers(Some(&t.id), phases) {
                add(kind, detail, BlockerSource::Computed, None);
            }
        }
        match status::of_task(t) {
            Status::Failed => add(
                BlockerKind::FailedTask,
                t.id.clone(),
                BlockerSource::Computed,
                None,
            ),
            Status::InProgress => {
                let started = t.started_at.as_deref().and_then(crate::util::time::parse);
                if let Some(s) = started.filter(|s| ctx.now - *s > long) {
                    add(
                        BlockerKind::LongRunningTask,
                        t.id.clone(),
                        BlockerSource::Computed,
                        Some(s),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(f) = m.bundle.as_ref().and_then(|b| b.failed_task.clone()) {
        add(BlockerKind::FailedTask, f, BlockerSource::Computed, None);
    }
    if let Some(detail) = super::plan::mismatch(m) {
        add(
            BlockerKind::PlanMismatch,
            detail,
            BlockerSource::Computed,
            None,
        );
    }
    let cleared = events
        .iter()
        .rposition(|e| CLEARS.contains(&e.name.as_str()));
    let after = cleared.map_or(0, |i| i + 1);
    for e in &events[after.min(events.len())..] {
        if RAISES.contains(&e.name.as_str()) {
            add(
                BlockerKind::LogBlocker,
                event_detail(e),
                BlockerSource::Log,
                e.time,
            );
        }
    }
    out.sort_by(|a, b| (a.kind.name(), &a.detail).cmp(&(b.kind.name(), &b.detail)));
    out.dedup_by(|a, b| a.kind == b.kind && a.detail == b.detail);
    out
}

fn phase_blockers(task: Option<&str>, phases: &PhaseMap) -> Vec<(BlockerKind, String)> {
    let mut out = Vec::new();
    for p in Phase::ALL {
        let Some(state) = phases.get(p) else { continue };
        let kind = match state.status.as_deref() {
            Some("blocked") => BlockerKind::BlockedPhase,
            Some("waiting_approval" | "in_review") => BlockerKind::AwaitingApproval,
            _ => continue,
        };
        let mut detail = match task {
            Some(t) => format!("{t}/{}", p.name()),
            None => p.name().to_string(),
        };
        if let Some(r) = &state.blocked_reason {
            detail.push_str(": ");
            detail.push_str(r);
        }
        out.push((kind, detail));
    }
    out
}

/// `dependency_blocker: m-000`, `blocker_detected: type: disk, usage: 97`.
pub fn event_detail(e: &Event) -> String {
    match e.details.as_ref().and_then(json_text) {
        Some(d) => format!("{}: {d}", e.name),
        None => e.name.clone(),
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    match v {
        J::Null => None,
        J::String(s) => (!s.trim().is_empty()).then(|| s.trim().to_string()),
        J::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(json_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        J::Object(o) if o.len() == 1 => o.values().next().and_then(json_text),
        J::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .filter_map(|(k, v)| Some(format!("{k}: {}", json_text(v)?)))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use crate::read::log::parse_line;
    use crate::read::milestone::{Reading, classify};
    use crate::read::yaml;

    fn ms(src: &str) -> Milestone {
        let v = yaml::parse(src).expect("yaml");
        match classify(&v, Origin::Active, "x.yaml", "x").expect("ok") {
            Reading::Milestone(m) => *m,
            _ => panic!("not a milestone"),
        }
    }

    fn kinds(src: &str, completed: &[&str], events: &[&str]) -> Vec<(String, String)> {
        let m = ms(src);
        let done: HashSet<&str> = completed.iter().copied().collect();
        let cycles = HashMap::new();
        let settings = Settings::default();
        let ctx = Context {
            completed: &done,
            cycles: &cycles,
            settings: &settings,
            now: crate::util::time::parse("2026-01-01T12:00:00Z").expect("now"),
        };
        let evs: Vec<Event> = events
            .iter()
            .filter_map(|l| parse_line(l).ok().flatten())
            .collect();
        compute(&m, status::of_milestone(&m), &evs, &ctx)
            .into_iter()
            .map(|b| (b.kind.name().to_string(), b.detail))
            .collect()
    }

    fn pair(k: &str, d: &str) -> (String, String) {
        (k.to_string(), d.to_string())
    }

    #[test]
    fn dependencies_recorded_and_phases() {
        let b = kinds(
            "id: a\nrequires: []\ndependencies: {requires: [done, open, ghost]}\nblockers: [test_failures]\nphases:\n  spec: {status: blocked, blocked_reason: waiting}\n  task: {status: in_review}\n",
            &["done"],
            &[],
        );
        assert_eq!(
            b,
            [
                pair("awaiting_approval", "task"),
                pair("blocked_phase", "spec: waiting"),
                pair("recorded", "test_failures"),
                pair("unmet_dependency", "ghost"),
                pair("unmet_dependency", "open"),
            ]
        );
    }

    #[test]
    fn task_blockers() {
        let b = kinds(
            "id: a\ntasks:\n  - {id: t1, status: failed}\n  - {id: t2, status: in_progress, started_at: \"2026-01-01T10:00:00Z\"}\n  - {id: t3, status: in_progress, started_at: \"2026-01-01T11:30:00Z\"}\n  - id: t4\n    kiro_workflow: {phases: {design: {status: waiting_approval}}}\n",
            &[],
            &[],
        );
        assert_eq!(
            b,
            [
                pair("awaiting_approval", "t4/design"),
                pair("failed_task", "t1"),
                pair("long_running_task", "t2")
            ]
        );
    }

    #[test]
    fn log_blockers_after_the_last_clearing_event() {
        let evs = [
            r#"{"event":"blocker_detected","details":{"type":"old"}}"#,
            r#"{"event":"session_resumed"}"#,
            r#"{"event_type":"dependency_blocker","data":{"dependency":"m-000"}}"#,
            r#"{"event_type":"blocker_detected","data":{"type":"disk","usage":97}}"#,
        ];
        let b = kinds("id: a\n", &[], &evs);
        assert_eq!(
            b,
            [
                pair("log_blocker", "blocker_detected: type: disk, usage: 97"),
                pair("log_blocker", "dependency_blocker: m-000"),
            ]
        );
    }

    #[test]
    fn finished_milestones_have_none() {
        assert!(
            kinds(
                "id: a\nstatus: done\nrequires: [x]\nblockers: [y]\n",
                &[],
                &[]
            )
            .is_empty()
        );
        assert!(kinds("id: a\nstatus: abandoned\nblockers: [y]\n", &[], &[]).is_empty());
    }
}
