//! More hostile workspaces against the real binary (issue 12, second
//! review): variants the first tests did not cover. Each plants the hostile
//! tree, runs mdash, and checks the files outside the workspace or the raw
//! bytes on stdout and stderr.

use crate::common;
use common::sec::Ws;
use common::sec2::*;

/// `.milestones` itself is a symlink to a directory outside the workspace:
/// `mdash init` must create nothing there (no directories, no sample
/// `config/mdash.yaml`), and say why.
#[test]
fn init_creates_nothing_through_a_symlinked_milestones_dir() {
    let w = Ws::new();
    std::fs::remove_dir_all(w.root.join(".milestones")).expect("rm");
    let outside = w.out.join("m");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones")).expect("symlink");
    let before = listing(&w.out);
    let (code, out) = w.mdash(&["init"]);
    assert_eq!(
        listing(&w.out),
        before,
        "mdash init wrote outside the workspace: {out}"
    );
    assert_ne!(
        code, 0,
        "init through a symlink that leaves succeeded: {out}"
    );
    assert!(out.contains("outside the workspace"), "{out}");
}

/// Only `.milestones/config` leads out (say, into the user's dotfiles):
/// init must not drop its sample `mdash.yaml` there.
#[test]
fn init_writes_no_sample_config_through_a_symlinked_config_dir() {
    let w = Ws::new();
    std::fs::remove_dir_all(w.root.join(".milestones/config")).expect("rm");
    let outside = w.out.join("dotfiles");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones/config")).expect("symlink");
    let before = listing(&w.out);
    let (_, out) = w.mdash(&["init"]);
    assert_eq!(
        listing(&w.out),
        before,
        "mdash init wrote outside the workspace: {out}"
    );
}

/// A symlink whose target's name carries an OSC sequence: the "leads
/// outside the workspace (to …)" errors of `init` and `new` quote that
/// name, and must do so escaped, on stderr as on stdout.
#[test]
fn errors_quoting_a_symlink_target_are_escaped() {
    let w = Ws::new();
    std::fs::remove_dir_all(w.root.join(".milestones")).expect("rm");
    let outside = hostile_dir(w.dir.path());
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones")).expect("symlink");
    for args in [&["init"][..], &["new", "2b", "--title", "x"][..]] {
        let out = w.command().args(args).output().expect("run mdash");
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert_eq!(
                control_byte(bytes),
                None,
                "mdash {args:?}: a control byte on {name}: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("\\e]0;PWNED"), "mdash {args:?}: {err}");
    }
}

/// `logs/execution-<id>.jsonl` and `logs/agent-<id>.log` are hard links to
/// a file outside the workspace (a shell rc file): a run's events and its
/// agent's output must never be appended to it.
#[test]
fn hard_linked_logs_never_receive_run_output() {
    let w = Ws::new();
    w.agent(&format!(
        "#!/bin/sh\necho 'echo AGENT-WROTE-THIS'\nsleep {} &\nwhile true; do sleep 1; done\n",
        w.tag
    ));
    w.trust();
    let victim = w.out.join("bashrc");
    std::fs::write(&victim, "# the user's rc file\n").expect("victim");
    let logs = w.root.join(".milestones/logs");
    std::fs::create_dir_all(&logs).expect("logs");
    for log in ["execution-1a.jsonl", "agent-1a.log"] {
        // The first run made its own agent log: the link takes its place.
        let _ = std::fs::remove_file(logs.join(log));
        std::fs::hard_link(&victim, logs.join(log)).expect("hard link");
        let before = listing(&w.out);
        let (_, start) = w.mdash(&["run", "start", "1a"]);
        let (_, stop) = w.mdash(&["run", "stop", "1a"]);
        common::sec::eventually("the agent to be gone", || w.agents().is_empty());
        assert_eq!(
            listing(&w.out),
            before,
            "with {log} hard-linked, the file outside changed:\n{start}\n{stop}"
        );
    }
}

/// An id holding `..` (a milestone file can carry one; the dashboard's
/// pause, resume and stop pass it on) never names a run record outside the
/// registry: the record planted outside is not read.
#[test]
fn an_id_with_dot_dot_never_reads_a_record_outside() {
    let w = Ws::new();
    let record = "id: r\nbackend: process\npid: 999999\npgid: 999999\nstart_ticks: 1\nboot_id: x\ncommand: [x]\nstate: exited\nstarted_at: 2026-01-01T00:00:00Z\nsession_id: s\ncwd: /\n";
    std::fs::write(w.out.join("r.yaml"), record).expect("record");
    std::fs::create_dir_all(w.root.join(".milestones/sessions/mdash-runs")).expect("registry");
    // From `.milestones/sessions/mdash-runs/` up to the directory holding
    // the workspace and `out/`.
    let id = "../../../../out/r";
    for verb in ["pause", "resume", "stop"] {
        let (code, out) = w.mdash(&["run", verb, id]);
        assert_ne!(code, 0, "run {verb} {id}: {out}");
        assert!(
            !out.contains("exited") && !out.contains("ended"),
            "run {verb} {id} read the record outside the workspace: {out}"
        );
    }
}

/// A symlinked `.milestones/sessions` whose target's name holds a newline
/// and a line of mdash's own output: the refusal quotes that name, and
/// must not print the forged line as a line of its own.
#[test]
fn a_symlink_target_with_a_newline_forges_no_output_line() {
    let w = Ws::new();
    w.trust();
    let forged = "started 1a (process group 4242)";
    let outside = w.out.join(format!("x\n{forged}"));
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones/sessions")).expect("symlink");
    let (code, out, err) = w.run(&["run", "start", "1a"]);
    assert_ne!(code, 0, "{out}{err}");
    for line in out.lines().chain(err.lines()) {
        assert!(
            !line.starts_with(forged),
            "a forged line reached the output:\n{out}{err}"
        );
    }
    assert!(err.contains("\\nstarted 1a"), "{err}");
}

/// `.milestones/logs` is a symlink to a directory outside the workspace
/// holding `agent-1a.log`: the dashboard, which shows a failed run's last
/// line of output, must not read it (the read fence covers every
/// directory on the way).
#[test]
fn the_dashboard_never_shows_output_read_through_a_symlinked_logs_dir() {
    let w = Ws::new();
    w.file(
        ".milestones/sessions/mdash-runs/1a.yaml",
        "id: 1a\nbackend: process\npid: 999999\npgid: 999999\nstart_ticks: 1\nboot_id: x\ncommand: [x]\nstate: failed\nexit_code: 1\nstarted_at: 2026-01-01T00:00:00Z\nended_at: 2026-01-01T00:01:00Z\nsession_id: s\ncwd: /\n",
    );
    let outside = w.out.join("logs");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("agent-1a.log"), "SECRET-FROM-OUTSIDE\n").expect("log");
    std::os::unix::fs::symlink(&outside, w.root.join(".milestones/logs")).expect("symlink");
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(&w.root);
    cmd.env("XDG_CONFIG_HOME", &w.cfg);
    cmd.env("XDG_STATE_HOME", &w.state);
    let mut p = common::pty::Pty::spawn_cmd(cmd, 200, 40);
    // The failed run's blocker is drawn (where its output would follow).
    let screen = p.wait_for("the run_failed blocker", |s| {
        s.contains("Target") && s.contains("run failed")
    });
    p.send(b"q");
    assert!(
        !screen.contains("SECRET-FROM-OUTSIDE"),
        "output read through the symlinked logs/ was shown:\n{screen}"
    );
}

/// `mdash-runs/2b.yaml` is a copy of 1a's live record (still `id: 1a`):
/// pausing or stopping 2b must not reach 1a's run.
#[test]
fn a_record_filed_under_another_id_never_reaches_that_run() {
    let w = Ws::new();
    w.file(
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Other\nstatus: planned\n",
    );
    w.trust();
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    common::sec::eventually("1a's agent", || !w.agents().is_empty());
    let record = std::fs::read_to_string(w.record_path("1a")).expect("record");
    w.file(".milestones/sessions/mdash-runs/2b.yaml", &record);
    for action in ["pause", "stop"] {
        let (code, out) = w.mdash(&["run", action, "2b"]);
        assert_ne!(code, 0, "run {action} 2b on 1a's record: {out}");
        let agents = w.agents();
        assert!(
            agents.len() == 1 && agents[0].state != 'T',
            "run {action} 2b signalled 1a's run: {agents:?} ({out})"
        );
    }
    assert_eq!(w.mdash(&["run", "stop", "1a"]).0, 0);
    common::sec::eventually("1a's run stopped", || w.agents().is_empty());
}

/// `.worktrees/milestone-9z` is a symlink to a directory outside the
/// workspace (not a git worktree): it must not count as a worktree, so its
/// milestone files are not read (nor, through the write fence, written).
#[test]
fn a_symlink_in_worktrees_that_leaves_the_workspace_is_not_a_worktree() {
    let w = Ws::new();
    let outside = w.out.join("elsewhere");
    std::fs::create_dir_all(outside.join(".milestones/active")).expect("mkdir");
    std::fs::write(
        outside.join(".milestones/active/9z.yaml"),
        "id: 9z\ntitle: FROM-OUTSIDE\nstatus: planned\n",
    )
    .expect("milestone");
    std::fs::create_dir_all(w.root.join(".worktrees")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, w.root.join(".worktrees/milestone-9z")).expect("symlink");
    let doc = w.status();
    let ids: Vec<&str> = doc["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"1a"),
        "the workspace's own milestone: {ids:?}"
    );
    assert!(
        !doc.to_string().contains("FROM-OUTSIDE"),
        "a milestone outside the workspace was read: {doc:#}"
    );
}
