//! Plan documents (SPEC §11) checked against their letter (issue 27's
//! "How it will be checked"): a task's `bundle` is the status of
//! `.task_bundles/<TASK-NNN>/bundle_status.yaml` (not of a backup beside
//! it), and a plan-only milestone is started without its plan document
//! being edited.

use crate::common;
use common::*;

use serde_json::json;

/// A task bundle is found by its directory: the sequential runner's
/// backups (`TASK-NNN-backup-YYYYMMDD-HHMMSS/`, FORMATS.md) carry the same
/// `task_id` and an older status, and a `task_id` written differently does
/// not move the bundle to another task.
#[test]
fn a_task_bundle_is_the_one_in_its_own_directory() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        "docs/pay.md",
        "# Pay\n## Task Breakdown\n- TASK-001\n- TASK-002\n- TASK-003\n",
    );
    write(
        r,
        ".milestone_bundles/pay/milestone_status.yaml",
        "milestone_name: pay\nstatus: executing\ntotal_tasks: 3\ncurrent_task_index: 2\n\
         completed_tasks: [\"TASK-001\"]\nmilestone_plan_document: docs/pay.md\n",
    );
    let tb = |dir: &str, body: &str| {
        write(r, &format!(".task_bundles/{dir}/bundle_status.yaml"), body);
    };
    tb("TASK-001", "task_id: TASK-001\nstatus: completed\n");
    tb("TASK-002", "task_id: TASK-002\nstatus: coding\n");
    // Sorted after TASK-002: an older attempt's copy.
    tb(
        "TASK-002-backup-20261201-101010",
        "task_id: TASK-002\nstatus: validation_failed\n",
    );
    tb("TASK-003", "task_id: TASK-3\nstatus: queued\n");
    let doc = status_json(r);
    assert_eq!(
        milestone(&doc, "pay")["plan"]["tasks"],
        json!([
            {"id": "TASK-001", "status": "completed", "bundle": "completed"},
            {"id": "TASK-002", "status": "in_progress", "bundle": "coding"},
            {"id": "TASK-003", "status": "pending", "bundle": "queued"}]),
        "{doc:#}"
    );
}

/// A milestone that only its plan document gives (SPEC §11) is started,
/// paused, resumed and stopped like any planned milestone, and its plan
/// document, a Markdown file and no milestone file, is never edited: not a
/// `status:` line in the worktree's copy, nor in the base checkout's.
#[test]
fn starting_a_plan_only_milestone_leaves_its_plan_document_alone() {
    use common::merge::{Ws, commit};
    let ws = Ws::new();
    // Markdown that YAML also reads as a mapping (`Goal:`, `Steps:`).
    let plan = "# Solo\nGoal: ship it\nSteps: TASK-001, TASK-002\n";
    let rel = "specs/milestones/solo.md";
    commit(&ws.root, &[(rel, plan)], "plan");
    let cfg = ws.root.join(".milestones/config/mdash.yaml");
    std::fs::create_dir_all(cfg.parent().expect("parent")).expect("mkdir");
    std::fs::write(&cfg, "agent:\n  command: [sleep, \"300\"]\n").expect("config");
    let (code, out, err) = ws.run(&["trust", "--yes"]);
    assert_eq!(code, Some(0), "trust: {out}{err}");
    let doc = ws.status_at(NOW);
    assert_eq!(milestone(&doc, "solo")["status"], "planned", "{doc:#}");
    let (code, out, err) = ws.run(&["run", "start", "solo"]);
    assert_eq!(code, Some(0), "start: {out}{err}");
    let wt = ws.root.join(".worktrees/milestone-solo");
    assert!(wt.join(rel).is_file(), "the worktree has the plan: {out}");
    for step in ["pause", "resume", "stop"] {
        let (code, out, err) = ws.run(&["run", step, "solo"]);
        assert_eq!(code, Some(0), "{step}: {out}{err}");
        for copy in [&ws.root, &wt] {
            assert_eq!(
                std::fs::read_to_string(copy.join(rel)).expect("plan"),
                plan,
                "after {step}, in {}",
                copy.display()
            );
        }
    }
}

/// Plans are watched like the rest (issue 27): the real dashboard shows an
/// edit of a plan document that a bundle names outside the four places
/// (`docs/plans/pay.md`), and one the bundle names before it exists.
#[test]
fn the_dashboard_watches_a_plan_a_bundle_names() {
    use crate::common::pty::Pty;
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        "docs/plans/pay.md",
        "# Pay\n## Task Sequence\nTASK-001\n",
    );
    write(
        r,
        ".milestone_bundles/pay/milestone_status.yaml",
        "milestone_name: pay\nstatus: executing\ncurrent_task_index: 1\n\
         milestone_plan_document: docs/plans/pay.md\n",
    );
    write(
        r,
        ".milestone_bundles/tax/milestone_status.yaml",
        "milestone_name: tax\nstatus: executing\ncurrent_task_index: 1\n\
         milestone_plan_document: docs/plans/tax.md\n",
    );
    let mut p = Pty::spawn(r, 160, 40);
    p.wait_for("the plan", |s| s.contains("▶TASK-001"));
    write(
        r,
        "docs/plans/pay.md",
        "# Pay\n## Task Sequence\nTASK-001 TASK-002\n",
    );
    p.wait_for("the edited plan", |s| s.contains("○TASK-002"));
    write(
        r,
        "docs/plans/tax.md",
        "# Tax\n## Task Sequence\nTASK-050\n",
    );
    p.send(b"j");
    p.wait_for("the plan written later", |s| s.contains("▶TASK-050"));
    p.send(b"q");
    p.wait_exit();
}

/// The detail pane's checklist at 60 and 100 columns: every task keeps its
/// mark on its own line (the 100-column pane is too narrow for five on one
/// line), and all of them are there in plan order.
#[test]
fn the_checklist_never_parts_a_mark_from_its_task() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    let ids: Vec<String> = (1..=9).map(|i| format!("TASK-{i:03}")).collect();
    let listed: String = ids.iter().map(|t| format!("- {t}\n")).collect();
    write(
        r,
        "docs/pay.md",
        format!("# Pay\n## Task Breakdown\n{listed}"),
    );
    write(
        r,
        ".milestone_bundles/pay/milestone_status.yaml",
        "milestone_name: pay\nstatus: executing\ntotal_tasks: 9\ncurrent_task_index: 4\n\
         completed_tasks: [\"TASK-001\", \"TASK-002\"]\nfailed_task: TASK-003\n\
         milestone_plan_document: docs/pay.md\n",
    );
    for w in [60u16, 100] {
        let s = crate::plans::screen(r, w, 40);
        let mut seen = Vec::new();
        for line in &s {
            for (at, _) in line.match_indices("TASK-") {
                let mark = line[..at].chars().last();
                assert!(
                    matches!(mark, Some('✓' | '✗' | '▶' | '○' | ' ')),
                    "at {w} columns, a task without its mark: {line:?}\n{}",
                    s.join("\n")
                );
                if mark != Some(' ') {
                    seen.push(line[at..at + 8].to_string());
                }
            }
            assert!(
                !line
                    .trim_end_matches(['│', ' '])
                    .ends_with(['✓', '✗', '▶', '○']),
                "at {w} columns, a mark without its task: {line:?}"
            );
        }
        assert_eq!(seen, ids, "at {w} columns:\n{}", s.join("\n"));
    }
}
