//! Agent runs with real processes: whole-group pause, resume and stop, a
//! paused run outliving a killed mdash, pid reuse refused, and status edits
//! racing an agent that rewrites the file.

use crate::common;
use common::*;

use std::path::{Path, PathBuf};
use std::time::Duration;

struct Ws {
    _dir: tempfile::TempDir,
    root: PathBuf,
    cfg: PathBuf,
}

impl Drop for Ws {
    /// Whatever happened, leave no agent behind.
    fn drop(&mut self) {
        common::procs::reap_runs(&self.root);
    }
}

fn ws() -> Ws {
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path().join("ws");
    let cfg = d.path().join("cfg");
    write(
        &root,
        ".milestones/active/1a.yaml",
        "id: 1a\ntitle: Target\nstatus: planned\ntasks:\n  - {id: t1, status: in_progress}\n  - {id: t2, status: pending}\n",
    );
    write(
        &root,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Later\ndependencies: {requires: [1a]}\n",
    );
    // A two-process agent: a background child and a loop.
    write(
        &root,
        "agent.sh",
        "#!/bin/sh\nsleep 600 &\nwhile true; do sleep 1; done\n",
    );
    let mut perm = std::fs::metadata(root.join("agent.sh"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(root.join("agent.sh"), perm).expect("chmod");
    write(
        &root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{id}}\"]\n  stop_grace_secs: 2\n",
            root.join("agent.sh").display()
        ),
    );
    Ws { _dir: d, root, cfg }
}

fn mdash(w: &Ws, args: &[&str]) -> (i32, String) {
    let out = bin()
        .args(args)
        .current_dir(&w.root)
        .env("XDG_CONFIG_HOME", &w.cfg)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn status(w: &Ws) -> serde_json::Value {
    let out = bin()
        .args(["status", "--json"])
        .current_dir(&w.root)
        .env("XDG_CONFIG_HOME", &w.cfg)
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn pgid(w: &Ws) -> i32 {
    let text = std::fs::read_to_string(w.root.join(".milestones/sessions/mdash-runs/1a.yaml"))
        .expect("registry");
    let v = milestone_dash::read::yaml::parse(&text).expect("yaml");
    milestone_dash::read::doc::number_at(&v, &["pgid"]).expect("pgid") as i32
}

/// States of the live (non-zombie) processes of a group.
fn group(pgid: i32) -> Vec<char> {
    milestone_dash::live::runs::group(pgid)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

use common::procs::eventually;

fn events(w: &Ws) -> Vec<String> {
    std::fs::read_to_string(w.root.join(".milestones/logs/execution-1a.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["event"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn trust_start_pause_resume_stop_whole_group() {
    let w = ws();
    let (code, out) = mdash(&w, &["run", "start", "1a"]);
    assert_eq!(code, 1);
    assert!(out.contains("not trusted"), "{out}");
    assert_eq!(mdash(&w, &["trust", "--yes"]).0, 0);

    let (code, out) = mdash(&w, &["run", "start", "2a"]);
    assert_eq!(code, 1, "unmet dependency refused");
    assert!(out.contains("requires 1a"), "{out}");

    let (code, out) = mdash(&w, &["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    let g = pgid(&w);
    eventually("two agent processes and the supervisor", || {
        group(g).len() >= 3
    });
    let doc = status(&w);
    let m = milestone(&doc, "1a");
    assert_eq!(m["run"]["state"], "running");
    assert!(m["run"]["pid"].as_i64().is_some());
    assert_eq!(m["status"], "in_progress");

    assert_eq!(mdash(&w, &["run", "pause", "1a"]).0, 0);
    eventually("every process stopped", || {
        group(g).iter().all(|s| *s == 'T')
    });
    let doc = status(&w);
    assert_eq!(milestone(&doc, "1a")["run"]["state"], "paused");
    assert_eq!(milestone(&doc, "1a")["status"], "paused");
    let sessions: Vec<PathBuf> = std::fs::read_dir(w.root.join(".milestones/sessions"))
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(sessions.len(), 1);
    let session = std::fs::read_to_string(&sessions[0]).expect("session");
    for want in [
        "status: paused",
        "save_reason: manual_pause",
        "milestone_id: 1a",
        "current_task: t1",
        "next_tasks:",
    ] {
        assert!(session.contains(want), "{want} missing from:\n{session}");
    }

    assert_eq!(mdash(&w, &["run", "resume", "1a"]).0, 0);
    eventually("nothing stopped", || {
        !group(g).is_empty() && group(g).iter().all(|s| *s != 'T')
    });
    let doc = status(&w);
    assert_eq!(milestone(&doc, "1a")["status"], "in_progress");
    assert!(
        std::fs::read_to_string(&sessions[0])
            .expect("session")
            .contains("status: resumed")
    );

    assert_eq!(mdash(&w, &["run", "stop", "1a"]).0, 0);
    eventually("the whole group gone", || group(g).is_empty());
    let doc = status(&w);
    assert_eq!(
        milestone(&doc, "1a")["run"]["state"],
        "exited",
        "a stop is not a failure"
    );
    let ev = events(&w);
    for want in ["run_started", "run_paused", "run_resumed", "run_stopped"] {
        assert!(ev.contains(&want.to_string()), "{want} missing: {ev:?}");
    }
}

#[test]
fn a_failing_agent_is_a_run_failed_blocker() {
    let w = ws();
    write(&w.root, "fail.sh", "#!/bin/sh\nexit 3\n");
    let mut perm = std::fs::metadata(w.root.join("fail.sh"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(w.root.join("fail.sh"), perm).expect("chmod");
    write(
        &w.root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\"]\n",
            w.root.join("fail.sh").display()
        ),
    );
    mdash(&w, &["trust", "--yes"]);
    assert_eq!(mdash(&w, &["run", "start", "1a"]).0, 0);
    eventually("the failure recorded", || {
        milestone(&status(&w), "1a")["run"]["state"] == "failed"
    });
    let doc = status(&w);
    assert!(
        milestone(&doc, "1a")["blockers"]
            .as_array()
            .expect("b")
            .iter()
            .any(|b| b["kind"] == "run_failed" && b["detail"] == "3"),
        "{doc:#}"
    );
    assert!(events(&w).contains(&"run_exited".to_string()));
}

#[test]
fn a_reused_pid_is_refused() {
    let w = ws();
    let me = std::process::id() as i32;
    // A record naming a live process group (ours) with another start time.
    write(
        &w.root,
        ".milestones/sessions/mdash-runs/1a.yaml",
        format!(
            "id: 1a\nbackend: process\npid: {me}\npgid: {me}\nstart_ticks: 1\nboot_id: {}\ncommand: []\nstate: running\nstarted_at: x\nsession_id: s\ncwd: /\n",
            milestone_dash::live::runs::boot_id()
        ),
    );
    let (code, out) = mdash(&w, &["run", "pause", "1a"]);
    assert_eq!(code, 1);
    assert!(out.contains("pid was reused"), "{out}");
    assert_eq!(milestone(&status(&w), "1a")["run"]["state"], "failed");
}

#[test]
fn status_edits_never_lose_a_concurrent_writers_update() {
    let d = tempfile::tempdir().expect("tmp");
    let file = d.path().join("m.yaml");
    std::fs::write(
        &file,
        "id: m\n# agent's counter\ncounter: 0\nstatus: in_progress\n",
    )
    .expect("write");
    let writes = 300;
    let f2 = file.clone();
    // How many status edits have been made: the writer keeps pace with it,
    // so the two interleave however loaded the machine is.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = done.clone();
    // The agent: read, bump the counter, write a temp file, rename: ~100 a second.
    let writer = std::thread::spawn(move || {
        for i in 0..writes {
            while seen.load(std::sync::atomic::Ordering::SeqCst) < i / 4 {
                std::thread::sleep(Duration::from_millis(1));
            }
            let text = std::fs::read_to_string(&f2).expect("read");
            let n: u64 = text
                .lines()
                .find_map(|l| l.strip_prefix("counter: "))
                .and_then(|n| n.trim().parse().ok())
                .expect("counter");
            let next = text.replace(&format!("counter: {n}"), &format!("counter: {}", n + 1));
            let tmp = f2.with_extension(format!("tmp{i}"));
            std::fs::write(&tmp, next).expect("tmp");
            std::fs::rename(&tmp, &f2).expect("rename");
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let mut toggles = 0;
    while !writer.is_finished() {
        let s = if toggles % 2 == 0 {
            "paused"
        } else {
            "in_progress"
        };
        milestone_dash::live::runs::records::set_status(Path::new(&file), s).expect("set status");
        toggles += 1;
        done.store(toggles, std::sync::atomic::Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(7));
    }
    writer.join().expect("writer");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(toggles >= (writes - 1) / 4, "{toggles}");
    assert!(
        text.contains(&format!("counter: {writes}")),
        "an update was lost:\n{text}"
    );
    assert!(text.contains("# agent's counter"), "comments survive");
}

#[test]
fn a_repository_without_a_base_branch_runs_in_the_workspace() {
    let w = ws();
    git_ok(&w.root, &["init", "-q", "-b", "trunk"]);
    mdash(&w, &["trust", "--yes"]);
    let (code, out) = mdash(&w, &["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    let g = pgid(&w);
    eventually("running", || group(g).len() >= 3);
    assert!(!w.root.join(".worktrees").exists());
    assert_eq!(mdash(&w, &["run", "stop", "1a"]).0, 0);
    eventually("stopped", || group(g).is_empty());
    write(
        &w.root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\"]\n  create_worktree: true\n",
            w.root.join("agent.sh").display()
        ),
    );
    mdash(&w, &["trust", "--yes"]);
    let (code, out) = mdash(&w, &["run", "start", "1a"]);
    assert_eq!(code, 1);
    assert!(out.contains("cannot create the worktree"), "{out}");
}

#[test]
fn the_tmux_backend_runs_in_a_named_window_and_pauses_below_the_pane() {
    let w = ws();
    let sock = w.cfg.with_file_name("tmux.sock");
    let server = std::process::Command::new("tmux")
        .args(["-S"])
        .arg(&sock)
        .args(["new-session", "-d", "-s", "t", "-x", "80", "-y", "24"])
        .status()
        .expect("tmux");
    assert!(server.success());
    let tmux_env = format!("{},0,0", sock.display());
    let run = |args: &[&str]| {
        let out = bin()
            .args(args)
            .current_dir(&w.root)
            .env("XDG_CONFIG_HOME", &w.cfg)
            .env("TMUX", &tmux_env)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    write(
        &w.root,
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\"]\n  backend: tmux\n  stop_grace_secs: 2\n",
            w.root.join("agent.sh").display()
        ),
    );
    run(&["trust", "--yes"]);
    let (code, out) = run(&["run", "start", "1a"]);
    assert_eq!(code, 0, "{out}");
    let windows = || {
        let o = std::process::Command::new("tmux")
            .arg("-S")
            .arg(&sock)
            .args(["list-windows", "-a", "-F", "#{window_name}"])
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(windows().contains("mdash:1a"), "{}", windows());
    let g = pgid(&w);
    eventually("the agent and its child", || group(g).len() >= 3);
    assert_eq!(run(&["run", "pause", "1a"]).0, 0);
    let text = std::fs::read_to_string(w.root.join(".milestones/sessions/mdash-runs/1a.yaml"))
        .expect("registry");
    let rec = milestone_dash::live::runs::parse(&text).expect("run");
    let agent = rec.pid.expect("agent pid");
    eventually("the pause reached the agent", || {
        milestone_dash::live::runs::proc_stat(agent).is_some_and(|s| s.0 == 'T')
    });
    // tmux handles its children's SIGCHLD in its event loop; two round
    // trips through that loop after the stop mean it has seen the stop (and
    // would have continued the pane by now if it were going to).
    for _ in 0..2 {
        let _ = std::process::Command::new("tmux")
            .arg("-S")
            .arg(&sock)
            .args(["display-message", "-p", "sync"])
            .output();
    }
    assert_eq!(
        milestone_dash::live::runs::proc_stat(agent).map(|s| s.0),
        Some('T'),
        "tmux must not undo the pause"
    );
    assert_eq!(milestone(&status(&w), "1a")["run"]["state"], "paused");
    assert_eq!(run(&["run", "resume", "1a"]).0, 0);
    eventually("resumed", || {
        milestone_dash::live::runs::proc_stat(agent).is_some_and(|s| s.0 != 'T')
    });
    assert_eq!(run(&["run", "stop", "1a"]).0, 0);
    eventually("the window closed", || !windows().contains("mdash:1a"));
    let _ = std::process::Command::new("tmux")
        .arg("-S")
        .arg(&sock)
        .arg("kill-server")
        .status();
}

fn agent(w: &Ws, script: &str) {
    write(&w.root, "agent.sh", script);
}

#[test]
fn grandchildren_that_leave_the_group_are_paused_and_stopped_too() {
    let w = ws();
    // A daemonized grandchild in its own session, deaf to SIGTERM.
    agent(
        &w,
        "#!/bin/sh\nsetsid sh -c 'trap \"\" TERM; exec sleep 7771' &\nwhile true; do sleep 1; done\n",
    );
    assert_eq!(mdash(&w, &["trust", "--yes"]).0, 0);
    assert_eq!(mdash(&w, &["run", "start", "1a"]).0, 0);
    let g = pgid(&w);
    let escaped = || common::procs::find(&["sleep", "7771"]);
    eventually("the grandchild in its own session", || {
        escaped().iter().any(|&(_, sid, _)| sid != g)
    });
    let (pid, ..) = escaped()[0];
    assert!(
        milestone_dash::live::runs::group(g)
            .iter()
            .any(|&(p, _)| p == pid),
        "counted as the run's own"
    );

    assert_eq!(mdash(&w, &["run", "pause", "1a"]).0, 0);
    eventually("the grandchild stopped with the rest", || {
        escaped().iter().all(|&(_, _, st)| st == 'T') && group(g).iter().all(|s| *s == 'T')
    });
    assert_eq!(mdash(&w, &["run", "resume", "1a"]).0, 0);
    eventually("the grandchild continued", || {
        escaped().iter().all(|&(_, _, st)| st != 'T')
    });

    let (code, out) = mdash(&w, &["run", "stop", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("nothing left, the escaped grandchild included", || {
        escaped().is_empty() && group(g).is_empty()
    });
    assert!(
        std::fs::read_to_string(w.root.join(".milestones/logs/execution-1a.jsonl"))
            .expect("log")
            .contains("\"killed\":true"),
        "the SIGTERM-deaf grandchild needed SIGKILL"
    );
}

#[test]
fn an_agent_killed_while_paused_is_recorded_when_resumed() {
    let w = ws();
    assert_eq!(mdash(&w, &["trust", "--yes"]).0, 0);
    assert_eq!(mdash(&w, &["run", "start", "1a"]).0, 0);
    let g = pgid(&w);
    eventually("running", || group(g).len() >= 3);
    assert_eq!(mdash(&w, &["run", "pause", "1a"]).0, 0);
    eventually("stopped", || group(g).iter().all(|s| *s == 'T'));
    let run = milestone_dash::live::runs::read(&w.root, "1a").expect("registry");
    let agent_pid = run.pid.expect("agent pid");
    // SAFETY: kill only sends a signal, to the agent this test started.
    unsafe {
        libc::kill(agent_pid, libc::SIGKILL);
    }
    // Dead while stopped: nothing can reap it until the supervisor runs.
    assert_eq!(milestone(&status(&w), "1a")["run"]["state"], "paused");

    let (code, out) = mdash(&w, &["run", "resume", "1a"]);
    assert_eq!(code, 0, "{out}");
    eventually("the death recorded", || {
        milestone(&status(&w), "1a")["run"]["state"] == "failed"
    });
    let doc = status(&w);
    let b: Vec<&serde_json::Value> = doc["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["kind"] == "run_failed")
        .collect();
    assert_eq!(b.len(), 1, "{doc}");
    assert_eq!(b[0]["detail"], "SIGKILL");
    assert!(events(&w).contains(&"run_exited".to_string()));
    // The agent's own child is left running, as after any agent exit; the
    // test cleans it up.
    // SAFETY: killpg only sends a signal, to the group this test started.
    unsafe {
        libc::killpg(g, libc::SIGKILL);
    }
}
