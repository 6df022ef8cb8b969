//! Plan documents (issue 27, SPEC §11): the four places and a bundle's
//! `milestone_plan_document`, plan sections with nested headings,
//! duplicates and mentions outside them, task statuses from a bundle in
//! the middle of its plan and its task bundles, plan-only milestones,
//! `plan_mismatch`, `mdash check`, and a changed plan read alone.

use crate::common;
use common::*;

use std::path::Path;

use serde_json::{Value, json};

/// A plan whose plan sections hold `tasks`, with mentions outside them.
fn plan_doc(title: &str, tasks: &[&str]) -> String {
    let listed: Vec<String> = tasks.iter().map(|t| format!("- {t}: do it\n")).collect();
    format!(
        "# {title}\n\nContext mentions TASK-900 and TASK-901.\n\n## Goals\nSee TASK-902.\n\n\
         ## Implementation Plan\n\n### Phase one\n{}\n#### Notes\nAgain {} (a duplicate).\n\n\
         ## Risks\nTASK-903 is only a risk.\n",
        listed.join(""),
        tasks.first().copied().unwrap_or("")
    )
}

fn plan_of(doc: &Value, id: &str) -> Value {
    milestone(doc, id)["plan"].clone()
}

fn task_ids(plan: &Value) -> Vec<String> {
    plan["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn the_four_places_each_give_a_planned_milestone() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".milestones/active/.keep", "");
    // Numbered: the smallest number first; the name is never `<n>_<name>`.
    write(
        r,
        "project_sdd_on_claude/10_m1_Milestone_Plan.md",
        plan_doc("M1 later", &["TASK-100"]),
    );
    write(
        r,
        "project_sdd_on_claude/04_m1_Milestone_Plan.md",
        plan_doc("M1: Payments", &["TASK-003", "TASK-001", "TASK-002"]),
    );
    write(
        r,
        "project_sdd_on_claude/m2_Milestone_Plan.md",
        plan_doc("M2 plain", &["TASK-010"]),
    );
    write(
        r,
        "specs/milestones/m3.md",
        plan_doc("M3 spec", &["TASK-020", "TASK-021"]),
    );
    write(
        r,
        "specs/m4_Milestone_Plan.md",
        plan_doc("M4 specs", &["TASK-030"]),
    );
    // The same name in two places: the first place wins.
    write(
        r,
        "project_sdd_on_claude/m5_Milestone_Plan.md",
        plan_doc("M5 first", &["TASK-040"]),
    );
    write(
        r,
        "specs/milestones/m5.md",
        plan_doc("M5 second", &["TASK-041"]),
    );
    // Not a plan document's name.
    write(r, "specs/notes.txt", "TASK-999");
    write(r, "specs/m6.md", "# not in a place\nTASK-050\n");
    let doc = status_json(r);
    assert_eq!(ids(&doc), ["m1", "m2", "m3", "m4", "m5"], "{doc:#}");
    let m1 = milestone(&doc, "m1");
    assert_eq!(m1["title"], "M1: Payments");
    assert_eq!(m1["status"], "planned");
    assert_eq!(m1["raw_status"], Value::Null);
    assert_eq!(m1["phases"], json!([]));
    assert_eq!(
        m1["source"],
        "project_sdd_on_claude/04_m1_Milestone_Plan.md"
    );
    assert_eq!(m1["tasks"]["total"], 3);
    assert_eq!(
        m1["plan"],
        json!({"path": "project_sdd_on_claude/04_m1_Milestone_Plan.md", "tasks": [
            {"id": "TASK-003", "status": "pending", "bundle": null},
            {"id": "TASK-001", "status": "pending", "bundle": null},
            {"id": "TASK-002", "status": "pending", "bundle": null}]})
    );
    assert_eq!(
        plan_of(&doc, "m2")["path"],
        "project_sdd_on_claude/m2_Milestone_Plan.md"
    );
    assert_eq!(task_ids(&plan_of(&doc, "m3")), ["TASK-020", "TASK-021"]);
    assert_eq!(plan_of(&doc, "m4")["path"], "specs/m4_Milestone_Plan.md");
    assert_eq!(milestone(&doc, "m5")["title"], "M5 first");
    assert_eq!(task_ids(&plan_of(&doc, "m5")), ["TASK-040"]);
    assert_eq!(doc["errors"], json!([]), "{doc:#}");
    // A planned milestone with no blocker is one `S` may start.
    assert_eq!(m1["blockers"], json!([]));
}

#[test]
fn no_plan_section_means_the_whole_document() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    std::fs::create_dir_all(r.join(".milestones")).expect("mkdir");
    write(
        r,
        "specs/milestones/w.md",
        "Intro TASK-7\n## Steps\nTASK-2, then TASK-7 and TASK-10\n```\n# a comment\nTASK-3\n```\n",
    );
    let doc = status_json(r);
    let w = milestone(&doc, "w");
    assert_eq!(w["title"], "w", "no `#` heading: the id");
    assert_eq!(
        task_ids(&w["plan"]),
        ["TASK-7", "TASK-2", "TASK-10", "TASK-3"]
    );
}

/// A bundle in the middle of its plan: 2 done, the third failed once and
/// retried, the fourth current, the rest ahead; task bundles beside.
fn mid_plan(r: &Path, total: &str) {
    write(
        r,
        "docs/plans/pay.md",
        plan_doc(
            "Pay",
            &["TASK-001", "TASK-002", "TASK-003", "TASK-004", "TASK-005"],
        ),
    );
    write(
        r,
        ".milestone_bundles/pay/milestone_status.yaml",
        format!(
            "milestone_name: pay\nstatus: executing\n{total}current_task_index: 4\n\
             completed_tasks: [\"TASK-001\", \"TASK-002\"]\nfailed_task: TASK-003\n\
             milestone_plan_document: docs/plans/pay.md\n"
        ),
    );
    for (t, st) in [
        ("TASK-001", "completed"),
        ("TASK-002", "completed"),
        ("TASK-003", "failed"),
        ("TASK-004", "executing"),
    ] {
        write(
            r,
            &format!(".task_bundles/{t}/bundle_status.yaml"),
            format!("task_id: {t}\nstatus: {st}\n"),
        );
    }
}

#[test]
fn a_bundle_in_the_middle_of_its_plan() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    mid_plan(r, "total_tasks: 5\n");
    let doc = status_json(r);
    let pay = milestone(&doc, "pay");
    assert_eq!(
        pay["plan"],
        json!({"path": "docs/plans/pay.md", "tasks": [
            {"id": "TASK-001", "status": "completed", "bundle": "completed"},
            {"id": "TASK-002", "status": "completed", "bundle": "completed"},
            {"id": "TASK-003", "status": "failed", "bundle": "failed"},
            {"id": "TASK-004", "status": "in_progress", "bundle": "executing"},
            {"id": "TASK-005", "status": "pending", "bundle": null}]}),
        "{pay:#}"
    );
    assert_eq!(pay["tasks"]["total"], 5);
    let kinds: Vec<&str> = pay["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter_map(|b| b["kind"].as_str())
        .collect();
    assert!(!kinds.contains(&"plan_mismatch"), "{kinds:?}");
    // The plan document the bundle names is not a milestone of its own.
    assert_eq!(ids(&doc), ["pay"]);
}

#[test]
fn a_count_that_disagrees_is_plan_mismatch_and_none_takes_the_plans() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    mid_plan(r, "total_tasks: 7\n");
    let doc = status_json(r);
    let b: Vec<&Value> = doc["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["kind"] == "plan_mismatch")
        .collect();
    assert_eq!(
        b,
        [
            &json!({"id": "pay", "kind": "plan_mismatch", "detail": "bundle 7, plan 5", "source": "computed"})
        ]
    );
    let d2 = tempfile::tempdir().expect("tmp");
    mid_plan(d2.path(), "");
    let doc = status_json(d2.path());
    let pay = milestone(&doc, "pay");
    assert_eq!(pay["tasks"]["total"], 5, "{pay:#}");
    assert_eq!(pay["tasks"]["completed"], 2);
    assert_eq!(pay["progress"], 40);
    assert!(
        doc["blockers"]
            .as_array()
            .expect("b")
            .iter()
            .all(|b| b["kind"] != "plan_mismatch")
    );
}

#[test]
fn a_bundle_without_a_named_plan_and_a_milestone_file_with_one() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestone_bundles/m4/milestone_status.yaml",
        "milestone_name: m4\nstatus: executing\ncurrent_task_index: 1\ncompleted_tasks: []\n",
    );
    write(
        r,
        "project_sdd_on_claude/04_m4_Milestone_Plan.md",
        plan_doc("M4", &["TASK-019", "TASK-020"]),
    );
    write(
        r,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Sensor ingest\nstatus: active\n",
    );
    write(
        r,
        "specs/milestones/2a.md",
        plan_doc("2a plan", &["TASK-1", "TASK-2", "TASK-3"]),
    );
    let doc = status_json(r);
    assert_eq!(ids(&doc), ["m4", "2a"], "{doc:#}");
    let m4 = plan_of(&doc, "m4");
    assert_eq!(m4["path"], "project_sdd_on_claude/04_m4_Milestone_Plan.md");
    assert_eq!(m4["tasks"][0]["status"], "in_progress");
    let a = milestone(&doc, "2a");
    assert_eq!(
        a["title"], "Sensor ingest",
        "the file's title, not the plan's"
    );
    assert_eq!(a["source"], ".milestones/active/2a.yaml");
    assert_eq!(a["tasks"]["total"], 3);
    assert_eq!(task_ids(&a["plan"]), ["TASK-1", "TASK-2", "TASK-3"]);
    // No plan: null.
    write(r, ".milestones/active/3a.yaml", "id: 3a\nstatus: planned\n");
    assert_eq!(plan_of(&status_json(r), "3a"), Value::Null);
}

#[test]
fn plans_that_cannot_be_read_are_reported_with_path_and_reason() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    let outside = tempfile::tempdir().expect("tmp");
    write(outside.path(), "secret.md", "# Secret\nTASK-666\n");
    for (name, named) in [
        ("up", "../secret.md".to_string()),
        (
            "abs",
            outside.path().join("secret.md").display().to_string(),
        ),
        ("gone", "docs/missing.md".to_string()),
        ("link", "docs/link.md".to_string()),
        ("bin", "docs/bin.md".to_string()),
    ] {
        write(
            r,
            &format!(".milestone_bundles/{name}/milestone_status.yaml"),
            format!(
                "milestone_name: {name}\nstatus: executing\nmilestone_plan_document: \"{named}\"\n"
            ),
        );
    }
    std::fs::create_dir_all(r.join("docs")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), r.join("docs/link.md"))
        .expect("symlink");
    write(r, "docs/bin.md", b"# Bin\n\xff\xfe TASK-1\n");
    let doc = status_json(r);
    for id in ["up", "abs", "gone", "link", "bin"] {
        assert_eq!(plan_of(&doc, id), Value::Null, "{id}");
    }
    assert!(
        !doc.to_string().contains("TASK-666"),
        "nothing outside is read"
    );
    let errors = doc["errors"].to_string();
    for what in ["outside the workspace", "docs/link.md", "docs/bin.md"] {
        assert!(errors.contains(what), "{what}: {errors}");
    }
    let out = bin().arg("check").arg(r).output().expect("check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("docs/bin.md:") && l.contains("plan document cannot be read")),
        "{text}"
    );
    assert!(
        !errors.contains("docs/missing.md") && !text.contains("docs/missing.md"),
        "a named plan that is not in the tree is no error: {text}"
    );
    assert!(
        text.contains(".milestone_bundles/up/milestone_status.yaml:")
            && text.contains("outside the workspace"),
        "{text}"
    );
}

/// The dashboard's reader: a changed plan document read alone equals a
/// full read, for a plan-only milestone, a milestone file's plan and a
/// bundle's plan.
#[test]
fn a_changed_plan_is_read_alone_and_equals_a_full_read() {
    use milestone_dash::cli::status::to_json;
    use milestone_dash::live::snapshot::{self, Reader};
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    mid_plan(r, "total_tasks: 5\n");
    write(r, ".milestones/active/2a.yaml", "id: 2a\nstatus: active\n");
    write(r, "specs/milestones/2a.md", plan_doc("2a", &["TASK-1"]));
    write(r, "specs/milestones/solo.md", plan_doc("Solo", &["TASK-8"]));
    let now = milestone_dash::util::time::parse(NOW).expect("now");
    let mut reader = Reader::new(r);
    let first = reader.load(now);
    assert_eq!(to_json(&first), to_json(&snapshot::load(r, now)));
    let edits: [(&str, String); 4] = [
        (
            "specs/milestones/solo.md",
            plan_doc("Solo renamed", &["TASK-8", "TASK-9"]),
        ),
        (
            "specs/milestones/2a.md",
            plan_doc("2a", &["TASK-1", "TASK-2"]),
        ),
        (
            "docs/plans/pay.md",
            plan_doc("Pay", &["TASK-001", "TASK-002"]),
        ),
        (
            ".milestones/active/2a.yaml",
            "id: 2a\nstatus: blocked\n".to_string(),
        ),
    ];
    for (rel, text) in edits {
        write(r, rel, text);
        let inc = reader.load_changed(vec![r.join(rel)], true, now);
        let full = snapshot::load(r, now);
        assert_eq!(to_json(&inc), to_json(&full), "after {rel}");
    }
    let doc = to_json(&snapshot::load(r, now));
    assert_eq!(milestone(&doc, "solo")["title"], "Solo renamed");
    assert_eq!(task_ids(&plan_of(&doc, "2a")), ["TASK-1", "TASK-2"]);
    assert_eq!(milestone(&doc, "2a")["status"], "blocked");
    assert_eq!(
        doc["blockers"]
            .as_array()
            .expect("b")
            .iter()
            .find(|b| b["kind"] == "plan_mismatch"),
        Some(
            &json!({"id": "pay", "kind": "plan_mismatch", "detail": "bundle 5, plan 2", "source": "computed"})
        )
    );
}

/// The detail pane: the checklist (done, current, failed, ahead) and the
/// plan's path.
#[test]
fn the_detail_pane_shows_the_plan_as_a_checklist() {
    let d = tempfile::tempdir().expect("tmp");
    mid_plan(d.path(), "total_tasks: 5\n");
    let s = screen(d.path(), 160, 30).join("\n");
    assert!(s.contains("Plan 2/5 docs/plans/pay.md"), "{s}");
    assert!(
        s.contains("✓TASK-001 ✓TASK-002 ✗TASK-003 ▶TASK-004 ○TASK-005"),
        "{s}"
    );
}

/// The dashboard drawn once over the workspace at `root`.
pub fn screen(root: &Path, w: u16, h: u16) -> Vec<String> {
    use milestone_dash::app::update::update;
    use milestone_dash::app::{App, Msg};
    let now = milestone_dash::util::time::parse(NOW).expect("now");
    let mut app = App::new(milestone_dash::app::keymap::Keymap::default(), false, now);
    update(&mut app, Msg::Resize(w, h));
    let snap = milestone_dash::live::snapshot::load(root, now);
    update(&mut app, Msg::Loaded(Box::new(snap)));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("term");
    t.draw(|f| milestone_dash::ui::render(&app, f))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}
