//! The full path of a new user, from `s` to merged (issue 29): the merge
//! prompt with a live run, a merged milestone, `merge`'s reasons, the two
//! phase maps, the legend, the readiness checklist, the run and answer
//! messages, the help popup and panes, the command line's messages and exit
//! codes. Real repositories (git2), the real binary, real processes; the
//! screen through the library's `update` and `render` on a test backend.

use crate::common;
use common::merge::*;
use common::screen::*;

use milestone_dash::app::update::update;
use milestone_dash::app::{Effect, Msg};
use milestone_dash::model::{AgentState, RunState};

fn m<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    common::milestone(doc, id)
}

// ---- 2: the worktree of a live run stays ----------------------------------

#[test]
fn a_live_run_keeps_its_worktree_and_the_merge_prompt_says_so() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    let script = ws.tmp.path().join("agent.sh");
    std::fs::write(&script, "#!/bin/sh\nwhile true; do sleep 1; done\n").expect("script");
    let mut perm = std::fs::metadata(&script).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&script, perm).expect("chmod");
    ws.user_config(&format!(
        "agent:\n  command: [\"{}\", \"{{id}}\"]\n  backend: process\n  stop_grace_secs: 1\n",
        script.display()
    ));
    let (code, out, err) = ws.run(&["run", "start", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // The command line refuses, and names the way out.
    let (code, _, err) = ws.run(&["worktree", "remove", "2a", "--force"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("still running") && err.contains("run stop 2a"),
        "{err}"
    );
    assert!(wt.is_dir(), "the live run's directory stays");

    // The dashboard says it before the merge and does not offer it after.
    let s = snap(&ws);
    assert_eq!(
        m(&milestone_dash::cli::status::to_json(&s), "2a")["run"]["state"],
        "running"
    );
    let mut a = app(s, "2a", 140, 45);
    assert!(key(&mut a, 'M').is_empty());
    let (q, _) = a.confirm.clone().expect("a question");
    assert!(q.contains("worktree stays"), "{q}");
    a.confirm = None;
    update(
        &mut a,
        Msg::MergeDone {
            id: "2a".into(),
            result: Ok(("merged 2a into main (fast-forward to abc1234)".into(), true)),
        },
    );
    assert!(a.confirm.is_none(), "no removal offered: {:?}", a.confirm);
    let said = a.message.clone().unwrap_or_default();
    assert!(
        said.contains("worktree stays") && said.contains("x"),
        "{said}"
    );

    let (code, out, err) = ws.run(&["run", "stop", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = ws.run(&["worktree", "remove", "2a", "--force"]);
    assert_eq!(code, Some(0), "stopped, it may go: {out}{err}");
}

// ---- 3: a merged milestone is done ----------------------------------------

#[test]
fn a_merged_milestone_is_shown_done_and_test_says_so() {
    let ws = Ws::new();
    // In progress by its file, all phases done, started two hours ago: a
    // pace and an ETA until it is merged.
    ws.milestone(
        "2a",
        "id: 2a\ntitle: M 2a\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T08:00:00Z\"}\n  spec: {status: completed}\n  task: {status: completed}\n  execute: {status: completed}\n",
    );
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    ws.checks("test -f feature.txt");
    assert_eq!(ws.run(&["test", "2a"]).0, Some(0));
    // The base moves on: a merge commit, so HEAD of the worktree is not the
    // base's (the stale-checks line used to say "HEAD moved on").
    commit(&ws.root, &[("x.txt", "main moved\n")], "main moves");
    let (code, out, err) = ws.run(&["merge", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");

    let s = snap(&ws);
    let doc = milestone_dash::cli::status::to_json(&s);
    let j = m(&doc, "2a");
    // The JSON, to the letter of SPEC: status from the file (§2), merged
    // and no forecast (§9).
    assert_eq!(j["status"], "in_progress");
    assert_eq!(j["worktree"]["merged"], true);
    assert_eq!(j["worktree"]["forecast"], serde_json::json!([]));
    let mut a = app(s, "2a", 140, 45);
    let text = screen(&a, 140, 45);
    assert!(text.contains("⊕ 2a"), "the row's glyph: {text}");
    assert!(
        text.contains("✓1 done") && !text.contains("in progress"),
        "the header: {text}"
    );
    assert!(text.contains("merged into main at"), "{text}");
    assert!(!text.contains("s start"), "nothing to start: {text}");
    for wrong in ["not ready", "stale", "Pace ", "ETA", "⇡ready", "✗ "] {
        assert!(
            !text.contains(wrong),
            "{wrong:?} on a merged milestone:\n{text}"
        );
    }
    a.confirm = None;

    // Gone worktree: still merged, and `mdash test` says so.
    let (code, out, err) = ws.run(&["worktree", "remove", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let a = app(snap(&ws), "2a", 140, 45);
    let text = screen(&a, 140, 45);
    assert!(text.contains("merged"), "{text}");
    assert!(!text.contains("not ready"), "{text}");
    let (_, table, _) = ws.run(&["status"]);
    let row = table
        .lines()
        .find(|l| l.starts_with("2a"))
        .unwrap_or_default();
    assert!(row.contains("merged"), "the table: {table}");
    let (code, _, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("merged"), "{err}");
    assert!(
        !err.contains("worktree add"),
        "no new worktree for a merged one: {err}"
    );
}

// ---- 5: every reason at once ----------------------------------------------

#[test]
fn merge_names_every_reason_and_offers_force_only_when_it_would_do() {
    let ws = Ws::new();
    // The milestone file is committed on main (as the README asks).
    let half = "id: 2b\nstatus: in_progress\nphases:\n  design: {status: completed}\n";
    commit(
        &ws.root,
        &[(".milestones/active/2b.yaml", half)],
        "2b planned",
    );
    let wt = ws.worktree("2b");
    // The agent works and commits its status in the worktree...
    commit(
        &wt,
        &[
            ("b.txt", "b\n"),
            (
                ".milestones/active/2b.yaml",
                &half.replace("in_progress", "paused"),
            ),
        ],
        "2b",
    );
    // ... while the base copy was edited and left uncommitted.
    std::fs::write(
        ws.root.join(".milestones/active/2b.yaml"),
        half.replace("in_progress", "blocked"),
    )
    .expect("edit");
    let before = fingerprint(&ws.root);
    for args in [&["merge", "2b"][..], &["merge", "2b", "--force"][..]] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(
            err.contains(".milestones/active/2b.yaml"),
            "{args:?} names the file in the way: {err}"
        );
        assert!(!err.contains("--force merges anyway"), "{args:?}: {err}");
        assert_eq!(fingerprint(&ws.root), before, "{args:?}");
    }
    let (_, _, err) = ws.run(&["merge", "2b"]);
    assert!(err.contains("phases"), "the gates too: {err}");

    // A real conflict and failing gates: both named, no --force offered.
    let ws = Ws::new();
    ws.milestone("2c", &half.replace("2b", "2c"));
    let w2c = ws.worktree("2c");
    commit(&w2c, &[("shared.txt", &lines(&[(5, "2c")]))], "2c");
    commit(&ws.root, &[("shared.txt", &lines(&[(5, "main")]))], "main");
    let (code, _, err) = ws.run(&["merge", "2c"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("phases") && err.contains("shared.txt"),
        "{err}"
    );
    assert!(!err.contains("--force merges anyway"), "{err}");
}

// ---- 6: two phase maps; `new` writes the seeds' template ----------------

#[test]
fn check_warns_of_two_phase_maps_and_new_leaves_room_for_the_agents() {
    let ws = Ws::new();
    ws.milestone(
        "2a",
        "id: 2a\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: pending}\nphases:\n  design: {status: completed}\n",
    );
    let root = ws.root.display().to_string();
    let (_, out, _) = ws.run(&["check", &root]);
    let line = out
        .lines()
        .find(|l| l.contains("phase maps"))
        .unwrap_or_else(|| panic!("a warning: {out}"));
    assert!(line.starts_with(".milestones/active/2a.yaml:3:"), "{line}");
    assert!(line.contains("line 3") && line.contains("line 5"), "{line}");
    assert!(line.contains("warning"), "{line}");

    // `mdash new`, then an agent adds its phases as it would: they count.
    let (code, out, err) = ws.run(&["new", "3a", "--title", "T"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let p = ws.root.join(".milestones/active/3a.yaml");
    let text = std::fs::read_to_string(&p).expect("new file");
    assert!(text.contains("phase_weights"), "{text}");
    std::fs::write(
        &p,
        format!("{text}phases:\n  design: {{status: completed}}\n  spec: {{status: completed}}\n"),
    )
    .expect("agent writes");
    assert_eq!(m(&ws.status(), "3a")["progress"], 40);
    let (_, out, _) = ws.run(&["check", &root]);
    assert!(!out.contains("3a.yaml"), "{out}");
}

// ---- 8: the checklist says what each gate requires ------------------------

#[test]
fn the_checklist_labels_each_gate_by_its_requirement() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    ws.done_milestone("2b");
    let (wa, wb) = (ws.worktree("2a"), ws.worktree("2b"));
    commit(&wa, &[("shared.txt", &lines(&[(5, "2a")]))], "2a");
    commit(&wb, &[("shared.txt", &lines(&[(5, "2b")]))], "2b");
    let s = snap(&ws);
    let doc = milestone_dash::cli::status::to_json(&s);
    assert_eq!(forecast(m(&doc, "2a")), ["2b"]);
    assert_eq!(m(&doc, "2a")["worktree"]["merged"], false);
    let mut a = app(s, "2a", 140, 45);
    let text = screen(&a, 140, 45);
    assert!(!text.contains("✓ blockers no blockers"), "{text}");
    assert!(text.contains("a forecast only, no gate"), "{text}");
    assert!(text.contains("✓ commits ahead of the base"), "{text}");
    assert!(text.contains("✓ not merged yet"), "{text}");
    key(&mut a, 'M');
    let (q, _) = a.confirm.clone().expect("a question");
    assert!(q.contains("✓commits") && q.contains("✓unmerged"), "{q}");
    assert!(!q.contains("no_commits"), "{q}");
    // A gate that fails says why.
    std::fs::write(wa.join("scratch.txt"), "s\n").expect("write");
    let text = screen(&app(snap(&ws), "2a", 140, 45), 140, 45);
    assert!(
        text.contains("✗ nothing uncommitted: 1 path uncommitted"),
        "{text}"
    );
}

// ---- 10: what the run and answer keys say ---------------------------------

#[test]
fn stop_resume_reply_and_attach_say_what_they_do() {
    let ws = Ws::new();
    ws.milestone("2a", "id: 2a\nstatus: in_progress\n");
    let mut s = snap(&ws);
    with_agent(
        &mut s,
        "2a",
        claude(AgentState::Ended, false),
        Some(RunState::Exited),
    );
    let mut a = app(s, "2a", 140, 45);
    update(
        &mut a,
        Msg::RunDone {
            id: "2a".into(),
            action: milestone_dash::app::RunAction::Stop,
            result: Ok("stopped 2a — press s to start it again".into()),
        },
    );
    let said = a.message.clone().unwrap_or_default();
    assert!(said.contains("r resumes"), "{said}");
    key(&mut a, 'p');
    let said = a.message.clone().unwrap_or_default();
    assert!(said.contains("r resumes"), "an ended Claude run: {said}");

    // A paused agent that waits for a reply: R refuses, sends nothing.
    let mut s = snap(&ws);
    with_agent(
        &mut s,
        "2a",
        claude(AgentState::WaitingInput, true),
        Some(RunState::Paused),
    );
    let mut a = app(s, "2a", 140, 45);
    let fx = key(&mut a, 'R');
    assert!(fx.is_empty() && a.replying.is_none(), "{fx:?}");
    let said = a.message.clone().unwrap_or_default();
    assert!(
        said.contains("paused") && said.contains("r resumes"),
        "{said}"
    );

    // `a` is labelled for where it goes, and says how to come back.
    let mut s = snap(&ws);
    with_agent(
        &mut s,
        "2a",
        claude(AgentState::WaitingInput, true),
        Some(RunState::Running),
    );
    let mut a = app(s, "2a", 140, 45);
    let words: Vec<&str> = milestone_dash::app::hints::hints(&a)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert!(
        words.contains(&"go to agent") && !words.contains(&"output"),
        "{words:?}"
    );
    assert!(screen(&a, 140, 45).contains("tmux last-window"));
    let fx = key(&mut a, 'a');
    assert!(
        matches!(fx.as_slice(), [Effect::FocusAgent { .. }]),
        "{fx:?}"
    );
    assert!(
        a.message
            .clone()
            .unwrap_or_default()
            .contains("tmux last-window")
    );
}

#[test]
fn checks_on_a_dirty_worktree_are_not_heads_result() {
    let ws = Ws::new();
    ws.done_milestone("2a");
    let wt = ws.worktree("2a");
    commit(&wt, &[("feature.txt", "f\n")], "2a works");
    std::fs::write(wt.join("feature.txt"), "edited, not committed\n").expect("edit");
    ws.checks("exit 0");
    let (code, out, err) = ws.run(&["test", "2a"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("uncommitted"), "{out}");
    let evs = ws.events("2a");
    assert_eq!(evs.last().expect("event")["details"]["dirty"], 1);
    // Discarded, the HEAD is the same: the dirty pass still does not count.
    std::fs::write(wt.join("feature.txt"), "f\n").expect("restore");
    assert_eq!(missing(m(&ws.status(), "2a")), ["checks"]);
    let text = screen(&app(snap(&ws), "2a", 140, 45), 140, 45);
    // (The in-process read has no user config: the gate list is the JSON's.)
    assert!(text.contains("uncommitted: not HEAD's"), "{text}");
}

// ---- 12: the real-CLI tests are ignored, not ok, without claude ---------

#[test]
fn real_cli_tests_are_ignored_with_their_reason_when_claude_is_missing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = std::fs::read_to_string(dir.join("build.rs")).expect("build.rs");
    assert!(
        build.contains("mdash_no_claude") && build.contains("\"CI\""),
        "{build}"
    );
    let mut n = 0;
    for f in ["agent.rs", "answer.rs", "claude.rs"] {
        let text = std::fs::read_to_string(dir.join("tests/it").join(f)).expect("read");
        let parts: Vec<&str> = text.split("#[test]").collect();
        for p in &parts[1..] {
            if !p.contains("claude::require()") || p.find("claude::require()") > p.find("\n}\n") {
                continue;
            }
            n += 1;
            assert!(
                p.trim_start()
                    .starts_with("#[cfg_attr(\n    mdash_no_claude,\n    ignore = "),
                "{f}: a real-CLI test without its ignore: {}",
                &p[..p.len().min(200)]
            );
        }
    }
    assert!(n >= 6, "{n}");
}

// ---- 14: narrow things ----------------------------------------------------

#[test]
fn help_rows_blockers_position_and_long_detail_lines_are_whole() {
    let ws = Ws::new();
    let mut yaml = String::from("id: 2a\nstatus: in_progress\nblockers:\n");
    for i in 0..30 {
        yaml.push_str(&format!("  - \"blocker number {i}\"\n"));
    }
    ws.milestone("2a", &yaml);
    let mut s = snap(&ws);
    with_agent(
        &mut s,
        "2a",
        claude(AgentState::Working, false),
        Some(RunState::Running),
    );
    let mut a = app(s, "2a", 140, 45);
    let text = screen(&a, 140, 45);
    // The token line, whole at 140 columns (wrapped, indented, not cut).
    for part in ["123,456,789", "98,765,432", "11,223,344", "55,667,788"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // The Blockers pane says where it is.
    a.focus = milestone_dash::app::Pane::Blockers;
    let text = screen(&a, 140, 45);
    assert!(text.contains(" 1 of 30 "), "{text}");
    // The help popup at 120 columns: every row whole.
    let mut a = app(snap(&ws), "2a", 120, 100);
    key(&mut a, '?');
    let text = screen(&a, 120, 100);
    for act in milestone_dash::app::keymap::Action::ALL {
        let d = act.description();
        assert!(text.contains(d), "cut: {d:?}\n{text}");
    }
}

// ---- 15: the command line -------------------------------------------------

#[test]
fn the_command_line_describes_ids_and_exits_2_for_a_wrong_one() {
    let ws = Ws::new();
    ws.milestone("2a", "id: 2a\nstatus: in_progress\n");
    for sub in ["start", "pause", "resume", "stop"] {
        let (code, out, _) = ws.run(&["run", sub, "--help"]);
        assert_eq!(code, Some(0));
        let line = out
            .lines()
            .find(|l| l.contains("<ID>") && !l.starts_with("Usage"));
        assert!(
            line.is_some_and(|l| l.contains("Milestone id")),
            "{sub}: {out}"
        );
    }
    let (_, out, _) = ws.run(&["trust", "--help"]);
    assert!(out.contains("--dir"), "{out}");
    let root = ws.root.display().to_string();
    let (code, _, err) = ws.run_in(ws.tmp.path(), &["trust", "--dir", &root, "--yes"]);
    assert!(!err.contains("unexpected argument"), "{err}");
    assert_eq!(code, Some(1), "nothing to trust there: {err}");

    let (new_code, _, _) = ws.run(&["new", "a/b", "--title", "T"]);
    let (run_code, _, err) = ws.run(&["run", "start", "a/b"]);
    assert_eq!(new_code, Some(2));
    assert_eq!(run_code, new_code, "{err}");
    let (code, _, err) = ws.run(&["run", "pause", "zz"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no milestone \"zz\""), "{err}");
    let (code, _, err) = ws.run(&["run", "pause", "2a"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("2a: 2a"), "the id once: {err}");
    // Every command that takes an id: the same words, the same exit code.
    for args in [
        &["test", "zz"][..],
        &["merge", "zz"],
        &["worktree", "remove", "zz"],
    ] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("no milestone \"zz\""), "{args:?}: {err}");
        assert_eq!(err.matches("zz").count(), 1, "{args:?}: the id once: {err}");
    }
    let (code, _, err) = ws.run(&["stauts"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean status"), "{err}");
}

// ---- 16: frictions --------------------------------------------------------

#[test]
fn readme_queue_and_pace_frictions() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README");
    assert!(readme.contains(".claude/commands/milestone.md"));
    assert!(readme.contains("Commit the milestone files first"));
    assert!(readme.contains("tmux last-window"));

    let ws = Ws::new();
    // Started a minute ago and already half done.
    ws.milestone(
        "2a",
        "id: 2a\ntitle: Just started\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T09:59:00Z\"}\n  spec: {status: completed}\n  task: {status: in_progress}\n",
    );
    let doc = ws.status();
    assert!(
        m(&doc, "2a")["pace"]["points_per_hour"].is_number(),
        "SPEC §10 keeps it"
    );
    let mut a = app(snap(&ws), "2a", 140, 45);
    let text = screen(&a, 140, 45);
    assert!(!text.contains("%/h"), "{text}");
    assert!(!text.contains("ETA"), "{text}");
    // `!` with nobody waiting: a clear empty state, no stray detail.
    key(&mut a, '!');
    let text = screen(&a, 140, 45);
    assert!(text.contains("no agent needs you now"), "{text}");
    assert!(!text.contains("Just started"), "{text}");
}
