//! Hostile workspaces against the real binary (issue 12, and the run-control
//! parts of 13, 16 and 18): tmux formats, forged run records, the read
//! fence, trust, placeholders, racing controllers, a full disk, and a child
//! that leaves its session on SIGTERM. Each test plants the hostile file and
//! then checks a canary, a victim process or the files outside.

use crate::common;
use common::pty::Pty;
use common::sec::*;

use std::time::Duration;

// ---------------------------------------------------------------- 12.1 tmux

/// A blocker text reaches `tmux display-message` as the new-blocker
/// notification: tmux must show it, never run it (`#(cmd)`) or expand it.
#[test]
fn tmux_notification_never_runs_workspace_text() {
    let w = Ws::new();
    let tmux = Tmux::new();
    let canary = w.out.join("canary");
    let log = w.dir.path().join("tmux.log");
    let shim = tmux_shim(w.dir.path(), &log);
    w.file(
        ".milestones/config/mdash.yaml",
        "notify:\n  bell: false\n  cooldown_secs: 0\n",
    );
    tmux.dashboard(&w, Some(&shim));
    eventually("the dashboard drew 1a", || {
        tmux.capture("t:dash").contains("Target")
    });
    w.file(
        ".milestones/active/1a.yaml",
        format!(
            "id: 1a\ntitle: Target\nstatus: in_progress\nblockers:\n  - \"x#(touch {c})#{{pane_pid}}#[fg=red]\\u0007\"\n",
            c = canary.display()
        ),
    );
    // Positive condition first: mdash told tmux about the blocker (the
    // shim logs a call once tmux has answered it).
    eventually("the notification reached tmux", || {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("display-message"))
    });
    // tmux runs `#()` jobs as it formats the message; give a job that
    // was started time to land, polling.
    let until = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < until {
        assert!(
            !canary.exists(),
            "workspace text ran as a tmux #() job; tmux calls:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    let call = calls
        .lines()
        .find(|l| l.contains("display-message"))
        .expect("call");
    assert!(
        call.contains("##(touch") && call.contains("##{pane_pid}") && call.contains("##[fg=red]"),
        "every # doubled: {call}"
    );
    assert!(
        !call.contains('\u{7}'),
        "control characters stripped: {call:?}"
    );
}

// ------------------------------------------------------ 12.2 forged records

/// A record naming a stranger (its pid, group and start time, all readable
/// from /proc) makes mdash signal nothing: pause, resume and stop refuse,
/// and the stranger and its child keep running.
#[test]
fn a_forged_run_record_never_signals_a_stranger() {
    let w = Ws::new();
    let victim = Victim::spawn();
    w.file(
        ".milestones/sessions/mdash-runs/1a.yaml",
        victim.forged_record("1a"),
    );
    for action in ["pause", "stop", "resume"] {
        let (code, out) = w.mdash(&["run", action, "1a"]);
        assert_ne!(code, 0, "run {action} on a forged record: {out}");
        assert!(
            victim.untouched(),
            "run {action} signalled a stranger: {}",
            victim.describe()
        );
    }
    assert_ne!(w.milestone("1a")["run"]["state"], "running");
}

/// A real supervisor's record copied from another workspace (or for
/// another id) is not this workspace's run: stopping it here is refused and
/// the other run keeps going.
#[test]
fn a_record_copied_from_another_workspace_is_refused() {
    let other = Ws::new();
    other.trust();
    let (code, out) = other.mdash(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("the other run's agent", || !other.agents().is_empty());
    let w = Ws::new();
    let record = std::fs::read_to_string(other.record_path("1a")).expect("record");
    w.file(".milestones/sessions/mdash-runs/1a.yaml", &record);
    w.file(
        ".milestones/sessions/mdash-runs/1b.yaml",
        record.replace("id: 1a", "id: 1b"),
    );
    for (action, id) in [("pause", "1a"), ("stop", "1a"), ("stop", "1b")] {
        let (code, out) = w.mdash(&["run", action, id]);
        assert_ne!(code, 0, "run {action} {id} on a copied record: {out}");
        let agents = other.agents();
        assert!(
            agents.len() == 1 && agents[0].state != 'T',
            "run {action} {id} here signalled the other workspace's run: {agents:?}"
        );
    }
    assert_eq!(other.mdash(&["run", "stop", "1a"]).0, 0);
    eventually("the other run stopped", || other.agents().is_empty());
}

// ------------------------------------------------------- 12.4 the read fence

/// A symlinked directory on the way (`.milestones/active -> elsewhere`) is
/// outside the workspace: its files are reported, not read.
#[test]
fn a_symlinked_directory_that_leaves_the_workspace_is_not_read() {
    let w = Ws::new();
    let elsewhere = w.out.join("active");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::write(elsewhere.join("zz.yaml"), "id: zz\ntitle: Stolen\n").expect("write");
    std::fs::remove_dir_all(w.root.join(".milestones/active")).expect("rm");
    std::os::unix::fs::symlink(&elsewhere, w.root.join(".milestones/active")).expect("ln");
    let doc = w.status();
    let ids: Vec<&str> = doc["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(
        !ids.contains(&"zz"),
        "read through a symlinked directory: {doc:#}"
    );
    let errors = doc["errors"].to_string();
    assert!(
        errors.contains("outside the workspace"),
        "reported: {errors}"
    );
}

// ---------------------------------------------------------------- 12.5 trust

fn hostile_agent_config(w: &Ws) {
    // A padded command whose tail would hide behind an ellipsis, a `\r` that
    // would hide its start, an escape sequence, and the fields `y` approves
    // without showing today.
    w.file(
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{a}\", \"{{id}}\", \"safe{pad}TAIL-rm-rf\", \"evil\\rshown\", \"\\e[2Jx\"]\n  resume_command: [\"{a}\", \"RESUME-ARG\"]\n  cwd: workspace\n  env:\n    LD_PRELOAD: /tmp/evil.so\n    BASH_ENV: /tmp/evil.sh\n",
            a = w.agent_path().display(),
            pad = " ".repeat(300)
        ),
    );
}

#[test]
fn trust_without_a_terminal_needs_yes() {
    let w = Ws::new();
    hostile_agent_config(&w);
    let (code, out) = w.mdash(&["trust"]);
    assert_ne!(code, 0, "approved without asking: {out}");
    assert!(out.contains("--yes"), "says how: {out}");
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not trusted"), "{out}");
    assert!(w.agents().is_empty());
}

#[test]
fn trust_shows_every_field_escaped_and_whole() {
    let w = Ws::new();
    hostile_agent_config(&w);
    let (code, out, err) = w.run(&["trust", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!has_control(&out), "raw control bytes on stdout: {out:?}");
    for want in [
        "LD_PRELOAD=/tmp/evil.so",
        "BASH_ENV=/tmp/evil.sh",
        "RESUME-ARG",
        "TAIL-rm-rf",
        "evil\\rshown",
        "\\e[2Jx",
        "workspace",
    ] {
        assert!(out.contains(want), "{want} not shown:\n{out}");
    }
    assert!(!out.contains('…'), "nothing truncated:\n{out}");
    assert!(
        out.contains("not the script"),
        "says that trust covers the argv, not what it runs:\n{out}"
    );
}

#[test]
fn trust_list_and_revoke() {
    let w = Ws::new();
    w.trust();
    let (code, out) = w.mdash(&["trust", "--list"]);
    assert_eq!(code, 0, "{out}");
    let root = std::fs::canonicalize(&w.root).expect("canon");
    assert!(
        out.contains(&root.display().to_string()) && out.contains("agent.sh"),
        "lists the workspace and its command:\n{out}"
    );
    let (code, out) = w.mdash(&["trust", "--revoke"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_ne!(code, 0, "revoked, yet started: {out}");
    assert!(out.contains("not trusted"), "{out}");
    let (_, out) = w.mdash(&["trust", "--list"]);
    assert!(!out.contains(&root.display().to_string()), "{out}");
}

#[test]
fn trust_asks_on_a_terminal() {
    let w = Ws::new();
    hostile_agent_config(&w);
    let pty = |answer: &[u8]| {
        let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
        cmd.args(["trust"]);
        cmd.cwd(&w.root);
        cmd.env("XDG_CONFIG_HOME", &w.cfg);
        cmd.env("XDG_STATE_HOME", &w.state);
        let mut p = Pty::spawn_cmd(cmd, 100, 40);
        let screen = p.wait_for("the question", |s| s.contains("(y/n)"));
        assert!(screen.contains("LD_PRELOAD"), "{screen}");
        p.send(answer);
        p.wait_exit_within(Duration::from_secs(10));
    };
    pty(b"n\r");
    assert!(w.mdash(&["run", "start", "1a"]).1.contains("not trusted"));
    pty(b"y\r");
    assert!(!w.mdash(&["trust", "--list"]).1.is_empty());
    let (_, out) = w.mdash(&["trust", "--list"]);
    assert!(
        out.contains("LD_PRELOAD") || out.contains("agent.sh"),
        "{out}"
    );
}

/// The dashboard's trust prompt shows the environment and the resume
/// command before it asks.
#[test]
fn the_dashboard_trust_prompt_shows_every_field() {
    let w = Ws::new();
    hostile_agent_config(&w);
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(&w.root);
    cmd.env("XDG_CONFIG_HOME", &w.cfg);
    cmd.env("XDG_STATE_HOME", &w.state);
    let mut p = Pty::spawn_cmd(cmd, 120, 40);
    p.wait_for("the list", |s| s.contains("Target"));
    p.send(b"s");
    let screen = p.wait_for("the trust prompt", |s| s.contains("(y/n)"));
    for want in [
        "LD_PRELOAD=/tmp/evil.so",
        "BASH_ENV",
        "RESUME-ARG",
        "TAIL-rm-rf",
    ] {
        assert!(screen.contains(want), "{want} not shown:\n{screen}");
    }
    p.send(b"n");
    p.send(b"q");
}

/// A `y` approves what was shown, not what the file says a moment later.
#[test]
fn the_dashboard_never_approves_settings_changed_after_they_were_shown() {
    let w = Ws::new();
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(&w.root);
    cmd.env("XDG_CONFIG_HOME", &w.cfg);
    cmd.env("XDG_STATE_HOME", &w.state);
    let mut p = Pty::spawn_cmd(cmd, 120, 40);
    p.wait_for("the list", |s| s.contains("Target"));
    p.send(b"s");
    p.wait_for("the trust prompt", |s| s.contains("(y/n)"));
    // An agent slips an LD_PRELOAD in while the question is on screen.
    w.config("  env:\n    LD_PRELOAD: /tmp/evil.so\n");
    p.send(b"y");
    p.wait_for("the refusal", |s| {
        s.contains("changed after they were shown")
    });
    assert!(w.agents().is_empty());
    let (_, out) = w.mdash(&["run", "start", "1a"]);
    assert!(out.contains("not trusted"), "{out}");
    p.send(b"q");
}

// ------------------------------------------------------- 12.9 placeholders

/// `{title}` is filled with the title as written: placeholders inside it
/// stay text.
#[test]
fn placeholders_inside_a_title_are_not_expanded() {
    let w = Ws::new();
    let argfile = w.out.join("args");
    w.agent(&format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"{}\"\nexec sleep {}\n",
        argfile.display(),
        w.tag
    ));
    w.file(
        ".milestones/active/1a.yaml",
        "id: 1a\ntitle: \"T {workspace} {milestone_file} {session_id} {id}\"\n",
    );
    w.file(
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{title}}\"]\n  stop_grace_secs: 2\n",
            w.agent_path().display()
        ),
    );
    w.trust();
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("the agent wrote its arguments", || {
        std::fs::read_to_string(&argfile).is_ok_and(|s| s.ends_with('\n'))
    });
    let args = std::fs::read_to_string(&argfile).expect("args");
    assert_eq!(
        args, "T {workspace} {milestone_file} {session_id} {id}\n",
        "the title must reach the agent as written"
    );
    w.mdash(&["run", "stop", "1a"]);
}

// ------------------------------------------------------------ 13.7 attach

/// `a` on a run in tmux switches to the run's own window (exact target,
/// not `mdash:<id>`), and says so when it cannot.
#[test]
fn attach_selects_the_runs_tmux_window_and_reports_failure() {
    let mut w = Ws::new();
    let tmux = Tmux::new();
    w.config("  backend: tmux\n");
    w.trust();
    w.env.push(("TMUX".into(), tmux.env()));
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("the run's window", || {
        tmux.windows().iter().any(|(_, n, _)| n.contains("1a"))
    });
    tmux.dashboard(&w, None);
    eventually("the dashboard drew 1a", || {
        tmux.capture("t:dash").contains("Target")
    });
    let active = || {
        tmux.windows()
            .into_iter()
            .find(|(_, _, a)| *a)
            .map(|(_, n, _)| n)
            .unwrap_or_default()
    };
    assert_eq!(active(), "dash");
    tmux.out(&["send-keys", "-t", "t:dash", "a"]);
    eventually("the run's window became active", || active().contains("1a"));

    // The window is gone: `a` says it could not switch.
    tmux.out(&["select-window", "-t", "t:dash"]);
    let (_, out) = w.mdash(&["run", "stop", "1a"]);
    eventually(&format!("the run stopped ({out})"), || {
        w.agents().is_empty()
    });
    eventually("the run's window closed", || {
        !tmux.windows().iter().any(|(_, n, _)| n.contains("1a"))
    });
    tmux.out(&["send-keys", "-t", "t:dash", "a"]);
    let start = std::time::Instant::now();
    while !tmux.capture("t:dash").contains("cannot switch") {
        assert!(
            start.elapsed() < DEADLINE,
            "a never said it could not switch:\n{}",
            tmux.capture("t:dash")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(active(), "dash");
}

// ---------------------------------------------------- 16.3 racing control

fn race(w: &Ws, a: &[&str], b: &[&str]) -> ((i32, String), (i32, String)) {
    let mut c1 = w.command();
    c1.args(a);
    let mut c2 = w.command();
    c2.args(b);
    let p1 = c1
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let p2 = c2
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let o1 = p1.wait_with_output().expect("wait");
    let o2 = p2.wait_with_output().expect("wait");
    let text = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
    };
    (
        (o1.status.code().unwrap_or(-1), text(&o1)),
        (o2.status.code().unwrap_or(-1), text(&o2)),
    )
}

#[test]
fn two_concurrent_starts_start_one_agent() {
    for round in 0..3 {
        let w = Ws::new();
        w.trust();
        let ((c1, o1), (c2, o2)) = race(&w, &["run", "start", "1a"], &["run", "start", "1a"]);
        assert!(
            (c1 == 0) != (c2 == 0),
            "round {round}: exactly one start succeeds: {c1} {o1} / {c2} {o2}"
        );
        // Both starts have returned, and a start returns only once its
        // supervisor recorded the run, after spawning the agent: every
        // agent started is there now.
        eventually("the agent", || !w.agents().is_empty());
        assert_eq!(w.agents().len(), 1, "round {round}: {o1} / {o2}");
        let (code, out) = w.mdash(&["run", "stop", "1a"]);
        assert_eq!(code, 0, "{out}");
        eventually("no agent left", || w.agents().is_empty());
    }
}

#[test]
fn concurrent_pause_and_stop_leave_no_false_failure() {
    for round in 0..4 {
        let w = Ws::new();
        w.trust();
        assert_eq!(w.mdash(&["run", "start", "1a"]).0, 0);
        eventually("the agent", || !w.agents().is_empty());
        let (p, s) = race(&w, &["run", "pause", "1a"], &["run", "stop", "1a"]);
        eventually("the run ended", || w.agents().is_empty());
        eventually("the end recorded", || {
            w.milestone("1a")["run"]["state"] != "running"
        });
        let m = w.milestone("1a");
        assert_eq!(
            m["run"]["state"], "exited",
            "round {round}: {m:#} {p:?} {s:?}"
        );
        assert!(
            !m["blockers"].to_string().contains("run_failed"),
            "round {round}: a stop is no failure: {m:#} {p:?} {s:?}"
        );
        assert_ne!(m["status"], "paused", "round {round}: {m:#} {p:?} {s:?}");
    }
}

// ------------------------------------------ 16.4 a supervisor killed -9

#[test]
fn a_paused_run_whose_supervisor_died_can_be_resumed_and_stopped() {
    let w = Ws::new();
    w.trust();
    assert_eq!(w.mdash(&["run", "start", "1a"]).0, 0);
    eventually("the agent", || !w.agents().is_empty());
    let (code, out) = w.mdash(&["run", "pause", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("paused", || w.agents().iter().all(|p| p.state == 'T'));
    let sup = w.record_number("1a", "pgid").expect("pgid") as i32;
    kill(sup, libc::SIGKILL);
    eventually("the supervisor gone", || !alive(sup));
    let (code, out) = w.mdash(&["run", "resume", "1a"]);
    assert_eq!(code, 0, "resume after the supervisor died: {out}");
    eventually("the agent continued", || {
        let a = w.agents();
        !a.is_empty() && a.iter().all(|p| p.state != 'T')
    });
    let (code, out) = w.mdash(&["run", "stop", "1a"]);
    assert_eq!(code, 0, "stop after the supervisor died: {out}");
    eventually("the agent stopped", || w.agents().is_empty());
}

// --------------------------------------------------------- 16.5 full disk

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_full_disk_still_lets_pause_resume_and_stop_signal() {
    let dir = tempfile::tempdir().expect("tmp");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).expect("mkdir");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: a real small tmpfs needs root");
        return;
    }
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (no CAP_SYS_ADMIN?)");
        return;
    }
    let _m = Mount(mnt.clone());
    let w = Ws::at(dir, Some(mnt.join("ws")));
    w.trust();
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("the agent", || !w.agents().is_empty());
    // Fill the disk.
    let filler = mnt.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![b'x'; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
    }
    assert!(
        std::fs::write(mnt.join("probe"), b"x").is_err(),
        "the disk is full"
    );
    let _ = std::fs::remove_file(mnt.join("probe"));

    let (_, out) = w.mdash(&["run", "pause", "1a"]);
    eprintln!("pause on a full disk said: {out}");
    eventually(&format!("paused on a full disk ({out})"), || {
        let a = w.agents();
        !a.is_empty() && a.iter().all(|p| p.state == 'T')
    });
    assert!(
        out.contains("not recorded") || out.contains("could not record"),
        "says what was not recorded: {out}"
    );
    let (_, out) = w.mdash(&["run", "resume", "1a"]);
    eventually(&format!("resumed on a full disk ({out})"), || {
        let a = w.agents();
        !a.is_empty() && a.iter().all(|p| p.state != 'T')
    });
    let (_, out) = w.mdash(&["run", "stop", "1a"]);
    eventually(&format!("stopped on a full disk ({out})"), || {
        w.agents().is_empty()
    });
    let tmps = files_ending(&w.root, ".tmp");
    assert!(tmps.is_empty(), "temp files left behind: {tmps:?}");
    let _ = std::fs::remove_file(&filler);
}

// --------------------------------------- 16.8b setsid from a TERM handler

#[test]
fn a_child_that_setsids_from_its_sigterm_handler_is_stopped_too() {
    let w = Ws::new();
    let escapee = unique();
    w.agent(&format!(
        "#!/bin/sh\ntrap 'setsid sleep {escapee} </dev/null >/dev/null 2>&1 & exit 0' TERM\nsleep {} &\nwhile true; do sleep 1; done\n",
        w.tag
    ));
    w.trust();
    assert_eq!(w.mdash(&["run", "start", "1a"]).0, 0);
    eventually("the agent", || !w.agents().is_empty());
    let (code, out) = w.mdash(&["run", "stop", "1a"]);
    assert_eq!(code, 0, "{out}");
    let escaped = || find(&["sleep", &escapee.to_string()]);
    // The handler's child is started before the agent exits, hence before
    // the stop returns; it must be gone with the rest.
    let start = std::time::Instant::now();
    while !escaped().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = escaped();
    for p in &left {
        kill(p.pid, libc::SIGKILL);
    }
    assert!(left.is_empty(), "escaped the stop: {left:?}");
}

// ---------------------------------------------- 18.4 stop after a pause

#[test]
fn stopping_a_paused_run_restores_the_status_and_names_the_next_step() {
    let w = Ws::new();
    w.trust();
    assert_eq!(w.mdash(&["run", "start", "1a"]).0, 0);
    eventually("the agent", || !w.agents().is_empty());
    assert_eq!(w.milestone("1a")["status"], "in_progress");
    assert_eq!(w.mdash(&["run", "pause", "1a"]).0, 0);
    assert_eq!(w.milestone("1a")["status"], "paused");
    let (code, out) = w.mdash(&["run", "stop", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("stopped", || w.agents().is_empty());
    assert!(out.contains("run start 1a"), "names the next step: {out}");
    let m = w.milestone("1a");
    assert_eq!(
        m["status"], "in_progress",
        "the status the pause replaced: {m:#}"
    );
    let (code, out) = w.mdash(&["run", "resume", "1a"]);
    assert_ne!(code, 0);
    assert!(out.contains("run start 1a"), "names the next step: {out}");
}

/// The dashboard says the same: a stop names `s` as the next step, and so
/// does `r` on a run that has ended.
#[test]
fn the_dashboard_names_the_next_step_after_a_stop() {
    let w = Ws::new();
    w.trust();
    assert_eq!(w.mdash(&["run", "start", "1a"]).0, 0);
    eventually("the agent", || !w.agents().is_empty());
    assert_eq!(w.mdash(&["run", "pause", "1a"]).0, 0);
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(&w.root);
    cmd.env("XDG_CONFIG_HOME", &w.cfg);
    cmd.env("XDG_STATE_HOME", &w.state);
    let mut p = Pty::spawn_cmd(cmd, 120, 40);
    p.wait_for("the paused run", |s| {
        s.contains("Target") && s.contains("paused")
    });
    p.send(b"x");
    p.wait_for("the stop question", |s| s.contains("(y/n)"));
    p.send(b"y");
    p.wait_for("the stop and the next step", |s| {
        s.contains("stopped 1a") && s.contains("press s to start it again")
    });
    eventually("no agent left", || w.agents().is_empty());
    assert_eq!(w.milestone("1a")["status"], "in_progress");
    p.send(b"r");
    p.wait_for("r names the next step", |s| {
        s.contains("has ended") && s.contains("press s to start it again")
    });
    p.send(b"q");
}
