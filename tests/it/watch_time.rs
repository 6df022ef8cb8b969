//! `mdash watch --json` follows the clock as the rules do (issue 28): a
//! view that changes with time alone — here a task turning long-running —
//! reaches the stream as a change line, with no file touched. The stream
//! arms one timer for the rules' next change (`rules::next_change`), not
//! a poll.

use crate::common::stream::Stream;
use crate::common::write;

fn has_long_task(line: &serde_json::Value) -> bool {
    line["blockers"].as_array().is_some_and(|b| {
        b.iter()
            .any(|b| b["kind"] == "long_running_task" && b["detail"] == "t1")
    })
}

#[test]
fn a_task_turning_long_running_with_time_alone_reaches_the_stream() {
    let d = tempfile::tempdir().expect("tmp");
    // Started 50 s ago, long-running after a minute: due in about 10 s.
    let started = (chrono::Utc::now() - chrono::Duration::seconds(50))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    write(
        d.path(),
        ".milestones/active/a.yaml",
        format!(
            "id: a\ntitle: A\nstatus: in_progress\ntasks:\n  - id: t1\n    status: in_progress\n    started_at: {started}\n"
        ),
    );
    write(
        d.path(),
        ".milestones/config/mdash.yaml",
        "blockers:\n  long_task_minutes: 1\n",
    );
    let mut cmd = crate::common::bin();
    cmd.args(["watch", "--json"]).arg(d.path());
    let s = Stream::spawn(cmd);
    assert_eq!(s.line()["type"], "hello");
    let snap = s.line();
    assert_eq!(snap["type"], "snapshot", "{snap}");
    assert!(!has_long_task(&snap["doc"]), "not yet: {snap}");
    loop {
        let l = s.line();
        if l["type"] == "change" && has_long_task(&l) {
            assert_eq!(l["seq"], 2, "the first change: {l}");
            break;
        }
        assert_eq!(l["type"], "ping", "nothing else: {l}");
    }
    assert_eq!(s.close(), Some(0));
}
