//! `mdash watch --json` (SPEC §13), the real binary: the stream's contract,
//! idleness, its ends, and (a property) that applying its changes in order
//! gives exactly what `status --json` prints.

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value as J;

use crate::common::stream::{Stream, apply};
use crate::common::{status_json, write};

fn ws() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        ".milestones/active/a.yaml",
        "id: a\ntitle: A\nstage: \"1\"\nstatus: planned\nrequires: [b]\n",
    );
    write(
        d.path(),
        ".milestones/active/b.yaml",
        "id: b\ntitle: B\nstage: \"1\"\nstatus: in_progress\n",
    );
    write(
        d.path(),
        ".milestones/active/c.yaml",
        "id: c\ntitle: C\nstage: \"2\"\nstatus: planned\n",
    );
    d
}

fn root(d: &Path) -> String {
    std::fs::canonicalize(d)
        .expect("canonical")
        .display()
        .to_string()
}

fn ids(line: &J) -> Vec<&str> {
    line["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn hello_snapshot_changes_removal_error_and_exit() {
    let d = ws();
    let missing = d.path().join("nowhere");
    let s = Stream::start(&[d.path(), &missing], &[]);
    let hello = s.line();
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["schema"], 1);
    assert!(
        hello["version"].as_str().is_some_and(|v| !v.is_empty()),
        "{hello}"
    );
    assert!(hello["host"].is_string(), "{hello}");

    let snap = s.line();
    assert_eq!(snap["type"], "snapshot", "{snap}");
    assert_eq!(snap["seq"], 1);
    assert_eq!(snap["workspace"], root(d.path()));
    let mut doc = snap["doc"].clone();
    assert_eq!(doc, status_json(d.path()));

    let err = s.line();
    assert_eq!(err["type"], "error", "{err}");
    assert_eq!(err["workspace"], missing.display().to_string());
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("nowhere")),
        "{err}"
    );

    // One edit, one line, naming only the edited milestone.
    write(
        d.path(),
        ".milestones/active/c.yaml",
        "id: c\ntitle: C two\nstage: \"2\"\nstatus: in_progress\n",
    );
    let ch = s.line();
    assert_eq!(
        (ch["type"].as_str(), ch["seq"].as_u64()),
        (Some("change"), Some(2)),
        "{ch}"
    );
    assert_eq!(ch["workspace"], root(d.path()));
    assert_eq!(ids(&ch), ["c"]);
    assert_eq!(ch["removed"], serde_json::json!([]));
    apply(&mut doc, &ch);
    assert_eq!(doc, status_json(d.path()));

    // An edit others depend on: its dependants change too, and the
    // whole blockers list comes along.
    write(
        d.path(),
        ".milestones/active/b.yaml",
        "id: b\ntitle: B\nstage: \"1\"\nstatus: completed\n",
    );
    let ch = s.line();
    assert_eq!(ch["seq"], 3, "{ch}");
    assert!(ids(&ch).contains(&"b"), "{ch}");
    apply(&mut doc, &ch);
    assert_eq!(doc, status_json(d.path()));

    std::fs::remove_file(d.path().join(".milestones/active/c.yaml")).expect("rm");
    let ch = s.line();
    assert_eq!(ch["seq"], 4, "{ch}");
    assert_eq!(ch["removed"], serde_json::json!(["c"]));
    assert_eq!(ids(&ch), Vec::<&str>::new());
    apply(&mut doc, &ch);
    assert_eq!(doc, status_json(d.path()));

    // The missing workspace is tried again: made, it arrives whole.
    write(
        &missing,
        ".milestones/active/n.yaml",
        "id: n\nstatus: planned\n",
    );
    let snap = s.line();
    assert_eq!(snap["type"], "snapshot", "{snap}");
    assert_eq!(snap["workspace"], root(&missing));
    assert_eq!(snap["seq"], 1);
    assert_eq!(snap["doc"], status_json(&missing));

    assert_eq!(s.close(), Some(0), "exits 0 when stdin ends");
}

/// Voluntary context switches of each thread of a process.
fn switches(pid: u32) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for t in std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("tasks")
        .flatten()
    {
        let st = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let n = st
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        out.insert(t.file_name().to_string_lossy().into_owned(), n);
    }
    out
}

#[test]
fn idle_it_is_silent_and_sleeps_then_pings() {
    let d = ws();
    let s = Stream::start(&[d.path()], &[]);
    assert_eq!(s.line()["type"], "hello");
    assert_eq!(s.line()["type"], "snapshot");
    // Let the first read's workers settle, then watch a quiet stretch.
    std::thread::sleep(Duration::from_millis(800));
    let before = switches(s.child.id());
    assert!(
        s.next_within(Duration::from_secs(3)).is_none(),
        "silent while idle"
    );
    let after = switches(s.child.id());
    for (tid, n) in &after {
        if let Some(b) = before.get(tid) {
            assert_eq!(
                n, b,
                "thread {tid} woke up while idle ({before:?} -> {after:?})"
            );
        }
    }
    drop(s);

    // A ping only after silence (debug builds shorten the 30 s), naming
    // the last seq written.
    let s = Stream::start(&[d.path()], &[("MDASH_WATCH_PING_MS", "300")]);
    s.line();
    s.line();
    let ping = s.line();
    assert_eq!(ping, serde_json::json!({"type": "ping", "seq": 1}));
}

#[test]
fn a_closed_stdout_ends_it() {
    let d = ws();
    let mut cmd = crate::common::bin();
    cmd.args(["watch", "--json"]).arg(d.path());
    let (r, w) = std::io::pipe().expect("pipe");
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(w)
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut &r, &mut first).expect("hello");
    drop(r);
    let deadline = std::time::Instant::now() + crate::common::stream::PATIENCE;
    let code = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running with stdout closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
}

#[derive(Debug, Clone)]
enum Op {
    Write {
        id: u8,
        stage: Option<u8>,
        status: u8,
        requires: Option<u8>,
    },
    Remove(u8),
    Broken(u8),
}

const STATUSES: [&str; 5] = [
    "planned",
    "in_progress",
    "completed",
    "blocked",
    "executing",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, proptest::option::of(0u8..3), 0u8..5, proptest::option::of(0u8..6))
            .prop_map(|(id, stage, status, requires)| Op::Write { id, stage, status, requires }),
        1 => (0u8..6).prop_map(Op::Remove),
        1 => (0u8..6).prop_map(Op::Broken),
    ]
}

fn perform(root: &Path, op: &Op) {
    let file = |id: u8| root.join(format!(".milestones/active/m{id}.yaml"));
    match op {
        Op::Write {
            id,
            stage,
            status,
            requires,
        } => {
            let mut y = format!(
                "id: m{id}\ntitle: \"M {id}; $(x)\"\nstatus: {}\n",
                STATUSES[*status as usize]
            );
            if let Some(s) = stage {
                y.push_str(&format!("stage: \"{s}\"\n"));
            }
            if let Some(r) = requires {
                y.push_str(&format!("requires: [m{r}]\n"));
            }
            write(root, &format!(".milestones/active/m{id}.yaml"), &y);
        }
        Op::Remove(id) => {
            let _ = std::fs::remove_file(file(*id));
        }
        Op::Broken(id) => write(
            root,
            &format!(".milestones/active/m{id}.yaml"),
            "id: [unclosed\n",
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// Applying the stream's changes in order gives exactly `status --json`
    /// after every edit: the lines say enough, and never too late.
    #[test]
    fn changes_applied_in_order_give_status_json(ops in proptest::collection::vec(op(), 1..7)) {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), ".milestones/active/m0.yaml", "id: m0\nstatus: planned\n");
        let s = Stream::start(&[d.path()], &[]);
        s.line();
        let snap = s.line();
        let mut doc = snap["doc"].clone();
        let mut seq = snap["seq"].as_u64().expect("seq");
        for op in &ops {
            perform(d.path(), op);
            let want = status_json(d.path());
            // Lines come until the state is the one status prints (an edit
            // that changes nothing on the document sends nothing).
            while doc != want {
                let ch = s.line();
                prop_assert_eq!(ch["type"].as_str(), Some("change"), "{}", ch);
                seq += 1;
                prop_assert_eq!(ch["seq"].as_u64(), Some(seq));
                apply(&mut doc, &ch);
            }
        }
        prop_assert!(s.next_within(Duration::from_millis(300)).is_none(), "nothing more");
    }
}
