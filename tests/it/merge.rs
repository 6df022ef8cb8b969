//! Checks, readiness, the conflict forecast and merging (SPEC §9) on real
//! repositories built with git2: `mdash test`, `mdash merge`, `mdash
//! worktree remove` and what `status --json` says before and after.

use crate::common;
use common::merge::*;

use git2::Repository;
use serde_json::json;

fn m<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    common::milestone(doc, id)
}

/// The full id of a worktree's HEAD.
fn head(dir: &std::path::Path) -> String {
    Repository::open(dir)
        .expect("open")
        .head()
        .expect("head")
        .target()
        .expect("oid")
        .to_string()
}

/// Paths with changes in a checkout, ignored files aside.
fn changes(dir: &std::path::Path) -> Vec<String> {
    let repo = Repository::open(dir).expect("open");
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).include_ignored(false);
    repo.statuses(Some(&mut opts))
        .expect("status")
        .iter()
        .map(|e| e.path().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn ready_gates_fail_in_spec_order() {
    let ws = Ws::new();
    // 2a: half done, no worktree.
    ws.milestone(
        "2a",
        "id: 2a\nstatus: in_progress\nphases:\n  design: {status: completed}\n  spec: {status: completed}\n",
    );
    // 2b: done, a worktree with no commit of its own and an untracked file.
    ws.done_milestone("2b");
    let w2b = ws.worktree("2b");
    std::fs::write(w2b.join("scratch.txt"), "s\n").expect("write");
    // 2c: done and committed, but a recorded blocker stands.
    ws.milestone(
        "2c",
        "id: 2c\nstatus: in_progress\nblockers: [waiting for legal]\nphases:\n  design: {status: completed}\n  spec: {status: completed}\n  task: {status: completed}\n  execute: {status: completed}\n",
    );
    let w2c = ws.worktree("2c");
    commit(&w2c, &[("c.txt", "c\n")], "2c works");
    // 2d: done and committed, clean: ready when no checks are configured.
    ws.done_milestone("2d");
    let w2d = ws.worktree("2d");
    commit(&w2d, &[("d.txt", "d\n")], "2d works");

    let doc = ws.status();
    assert_eq!(missing(m(&doc, "2a")), ["phases", "worktree"]);
    assert_eq!(m(&doc, "2a")["ready"]["ok"], false);
    assert_eq!(missing(m(&doc, "2b")), ["dirty", "no_commits", "merged"]);
    assert_eq!(missing(m(&doc, "2c")), ["blockers"]);
    assert_eq!(m(&doc, "2d")["ready"], json!({"ok": true, "missing": []}));

    // With a test suite configured and never run, every milestone lacks it.
    ws.checks("exit 0");
    let doc = ws.status();
    assert_eq!(missing(m(&doc, "2a")), ["phases", "worktree", "checks"]);
    assert_eq!(
        missing(m(&doc, "2b")),
        ["dirty", "no_commits", "merged", "checks"]
    );
    assert_eq!(missing(m(&doc, "2d")), ["checks"]);
    assert_eq!(m(&doc, "2d")["ready"]["ok"], false);
}

#[test]
fn test_runs_the_suite_in_the_worktree_and_a_failure_blocks_until_a_pass_at_that_head() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    // feature.txt exists only in the worktree: exit 9 would mean the suite
    // ran somewhere else. The flag file outside the repository decides
    // pass or fail without touching the worktree.
    let flag = ws.tmp.path().join("FAIL");
    ws.checks(&format!(
        "test -f feature.txt || exit 9; echo checking; if [ -f '{}' ]; then echo broken >&2; exit 3; fi; echo all good",
        flag.display()
    ));
    let head1 = head(&wt);

    std::fs::write(&flag, "").expect("flag");
    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(3), "the suite's own exit status: {err}");
    let evs = ws.events("2a");
    let names = ws.event_names("2a");
    assert_eq!(names, ["checks_started", "checks_failed"], "{evs:#?}");
    let d = &evs[1]["details"];
    assert_eq!(d["head"], head1.as_str());
    assert_eq!(d["exit_code"], 3);
    assert!(d["signal"].is_null(), "{d}");
    assert!(d["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{d}");
    assert_eq!(evs[0]["details"]["head"], head1.as_str());
    assert_eq!(evs[1]["milestone_id"], "2a");

    let doc = ws.status();
    let m2a = m(&doc, "2a");
    assert_eq!(blockers_of(m2a, "checks_failed"), ["3"]);
    assert!(
        doc["blockers"]
            .as_array()
            .expect("blockers")
            .contains(&json!(
                {"id": "2a", "kind": "checks_failed", "detail": "3", "source": "computed"}
            )),
        "{doc:#}"
    );
    assert_eq!(missing(m2a), ["blockers", "checks"]);

    // A later passing run at the same HEAD clears it.
    std::fs::remove_file(&flag).expect("rm flag");
    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        ws.event_names("2a")[2..],
        ["checks_started", "checks_passed"]
    );
    let passed = &ws.events("2a")[3]["details"];
    assert_eq!(passed["exit_code"], 0);
    assert_eq!(passed["head"], head1.as_str());
    let doc = ws.status();
    assert!(blockers_of(m(&doc, "2a"), "checks_failed").is_empty());
    assert_eq!(m(&doc, "2a")["ready"], json!({"ok": true, "missing": []}));

    // Failing again at the same HEAD: the newest run counts.
    std::fs::write(&flag, "").expect("flag");
    assert_eq!(ws.run(&["test", "2a"]).0, Some(3));
    assert_eq!(blockers_of(m(&ws.status(), "2a"), "checks_failed"), ["3"]);

    // A new commit makes that result stale: neither a failure nor a pass.
    commit(&wt, &[("more.txt", "m\n")], "2a moves on");
    let doc = ws.status();
    assert!(blockers_of(m(&doc, "2a"), "checks_failed").is_empty());
    assert_eq!(missing(m(&doc, "2a")), ["checks"]);
}

#[test]
fn a_suite_killed_by_a_signal_is_recorded_with_its_signal() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    ws.checks("kill -KILL $$");
    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(128 + 9), "as a shell reports a signal: {err}");
    let evs = ws.events("2a");
    assert_eq!(ws.event_names("2a"), ["checks_started", "checks_failed"]);
    assert!(evs[1]["details"]["exit_code"].is_null());
    assert_eq!(evs[1]["details"]["signal"], 9);
    assert_eq!(
        blockers_of(m(&ws.status(), "2a"), "checks_failed"),
        ["SIGKILL"]
    );
}

#[test]
fn test_refuses_without_a_trusted_or_any_command() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");

    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(1), "no checks.command: {err}");
    assert!(err.contains("checks.command"), "{err}");

    // A workspace's own command runs only once approved.
    let canary = ws.tmp.path().join("canary");
    common::write(
        &ws.root,
        ".milestones/config/mdash.yaml",
        format!(
            "checks:\n  command: [\"touch\", \"{}\"]\n",
            canary.display()
        ),
    );
    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("trust"), "{err}");
    assert!(!canary.exists(), "an unapproved command ran");
    assert!(ws.events("2a").is_empty());
    assert_eq!(missing(m(&ws.status(), "2a")), ["checks"]);

    let (code, _, err) = ws.run(&["test", "nope"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("nope"), "{err}");
}

/// 2a and 2b edit the same lines of two files; 2c edits another line;
/// 2d edits a file `main` then changes too; 2e has no commit (merged).
fn forecast_ws() -> Ws {
    let ws = Ws::new();
    for id in ["2a", "2b", "2c", "2d", "2e"] {
        ws.done_milestone(id);
    }
    let w = ws.worktree("2a");
    let (s, o) = (lines(&[(2, "2a")]), lines(&[(2, "2a")]));
    commit(&w, &[("shared.txt", &s), ("other.txt", &o)], "2a");
    let w = ws.worktree("2b");
    let (s, o) = (lines(&[(2, "2b")]), lines(&[(2, "2b")]));
    commit(&w, &[("shared.txt", &s), ("other.txt", &o)], "2b");
    let w = ws.worktree("2c");
    commit(&w, &[("shared.txt", &lines(&[(9, "2c")]))], "2c");
    let w = ws.worktree("2d");
    commit(&w, &[("x.txt", "2d\n")], "2d");
    ws.worktree("2e");
    commit(&ws.root, &[("x.txt", "main\n")], "main moves");
    ws
}

#[test]
fn forecast_names_conflicting_siblings_and_the_base_touching_nothing() {
    let ws = forecast_ws();
    let before = fingerprint(&ws.root);
    let doc = ws.status();
    assert_eq!(
        fingerprint(&ws.root),
        before,
        "a forecast changed the repository"
    );

    assert_eq!(forecast(m(&doc, "2a")), ["2b"]);
    assert_eq!(forecast(m(&doc, "2b")), ["2a"]);
    assert!(forecast(m(&doc, "2c")).is_empty());
    assert_eq!(forecast(m(&doc, "2d")), ["base"]);
    assert!(forecast(m(&doc, "2e")).is_empty(), "merged: not forecast");

    assert_eq!(blockers_of(m(&doc, "2a"), "merge_forecast"), ["2b: 2"]);
    assert_eq!(blockers_of(m(&doc, "2b"), "merge_forecast"), ["2a: 2"]);
    assert!(blockers_of(m(&doc, "2c"), "merge_forecast").is_empty());
    assert_eq!(blockers_of(m(&doc, "2d"), "merge_forecast"), ["base: 1"]);
    let all = doc["blockers"].as_array().expect("blockers");
    for (id, detail) in [("2a", "2b: 2"), ("2b", "2a: 2"), ("2d", "base: 1")] {
        assert!(
            all.contains(
                &json!({"id": id, "kind": "merge_forecast", "detail": detail, "source": "computed"})
            ),
            "{id} {detail} in {all:#?}"
        );
    }
    // A forecast is not a gate of its own: 2a is ready apart from it.
    assert_eq!(m(&doc, "2a")["ready"], json!({"ok": true, "missing": []}));

    // 2b's tip moves: other.txt now agrees with 2a, one path still conflicts.
    let w2b = ws.root.join(".worktrees/milestone-2b");
    commit(&w2b, &[("other.txt", &lines(&[(2, "2a")]))], "2b agrees");
    let doc = ws.status();
    assert_eq!(blockers_of(m(&doc, "2a"), "merge_forecast"), ["2b: 1"]);
    assert_eq!(blockers_of(m(&doc, "2b"), "merge_forecast"), ["2a: 1"]);
}

#[test]
fn merge_fast_forwards_records_and_validates_on_the_base() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    ws.checks("test -f feature.txt");
    assert_eq!(ws.run(&["test", "2a"]).0, Some(0));
    let tip = head(&wt);
    assert_eq!(m(&ws.status(), "2a")["ready"]["ok"], true);

    let (code, out, err) = ws.run(&["merge", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("fast-forward"), "{out}");
    assert!(
        out.contains("mdash worktree remove 2a"),
        "offers removal: {out}"
    );
    assert_eq!(ws.tip("main").to_string(), tip);
    assert_eq!(head(&ws.root), tip, "the base checkout follows");
    assert_eq!(
        std::fs::read_to_string(ws.root.join("feature.txt")).expect("merged file"),
        "f\n"
    );
    assert!(changes(&ws.root).is_empty(), "{:?}", changes(&ws.root));
    assert!(wt.exists(), "the worktree stays unless asked");

    let evs = ws.events("2a");
    let names = ws.event_names("2a");
    let at = names
        .iter()
        .position(|n| n == "milestone_merged")
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(
        evs[at]["details"],
        json!({"branch": "feature/milestone-2a", "base": "main", "commit": tip})
    );
    assert_eq!(names[at + 1..], ["checks_started", "checks_passed"]);
    let post = &evs[at + 2]["details"];
    assert_eq!(post["where"], "base");
    assert_eq!(post["head"], tip.as_str());
    assert_eq!(post["exit_code"], 0);

    let doc = ws.status();
    let m2a = m(&doc, "2a");
    assert_eq!(m2a["worktree"]["merged"], true);
    assert!(forecast(m2a).is_empty());
    assert_eq!(missing(m2a), ["no_commits", "merged"]);

    // Removal, when asked for.
    let (code, out, err) = ws.run(&["worktree", "remove", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!wt.exists());
    assert!(!ws.has_branch("feature/milestone-2a"));
    assert!(ws.repo().find_worktree("milestone-2a").is_err());
    assert!(m(&ws.status(), "2a")["worktree"].is_null());
}

#[test]
fn merge_makes_a_merge_commit_when_the_base_moved() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    let old_main = commit(&ws.root, &[("x.txt", "main moved\n")], "main moves");
    let tip = head(&wt);

    let (code, out, err) = ws.run(&["merge", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let repo = ws.repo();
    let merged = repo.find_commit(ws.tip("main")).expect("commit");
    assert_eq!(
        merged.message().ok().map(str::trim_end),
        Some("Merge feature/milestone-2a")
    );
    let parents: Vec<String> = merged.parent_ids().map(|p| p.to_string()).collect();
    assert_eq!(parents, [old_main.to_string(), tip.clone()]);
    assert_eq!(head(&ws.root), merged.id().to_string());
    assert_eq!(
        std::fs::read_to_string(ws.root.join("feature.txt")).expect("f"),
        "f\n"
    );
    assert_eq!(
        std::fs::read_to_string(ws.root.join("x.txt")).expect("x"),
        "main moved\n"
    );
    assert!(changes(&ws.root).is_empty(), "{:?}", changes(&ws.root));
    let evs = ws.events("2a");
    assert_eq!(ws.event_names("2a"), ["milestone_merged"], "no checks set");
    assert_eq!(evs[0]["details"]["commit"], merged.id().to_string());
    assert_eq!(m(&ws.status(), "2a")["worktree"]["merged"], true);
}

#[test]
fn merge_refuses_changing_nothing_and_force_only_waives_the_gates() {
    let ws = Ws::new();
    // 2a: not ready (half done) but mergeable.
    ws.milestone(
        "2a",
        "id: 2a\nstatus: in_progress\nphases:\n  design: {status: completed}\n  spec: {status: completed}\n",
    );
    let w2a = ws.worktree("2a");
    commit(&w2a, &[("a2.txt", "a\n")], "2a");
    // 2b: ready, but it conflicts with main.
    ws.done_milestone("2b");
    let w2b = ws.worktree("2b");
    commit(&w2b, &[("shared.txt", &lines(&[(5, "2b")]))], "2b");
    // 2c: ready and clean.
    ws.done_milestone("2c");
    let w2c = ws.worktree("2c");
    commit(&w2c, &[("c.txt", "c\n")], "2c");
    commit(&ws.root, &[("shared.txt", &lines(&[(5, "main")]))], "main");

    let before = fingerprint(&ws.root);
    let (code, _, err) = ws.run(&["merge", "2a"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("phases"), "names the failing gate: {err}");
    assert_eq!(fingerprint(&ws.root), before);

    for args in [&["merge", "2b"][..], &["merge", "2b", "--force"][..]] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains("conflict"), "{err}");
        assert!(err.contains("shared.txt"), "names the path: {err}");
        assert_eq!(fingerprint(&ws.root), before, "{args:?}");
    }

    // A dirty base checkout refuses even with --force.
    std::fs::write(ws.root.join("x.txt"), "edited, not committed\n").expect("write");
    let before = fingerprint(&ws.root);
    for args in [&["merge", "2c"][..], &["merge", "2c", "--force"][..]] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains("uncommitted"), "{err}");
        assert_eq!(fingerprint(&ws.root), before, "{args:?}");
    }
    for id in ["2a", "2b", "2c"] {
        assert!(
            !ws.event_names(id).contains(&"milestone_merged".to_string()),
            "{id}"
        );
    }

    // Clean again: --force merges the unready 2a.
    std::fs::write(ws.root.join("x.txt"), "x\n").expect("write");
    let (code, out, err) = ws.run(&["merge", "2a", "--force"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(ws.root.join("a2.txt")).expect("merged"),
        "a\n"
    );
    assert_eq!(ws.event_names("2a"), ["milestone_merged"]);
    let (code, _, err) = ws.run(&["merge", "nope"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn worktree_remove_refuses_to_lose_work() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");

    let (code, _, err) = ws.run(&["worktree", "remove", "2a"]);
    assert_eq!(code, Some(1), "unmerged commits: {err}");
    assert!(err.contains("not merged"), "{err}");
    assert!(wt.exists() && ws.has_branch("feature/milestone-2a"));

    std::fs::write(wt.join("feature.txt"), "edited\n").expect("write");
    let (code, _, err) = ws.run(&["worktree", "remove", "2a", "--force"]);
    assert_eq!(code, Some(1), "uncommitted changes: {err}");
    assert!(err.contains("uncommitted"), "{err}");
    assert!(wt.exists() && ws.has_branch("feature/milestone-2a"));
}

#[test]
fn dashboard_keys_ask_before_merging_and_start_checks() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use milestone_dash::app::update::update;
    use milestone_dash::app::{App, Effect, Msg};
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    ws.milestone("2b", "id: 2b\nstatus: in_progress\n");
    let now = milestone_dash::util::time::parse(common::NOW).expect("now");
    let mut app = App::new(milestone_dash::app::keymap::Keymap::default(), false, now);
    update(&mut app, Msg::Resize(120, 40));
    let snap = milestone_dash::live::snapshot::load(&ws.root, now);
    update(&mut app, Msg::Loaded(Box::new(snap)));
    let ids = vec!["2a".to_string(), "2b".to_string()];
    let mut cache = Default::default();
    let states = milestone_dash::live::git::states_with_forecast(&ws.root, &ids, None, &mut cache);
    update(
        &mut app,
        Msg::Git {
            generation: 1,
            states,
        },
    );
    assert_eq!(app.selected.as_deref(), Some("2a"));
    let key = |app: &mut App, c: char| {
        update(
            app,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        )
    };
    assert!(key(&mut app, 'M').is_empty(), "asks first");
    let (question, _) = app.confirm.clone().expect("a question");
    assert!(
        question.contains("feature/milestone-2a into main"),
        "{question}"
    );
    assert!(question.contains("fast-forward"), "{question}");
    assert!(
        question.contains("✓progress") && question.contains("✓clean"),
        "{question}"
    );
    assert_eq!(
        key(&mut app, 'y'),
        [Effect::Merge {
            id: "2a".into(),
            force: false
        }]
    );
    // `n` (anything but y) changes nothing.
    key(&mut app, 'M');
    assert!(key(&mut app, 'n').is_empty());
    assert_eq!(key(&mut app, 't'), [Effect::RunChecks("2a".into())]);
    assert!(key(&mut app, 't').is_empty(), "one run at a time");
    update(
        &mut app,
        Msg::ChecksProgress {
            id: "2a".into(),
            line: Some("running 3 tests".into()),
            elapsed_secs: 65,
        },
    );
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("term");
    t.draw(|f| milestone_dash::ui::render(&app, f))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    let text: String = (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(text.contains("Checks running 1m"), "{text}");
    assert!(text.contains("running 3 tests"), "{text}");
    assert!(text.contains("✓ ready to merge"), "{text}");
    assert!(text.contains("Stage 2 · 1/2 ready"), "{text}");
    // The milestone without a worktree: M says why not, asks nothing.
    key(&mut app, 'j');
    assert_eq!(app.selected.as_deref(), Some("2b"));
    assert!(key(&mut app, 'M').is_empty() && app.confirm.is_none());
}

#[test]
fn the_dashboard_runs_checks_and_merges_in_a_pty() {
    use common::pty::Pty;
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    ws.checks("echo suite says hello; test -f feature.txt");
    let mut p = Pty::spawn_env(&ws.root, 120, 40, &[], &[("XDG_CONFIG_HOME", &ws.cfg)]);
    p.wait_for("the checklist", |s| {
        s.contains("✗ not ready: wants checks passed at HEAD")
    });
    p.send(b"t");
    p.wait_for("the passed run", |s| s.contains("Checks passed at"));
    p.wait_for("ready", |s| s.contains("✓ ready to merge"));
    assert_eq!(ws.event_names("2a"), ["checks_started", "checks_passed"]);
    p.send(b"T");
    p.wait_for("the output, full screen", |s| {
        s.contains("suite says hello")
    });
    p.send(b"\x1b");
    p.wait_for("back", |s| s.contains("✓ ready to merge"));
    p.send(b"M");
    p.wait_for("the question", |s| s.contains("fast-forward"));
    p.send(b"y");
    p.wait_for("the offer to remove", |s| {
        s.contains("Remove 2a's worktree")
    });
    assert_eq!(ws.tip("main").to_string(), head(&wt));
    p.send(b"n");
    p.send(b"q");
    p.wait_exit();
    assert!(wt.exists(), "not removed without a yes");
    assert!(
        ws.event_names("2a")
            .contains(&"milestone_merged".to_string())
    );
}
