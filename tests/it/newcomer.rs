//! What a new user ran into (issue 18), and the command-line parts of the
//! security review (issue 12, items 6 to 9), each checked on the real
//! binary: plain runs, a pseudo-terminal at the sizes people use, real
//! agent processes and real git repositories.

use crate::common;
use common::newb::*;
use common::pty::{Pty, restored};
use common::*;

use std::time::Duration;

const LONG: Duration = Duration::from_secs(30);

fn ws_basic() -> Ws {
    let w = Ws::new();
    w.milestone("1a", "status: completed\n");
    w.milestone(
        "2a",
        "status: in_progress\ndependencies: {requires: [1a]}\n",
    );
    w.milestone("2b", "status: planned\ndependencies: {requires: [2a]}\n");
    w
}

/// Moves the selection from 1a (the first row) to 2a.
fn select_2a(p: &mut Pty) {
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"j");
    p.wait_for("2a selected", |s| s.contains("┌ 2a Title 2a"));
}

fn wait_quit(p: &mut Pty) {
    p.send(b"q");
    p.wait_exit_within(Duration::from_secs(10));
}

// ---------------------------------------------------------------- bug 1

/// A pipe whose reader is already gone: every write fails with EPIPE.
fn closed_pipe() -> std::process::Stdio {
    let (r, w) = std::io::pipe().expect("pipe");
    drop(r);
    w.into()
}

fn assert_quiet_on_closed_pipe(w: &Ws, args: &[&str]) {
    let out = w
        .cmd_in(&w.root, args)
        .stdout(closed_pipe())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe") && !err.contains("BACKTRACE"),
        "mdash {args:?} into a closed pipe: {err}"
    );
    assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {err}");
}

#[test]
fn bug01_closed_pipe_ends_output_quietly() {
    let w = Ws::new();
    for i in 0..50 {
        w.write(&format!(".milestones/active/bad{i:02}.yaml"), "id: [\n");
    }
    assert_quiet_on_closed_pipe(&w, &["check"]);
    assert_quiet_on_closed_pipe(&w, &["status"]);
    assert_quiet_on_closed_pipe(&w, &["status", "--json"]);
    assert_quiet_on_closed_pipe(&w, &["config"]);
    assert_quiet_on_closed_pipe(&w, &["completions", "fish"]);
    assert_quiet_on_closed_pipe(&w, &["completions", "bash"]);
}

// ---------------------------------------------------------------- bug 2

const BAD_CONFIG: &str = "agent:\n  comand: [echo]\n  max_concurrent: \"lots\"\n  backend: screen\nkeys:\n  frobnicate: [z]\n  move_down: [ctrl-shift-banana]\n";

#[test]
fn bug02_check_reports_config_mistakes_with_file_and_line() {
    let w = ws_basic();
    w.write(".milestones/config/mdash.yaml", BAD_CONFIG);
    let (_, out, err) = w.run(&["check"]);
    let all = format!("{out}{err}");
    let f = ".milestones/config/mdash.yaml";
    for (line, what) in [
        (2, "comand"),
        (3, "max_concurrent"),
        (4, "backend"),
        (6, "frobnicate"),
        (7, "ctrl-shift-banana"),
    ] {
        assert!(
            all.lines()
                .any(|l| l.starts_with(&format!("{f}:{line}:")) && l.contains(what)),
            "no {f}:{line}: line about {what}:\n{all}"
        );
    }
    assert!(
        all.lines()
            .any(|l| l.contains("comand") && l.contains("\"command\"")),
        "the closest known key is not suggested:\n{all}"
    );
    assert!(
        all.lines()
            .any(|l| l.contains("frobnicate") && l.contains("quit")),
        "an unknown action does not list the known ones:\n{all}"
    );
    assert!(!err.contains("0 errors, 0 warnings"), "{err}");
}

#[test]
fn bug02_check_reports_user_config_mistakes() {
    let w = ws_basic();
    w.user_config("agent:\n  max_concurent: 2\n  stop_grace_secs: soon\n");
    let (_, out, err) = w.run(&["check"]);
    let all = format!("{out}{err}");
    assert!(
        all.lines().any(|l| l.contains("config.yaml:2:")
            && l.contains("max_concurent")
            && l.contains("\"max_concurrent\"")),
        "{all}"
    );
    assert!(
        all.lines()
            .any(|l| l.contains("config.yaml:3:") && l.contains("stop_grace_secs")),
        "{all}"
    );
}

#[test]
fn bug02_dashboard_status_line_reports_config_problems() {
    let w = ws_basic();
    w.write(".milestones/config/mdash.yaml", BAD_CONFIG);
    let mut p = w.dashboard(120, 40);
    let s = p.wait_for("a config problem on screen", |s| {
        flat(s).contains("comand") || flat(s).contains("mdash.yaml:2")
    });
    assert!(flat(&s).contains("mdash.yaml"), "{s}");
    // Counted once, as config problems: the workspace config's problems
    // are among the snapshot's file problems too.
    let (_, out, _) = w.run(&["check"]);
    let n = out
        .lines()
        .filter(|l| l.starts_with(".milestones/config/mdash.yaml:"))
        .count();
    assert!(n > 1, "{out}");
    let s = p.wait_for("the header's config problems", |s| {
        header(s).contains("config problem")
    });
    let h = header(&s);
    assert!(h.contains(&format!("⚠ {n} config problem")), "{n}: {h}");
    assert!(!h.contains("file problem"), "counted twice: {h}");
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 3

fn config_line<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no {key} in:\n{out}"))
}

#[test]
fn bug03_config_names_each_value_origin_truthfully() {
    let w = ws_basic();
    // No workspace file at all: everything is a default.
    let (code, out, _) = w.run(&["config"]);
    assert_eq!(code, 0);
    for key in [
        "limits.max_file_bytes",
        "blockers.long_task_minutes",
        "git.base_branch",
        "git.refresh_secs",
        "agent.max_concurrent",
    ] {
        let l = config_line(&out, key);
        assert!(l.ends_with("# default"), "{l}");
    }
    assert!(!out.contains("mdash.yaml"), "{out}");

    // One value from the workspace, one from the user's file.
    w.write(".milestones/config/mdash.yaml", "git:\n  refresh_secs: 5\n");
    w.user_config("agent:\n  max_concurrent: 2\n");
    let (_, out, _) = w.run(&["config"]);
    let l = config_line(&out, "git.refresh_secs");
    assert!(
        l.contains('5') && l.contains(".milestones/config/mdash.yaml"),
        "{l}"
    );
    let l = config_line(&out, "limits.max_file_bytes");
    assert!(l.ends_with("# default"), "{l}");
    let l = config_line(&out, "agent.max_concurrent");
    assert!(
        l.contains("2") && l.contains("cfg/mdash/config.yaml"),
        "{l}"
    );
}

// ---------------------------------------------------------------- bug 5

#[test]
fn bug05_header_counts_files_and_live_runs_apart() {
    let w = Ws::new();
    for id in ["a1", "a2", "a3"] {
        w.milestone(id, "status: in_progress\n");
    }
    w.milestone("p1", "status: planned\n");
    w.looping_agent();
    let mut p = w.dashboard(120, 40);
    let s = p.wait_for("the header", |s| s.contains("Title a1"));
    let h = header(&s);
    assert!(h.contains("3 in progress"), "{h}");
    assert!(!h.contains("running"), "no agent runs, yet: {h}");

    let (code, out, err) = w.run(&["run", "start", "p1"]);
    assert_eq!(code, 0, "{out}{err}");
    // The run, and the file it set in progress, each counted once.
    p.wait_for("one live agent and four in progress", |s| {
        header(s).contains("● 1 run") && header(s).contains("4 in progress")
    });

    let (code, out, err) = w.run(&["run", "pause", "p1"]);
    assert_eq!(code, 0, "{out}{err}");
    let s = p.wait_for("the paused run", |s| header(s).contains("paused"));
    let h = header(&s);
    assert_eq!(
        h.matches("paused").count(),
        1,
        "a paused run counted twice: {h}"
    );
    assert!(!h.contains("running") && !h.contains("● 1 run"), "{h}");
    let (code, _, _) = w.run(&["run", "stop", "p1"]);
    assert_eq!(code, 0);
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 6

fn ws_crowded() -> Ws {
    let w = Ws::new();
    for i in 0..12 {
        w.milestone(
            &format!("m{i:02}"),
            &format!("status: planned\nblockers: [\"reason {i}\"]\n"),
        );
    }
    w.write(".milestones/active/zz-broken.yaml", "id: [\n");
    w
}

#[test]
fn bug06_header_keeps_what_matters_at_80_columns() {
    let w = ws_crowded();
    w.looping_agent();
    let (code, out, err) = w.run(&["run", "start", "m00"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut p = w.dashboard(80, 24);
    let s = p.wait_for("the header with a live run", |s| {
        header(s).contains("● 1 run")
    });
    let h = header(&s);
    assert!(h.contains("12 blockers"), "{h}");
    assert!(h.contains("1 file problem"), "{h}");
    assert!(h.contains('%'), "{h}");
    let (code, _, _) = w.run(&["run", "stop", "m00"]);
    assert_eq!(code, 0);
    wait_quit(&mut p);
}

#[test]
fn bug06_an_overflowing_list_shows_where_it_is() {
    let w = ws_crowded();
    let mut p = w.dashboard(80, 24);
    let s = p.wait_for("the list", |s| {
        s.contains("Title m00") && footer(s).contains("quit")
    });
    assert!(
        !s.contains("Title m11"),
        "the list should overflow at 80×24:\n{s}"
    );
    p.wait_for("the scroll position on an overflowing list", |s| {
        s.contains(" of 12")
    });
    p.send(b"G");
    p.wait_for("the last row and its position", |s| {
        s.contains("Title m11") && s.contains("12 of 12")
    });
    wait_quit(&mut p);
}

#[test]
fn bug06_prompts_and_hints_wrap_instead_of_losing_their_end() {
    let w = ws_basic();
    // A workspace command long enough to fill a 100-column line.
    w.write(
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [\"/opt/some/rather/long/path/to/an/agent-binary\", \"--milestone\", \"{id}\", \"--worktree\", \"{worktree}\", \"--verbose\"]\n",
    );
    for (cols, rows) in [(100, 30), (60, 20)] {
        let mut p = w.dashboard(cols, rows);
        select_2a(&mut p);
        p.send(b"s");
        let s = p.wait_for("the trust prompt", |s| {
            flat(s).contains("agent.command is") || flat(s).contains("not approved")
        });
        let s = if flat(&s).contains("(y/n)") {
            s
        } else {
            p.wait_for("the whole prompt", |s| flat(s).contains("(y/n)"))
        };
        assert!(flat(&s).contains("--verbose"), "{cols}: {s}");
        p.send(b"n");
        p.wait_for("the prompt to go", |s| !flat(s).contains("(y/n)"));
        wait_quit(&mut p);
    }
    // No command at all: the hint says how to set one, in full.
    let w = ws_basic();
    let mut p = w.dashboard(60, 20);
    select_2a(&mut p);
    p.send(b"s");
    let s = p.wait_for("the hint", |s| flat(s).contains("no agent command"));
    let s = if flat(&s).contains("never guesses one") {
        s
    } else {
        p.wait_for("the whole hint", |s| flat(s).contains("never guesses one"))
    };
    assert!(flat(&s).contains("agent.command"), "{s}");
    wait_quit(&mut p);
}

#[test]
fn bug06_worktree_prompt_is_whole_at_60_columns() {
    let w = ws_basic();
    init_repo(&w.root, "main");
    let mut p = w.dashboard(60, 20);
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"w");
    // The whole prompt: a screen read mid-frame may hold its first row only.
    let s = p.wait_for("the worktree prompt", |s| {
        flat(s).contains("create") && flat(s).contains("(y/n)")
    });
    assert!(
        flat(&s).contains("feature/milestone-") && flat(&s).contains("(y/n)"),
        "{s}"
    );
    p.send(b"n");
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 7

#[test]
fn bug07_start_ready_starts_each_once_and_skips_blocked() {
    let w = Ws::new();
    w.milestone("ra", "status: planned\n");
    w.milestone("rb", "status: planned\n");
    w.milestone(
        "bl",
        "status: blocked\nblockers: [one, two, three, four, five]\n",
    );
    w.milestone("ud", "status: planned\ndependencies: {requires: [ra]}\n");
    w.looping_agent();
    let mut p = w.dashboard(120, 40);
    p.wait_for("the list", |s| s.contains("Title ra"));
    p.send(b"S");
    let s = p.wait_for("the S message", |s| flat(s).contains("skipped"));
    let f = flat(&s);
    assert!(
        f.contains("bl (blocked)") || f.contains("bl blocked"),
        "{f}"
    );
    assert!(f.contains("ud"), "{f}");
    // Both ready ones run; nothing claims a second run.
    let start = std::time::Instant::now();
    loop {
        p.pump(Duration::from_millis(50));
        let s = p.screen();
        assert!(!s.contains("already has"), "a false error:\n{s}");
        if header(&s).contains("● 2 runs") {
            break;
        }
        assert!(start.elapsed() < LONG, "runs did not start:\n{s}");
    }
    assert!(
        !w.root
            .join(".milestones/sessions/mdash-runs/bl.yaml")
            .exists()
    );
    // The message does not stick: the footer comes back by itself.
    let start = std::time::Instant::now();
    loop {
        p.pump(Duration::from_millis(100));
        let s = p.screen();
        assert!(!s.contains("already has"), "a false error:\n{s}");
        if footer(&s).contains("? help") {
            break;
        }
        assert!(start.elapsed() < LONG, "the message stuck:\n{s}");
    }
    p.send(b"S");
    for id in ["ra", "rb"] {
        let _ = w.run(&["run", "stop", id]);
    }
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 8

fn demo(w: &Ws, cols: u16, rows: u16) -> (Pty, std::path::PathBuf) {
    let d = w.dir.path().join("demo");
    let mut p = w.pty(cols, rows, &["demo", "--dir", d.to_str().expect("utf-8")]);
    p.wait_for("the demo with two runs", |s| {
        s.contains("Sensor ingest") && s.contains("Firmware telemetry") && s.contains("●")
    });
    (p, d)
}

#[test]
fn bug08_quitting_the_demo_stops_every_run_it_started() {
    let w = Ws::new();
    let (mut p, d) = demo(&w, 120, 40);
    // A third run, started by hand: 2c has no unmet requirement.
    p.send(b"/2c\r");
    p.wait_for("2c selected", |s| s.contains("Data retention"));
    p.send(b"s");
    p.wait_for("2c started", |s| flat(s).contains("started 2c"));
    let groups = groups_under(&d);
    assert_eq!(groups.len(), 3, "{groups:?}");
    p.send(b"q");
    p.wait_exit_within(Duration::from_secs(20));
    for (id, g) in groups {
        eventually(&format!("run {id} to end"), LONG, || {
            live_in_group(g).is_empty()
        });
        // Stopped by the demo on its way out, not ended by itself later.
        let rec =
            std::fs::read_to_string(d.join(format!(".milestones/sessions/mdash-runs/{id}.yaml")))
                .expect("record");
        assert!(rec.contains("state: stopped"), "{id}:\n{rec}");
    }
}

#[test]
fn bug08_the_demo_agents_loop_until_stopped() {
    let w = Ws::new();
    w.milestone(
        "9a",
        "status: planned\nphases:\n  design: {status: pending}\n  spec: {status: pending}\n  task: {status: pending}\n  execute: {status: pending}\n",
    );
    // `--loop`: when the milestone is done, start it over, until stopped.
    let mut child = w
        .cmd_in(&w.root, &["sim", "9a", "--pace-ms", "5", "--loop"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let done = || w.read(".milestones/active/9a.yaml").contains("completed");
    let st = || child_alive(child.id());
    eventually("the sim to finish a round", LONG, || done() || !st());
    assert!(st(), "the sim ended after one round");
    eventually("the sim to start over", LONG, || {
        !w.json()["milestones"][0]["status"]
            .as_str()
            .unwrap_or_default()
            .contains("completed")
    });
    assert!(st());
    let _ = child.kill();
    let _ = child.wait();
}

fn child_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rfind(')')
                .map(|i| !s[i + 1..].trim_start().starts_with('Z'))
                .unwrap_or(false)
        })
        .unwrap_or(false)
}

// ---------------------------------------------------------------- bug 9

#[test]
fn bug09_detail_scroll_is_clamped_and_reset() {
    let w = Ws::new();
    let tasks: String = (0..40)
        .map(|i| format!("  - {{id: t{i:02}, title: Task number {i:02}, status: pending}}\n"))
        .collect();
    w.milestone("1a", &format!("status: in_progress\ntasks:\n{tasks}"));
    w.milestone("1b", "status: planned\n");
    let mut p = w.dashboard(120, 40);
    p.wait_for("the detail", |s| s.contains("Task number 00"));
    p.send(b"d");
    for _ in 0..80 {
        p.send(b"j");
    }
    sync(&mut p);
    let s = p.wait_for("the detail's end", |s| s.contains("Source"));
    assert!(s.contains("Task number 39"), "{s}");

    // A resize starts from the top again.
    p.resize(100, 30);
    let s = p.wait_for("the resized detail", |s| s.contains("Task number 00"));
    assert!(s.contains("progress"), "{s}");

    // So does another selection, and coming back.
    for _ in 0..10 {
        p.send(b"j");
    }
    sync(&mut p);
    let s = p.screen();
    assert!(!s.contains("Task number 00"), "did not scroll:\n{s}");
    p.send(b"\x1b");
    // An Esc and the next key read together are Alt+key.
    p.pump_for(Duration::from_millis(150));
    p.send(b"j");
    p.wait_for("1b", |s| s.contains("┌ 1b Title 1b"));
    p.send(b"k");
    p.wait_for("1a from the top", |s| s.contains("Task number 00"));
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 10

#[test]
fn bug10_titles_are_one_line() {
    let w = ws_basic();
    let (code, _, _) = w.run(&["new", "4c", "--title", "tab\there\nsecond"]);
    if code == 0 {
        let doc = w.json();
        let t = milestone(&doc, "4c")["title"]
            .as_str()
            .expect("title")
            .to_string();
        assert!(!t.chars().any(char::is_control), "{t:?}");
    }
    // A title written by hand with a tab and a newline.
    w.write(
        ".milestones/active/4d.yaml",
        "id: 4d\ntitle: \"tab\\there\\nsecond\"\nstatus: planned\n",
    );
    let (_, out, _) = w.run(&["status"]);
    let rows: Vec<&str> = out.lines().take_while(|l| !l.is_empty()).collect();
    let n = w.json()["milestones"].as_array().expect("list").len();
    assert_eq!(rows.len(), n + 1, "the table wrapped:\n{out}");
    assert!(!out.contains('\t'), "{out:?}");

    let mut p = w.dashboard(100, 30);
    let s = p.wait_for("the list", |s| {
        s.lines().any(|l| l.contains("4d") && l.contains('%'))
    });
    let line = s
        .lines()
        .find(|l| l.contains("4d"))
        .unwrap_or_else(|| panic!("no 4d row:\n{s}"));
    assert!(line.contains("second") || line.contains('…'), "{line}");
    assert!(
        !s.lines()
            .any(|l| l.trim_start_matches('│').starts_with("second")),
        "{s}"
    );
    wait_quit(&mut p);
}

fn bar_width(line: &str) -> usize {
    line.chars().filter(|c| matches!(c, '█' | '░')).count()
}

#[test]
fn bug10_long_ids_are_cut_to_their_column() {
    let w = ws_basic();
    let long = "m-0123456789-abcdefghij-0123456789-xy";
    assert_eq!(long.len(), 37);
    w.milestone(long, "status: planned\n");
    let (_, out, _) = w.run(&["status"]);
    let bars = || out.lines().filter(|l| bar_width(l) > 0);
    let widths: Vec<usize> = bars().map(bar_width).collect();
    assert_eq!(widths.len(), 4, "{out}");
    assert!(widths.iter().all(|&x| x == widths[0]), "{widths:?}\n{out}");
    let cols: Vec<Option<usize>> = bars()
        .map(|l| {
            l.char_indices()
                .find(|(_, c)| matches!(c, '█' | '░'))
                .map(|(i, _)| l[..i].chars().count())
        })
        .collect();
    assert!(cols.iter().all(|c| *c == cols[0]), "{cols:?}\n{out}");

    let mut p = w.dashboard(100, 30);
    let s = p.wait_for("the list", |s| {
        s.contains("Title 2b") && footer(s).contains("quit")
    });
    let widths: Vec<usize> = s
        .lines()
        .filter(|l| l.contains("Title"))
        .map(|l| {
            let left = l.split("││").next().unwrap_or(l);
            bar_width(left)
        })
        .collect();
    assert!(
        widths.len() == 4 && widths.iter().all(|&x| x == widths[0] && x > 0),
        "{widths:?}\n{s}"
    );
    wait_quit(&mut p);
}

// ---------------------------------------------------------------- bug 11

#[test]
fn bug11_worktree_add_refuses_an_unknown_milestone() {
    let w = ws_basic();
    init_repo(&w.root, "main");
    let (code, out, err) = w.run(&["worktree", "add", "zz"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("zz") && err.contains("--force"), "{err}");
    assert!(!w.root.join(".worktrees/milestone-zz").exists());
    assert!(!git(&w.root, &["branch", "--list"]).contains("milestone-zz"));
    let (code, out, err) = w.run(&["worktree", "add", "zz", "--force"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(w.root.join(".worktrees/milestone-zz").is_dir());
}

#[test]
fn bug11_run_start_checks_the_id_before_trust() {
    let w = ws_basic();
    w.write(
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [\"/bin/true\", \"{id}\"]\n",
    );
    let (code, out, err) = w.run(&["run", "start", "zz"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("no milestone") && err.contains("zz"),
        "{out}{err}"
    );
    assert!(!err.contains("trust"), "{err}");
}

#[test]
fn bug11_exclude_works_for_an_existing_worktree() {
    let w = ws_basic();
    git_ok(&w.root, &["init", "-q", "-b", "main"]);
    std::fs::write(w.root.join("a.txt"), "one\n").expect("write");
    git_ok(&w.root, &["add", "a.txt"]);
    git_ok(&w.root, &["commit", "-qm", "first"]);
    let (code, out, err) = w.run(&["worktree", "add", "2a"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("--exclude"), "{out}");
    let (code, out, err) = w.run(&["worktree", "add", "2a", "--exclude"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        std::fs::read_to_string(w.root.join(".git/info/exclude"))
            .unwrap_or_default()
            .contains(".worktrees"),
        "{out}{err}"
    );
    assert!(
        git(&w.root, &["status", "--porcelain"])
            .lines()
            .all(|l| !l.contains(".worktrees"))
    );
}

#[test]
fn bug11_run_start_tells_that_worktrees_are_not_ignored() {
    let w = ws_basic();
    git_ok(&w.root, &["init", "-q", "-b", "main"]);
    std::fs::write(w.root.join("a.txt"), "one\n").expect("write");
    git_ok(&w.root, &["add", "a.txt"]);
    git_ok(&w.root, &["commit", "-qm", "first"]);
    w.looping_agent();
    let (code, out, err) = w.run(&["run", "start", "2b", "--force"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(w.root.join(".worktrees/milestone-2b").is_dir());
    assert!(
        format!("{out}{err}").contains(".worktrees/ is not ignored"),
        "{out}{err}"
    );
    let _ = w.run(&["run", "stop", "2b"]);
}

#[test]
fn bug11_a_repository_without_commits_is_told_alike() {
    let w = ws_basic();
    git_ok(&w.root, &["init", "-q", "-b", "main"]);
    w.looping_agent();
    let (c1, o1, e1) = w.run(&["worktree", "add", "2a"]);
    assert_ne!(c1, 0, "{o1}{e1}");
    // Without a commit there is no worktree to make: `run start` runs in
    // the workspace (as it does without a base branch) and says why, in
    // the same words as `worktree add`.
    let (c2, o2, e2) = w.run(&["run", "start", "2a"]);
    assert_eq!(c2, 0, "{o2}{e2}");
    let said = "the repository has no commits yet";
    assert!(e1.contains(said), "{e1}");
    assert!(
        format!("{o2}{e2}").contains(said),
        "run start said nothing: {o2}{e2}"
    );
    let _ = w.run(&["run", "stop", "2a"]);
}

// ---------------------------------------------------------------- friction

#[test]
fn friction_footer_follows_focus_and_keeps_help_and_quit() {
    let w = ws_basic();
    let mut p = w.dashboard(120, 40);
    select_2a(&mut p);
    let s = p.wait_for("the footer for 2a", |s| footer(s).contains("quit"));
    let f = footer(&s);
    assert!(f.contains("s start"), "{f}");
    p.send(b"b");
    let s = p.wait_for("blockers focused", |s| footer(s).contains("jump"));
    assert!(!footer(&s).contains("s start"), "{}", footer(&s));
    wait_quit(&mut p);
    for (cols, rows) in [(80, 24), (60, 20), (40, 12)] {
        let mut p = w.dashboard(cols, rows);
        let s = p.wait_for("the list", |s| s.contains("2a"));
        let f = footer(&s);
        assert!(f.contains("? help") && f.contains("q quit"), "{cols}: {f}");
        wait_quit(&mut p);
    }
}

#[test]
fn friction_help_has_a_legend() {
    let w = ws_basic();
    let mut p = w.dashboard(140, 80);
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"?");
    let s = p.wait_for("help with its legend", |s| {
        s.contains("Esc closes") && s.contains("Legend") && s.contains("blocker count")
    });
    let f = flat(&s);
    assert!(f.contains("Legend"), "{s}");
    for g in ["✓", "✗", "●", "‖", "◆", "✎", "+2", "⚠"] {
        assert!(f.contains(g), "no {g} in the legend:\n{s}");
    }
    wait_quit(&mut p);
}

#[test]
fn friction_declined_confirmation_says_cancelled() {
    let w = ws_basic();
    init_repo(&w.root, "main");
    let mut p = w.dashboard(120, 40);
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"w");
    p.wait_for("the prompt", |s| flat(s).contains("(y/n)"));
    p.send(b"n");
    p.wait_for("cancelled", |s| footer(s).contains("cancelled"));
    wait_quit(&mut p);
}

#[test]
fn friction_filter_shows_its_match_count_and_clears_the_detail() {
    let w = ws_basic();
    let mut p = w.dashboard(120, 40);
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"/2");
    p.wait_for("2 matches", |s| flat(s).contains("2 matches"));
    p.send(b"zzz");
    let s = p.wait_for("no match", |s| flat(s).contains("0 matches"));
    assert!(
        !s.contains("Title 2a"),
        "the detail still shows a milestone:\n{s}"
    );
    p.send(b"\r");
    wait_quit(&mut p);
}

#[test]
fn friction_a_failed_run_shows_its_last_error_line() {
    let w = ws_basic();
    let s = w.script(
        "fail.sh",
        "#!/bin/sh\necho starting\necho 'fatal: disk full on /var' >&2\nexit 3\n",
    );
    w.user_config(&format!("agent:\n  command: [\"{}\"]\n", s.display()));
    let (code, out, err) = w.run(&["run", "start", "2a"]);
    assert_eq!(code, 0, "{out}{err}");
    eventually("the run to fail", LONG, || {
        w.json()["blockers"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["kind"] == "run_failed"))
    });
    let mut p = w.dashboard(140, 40);
    select_2a(&mut p);
    let s = p.wait_for("the failure", |s| s.contains("run failed"));
    let f = flat(&s);
    assert!(
        f.matches("disk full").count() >= 2,
        "blocker and detail:\n{s}"
    );
    wait_quit(&mut p);
}

#[test]
fn friction_p_in_the_output_view_says_why_nothing_happens() {
    let w = ws_basic();
    w.looping_agent();
    let (code, out, err) = w.run(&["run", "start", "2a"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut p = w.dashboard(120, 40);
    select_2a(&mut p);
    p.wait_for("the run", |s| s.contains("●"));
    p.send(b"a");
    p.wait_for("the output view", |s| s.contains("output"));
    p.send(b"p");
    p.wait_for("a word about p", |s| {
        let f = flat(s);
        f.contains("Esc")
            && (f.contains("output view") || f.contains("not here"))
            && f.contains("p ")
    });
    let _ = w.run(&["run", "stop", "2a"]);
    p.send(b"\x1b");
    p.pump_for(Duration::from_millis(150));
    wait_quit(&mut p);
}

#[test]
fn friction_plurals_and_a_second_pause() {
    let w = Ws::new();
    w.milestone("1a", "status: planned\nblockers: [one]\n");
    w.write(".milestones/active/bad.yaml", "id: [\n");
    let (_, _, err) = w.run(&["check"]);
    assert!(err.contains("1 milestone checked"), "{err}");
    let mut p = w.dashboard(120, 40);
    let s = p.wait_for("the header", |s| s.contains("Title 1a"));
    let h = header(&s);
    assert!(h.contains("1 blocker ") || h.ends_with("1 blocker"), "{h}");
    assert!(
        h.contains("1 file problem") && !h.contains("1 file problems"),
        "{h}"
    );
    wait_quit(&mut p);

    w.looping_agent();
    let (code, _, _) = w.run(&["run", "start", "1a"]);
    assert_eq!(code, 0);
    let (code, _, _) = w.run(&["run", "pause", "1a"]);
    assert_eq!(code, 0);
    let (code, out, err) = w.run(&["run", "pause", "1a"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("already paused"),
        "{out}{err}"
    );
    let log = w.read(".milestones/logs/execution-1a.jsonl");
    assert_eq!(log.matches("\"run_paused\"").count(), 1, "{log}");
    let _ = w.run(&["run", "stop", "1a"]);
}

#[test]
fn friction_every_subcommand_takes_the_workspace_path() {
    let w = ws_basic();
    init_repo(&w.root, "main");
    w.looping_agent();
    let root = w.root.to_str().expect("utf-8");
    let away = w.dir.path();
    for args in [
        vec!["status", root],
        vec!["check", root],
        vec!["config", root],
        vec!["new", "5a", "--title", "Five", root],
        vec!["new", "5b", "--title", "Five b", "--dir", root],
        vec!["worktree", "add", "5a", root],
        vec!["run", "start", "5b", root, "--force"],
        vec!["run", "pause", "5b", root],
        vec!["run", "resume", "5b", "--dir", root],
        vec!["run", "stop", "5b", root],
    ] {
        let (code, out, err) = w.run_in(away, &args);
        assert!(code == 0 || args[0] == "check", "{args:?}: {out}{err}");
    }
    assert!(w.root.join(".milestones/active/5a.yaml").exists());
    assert!(w.root.join(".worktrees/milestone-5a").is_dir());
}

#[test]
fn friction_new_warns_about_unknown_requirements() {
    let w = ws_basic();
    let (code, _, err) = w.run(&["new", "5a", "--title", "Five", "--requires", "1a,zz9"]);
    assert_eq!(code, 0);
    assert!(err.contains("zz9") && err.contains("unknown"), "{err}");
    assert!(!err.contains("1a"), "{err}");
}

#[test]
fn friction_demo_config_does_not_hard_code_the_binary() {
    let w = Ws::new();
    let (mut p, d) = demo(&w, 120, 40);
    let cfg = std::fs::read_to_string(d.join(".milestones/config/mdash.yaml")).expect("config");
    assert!(!cfg.contains(env!("CARGO_BIN_EXE_mdash")), "{cfg}");
    wait_quit(&mut p);
}

#[test]
fn friction_init_writes_a_commented_sample_config() {
    let w = Ws::new();
    let d = w.dir.path().join("fresh");
    std::fs::create_dir_all(&d).expect("mkdir");
    let (code, _, _) = w.run_in(&d, &["init"]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(d.join(".milestones/config/mdash.yaml")).expect("sample");
    assert!(
        text.contains("agent:") && text.contains("command"),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')),
        "the sample should change nothing until edited:\n{text}"
    );
    let (code, out, err) = w.run_in(&d, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("mdash.yaml"), "{out}");
}

// ---------------------------------------------------------------- issue 12, item 6

#[test]
fn sec06_human_output_escapes_terminal_controls() {
    let w = Ws::new();
    let osc0 = "x\u{1b}]0;pwned\u{7}";
    let osc52 = "t\u{1b}]52;c;aGVsbG8=\u{7}";
    let bidi = "ab\u{202e}cd";
    w.write(
        ".milestones/active/evil.yaml",
        format!(
            "id: {}\ntitle: {}\nstatus: \"st\\u009b31m\"\n",
            serde_json::to_string(osc0).expect("json"),
            serde_json::to_string(&format!("{osc52} {bidi} line\nfake")).expect("json")
        ),
    );
    w.write(
        ".milestones/active/e2.yaml",
        "id: e2\ntitle: \"a very long title that is cut right in the middle of \\e[31m red\"\nrequires: [\"\\e]0;dep\\a\"]\n",
    );
    w.write(
        ".milestones/active/fake\nx.yaml:1:1: error: forged.yaml",
        "id: [\n",
    );
    w.write(
        ".milestones/config/mdash.yaml",
        "agent:\n  command: [\"\\e]0;title\\a\", \"{id}\"]\n",
    );
    for args in [&["status"][..], &["check"], &["config"]] {
        let out = w.raw(args);
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            let bad = terminal_controls(&text);
            assert!(bad.is_empty(), "mdash {args:?} {what}: {bad:?}\n{text:?}");
        }
    }
    let (_, out, _) = w.run(&["check"]);
    for l in out.lines() {
        assert!(l.starts_with(".milestones/"), "a forged line: {l:?}\n{out}");
    }
    // The JSON is exact: the same bytes as the file, escaped by JSON.
    let doc = w.json();
    assert!(ids(&doc).contains(&osc0.to_string()), "{doc}");
}

// ---------------------------------------------------------------- issue 12, item 7

#[test]
fn sec07_ids_may_not_start_with_a_dash() {
    let w = ws_basic();
    init_repo(&w.root, "main");
    for id in ["-rf", "--", "-"] {
        let (code, out, err) = w.run(&["new", "--title", "x", "--", id]);
        assert_ne!(code, 0, "new {id}: {out}{err}");
        assert!(
            !w.root
                .join(format!(".milestones/active/{id}.yaml"))
                .exists()
        );
        let (code, out, err) = w.run(&["worktree", "add", "--force", "--", id]);
        assert_ne!(code, 0, "worktree add {id}: {out}{err}");
    }
    assert!(!git(&w.root, &["branch", "--list"]).contains("milestone--"));
    // A milestone file that names itself "-rf": start refuses it.
    w.write(".milestones/active/rf.yaml", "id: \"-rf\"\ntitle: Dash\n");
    w.looping_agent();
    let (code, out, err) = w.run(&["run", "start", "--", "-rf"]);
    assert_ne!(code, 0, "run start -rf: {out}{err}");
    assert!(err.contains("-rf"), "{err}");
    assert!(
        !w.root
            .join(".milestones/sessions/mdash-runs/-rf.yaml")
            .exists()
    );
}

// ---------------------------------------------------------------- issue 12, item 8

#[test]
fn sec08_demo_temp_dir_is_random_and_private() {
    let w = Ws::new();
    let mut p = w.pty(120, 40, &["demo"]);
    p.wait_for("the demo", |s| s.contains("Sensor ingest"));
    wait_quit(&mut p);
    let made: Vec<std::path::PathBuf> = std::fs::read_dir(w.dir.path())
        .expect("tmp")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("mdash-demo"))
        })
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let name = made[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    // Not a name anyone can predict from the clock and the pid.
    let pid_stamp = name
        .strip_prefix("mdash-demo-")
        .map(|r| r.split('-').all(|p| p.chars().all(|c| c.is_ascii_digit())))
        .unwrap_or(false);
    assert!(!pid_stamp, "a predictable name: {name}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&made[0]).expect("meta").permissions(),
    );
    assert_eq!(mode & 0o077, 0, "{name}: mode {mode:o}");
    for (_, g) in groups_under(&made[0]) {
        eventually("the demo runs to end", LONG, || live_in_group(g).is_empty());
    }
}

// ---------------------------------------------------------------- issue 12, item 9

#[test]
fn sec09_a_workspace_config_cannot_take_quitting_away() {
    let w = ws_basic();
    w.write(
        ".milestones/config/mdash.yaml",
        "keys:\n  quit: [z]\n  help: [q]\n  move_down: [ctrl-c]\n",
    );
    for key in [&b"q"[..], b"\x03"] {
        let mut p = w.dashboard(100, 30);
        p.wait_for("the list", |s| {
            s.contains("Title 2a") && footer(s).contains("quit")
        });
        p.send(key);
        p.wait_exit_within(Duration::from_secs(10));
        assert!(restored(&p));
    }
}

#[test]
fn sec09_a_config_behind_an_outside_symlink_is_not_read() {
    let w = ws_basic();
    let outside = w.dir.path().join("outside.yaml");
    std::fs::write(
        &outside,
        "agent:\n  command: [\"/bin/outside-agent\", \"{id}\"]\n",
    )
    .expect("write");
    std::fs::create_dir_all(w.root.join(".milestones/config")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones/config/mdash.yaml"))
        .expect("symlink");
    let (_, out, _) = w.run(&["config"]);
    assert!(!out.contains("outside-agent"), "{out}");
    let (code, _, err) = w.run(&["run", "start", "2a", "--force"]);
    assert_ne!(code, 0);
    assert!(!err.contains("outside-agent"), "{err}");
    let mut p = w.dashboard(120, 40);
    p.wait_for("the list", |s| {
        s.contains("Title 2a") && footer(s).contains("quit")
    });
    p.send(b"s");
    let s = p.wait_for("the answer to s", |s| {
        flat(s).contains("no agent command") || flat(s).contains("outside-agent")
    });
    assert!(!flat(&s).contains("outside-agent"), "{s}");
    wait_quit(&mut p);
}
