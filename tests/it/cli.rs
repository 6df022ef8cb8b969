//! `init`, `new` and `check` as a user runs them.

use crate::common;
use common::*;

fn run(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = bin().args(args).current_dir(dir).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_then_new_then_status() {
    let d = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(&["init"], d.path());
    assert_eq!(code, 0);
    for sub in ["active", "completed", "logs", "sessions", "config"] {
        assert!(d.path().join(".milestones").join(sub).is_dir(), "{sub}");
        assert!(out.contains(sub));
    }
    assert_eq!(run(&["init"], d.path()).0, 0, "init is idempotent");

    let (code, out, err) = run(
        &["new", "1a", "--title", "Sensor: \"ingest\" # raw"],
        d.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(".milestones/active/1a.yaml"));
    let (code, _, err) = run(
        &["new", "2a", "--title", "Alerts", "--requires", "1a,1b"],
        d.path(),
    );
    assert_eq!(code, 0, "{err}");

    let doc = status_json(d.path());
    let a = milestone(&doc, "1a");
    assert_eq!(a["title"], "Sensor: \"ingest\" # raw");
    assert_eq!(
        (a["status"].as_str(), a["stage"].as_str()),
        (Some("planned"), Some("1"))
    );
    // The seeds' template: weights only, no phase statuses that could
    // shadow the phases an agent writes (issue 29).
    assert_eq!(a["phases"], serde_json::json!([]));
    let b = milestone(&doc, "2a");
    assert_eq!(b["requires"], serde_json::json!(["1a", "1b"]));
    assert_eq!(doc["errors"], serde_json::json!([]));

    // Refusals: an existing id, an invalid id, an invalid requirement.
    let (code, _, err) = run(&["new", "1a", "--title", "Again"], d.path());
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    for bad in ["../x", "a b", "", &"x".repeat(51), "ü"] {
        let (code, _, err) = run(&["new", bad, "--title", "T"], d.path());
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains("invalid id"), "{err}");
    }
    let (code, _, _) = run(
        &["new", "3a", "--title", "T", "--requires", "ok,../etc"],
        d.path(),
    );
    assert_eq!(code, 2);
    assert!(!d.path().join(".milestones/active/3a.yaml").exists());
}

#[test]
fn check_prints_one_line_per_problem_and_exits_1_on_errors() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/active/a.yaml",
        "id: a\nstatus: doin\ndependencies:\n  requires: [ghost]\n",
    );
    write(r, ".milestones/active/b.yaml", "id: b\ntitle: [unclosed\n");
    write(
        r,
        ".milestones/active/c.yaml",
        "id: c\nkiro_configuration:\n  phase_weights: {design: 10, spec: 10, task: 10, execute: 10}\n",
    );
    let (code, out, _) = run(&["check", "."], r);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&".milestones/active/a.yaml:2:1: warning: unknown status \"doin\"; expected one of planned, in_progress, paused, blocked, completed, failed, cancelled or a synonym listed in the README"), "{out}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(".milestones/active/a.yaml:4:")
                && l.contains("error: requires unknown milestone \"ghost\"")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(".milestones/active/b.yaml:")
                && l.contains(": error: invalid YAML")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(".milestones/active/c.yaml:3:")
                && l.contains("warning: phase weights sum to 40")),
        "{out}"
    );

    let clean = tempfile::tempdir().expect("tmp");
    write(
        clean.path(),
        ".milestones/active/a.yaml",
        "id: a\nstatus: done\n",
    );
    let (code, out, _) = run(&["check"], clean.path());
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn status_table_fits_80_columns() {
    let (code, out, _) = run(&["status", "."], &fixture("dialects/dialect-enhancer"));
    assert_eq!(code, 0);
    assert!(out.contains("m-001") && out.contains("Billing webhooks") && out.contains("50"));
    for l in out.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{l:?}");
    }
}

#[test]
fn bad_arguments_exit_2() {
    let d = tempfile::tempdir().expect("tmp");
    assert_eq!(run(&["status", "--now", "yesterday"], d.path()).0, 2);
    assert_eq!(run(&["status", "--bogus"], d.path()).0, 2);
}
