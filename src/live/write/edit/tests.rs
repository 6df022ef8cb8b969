//! The status edit on hand-picked layouts: what changes, what is refused.

use super::*;

fn ed(t: &str, s: &str) -> String {
    let (b, _) = with_status(t.as_bytes(), false, s).expect("edit");
    String::from_utf8(b).expect("utf8")
}

#[test]
fn only_the_value_changes() {
    assert_eq!(
        ed(
            "# c\nid: a\nstatus: planned   # x\ntasks:\n  - {id: t, status: done}\n",
            "paused"
        ),
        "# c\nid: a\nstatus: paused   # x\ntasks:\n  - {id: t, status: done}\n"
    );
    assert_eq!(
        ed("id: a\r\nstatus: 'x'\r\n", "paused"),
        "id: a\r\nstatus: paused\r\n"
    );
    assert_eq!(
        ed("\u{feff}status: x\nid: a\n", "paused"),
        "\u{feff}status: paused\nid: a\n"
    );
    assert_eq!(ed("id: a\n", "paused"), "status: paused\nid: a\n");
    assert_eq!(ed("{id: a}\n", "paused"), "{status: paused, id: a}\n");
    assert_eq!(ed("id: a\nstatus:\n", "paused"), "id: a\nstatus: paused\n");
    assert_eq!(
        ed(
            "metadata:\n  milestone_id: x\n  status: \"planning\"\n",
            "paused"
        ),
        "metadata:\n  milestone_id: x\n  status: paused\n"
    );
    assert_eq!(
        ed("milestone:\n  id: q\n  title: T\n", "paused"),
        "status: paused\nmilestone:\n  id: q\n  title: T\n"
    );
    let (b, _) = with_status(
        b"{\"id\": 1, \"status\": null, \"r\": 0.10}",
        true,
        "paused",
    )
    .expect("json");
    assert_eq!(b, b"{\"id\": 1, \"status\": \"paused\", \"r\": 0.10}");
}

#[test]
fn more_layouts() {
    // An alias is a value like any other; a tag stays.
    assert_eq!(
        ed("d: &d x\nid: a\nstatus: *d\n", "paused"),
        "d: &d x\nid: a\nstatus: paused\n"
    );
    assert_eq!(
        ed("id: a\nstatus: !!str x\n", "paused"),
        "id: a\nstatus: !!str paused\n"
    );
    assert_eq!(ed("---\nid: a\n", "paused"), "---\nstatus: paused\nid: a\n");
    assert_eq!(ed("id: a\r\n", "paused"), "status: paused\r\nid: a\r\n");
    assert_eq!(
        ed("id: a\nstatus: |\n  one\n  two\nn: 1\n", "paused"),
        "id: a\nstatus: |\n  paused\nn: 1\n"
    );
    assert_eq!(
        ed("id: a\nstatus:\n  x   # c\nn: 1\n", "paused"),
        "id: a\nstatus:\n  paused   # c\nn: 1\n"
    );
    let j = "{\n  \"id\": \"a\",\n  \"status\" :\n    \"x\",\n  \"n\": [1, {\"status\": 2}]\n}\n";
    let (b, _) = with_status(j.as_bytes(), true, "paused").expect("json");
    assert_eq!(
        String::from_utf8(b).expect("utf8"),
        j.replace("\"x\"", "\"paused\"")
    );
    // The top-level status wins over a wrapper's, as for the reader.
    assert_eq!(
        ed("metadata:\n  status: a\nstatus: b\n", "paused"),
        "metadata:\n  status: a\nstatus: paused\n"
    );
    // Already so: nothing to write.
    assert_eq!(
        ed("id: a\nstatus: paused # c\n", "paused"),
        "id: a\nstatus: paused # c\n"
    );
}

#[test]
fn a_new_key_follows_the_layout() {
    let (b, _) = with_status(b"{\n  \"id\": \"a\"\n}\n", true, "paused").expect("json");
    assert_eq!(b, b"{\n  \"status\": \"paused\",\n  \"id\": \"a\"\n}\n");
    let (b, _) = with_status(b"{}", true, "paused").expect("json");
    assert_eq!(b, b"{\"status\": \"paused\"}");
}

#[test]
fn the_state_store_is_edited_under_state() {
    let t = b"{\"milestone_id\": \"m\", \"state\": {\"status\": \"active\", \"n\": 1}}";
    let (b, id) = with_status_in(t, true, &["state"], "paused").expect("edit");
    assert_eq!(
        b,
        b"{\"milestone_id\": \"m\", \"state\": {\"status\": \"paused\", \"n\": 1}}"
    );
    assert_eq!(id.as_deref(), Some("m"));
}

#[test]
fn what_cannot_be_edited_in_place_is_refused() {
    assert!(matches!(
        with_status(b"id: a\nstatus: &s x\nother: *s\n", false, "paused"),
        Err(Refusal::Layout(_))
    ));
    assert!(matches!(
        with_status(b"", false, "paused"),
        Err(Refusal::Unreadable(_))
    ));
    assert!(matches!(
        with_status(b"id: a\nstatus: [x]\n", false, "paused"),
        Err(Refusal::Layout(_))
    ));
    for t in [
        "id: a\nstatus: \"x\n  y\"\n",
        "id: a\nstatus: x\n  y\n",
        "id: a\nstatus: {v: x}\n",
        "- id: a\n",
        "id: a\nstatus: x\n---\nstatus: y\n",
    ] {
        assert!(
            !matches!(with_status(t.as_bytes(), false, "paused"), Ok((ref b, _)) if b != t.as_bytes() && crate::read::yaml::parse(std::str::from_utf8(b).unwrap_or("")).is_err()),
            "{t:?}"
        );
    }
    assert!(matches!(
        with_status(b"id: a\nstatus: x\n", false, "not a word"),
        Err(Refusal::Layout(_))
    ));
}
