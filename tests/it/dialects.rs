//! `mdash status --json` on every dialect tree, checked against SPEC §7 by
//! hand-computed figures.

use crate::common;
use common::*;
use serde_json::json;

#[test]
fn enhancer_per_task_phases_and_every_blocker_kind() {
    let doc = status_json(&fixture("dialects/dialect-enhancer"));
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["now"], NOW);
    let m = milestone(&doc, "m-001");
    assert_eq!(m["status"], "blocked");
    assert_eq!(m["raw_status"], "blocked");
    assert_eq!(m["source"], ".milestones/active/m-001.yaml");
    // task-001: (15·1 + 25·0.75)/100; task-002 completed: 1; task-003: (15·0.75 + 25·0.25)/100.
    assert_eq!(m["progress"], json!(50.4));
    assert_eq!(m["declared_progress"], json!(33));
    assert_eq!(
        m["tasks"],
        json!({"total": 3, "completed": 1, "in_progress": 1, "failed": 0})
    );
    assert_eq!(m["requires"], json!(["m-000"]));
    assert_eq!(m["enables"], json!(["m-002"]));
    let fr: Vec<f64> = m["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .map(|p| p["fraction"].as_f64().expect("f"))
        .collect();
    assert_eq!(fr, [0.875, 0.5, 0.0, 0.0]);
    // The 09:43:01 line is invalid JSON, so the newest valid event is 09:43:00.
    assert_eq!(
        m["last_event"],
        json!({"timestamp": "2025-08-12T09:43:00Z", "event": "blocker_detected"})
    );
    let kinds: Vec<(&str, &str)> = m["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().expect("k"),
                b["detail"].as_str().expect("d"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("awaiting_approval", "task-001/spec"),
            ("awaiting_approval", "task-003/design"),
            (
                "blocked_phase",
                "task-003/spec: waiting_for_design_approval"
            ),
            ("log_blocker", "blocker_detected: test_failures"),
            ("log_blocker", "dependency_blocker: m-000"),
            ("long_running_task", "task-001"),
            ("recorded", "test_failures"),
            ("unmet_dependency", "m-000"),
        ]
    );
    assert_eq!(doc["blockers"].as_array().expect("b").len(), 8);
    assert_eq!(doc["blockers"][0]["id"], "m-001");
    assert_eq!(
        error_paths(&doc),
        [".milestones/state/events/milestone-m-001.jsonl"]
    );
    assert_eq!(doc["errors"][0]["line"], 6);
}

#[test]
fn enhancer_early_legacy_current_and_state_store() {
    let doc = status_json(&fixture("dialects/dialect-enhancer-early"));
    assert_eq!(
        ids(&doc),
        ["completed-milestone", "milestone-001", "test-milestone"]
    );
    let legacy = milestone(&doc, "milestone-001");
    assert_eq!(legacy["source"], ".milestones/current.yaml");
    assert_eq!(legacy["progress"], json!(66));
    assert_eq!(
        legacy["tasks"],
        json!({"total": 6, "completed": 4, "in_progress": 1, "failed": 0})
    );
    assert_eq!(legacy["last_event"]["event"], "task_started");
    let t = milestone(&doc, "test-milestone");
    assert_eq!(
        (t["status"].as_str(), t["raw_status"].as_str()),
        (Some("in_progress"), Some("active"))
    );
    assert_eq!(t["progress"], json!(37.5));
    assert_eq!(t["declared_progress"], json!(25));
    assert_eq!(t["phases"], json!([]));
    let c = milestone(&doc, "completed-milestone");
    assert_eq!(
        (c["status"].as_str(), c["progress"].as_f64()),
        (Some("completed"), Some(100.0))
    );
    assert_eq!(
        error_paths(&doc),
        [".milestones/state/events/milestone-milestone-001.jsonl"]
    );
}

#[test]
fn mqtt_metadata_wrapper_and_milestone_level_phases() {
    let doc = status_json(&fixture("dialects/dialect-mqtt"));
    let m = milestone(&doc, "ms-042");
    assert_eq!(m["title"], "New Milestone");
    assert_eq!(
        (m["status"].as_str(), m["raw_status"].as_str()),
        (Some("planned"), Some("planning"))
    );
    assert_eq!(m["progress"], json!(27.5));
    assert_eq!(m["declared_progress"], json!(27));
    assert_eq!(
        m["phases"],
        json!([
            {"name": "design", "weight": 15, "fraction": 1.0, "status": "completed"},
            {"name": "spec", "weight": 25, "fraction": 0.5, "status": "in_progress"},
            {"name": "task", "weight": 20, "fraction": 0.0, "status": "pending"},
            {"name": "execute", "weight": 40, "fraction": 0.0, "status": "pending"}
        ])
    );
    assert_eq!(
        m["last_event"],
        json!({"timestamp": "2026-02-09T03:10:02Z", "event": "milestone_created"})
    );
    assert_eq!(
        error_paths(&doc),
        [
            ".milestones/logs/performance-metrics.jsonl",
            ".milestones/state/events/milestone-validation_started.jsonl"
        ]
    );
}

#[test]
fn wild_files_broken_files_reported_good_ones_intact() {
    let doc = status_json(&fixture("dialects/dialect-wild"));
    assert_eq!(
        ids(&doc),
        ["milestone-001", "milestone-003", "milestone-004"]
    );
    assert_eq!(
        error_paths(&doc),
        [
            ".milestones/active/dependencies.yaml",
            ".milestones/active/milestone-002.yaml"
        ]
    );
    assert_eq!(doc["errors"][1]["line"], 2);
    let m4 = milestone(&doc, "milestone-004");
    assert_eq!(
        (m4["status"].as_str(), m4["raw_status"].is_null()),
        (Some("in_progress"), true)
    );
    assert_eq!(m4["progress"], json!(62.5));
    assert_eq!(m4["declared_progress"], json!(58));
    let m1 = milestone(&doc, "milestone-001");
    assert_eq!(
        (m1["status"].as_str(), m1["progress"].as_f64()),
        (Some("planned"), Some(0.0))
    );
    assert_eq!(m1["phases"], json!([]));
    let m3 = milestone(&doc, "milestone-003");
    assert_eq!(m3["last_event"]["event"], "milestone_completed");
}

#[test]
fn bundles_count_completed_over_total() {
    let doc = status_json(&fixture("dialects/dialect-bundles"));
    let m4 = milestone(&doc, "M4-Sequential-Milestone-Execution");
    assert_eq!(m4["status"], "failed");
    assert_eq!(m4["progress"], json!(16.7));
    assert_eq!(
        m4["tasks"],
        json!({"total": 6, "completed": 1, "in_progress": 0, "failed": 1})
    );
    assert_eq!(
        m4["blockers"],
        json!([{"kind": "failed_task", "detail": "TASK-020", "source": "computed"}])
    );
    let m5 = milestone(&doc, "M5");
    assert_eq!(
        (m5["status"].as_str(), m5["raw_status"].as_str()),
        (Some("in_progress"), Some("running"))
    );
    assert_eq!(
        m5["source"],
        ".milestone_bundles/M5-Resume/milestone_status.yaml"
    );
    assert_eq!(m5["tasks"]["in_progress"], 1);
    assert_eq!(doc["errors"], json!([]));
}

#[test]
fn quickstart_phase_list() {
    let doc = status_json(&fixture("dialects/dialect-quickstart"));
    assert_eq!(ids(&doc), ["personal-20250721-093000"]);
    let m = milestone(&doc, "personal-20250721-093000");
    assert_eq!(m["title"], "Recipe box web app");
    assert_eq!(m["status"], "planned");
    assert_eq!(m["phases"].as_array().expect("phases").len(), 4);
}

#[test]
fn output_is_deterministic() {
    for d in ["dialect-enhancer", "dialect-wild", "dialect-bundles"] {
        let a = status_json(&fixture(&format!("dialects/{d}")));
        let b = status_json(&fixture(&format!("dialects/{d}")));
        assert_eq!(a, b, "{d}");
    }
}
