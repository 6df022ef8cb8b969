//! Security, third pass (issue 24 items 2, 10, 12): resuming takes nothing
//! from the workspace that could reach Claude Code as an option, a FIFO in
//! place of a log stalls nothing, and a huge run record is never read whole.
//! Black-box: the real binary, a stand-in `claude` (a real script whose
//! argv is recorded), real FIFOs and sparse files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::sec::{self, DEADLINE, Ws, chmod_x, eventually};

const SESSION: &str = "3f2a9c1e-0b4d-4e8f-9a7b-1c2d3e4f5a6b";

/// What a crafted log names as the session: each an option of `claude`.
const PLANTED: [&str; 3] = [
    "--mcp-config={\"mcpServers\":{\"x\":{\"command\":\"/bin/sh\",\"args\":[\"-c\",\"touch PWNED\"]}}}",
    "--dangerously-skip-permissions",
    "--permission-mode=bypassPermissions",
];

/// A workspace whose agent is a stand-in `claude` (outside the workspace)
/// that records its arguments, one per line, a run ending in `--END--`.
fn with_claude() -> (Ws, PathBuf) {
    let w = Ws::new();
    let bin = w.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let args = w.out.join("args");
    let claude = bin.join("claude");
    std::fs::write(
        &claude,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '{0}'\necho --END-- >> '{0}'\n",
            args.display()
        ),
    )
    .expect("claude");
    chmod_x(&claude);
    w.file(
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"/milestone {{id}}\"]\n  backend: process\n  cwd: workspace\n  create_worktree: false\n  stop_grace_secs: 2\n",
            claude.display()
        ),
    );
    w.trust();
    (w, args)
}

fn log(w: &Ws) -> PathBuf {
    w.root.join(".milestones/logs/execution-1a.jsonl")
}

/// Appends an `agent_state` event naming `session`, as a crafted log would.
fn plant(w: &Ws, session: &str) {
    let line = serde_json::json!({
        "timestamp": "2026-12-07T10:00:00Z",
        "event": "agent_state",
        "milestone_id": "1a",
        "details": {"agent": "claude", "state": "waiting_input", "detail": null, "session_id": session},
    });
    std::fs::create_dir_all(log(w).parent().expect("dir")).expect("logs");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log(w))
        .expect("log");
    writeln!(f, "{line}").expect("append");
}

/// `mdash hook` as Claude Code runs it, fed one event.
fn hook(w: &Ws, event: serde_json::Value) -> Child {
    let mut c = w
        .command()
        .args(["hook", "--root"])
        .arg(&w.root)
        .args(["--milestone", "1a"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("hook");
    let mut stdin = c.stdin.take().expect("stdin");
    let _ = stdin.write_all(event.to_string().as_bytes());
    drop(stdin);
    c
}

/// Waits for `c` to exit; a child still running at the deadline is killed
/// and the test fails: it hung.
fn ends(mut c: Child, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = c.try_wait().expect("wait") {
            return s;
        }
        if start.elapsed() > DEADLINE {
            let _ = c.kill();
            let _ = c.wait();
            panic!("{what} hung (still running after {DEADLINE:?})");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The argument lists the stand-in recorded, one per run.
fn runs(args: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(args).unwrap_or_default();
    let mut out = vec![Vec::new()];
    for l in text.lines() {
        if l == "--END--" {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(l.to_string());
        }
    }
    out.pop();
    out
}

fn record_state(w: &Ws) -> String {
    std::fs::read_to_string(w.record_path("1a"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("state: ").map(str::to_string))
        .unwrap_or_default()
}

/// Item 2: the session a resume goes on with is the one the hooks gave
/// `mdash hook`, kept privately; an id planted in the workspace's log never
/// reaches `claude`, and the id is one word, `--resume=<id>`.
#[test]
fn sec3_resume_never_takes_the_session_from_the_workspace_log() {
    let (w, args) = with_claude();
    // Only the log names a session: nothing to go on with, nothing planted run.
    plant(&w, PLANTED[1]);
    let _ = w.mdash(&["run", "resume", "1a"]);
    std::thread::sleep(Duration::from_millis(300));
    for run in runs(&args) {
        assert!(
            !run.iter().any(|a| a.starts_with("--dangerously")),
            "a planted option reached claude: {run:?}"
        );
    }
    let before = runs(&args).len();
    // The hooks name the real session; the log is then rewritten.
    let c = hook(
        &w,
        serde_json::json!({"hook_event_name": "SessionStart", "session_id": SESSION, "source": "startup"}),
    );
    assert!(ends(c, "mdash hook").success());
    for (n, planted) in PLANTED.iter().enumerate() {
        plant(&w, planted);
        let (code, out) = w.mdash(&["run", "resume", "1a"]);
        assert_eq!(code, 0, "resume: {out}");
        eventually("the stand-in ran", || runs(&args).len() > before + n);
        eventually("the run ended", || record_state(&w) != "running");
        let run = runs(&args).pop().expect("a run");
        assert!(
            run.iter().all(|a| !PLANTED.iter().any(|p| a.contains(p))),
            "a planted option reached claude: {run:?}"
        );
        assert_eq!(
            run.first().map(String::as_str),
            Some(format!("--resume={SESSION}").as_str()),
            "{run:?}"
        );
        assert!(run[1].starts_with("--settings={"), "{run:?}");
    }
    assert!(!w.root.join("PWNED").exists());
}

/// Item 2, every argv filled from workspace data: a title that starts with
/// `-` never becomes an option of the agent.
#[test]
fn sec3_a_title_never_becomes_an_option_of_the_agent() {
    let w = Ws::new();
    let argfile = w.out.join("args");
    w.agent(&format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
        argfile.display()
    ));
    w.file(
        ".milestones/active/1a.yaml",
        "id: 1a\ntitle: \"--dangerously-skip-permissions\"\nstatus: planned\n",
    );
    w.file(
        ".milestones/config/mdash.yaml",
        format!(
            "agent:\n  command: [\"{}\", \"{{title}}\", \"--id={{id}}\"]\n  cwd: workspace\n  create_worktree: false\n",
            w.agent_path().display()
        ),
    );
    w.trust();
    let (code, out) = w.mdash(&["run", "start", "1a"]);
    assert_ne!(code, 0, "started: {out}");
    assert!(out.contains("option"), "says why: {out}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!argfile.exists(), "the agent ran");
}

fn mkfifo(p: &Path) {
    std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("c path");
    // SAFETY: mkfifo only creates a FIFO at a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// Item 10: a FIFO at `logs/execution-<id>.jsonl` never blocks `mdash
/// hook`, `run resume`, or the supervisor recording its run's end.
#[test]
fn sec3_a_fifo_in_place_of_the_log_blocks_nothing() {
    let (w, _args) = with_claude();
    mkfifo(&log(&w));
    let c = hook(
        &w,
        serde_json::json!({"hook_event_name": "Stop", "session_id": SESSION}),
    );
    ends(c, "mdash hook on a FIFO log");
    let resume = w
        .command()
        .args(["run", "resume", "1a"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("resume");
    ends(resume, "mdash run resume with a FIFO log");
    // The stand-in ends at once: its supervisor must record that and end.
    eventually("a run was recorded", || {
        w.record_number("1a", "pgid").is_some()
    });
    let pgid = w.record_number("1a", "pgid").expect("pgid") as i32;
    let start = Instant::now();
    while sec::alive(pgid) {
        if start.elapsed() > DEADLINE {
            sec::kill(pgid, libc::SIGKILL);
            panic!("the supervisor hung at its run's end on a FIFO log");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_ne!(record_state(&w), "running");
}

/// Item 12: a run record of 1 GB (sparse) is refused by its size, not
/// read whole: `status` and `run stop` stay small (peak memory, from the
/// kernel's accounting of the child).
#[test]
fn sec3_a_huge_run_record_is_never_read_whole() {
    let w = Ws::new();
    let rec = w.record_path("1a");
    std::fs::create_dir_all(rec.parent().expect("dir")).expect("mkdir");
    std::fs::File::create(&rec)
        .expect("record")
        .set_len(1 << 30)
        .expect("sparse");
    for args in [&["status", "--json"][..], &["run", "stop", "1a"]] {
        let child = w
            .command()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mdash");
        let (status, max_rss_kib) = wait_with_usage(child);
        assert!(status.is_some(), "mdash {args:?} was killed");
        if args[0] == "status" {
            assert_eq!(status, Some(0), "status failed");
        }
        assert!(
            max_rss_kib < 256 * 1024,
            "mdash {args:?} peaked at {} MiB: the record was read",
            max_rss_kib / 1024
        );
    }
}

/// Waits for `child` with wait4: its exit code (`None` when killed) and its
/// peak resident memory in KiB.
fn wait_with_usage(child: Child) -> (Option<i32>, i64) {
    let pid = child.id() as i32;
    let mut st = 0;
    // SAFETY: an all-zero rusage is a valid value to be filled in.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers; `child` is not
    // waited on again (dropping a Child neither waits nor kills).
    let r = unsafe { libc::wait4(pid, &mut st, 0, &mut ru) };
    assert_eq!(r, pid, "wait4");
    drop(child);
    let code = libc::WIFEXITED(st).then(|| libc::WEXITSTATUS(st));
    (code, ru.ru_maxrss)
}
