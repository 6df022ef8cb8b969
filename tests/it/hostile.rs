//! Bad input never hurts: every case of SPEC §1 gives an `errors` entry or a
//! sensible reading, and the good milestones next to it stay intact.

use crate::common;
use common::*;
use serde_json::json;

fn good(root: &std::path::Path) {
    write(
        root,
        ".milestones/active/good.yaml",
        "id: good\ntitle: Good\nstatus: in_progress\nprogress: 10\n",
    );
}

fn error_for<'a>(doc: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("no error for {path}: {:#}", doc["errors"]))
}

#[test]
fn every_bad_file_is_reported_and_good_ones_survive() {
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path();
    good(root);
    write(
        root,
        ".milestones/active/bom.yaml",
        "\u{feff}id: bom\r\ntitle: With BOM and CRLF\r\nstatus: done\r\n",
    );
    write(
        root,
        ".milestones/active/latin1.yaml",
        b"id: latin1\ntitle: caf\xe9\n",
    );
    write(
        root,
        ".milestones/active/huge.yaml",
        format!("id: huge\ndescription: \"{}\"\n", "x".repeat(1_100_000)),
    );
    write(root, ".milestones/active/empty.yaml", "");
    write(root, ".milestones/active/list.yaml", "- a\n- b\n");
    write(root, ".milestones/active/scalar.yaml", "just words\n");
    write(root, ".milestones/active/badjson.json", "{\"id\": \"j\",}");
    write(
        root,
        ".milestones/active/good-json.json",
        "{\"id\": \"gj\", \"status\": \"todo\", \"tasks\": [{\"status\": \"done\"}]}",
    );
    std::fs::create_dir_all(root.join(".milestones/active/dir.yaml")).expect("mkdir");
    // Billion laughs.
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, c) in ('b'..='j').enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("id: bomb\n");
    write(root, ".milestones/active/bomb.yaml", bomb);
    write(
        root,
        ".milestones/active/deep.yaml",
        format!("id: deep\nx: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
    );
    write(
        root,
        ".milestones/active/types.yaml",
        "id: [not, a, string]\ntitle: {a: b}\nstatus: 42\nprogress: \"lots\"\ntasks: 7\nphases: \"yes\"\ndependencies: {requires: 3}\nblockers: {disk: full}\nkiro_configuration: {phase_weights: {design: -5, spec: \"x\"}}\n",
    );
    write(
        root,
        ".milestones/active/template.yaml",
        "metadata:\n  milestone_id: \"${MILESTONE_ID}\"\n  name: \"null\"\n  created_at: \"$(date -u)\"\n  status: \"\"\n",
    );
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("secret.yaml"), "id: secret\n").expect("write");
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            root.join(".milestones/active/escape.yaml"),
        )
        .expect("ln");
        std::os::unix::fs::symlink("loop2.yaml", root.join(".milestones/active/loop1.yaml"))
            .expect("ln");
        std::os::unix::fs::symlink("loop1.yaml", root.join(".milestones/active/loop2.yaml"))
            .expect("ln");
        std::os::unix::fs::symlink("good.yaml", root.join(".milestones/active/alias.yml"))
            .expect("ln");
        let doc = status_json(root);
        assert!(
            error_for(&doc, ".milestones/active/escape.yaml")["message"]
                .as_str()
                .expect("m")
                .contains("outside")
        );
        assert!(
            error_for(&doc, ".milestones/active/loop1.yaml")["message"]
                .as_str()
                .expect("m")
                .contains("loop")
        );
        assert!(!ids(&doc).contains(&"secret".to_string()));
        // A link inside the workspace is read; it duplicates good.yaml.
        assert!(
            error_for(&doc, ".milestones/active/good.yaml")["message"]
                .as_str()
                .expect("m")
                .contains("duplicate")
        );
    }

    let doc = status_json(root);
    let ids = ids(&doc);
    for id in ["good", "bom", "gj", "types", "template"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    assert_eq!(milestone(&doc, "bom")["status"], "completed");
    assert_eq!(milestone(&doc, "good")["progress"], json!(10));
    assert_eq!(milestone(&doc, "gj")["progress"], json!(100));

    let latin = error_for(&doc, ".milestones/active/latin1.yaml");
    assert!(latin["message"].as_str().expect("m").contains("UTF-8"));
    assert_eq!(
        (latin["line"].as_u64(), latin["column"].as_u64()),
        (Some(2), Some(11))
    );
    assert!(
        error_for(&doc, ".milestones/active/huge.yaml")["message"]
            .as_str()
            .expect("m")
            .contains("limit")
    );
    assert!(
        error_for(&doc, ".milestones/active/empty.yaml")["message"]
            .as_str()
            .expect("m")
            .contains("empty")
    );
    assert!(
        error_for(&doc, ".milestones/active/list.yaml")["message"]
            .as_str()
            .expect("m")
            .contains("a list")
    );
    error_for(&doc, ".milestones/active/scalar.yaml");
    error_for(&doc, ".milestones/active/badjson.json");
    assert!(
        error_for(&doc, ".milestones/active/dir.yaml")["message"]
            .as_str()
            .expect("m")
            .contains("directory")
    );
    error_for(&doc, ".milestones/active/bomb.yaml");
    error_for(&doc, ".milestones/active/deep.yaml");

    // Wrong types everywhere read as missing, never as a crash.
    let t = milestone(&doc, "types");
    assert_eq!(
        (
            t["title"].as_str(),
            t["status"].as_str(),
            t["raw_status"].as_str()
        ),
        (Some("types"), Some("unknown"), Some("42"))
    );
    assert_eq!(t["requires"], json!(["3"]));
    assert_eq!(t["phases"], json!([]));
    assert_eq!(
        t["blockers"],
        json!([{"kind": "recorded", "detail": "disk: full", "source": "recorded"}, {"kind": "unmet_dependency", "detail": "3", "source": "computed"}])
    );
    // Template leftovers mean missing: the id falls back to the file stem.
    let tp = milestone(&doc, "template");
    assert_eq!(
        (
            tp["title"].as_str(),
            tp["raw_status"].is_null(),
            tp["status"].as_str()
        ),
        (Some("template"), true, Some("planned"))
    );
}

#[test]
fn the_size_limit_is_configurable() {
    let d = tempfile::tempdir().expect("tmp");
    good(d.path());
    write(
        d.path(),
        ".milestones/config/mdash.yaml",
        "limits:\n  max_file_bytes: 20\n",
    );
    let doc = status_json(d.path());
    assert!(ids(&doc).is_empty());
    assert!(
        error_for(&doc, ".milestones/active/good.yaml")["message"]
            .as_str()
            .expect("m")
            .contains("limit")
    );
}

#[test]
fn logs_with_garbage_still_give_the_last_event() {
    let d = tempfile::tempdir().expect("tmp");
    good(d.path());
    // Over 64 KiB of garbage after the last valid event: the reader scans back.
    let mut log =
        String::from("{\"timestamp\":\"2026-01-01T00:00:00Z\",\"event\":\"task_started\"}\n");
    for _ in 0..2000 {
        log.push_str(
            "{\"timestamp\":\"2026-01-02T00:00:00Z\",\"event\":,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n",
        );
    }
    log.push_str("{\"partial\": tr"); // being written
    write(d.path(), ".milestones/logs/execution-good.jsonl", log);
    write(
        d.path(),
        ".milestones/logs/shared.jsonl",
        "{\"timestamp\":\"2025-01-01T00:00:00Z\",\"event_type\":\"x\",\"milestone_id\":\"good\"}\nnot json\n",
    );
    let doc = status_json(d.path());
    assert_eq!(
        milestone(&doc, "good")["last_event"],
        json!({"timestamp": "2026-01-01T00:00:00Z", "event": "task_started"})
    );
    let e = error_for(&doc, ".milestones/logs/execution-good.jsonl");
    assert!(
        e["message"].as_str().expect("m").contains("invalid lines"),
        "{e}"
    );
    error_for(&doc, ".milestones/logs/shared.jsonl");
}

#[test]
fn fifos_where_files_belong_are_reported_not_waited_on() {
    // Opening a FIFO for reading blocks until a writer comes: a reader that
    // did so would hang forever.
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path();
    good(root);
    std::fs::create_dir_all(root.join(".milestones/logs")).expect("mkdir");
    for rel in [
        ".milestones/active/fifo.yaml",
        ".milestones/logs/execution-good.jsonl",
        ".milestones/active/current.txt",
    ] {
        let c = std::ffi::CString::new(root.join(rel).as_os_str().as_encoded_bytes()).expect("c");
        // SAFETY: mkfifo only creates a file at a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }
    let mut child = bin()
        .args(["status", "--json", "--now", NOW])
        .arg(root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            panic!("mdash status hung on a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("out");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for rel in [
        ".milestones/active/fifo.yaml",
        ".milestones/logs/execution-good.jsonl",
    ] {
        assert!(
            error_for(&doc, rel)["message"]
                .as_str()
                .expect("m")
                .contains("not a regular file"),
            "{rel}: {doc}"
        );
    }
    assert!(ids(&doc).contains(&"good".to_string()));
}
