//! The real binary in a pseudo-terminal: start, see the milestones and their
//! bars, change files and watch the screen follow, resize, open help, quit,
//! and find the terminal given back. Waits are for screen states, never
//! fixed sleeps.

use crate::common;
use common::pty::*;
use common::*;

use std::time::Duration;

use portable_pty::CommandBuilder;

fn workspace() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/completed/1a.yaml",
        "id: 1a\ntitle: Protocol\n",
    );
    write(
        r,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Sensor ingest\nstatus: executing\nphases:\n  design: {status: completed}\n  spec: {status: in_progress}\n",
    );
    write(
        r,
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Alerting\ndependencies: {requires: [2a]}\n",
    );
    d
}

#[test]
fn start_follow_changes_resize_help_quit() {
    let d = workspace();
    let mut p = Pty::spawn(d.path(), 100, 30);
    let s = p.wait_for("milestones and bars", |s| {
        s.contains("Sensor ingest") && s.contains("Alerting") && s.contains('█')
    });
    assert!(s.contains("28%"), "{s}");
    assert!(p.parser.screen().alternate_screen());

    // An edit in place.
    write(
        d.path(),
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Sensor ingest v2\nstatus: done\n",
    );
    p.wait_for("the edit", |s| {
        s.contains("Sensor ingest v2") && s.contains("100%")
    });

    // A vim-style save: write elsewhere, rename over.
    write(
        d.path(),
        ".milestones/active/.2b.yaml.swp",
        "id: 2b\ntitle: Alerting renamed\n",
    );
    std::fs::rename(
        d.path().join(".milestones/active/.2b.yaml.swp"),
        d.path().join(".milestones/active/2b.yaml"),
    )
    .expect("rename");
    p.wait_for("the rename save", |s| s.contains("Alerting renamed"));

    // .milestones deleted and re-created.
    std::fs::remove_dir_all(d.path().join(".milestones")).expect("rm");
    p.wait_for("the empty workspace", |s| s.contains("no milestones yet"));
    write(
        d.path(),
        ".milestones/active/9z.yaml",
        "id: 9z\ntitle: Reborn\n",
    );
    p.wait_for("the new tree", |s| s.contains("Reborn"));

    p.resize(50, 20);
    let s = p.wait_for("the narrow layout", |s| {
        s.contains("Milestones") && s.contains("Reborn") && !s.contains("Log 9z")
    });
    assert!(s.lines().all(|l| l.chars().count() <= 50));

    p.send(b"?");
    p.wait_for("help", |s| {
        s.contains("Keys") && s.contains("j/k scroll") && s.contains("select the next row")
    });
    p.send(b"jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj");
    p.wait_for("help scrolled to the end", |s| {
        s.contains("quit") && !s.contains("select the next row")
    });
    p.send(b"\x1b");
    p.wait_for("help closed", |s| !s.contains("Esc closes"));
    p.send(b"q");
    let st = p.wait_exit();
    assert!(st.success(), "{st:?}");
    assert!(restored(&p), "terminal not restored");
}

#[test]
fn sigterm_and_sighup_end_it_with_the_terminal_restored() {
    for sig in ["TERM", "HUP", "INT"] {
        let d = workspace();
        let mut p = Pty::spawn(d.path(), 80, 24);
        p.wait_for("start", |s| s.contains("Sensor ingest"));
        let pid = p.child.process_id().expect("pid");
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &pid.to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
        p.wait_exit();
        assert!(restored(&p), "terminal not restored after SIG{sig}");
    }
}

#[test]
fn the_dashboard_refuses_a_non_terminal() {
    let d = workspace();
    let out = bin().arg(d.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}

#[test]
fn polling_mode_says_so_and_still_follows() {
    let d = workspace();
    let mut p = Pty::spawn_with(d.path(), 120, 30, &["--poll"]);
    p.wait_for("the polling header", |s| {
        s.contains("polling: --poll") && s.contains("Sensor ingest")
    });
    write(
        d.path(),
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Polled change\n",
    );
    p.wait_for("the polled change", |s| s.contains("Polled change"));
    p.send(b"q");
    assert!(p.wait_exit().success());
}

#[test]
fn git_state_follows_commits_and_w_creates_a_worktree() {
    let d = workspace();
    let r = d.path();
    init_repo(r, "main");
    let w = add_worktree(r, "2a");
    std::fs::write(w.join("new.txt"), "n\n").expect("write");

    let mut p = Pty::spawn(d.path(), 130, 32);
    p.wait_for("the dirty marker", |s| {
        s.lines()
            .any(|l| l.contains("Sensor ingest") && l.contains("✎1"))
    });
    git_ok(&w, &["add", "new.txt"]);
    git_ok(&w, &["commit", "-qm", "work"]);
    p.wait_for("the ahead marker after a commit", |s| {
        s.lines()
            .any(|l| l.contains("Sensor ingest") && l.contains("+1") && !l.contains("✎"))
    });

    // Select 2b (the list starts at 1a) and create its worktree.
    p.send(b"jj");
    p.wait_for("2b selected", |s| s.contains("2b Alerting"));
    p.send(b"w");
    p.wait_for("the question", |s| {
        s.contains("create .worktrees/milestone-2b")
    });
    p.send(b"y");
    p.wait_for("the created worktree", |s| {
        s.contains("created .worktrees/milestone-2b")
    });
    assert!(r.join(".worktrees/milestone-2b/a.txt").exists());
    p.send(b"q");
    assert!(p.wait_exit().success());
}

#[test]
fn a_paused_run_outlives_a_killed_dashboard_and_is_resumed_later() {
    let d = workspace();
    // A failing assertion must not leave the paused agent behind.
    let _reap = common::procs::Reap(d.path().to_path_buf());
    let cfg = d.path().join(".cfg");
    write(
        d.path(),
        "agent.sh",
        "#!/bin/sh\nsleep 600 &\nwhile true; do sleep 1; done\n",
    );
    let mut perm = std::fs::metadata(d.path().join("agent.sh"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(d.path().join("agent.sh"), perm).expect("chmod");
    write(
        d.path(),
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\"]\n  stop_grace_secs: 2\n",
            d.path().join("agent.sh").display()
        ),
    );
    let run_cli = |args: &[&str]| {
        bin()
            .args(args)
            .current_dir(d.path())
            .env("XDG_CONFIG_HOME", &cfg)
            .output()
            .expect("run")
    };
    let mut p = Pty::spawn_env(d.path(), 120, 30, &[], &[("XDG_CONFIG_HOME", &cfg)]);
    p.wait_for("start", |s| s.contains("Sensor ingest"));
    p.send(b"j");
    p.wait_for("2a selected", |s| {
        s.contains("2a Sensor ingest ─") || s.contains("┌ 2a Sensor")
    });
    p.send(b"s");
    p.wait_for("the trust question", |s| {
        s.contains("trust it and start 2a")
    });
    p.send(b"y");
    p.wait_for("the run", |s| s.contains("Run running"));
    p.send(b"p");
    p.wait_for("the paused run", |s| s.contains("Run paused"));
    let text = std::fs::read_to_string(d.path().join(".milestones/sessions/mdash-runs/2a.yaml"))
        .expect("registry");
    let run = milestone_dash::live::runs::parse(&text).expect("run");
    let stopped = |g: i32| {
        milestone_dash::live::runs::group(g)
            .into_iter()
            .map(|(_, s)| s.to_string())
            .collect::<Vec<String>>()
    };
    assert!(stopped(run.pgid).iter().all(|s| s == "T") && stopped(run.pgid).len() >= 3);
    let pid = p.child.process_id().expect("pid");
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill")
            .success()
    );
    let _ = p.child.wait();
    // The dashboard is reaped: whatever it could have done to the run, it
    // has done.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    assert!(
        stopped(run.pgid).iter().all(|s| s == "T") && !stopped(run.pgid).is_empty(),
        "the paused run survives"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&run_cli(&["status", "--json"]).stdout).expect("json");
    assert_eq!(
        milestone(&doc, "2a")["run"]["state"],
        "paused",
        "a new mdash re-attaches"
    );
    assert!(run_cli(&["run", "resume", "2a"]).status.success());
    assert!(stopped(run.pgid).iter().all(|s| s != "T"));
    assert!(run_cli(&["run", "stop", "2a"]).status.success());
    assert!(stopped(run.pgid).is_empty());
}

#[test]
fn the_demo_lives_and_leaves_nothing_behind() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path().join("demo");
    let cfg = d.path().join("cfg");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.args(["demo", "--dir"]);
    cmd.arg(&dir);
    cmd.env("XDG_CONFIG_HOME", &cfg);
    let mut p = Pty::spawn_cmd(cmd, 120, 40);
    let first = p.wait_for("six milestones with percentages", |s| {
        s.matches('%').count() >= 7 && s.contains("Sensor ingest")
    });
    p.wait_for("the screen to change by itself", |s| s != first);
    p.wait_for("a run", |s| s.contains("● 2 runs"));
    p.send(b"q");
    let st = p.wait_exit_within(Duration::from_secs(10));
    assert!(st.success());
    assert!(restored(&p));
    for r in ["2a", "2d"] {
        let text =
            std::fs::read_to_string(dir.join(format!(".milestones/sessions/mdash-runs/{r}.yaml")))
                .expect("registry");
        let run = milestone_dash::live::runs::parse(&text).expect("run");
        assert!(
            !common::procs::supervisor_lives(&run),
            "{r}'s run was left running"
        );
    }
}
