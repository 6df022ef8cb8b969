//! A §7 document (from a stream) back into the model the dashboard shows:
//! a `Snapshot` of `MilestoneView`s, so the app and ui take a workspace
//! from the stream exactly as one read here. Remote text stays text: it is
//! escaped where it is drawn, like a workspace file's. What §7 does not
//! carry (file-level phase maps, sessions, worktree git state) is absent.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value as J;

use crate::model::{
    AgentState, AgentView, Blocker, BlockerKind, BlockerSource, Event, Gate, Milestone,
    MilestoneView, Origin, Pace, Phase, PhaseBar, Problem, Ready, RequestRef, RunState, RunView,
    Snapshot, Status, TaskCounts, Tokens,
};

fn s(v: &J) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn opt(v: &J) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn time(v: &J) -> Option<DateTime<Utc>> {
    crate::util::time::parse(v.as_str()?)
}

fn strings(v: &J) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(J::as_str).map(String::from).collect())
        .unwrap_or_default()
}

const KINDS: [BlockerKind; 13] = [
    BlockerKind::UnmetDependency,
    BlockerKind::DependencyCycle,
    BlockerKind::Recorded,
    BlockerKind::BlockedPhase,
    BlockerKind::AwaitingApproval,
    BlockerKind::FailedTask,
    BlockerKind::LongRunningTask,
    BlockerKind::LogBlocker,
    BlockerKind::GitConflict,
    BlockerKind::RunFailed,
    BlockerKind::ChecksFailed,
    BlockerKind::MergeForecast,
    BlockerKind::AgentWaiting,
];

fn blocker(id: &str, b: &J) -> Option<Blocker> {
    let kind = KINDS
        .into_iter()
        .find(|k| b["kind"].as_str() == Some(k.name()))?;
    let source = match b["source"].as_str() {
        Some("recorded") => BlockerSource::Recorded,
        Some("log") => BlockerSource::Log,
        Some("agent") => BlockerSource::Agent,
        _ => BlockerSource::Computed,
    };
    Some(Blocker {
        id: id.to_string(),
        kind,
        detail: s(&b["detail"]),
        source,
        since: None,
    })
}

/// `agent.request` as the stream carries it: the request by identity
/// (what the remote `mdash answer --request` takes back).
fn request(r: &J) -> Option<RequestRef> {
    let hash = r["hash"].as_str()?;
    if hash.len() != 32 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(RequestRef {
        hash: hash.to_string(),
        tool: s(&r["tool"]),
        target: opt(&r["target"]),
    })
}

/// The pane of an agent read from a stream: not known here (§7 does not
/// carry it), only that a Claude Code agent of a live run mdash started
/// has one where it runs (tmux is its default backend). An empty
/// `TmuxPane` says so; the keys that need it run the workspace's own
/// `mdash answer`/`reply`/`attach`, which prove the pane there.
fn pane_there(a: &J, run: Option<&RunView>) -> Option<crate::model::TmuxPane> {
    let live = run.is_some_and(|r| matches!(r.state, RunState::Running | RunState::Paused));
    (live && a["kind"] == "claude").then(|| crate::model::TmuxPane {
        pane: String::new(),
        socket: String::new(),
    })
}

fn agent(a: &J, run: Option<&RunView>) -> Option<Box<AgentView>> {
    let state = AgentState::parse(a["state"].as_str()?)?;
    let pane = pane_there(a, run);
    let t = &a["tokens"];
    let n = |k: &str| t[k].as_u64().unwrap_or(0);
    Some(Box::new(AgentView {
        kind: if a["kind"] == "claude" {
            "claude"
        } else {
            "other"
        },
        session_id: s(&a["session_id"]),
        state,
        since: s(&a["since"]),
        detail: opt(&a["detail"]),
        tokens: Tokens {
            input: n("input"),
            output: n("output"),
            cache_read: n("cache_read"),
            cache_write: n("cache_write"),
        },
        hooked: pane.is_some(),
        pane,
        // Its subagents are not carried over (the rows show the parent).
        request: request(&a["request"]),
        cost_micros: a["cost_usd"]
            .as_f64()
            .map(|c| (c * 1_000_000.0).round().max(0.0) as u64),
        subagents: Vec::new(),
    }))
}

fn milestone(m: &J) -> Option<MilestoneView> {
    let id = m["id"].as_str()?.to_string();
    let status = Status::ALL
        .into_iter()
        .find(|st| m["status"].as_str() == Some(st.name()))?;
    let milestone = Milestone {
        id: id.clone(),
        title: s(&m["title"]),
        raw_status: opt(&m["raw_status"]),
        stage: opt(&m["stage"]),
        requires: strings(&m["requires"]),
        enables: strings(&m["enables"]),
        weights: [15.0, 25.0, 20.0, 40.0],
        phases: None,
        tasks: Vec::new(),
        counters: Default::default(),
        bundle: None,
        plan: None,
        declared_progress: m["declared_progress"].as_f64(),
        recorded_blockers: Vec::new(),
        description: None,
        origin: Origin::Active,
        source: s(&m["source"]),
        worktree_dir: None,
    };
    let phases = m["phases"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some(PhaseBar {
                        phase: Phase::from_name(p["name"].as_str()?)?,
                        weight: p["weight"].as_f64()?,
                        fraction: p["fraction"].as_f64()?,
                        status: s(&p["status"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let t = &m["tasks"];
    let n = |k: &str| t[k].as_u64().unwrap_or(0);
    let run = m["run"].as_object().and_then(|r| {
        Some(RunView {
            state: RunState::parse(r.get("state")?.as_str()?)?,
            pid: r.get("pid").and_then(J::as_i64).map(|p| p as i32),
            started_at: r.get("started_at").map(s).unwrap_or_default(),
            detail: None,
        })
    });
    let missing = strings(&m["ready"]["missing"])
        .iter()
        .filter_map(|g| Gate::ALL.into_iter().find(|x| x.name() == g))
        .collect();
    let agent = agent(&m["agent"], run.as_ref());
    Some(MilestoneView {
        merged: None,
        milestone: Arc::new(milestone),
        status,
        progress: m["progress"].as_f64().unwrap_or(0.0),
        phases,
        tasks: TaskCounts {
            total: n("total"),
            completed: n("completed"),
            in_progress: n("in_progress"),
            failed: n("failed"),
        },
        blockers: m["blockers"]
            .as_array()
            .map(|a| a.iter().filter_map(|b| blocker(&id, b)).collect())
            .unwrap_or_default(),
        last_event: m["last_event"].as_object().map(|e| {
            let ts = e.get("timestamp").and_then(opt_ref);
            Box::new(Event {
                time: ts.as_deref().and_then(crate::util::time::parse),
                timestamp: ts,
                name: e.get("event").map(s).unwrap_or_default(),
                milestone_id: None,
                details: None,
            })
        }),
        sessions: Vec::new(),
        worktree: None,
        run,
        agent,
        checks: None,
        pace: m["pace"].as_object().and_then(|p| {
            Some(Pace {
                points_per_hour: p.get("points_per_hour")?.as_f64()?,
                eta: time(p.get("eta")?)?,
            })
        }),
        ready: Ready {
            missing,
            checks_configured: false,
        },
        stalled: false,
    })
}

fn opt_ref(v: &J) -> Option<String> {
    opt(v)
}

/// The snapshot a §7 document describes (`root` as the remote names it).
pub fn snapshot(doc: &J) -> Snapshot {
    Snapshot {
        registry: Default::default(),
        root: std::path::PathBuf::from(s(&doc["root"])),
        now: time(&doc["now"]).unwrap_or_else(Utc::now),
        milestones: doc["milestones"]
            .as_array()
            .map(|a| a.iter().filter_map(milestone).map(Arc::new).collect())
            .unwrap_or_default(),
        problems: doc["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        let mut p = Problem::error(s(&e["path"]), s(&e["message"]));
                        p.line = e["line"].as_u64().map(|n| n as usize);
                        p.column = e["column"].as_u64().map(|n| n as usize);
                        p
                    })
                    .collect()
            })
            .unwrap_or_default(),
        current: None,
        failed_output: Vec::new(),
        partial: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_document_comes_back_as_it_was_printed() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join(".milestones/active");
        std::fs::create_dir_all(&p).expect("mkdir");
        std::fs::write(p.join("a.yaml"), "id: a\ntitle: A\nstage: \"1\"\nstatus: in_progress\nrequires: [b]\nphases:\n  design: completed\n").expect("w");
        std::fs::write(p.join("b.yaml"), "id: b\nstatus: planned\n").expect("w");
        let snap = crate::live::snapshot::load(d.path(), chrono::Utc::now());
        let doc = crate::cli::status::to_json(&snap);
        let back = super::snapshot(&doc);
        assert_eq!(crate::cli::status::to_json(&back), doc);
    }

    #[test]
    fn a_streamed_agent_keeps_its_request_and_has_a_pane_only_while_its_run_lives() {
        let m = |run: &str, hash: &str| {
            serde_json::json!({"milestones": [{"id": "a", "status": "in_progress",
                "run": {"state": run, "pid": 1, "started_at": "2026-11-22T09:00:00Z"},
                "agent": {"kind": "claude", "session_id": "s", "state": "waiting_permission",
                    "since": "2026-11-22T09:00:00Z", "detail": "Bash make test",
                    "request": {"hash": hash, "tool": "Bash", "target": "make test"}}}]})
        };
        let h = "0123456789abcdef0123456789abcdef";
        let snap = super::snapshot(&m("running", h));
        let a = snap.milestones[0].agent.as_ref().expect("agent");
        let r = a.request.as_ref().expect("request");
        assert_eq!((r.hash.as_str(), r.tool.as_str()), (h, "Bash"));
        assert_eq!(r.target.as_deref(), Some("make test"));
        assert!(a.pane.is_some() && a.hooked);
        let snap = super::snapshot(&m("exited", h));
        assert!(
            snap.milestones[0]
                .agent
                .as_ref()
                .expect("agent")
                .pane
                .is_none()
        );
        // Not a hash: no request to answer.
        let snap = super::snapshot(&m("running", "$(id)"));
        assert!(
            snap.milestones[0]
                .agent
                .as_ref()
                .expect("agent")
                .request
                .is_none()
        );
    }
}
