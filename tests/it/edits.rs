//! Status edits against the real binary (issue 16 items 1, 2, 8a; issue 12
//! item 3): `mdash run pause` / `run resume` change exactly the bytes of the
//! status value, in every layout, through symlinks, keeping mode and hard
//! links; they never edit a truncated file an agent is rewriting in place;
//! nothing a run record or a planted symlink says makes mdash write outside
//! the workspace.

use crate::common;
use common::edits::*;
use common::*;

use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

const ACTIVE: &str = ".milestones/active";

fn rel(id: &str, ext: &str) -> String {
    format!("{ACTIVE}/{id}.{ext}")
}

#[test]
fn a_plain_status_line_keeps_its_comment() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"# the agent's file\nid: 1a\ntitle: T\nstatus: in_progress   # set by the agent\ntasks:\n  - {id: t1, status: in_progress}\n",
        b"# the agent's file\nid: 1a\ntitle: T\nstatus: paused   # set by the agent\ntasks:\n  - {id: t1, status: in_progress}\n",
    );
    // A quoted status word is written plain (a status needs no quotes);
    // only the value, quotes included, changes.
    pause_resume(
        &r,
        "1b",
        &rel("1b", "yaml"),
        b"id: 1b\nstatus: \"in_progress\"   # quoted\n",
        b"id: 1b\nstatus: paused   # quoted\n",
        b"id: 1b\nstatus: in_progress   # quoted\n",
    );
}

#[test]
fn crlf_line_ends_keep_their_cr() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"id: 1a\r\ntitle: T\r\nstatus: in_progress\r\nprogress: 10\r\n",
        b"id: 1a\r\ntitle: T\r\nstatus: paused\r\nprogress: 10\r\n",
    );
}

#[test]
fn a_bom_before_status_stays_and_the_file_stays_valid() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"\xEF\xBB\xBFstatus: in_progress\nid: 1a\ntitle: T\n",
        b"\xEF\xBB\xBFstatus: paused\nid: 1a\ntitle: T\n",
    );
}

#[test]
fn a_flow_mapping_is_edited_in_place() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"{id: 1a, title: T, status: in_progress, tasks: [{id: t, status: done}]}\n",
        b"{id: 1a, title: T, status: paused, tasks: [{id: t, status: done}]}\n",
    );
}

#[test]
fn next_line_and_folded_values_are_edited_where_they_are() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"id: 1a\nstatus:\n  in_progress\ntitle: T\n",
        b"id: 1a\nstatus:\n  paused\ntitle: T\n",
    );
    pause_resume_exact(
        &r,
        "1b",
        &rel("1b", "yaml"),
        b"id: 1b\nstatus: >-\n  in_progress\ntitle: T\n",
        b"id: 1b\nstatus: >-\n  paused\ntitle: T\n",
    );
}

#[test]
fn nested_statuses_are_edited_in_their_wrapper() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "yaml"),
        b"metadata:   # identity\n  milestone_id: 1a\n  name: M\n  status: in_progress\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: in_progress}\n",
        b"metadata:   # identity\n  milestone_id: 1a\n  name: M\n  status: paused\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: in_progress}\n",
    );
    pause_resume_exact(
        &r,
        "1b",
        &rel("1b", "yaml"),
        b"milestone:\n    id: 1b\n    title: Q\n    status: in_progress\n    phases:\n      - {name: a, kiro_phase: design, status: active}\n",
        b"milestone:\n    id: 1b\n    title: Q\n    status: paused\n    phases:\n      - {name: a, kiro_phase: design, status: active}\n",
    );
    pause_resume_exact(
        &r,
        "1c",
        &rel("1c", "yaml"),
        b"milestone_state:\n  metadata:\n    id: 1c\n    status: in_progress\n",
        b"milestone_state:\n  metadata:\n    id: 1c\n    status: paused\n",
    );
}

#[test]
fn a_json_milestone_changes_only_the_value_bytes() {
    let r = runs();
    pause_resume_exact(
        &r,
        "1a",
        &rel("1a", "json"),
        b"{\"id\": \"1a\", \"title\": \"J\", \"status\": \"in_progress\", \"big\": 12345678901234567890, \"ratio\": 0.10, \"dup\": 1, \"dup\": 2}\n",
        b"{\"id\": \"1a\", \"title\": \"J\", \"status\": \"paused\", \"big\": 12345678901234567890, \"ratio\": 0.10, \"dup\": 1, \"dup\": 2}\n",
    );
    pause_resume_exact(
        &r,
        "1b",
        &rel("1b", "json"),
        b"{\n    \"id\": \"1b\",\n    \"status\":\"in_progress\",\n    \"tasks\": [{\"id\": \"t\", \"status\": \"done\"}]\n}",
        b"{\n    \"id\": \"1b\",\n    \"status\":\"paused\",\n    \"tasks\": [{\"id\": \"t\", \"status\": \"done\"}]\n}",
    );
}

#[test]
fn modes_0400_and_0600_are_kept() {
    let r = runs();
    for (id, m) in [("1a", 0o400), ("1b", 0o600)] {
        let p = rel(id, "yaml");
        let before = format!("id: {id}\nstatus: in_progress\n");
        write(&r.root, &p, &before);
        chmod(&r.path(&p), m);
        r.start(id);
        let (code, out) = r.mdash(&["run", "pause", id]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(
            r.read(&p),
            format!("id: {id}\nstatus: paused\n").as_bytes(),
            "{id}"
        );
        assert_eq!(mode(&r.path(&p)), m, "{id} keeps its mode");
        assert_eq!(r.mdash(&["run", "stop", id]).0, 0);
    }
}

#[test]
fn a_symlinked_milestone_is_edited_through_the_link() {
    let r = runs();
    let before = b"id: 1a\ntitle: Linked\nstatus: in_progress\n";
    write(&r.root, "real/1a.yaml", before);
    std::fs::create_dir_all(r.path(ACTIVE)).expect("mkdir");
    std::os::unix::fs::symlink("../../real/1a.yaml", r.path(&rel("1a", "yaml"))).expect("link");
    r.start("1a");
    let (code, out) = r.mdash(&["run", "pause", "1a"]);
    assert_eq!(code, 0, "{out}");
    let link = std::fs::symlink_metadata(r.path(&rel("1a", "yaml"))).expect("lstat");
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(
        show(&r.read("real/1a.yaml")),
        show(b"id: 1a\ntitle: Linked\nstatus: paused\n"),
        "the target holds the edit"
    );
    assert_eq!(r.mdash(&["run", "stop", "1a"]).0, 0);
}

/// A hard-linked file cannot be replaced atomically without splitting the
/// link, and an in-place rewrite is not atomic: mdash refuses, names the
/// file, and changes nothing (the choice is documented in README).
#[test]
fn a_hard_linked_milestone_is_never_split() {
    let r = runs();
    let before = b"id: 1a\ntitle: Hard\nstatus: in_progress\n";
    let p = rel("1a", "yaml");
    write(&r.root, &p, before);
    std::fs::create_dir_all(r.path("mirror")).expect("mkdir");
    std::fs::hard_link(r.path(&p), r.path("mirror/1a.yaml")).expect("link");
    r.start("1a");
    let (_, out) = r.mdash(&["run", "pause", "1a"]);
    let a = std::fs::metadata(r.path(&p)).expect("meta");
    let b = std::fs::metadata(r.path("mirror/1a.yaml")).expect("meta");
    assert_eq!(a.ino(), b.ino(), "the hard link is not split");
    assert_eq!(a.nlink(), 2);
    let now = r.read(&p);
    assert!(
        now == before || now == b"id: 1a\ntitle: Hard\nstatus: paused\n",
        "either untouched or exactly the value: {}",
        show(&now)
    );
    if now == before {
        assert!(
            out.contains("1a.yaml") && out.contains("hard link"),
            "a refusal names the file and says why: {out}"
        );
    }
    assert_eq!(r.mdash(&["run", "stop", "1a"]).0, 0);
}

/// A layout the edit cannot change in place is refused with a message and
/// left byte for byte: here the status is an anchor another key aliases, so
/// any edit of its bytes would change that key too.
#[test]
fn a_layout_that_cannot_be_edited_in_place_is_refused_untouched() {
    let r = runs();
    let before = b"id: 1a\nstatus: &s in_progress\nlast_status: *s\n";
    let p = rel("1a", "yaml");
    write(&r.root, &p, before);
    r.start("1a");
    let (_, out) = r.mdash(&["run", "pause", "1a"]);
    assert_eq!(show(&r.read(&p)), show(before), "left as it was");
    assert!(out.contains("1a.yaml"), "the message names the file: {out}");
    assert_eq!(r.mdash(&["run", "stop", "1a"]).0, 0);
}

/// Issue 16 item 1: an agent that rewrites the file in place (truncate,
/// 2 ms, write: a real child process) races `run pause` / `run resume`.
/// After each round the file is what the agent wrote, or that with only the
/// status value changed: never truncated, never `status: ...` alone.
#[test]
fn an_in_place_writer_racing_pause_and_resume_loses_nothing() {
    let r = runs();
    let p = rel("1a", "yaml");
    let body = |n: u64, status: &str| {
        format!(
            "# written by the agent\nid: 1a\ntitle: Racing target\nstatus: {status}\ncounter: {n}\nnotes: keep me\n"
        )
    };
    write(&r.root, &p, body(0, "in_progress"));
    r.start("1a");
    let mdash = |verb: &str| {
        bin()
            .args(["run", verb, "1a"])
            .current_dir(&r.root)
            .env("XDG_CONFIG_HOME", &r.cfg)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mdash")
    };
    // How long one call takes here, to spread the writer over it.
    let t = Instant::now();
    assert!(mdash("pause").wait().expect("wait").success());
    let span = t.elapsed().as_micros().max(1000) as u64;
    let mut seed = u64::from(std::process::id()) | 1;
    let (mut ok, rounds) = (0, 60);
    for n in 1..=rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut call = mdash(if n % 2 == 0 { "pause" } else { "resume" });
        std::thread::sleep(Duration::from_micros(seed % span));
        // `> file` truncates; 2 ms later the text goes into the same inode.
        let script = format!(
            "{{ sleep 0.002; printf '%s' '{}'; }} > '{p}'",
            body(n, "in_progress")
        );
        let writer = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(&r.root)
            .status()
            .expect("writer");
        assert!(writer.success());
        if call.wait().expect("wait").success() {
            ok += 1;
        }
        let got = r.read(&p);
        assert!(
            got == body(n, "in_progress").as_bytes() || got == body(n, "paused").as_bytes(),
            "round {n}: the file is neither the agent's last write nor that with only the status changed:\n{}",
            show(&got)
        );
    }
    assert!(ok > 0, "some edits landed ({rounds} tried)");
    let _ = r.mdash(&["run", "stop", "1a"]);
}

/// An agent that writes its file in two pieces, holding it open between
/// them (the first piece alone reads as the same milestone): a pause in the
/// middle must not replace the half-written file, so the second piece is
/// not lost; the status lands once the agent has closed the file.
#[test]
fn a_pause_while_an_agent_holds_the_file_half_written_waits_for_it() {
    let r = runs();
    let p = rel("1a", "yaml");
    let head = "# agent\nid: 1a\ntitle: Two pieces\nstatus: in_progress\n";
    let tail = "counter: 7\nnotes: the second piece\n";
    write(&r.root, &p, format!("{head}{tail}"));
    r.start("1a");
    let mut writer = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{{ printf '%s' '{head}'; sleep 0.6; printf '%s' '{tail}'; }} > '{p}'"
        ))
        .current_dir(&r.root)
        .spawn()
        .expect("writer");
    eventually("the first piece written", || r.read(&p) == head.as_bytes());
    let (code, out) = r.mdash(&["run", "pause", "1a"]);
    assert!(writer.wait().expect("writer").success());
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        show(&r.read(&p)),
        show(format!("{}{tail}", head.replace("in_progress", "paused")).as_bytes()),
        "the agent's second piece is kept and the status set on top"
    );
    let _ = r.mdash(&["run", "stop", "1a"]);
}

/// Issue 12 item 3: a run record whose `session_id` climbs out of the
/// workspace does not make a pause create or rewrite a file there.
#[test]
fn a_session_id_that_leaves_the_workspace_writes_nothing_outside() {
    let r = runs();
    write(&r.root, &rel("1a", "yaml"), "id: 1a\nstatus: in_progress\n");
    let outside = r.dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    write(&outside, "victim.yaml", "session:\n  status: original\n");
    r.start("1a");
    let rec = std::fs::read_to_string(r.record("1a")).expect("record");
    let sid = r.record_field("1a", "session_id").expect("session id");
    // From .milestones/sessions/ up to the temp dir and into outside/.
    for target in ["../../../outside/x", "../../../outside/victim"] {
        std::fs::write(
            r.record("1a"),
            rec.replace(
                &format!("session_id: {sid}"),
                &format!("session_id: {target}"),
            ),
        )
        .expect("forge");
        let _ = r.mdash(&["run", "pause", "1a"]);
        let _ = r.mdash(&["run", "resume", "1a"]);
    }
    assert!(
        !outside.join("x.yaml").exists(),
        "a pause created a file outside the workspace"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("victim.yaml")).expect("victim"),
        "session:\n  status: original\n",
        "a pause or resume rewrote a file outside the workspace"
    );
    std::fs::write(r.record("1a"), &rec).expect("restore");
    let _ = r.mdash(&["run", "stop", "1a"]);
}

/// A planted `<session>.yaml.tmp` symlink and a symlinked execution log
/// that leave the workspace receive nothing from start, pause, resume and
/// stop; a symlinked agent log leading out makes the start refuse.
#[test]
fn symlinked_temp_files_and_logs_leading_outside_receive_nothing() {
    let r = runs();
    write(&r.root, &rel("1a", "yaml"), "id: 1a\nstatus: in_progress\n");
    let outside = r.dir.path().join("outside");
    for f in ["rc", "agent.log", "tmp-victim"] {
        write(&outside, f, "original\n");
    }
    std::fs::create_dir_all(r.path(".milestones/logs")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.join("rc"),
        r.path(".milestones/logs/execution-1a.jsonl"),
    )
    .expect("link");
    let (code, out) = r.mdash(&["run", "start", "1a"]);
    if code == 0 {
        eventually("the run recorded", || {
            std::fs::read_to_string(r.record("1a")).is_ok_and(|t| t.contains("start_ticks"))
        });
        let sid = r.record_field("1a", "session_id").expect("session id");
        std::fs::create_dir_all(r.path(".milestones/sessions")).expect("mkdir");
        for name in [format!("{sid}.yaml.tmp"), format!("{sid}.tmp")] {
            std::os::unix::fs::symlink(
                outside.join("tmp-victim"),
                r.path(&format!(".milestones/sessions/{name}")),
            )
            .expect("link");
        }
        let (code, out) = r.mdash(&["run", "pause", "1a"]);
        assert!(
            code == 0 || out.contains("outside the workspace"),
            "a refusal says why: {out}"
        );
        let _ = r.mdash(&["run", "resume", "1a"]);
        let _ = r.mdash(&["run", "stop", "1a"]);
    } else {
        assert!(out.contains("outside the workspace"), "{out}");
    }
    // The agent's log, symlinked out: the start refuses, naming the reason.
    write(&r.root, &rel("1b", "yaml"), "id: 1b\nstatus: in_progress\n");
    std::os::unix::fs::symlink(
        outside.join("agent.log"),
        r.path(".milestones/logs/agent-1b.log"),
    )
    .expect("link");
    let (code, out) = r.mdash(&["run", "start", "1b"]);
    if code == 0 {
        eventually("the run recorded", || {
            std::fs::read_to_string(r.record("1b")).is_ok_and(|t| t.contains("start_ticks"))
        });
        let _ = r.mdash(&["run", "stop", "1b"]);
    } else {
        assert!(out.contains("outside the workspace"), "{out}");
    }
    for f in ["rc", "agent.log", "tmp-victim"] {
        assert_eq!(
            std::fs::read_to_string(outside.join(f)).expect("victim"),
            "original\n",
            "{f} outside the workspace was written"
        );
    }
    assert_eq!(std::fs::read_dir(&outside).expect("ls").count(), 3);
}

/// Issue 16 item 8a: a worktree whose HEAD is corrupt is an error on that
/// worktree, not a clean worktree.
#[test]
fn a_worktree_with_a_corrupt_head_is_an_error_not_clean() {
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path();
    init_repo(root, "main");
    write(root, &rel("1a", "yaml"), "id: 1a\nstatus: in_progress\n");
    add_worktree(root, "1a");
    std::fs::write(root.join(".git/worktrees/milestone-1a/HEAD"), "garbage\n").expect("corrupt");
    let doc = status_json(root);
    let errors = doc["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["path"]
            .as_str()
            .is_some_and(|p| p.starts_with(".worktrees/milestone-1a"))
            && e["message"].as_str().is_some_and(|m| m.contains("HEAD"))),
        "the corrupt HEAD is reported on its worktree: {doc:#}"
    );
}
