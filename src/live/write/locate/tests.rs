//! The locator on hand-picked layouts.

use super::*;

fn val<'a>(s: &'a str, path: &[&str]) -> &'a str {
    let sp = find(s, path, false).expect("found").expect("some");
    &s[sp.start..sp.end]
}

#[test]
fn finds_values_in_each_layout() {
    assert_eq!(val("id: a\nstatus: x  # c\n", &["status"]), "x");
    assert_eq!(val("status: \"x\"\r\n", &["status"]), "x");
    assert_eq!(
        val("{id: a, status: x, t: [{status: y}]}\n", &["status"]),
        "x"
    );
    assert_eq!(val("id: a\nstatus:\n  x\nt: 1\n", &["status"]), "x");
    assert_eq!(val("id: a\nstatus: >-\n  x\nt: 1\n", &["status"]), "x");
    assert_eq!(
        val(
            "metadata:  # m\n  id: a\n  status: x\nk:\n  status: y\n",
            &["metadata", "status"]
        ),
        "x"
    );
    assert_eq!(
        val("description: >-\n  status: no\nstatus: x\n", &["status"]),
        "x"
    );
    assert_eq!(val("tasks:\n- status: no\nstatus: x\n", &["status"]), "x");
    assert_eq!(val("a:\n  b:\n    c: x\n", &["a", "b", "c"]), "x");
    assert!(find("status: a\n  b\n", &["status"], false).is_err());
    assert!(find("status: \"a\n  b\"\n", &["status"], false).is_err());
    let j = "{\"id\": \"a\", \"status\":\"x\", \"dup\": 1, \"status\": \"y\"}";
    let sp = find(j, &["status"], true).expect("ok").expect("some");
    assert_eq!(&j[sp.start..sp.end], "y");
    assert_eq!(find("id: a\n", &["status"], false), Ok(None));
    let sp = find("id: a\nstatus:   # later\n", &["status"], false)
        .expect("ok")
        .expect("some");
    assert_eq!((sp.start, sp.end, sp.style), (13, 13, Style::Empty));
    assert!(find("status: &a\n", &["status"], false).is_err());
    assert!(find("? status\n: x\n", &["status"], false).is_err());
    assert!(find("status: a\nstatus: b\n", &["status"], false).is_err());
}
