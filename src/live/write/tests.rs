//! The write path's own tests: fences, temp files, compare-before-replace.

use super::*;

#[test]
fn create_new_refuses_an_existing_file() {
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path().join("a.yaml");
    create_new(&p, b"one").expect("first");
    let err = create_new(&p, b"two").expect_err("second");
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(fs::read(&p).expect("read"), b"one");
    assert_eq!(
        fs::read_dir(d.path()).expect("ls").count(),
        1,
        "no temp file left"
    );
}

#[test]
fn replace_only_when_unchanged() {
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path().join("a.yaml");
    fs::write(&p, "v1").expect("write");
    assert!(replace_if_unchanged(&p, b"v1", b"v2").expect("replace"));
    assert!(!replace_if_unchanged(&p, b"v1", b"v3").expect("stale"));
    assert_eq!(fs::read(&p).expect("read"), b"v2");
    assert_eq!(
        fs::read_dir(d.path()).expect("ls").count(),
        1,
        "no temp file left"
    );
}

#[test]
fn writes_stay_inside_the_fence() {
    let d = tempfile::tempdir().expect("tmp");
    let root = d.path().join("ws");
    let out = d.path().join("out");
    fs::create_dir_all(&root).expect("mkdir");
    fs::create_dir_all(&out).expect("mkdir");
    fs::write(out.join("rc"), "x").expect("write");
    std::os::unix::fs::symlink(out.join("rc"), root.join("log")).expect("link");
    std::os::unix::fs::symlink(&out, root.join("dir")).expect("link");
    let fence = Fence::new(&root);
    assert!(append(&fence, &root.join("log"), b"y").is_err());
    assert!(replace(&fence, &root.join("log"), b"y").is_err());
    assert!(replace(&fence, &root.join("dir/new"), b"y").is_err());
    assert!(replace(&fence, &root.join("dir/sub/new"), b"y").is_err());
    assert!(replace(&fence, &root.join("../out/x"), b"y").is_err());
    assert_eq!(fs::read_to_string(out.join("rc")).expect("rc"), "x");
    assert_eq!(fs::read_dir(&out).expect("ls").count(), 1);
    replace(&fence, &root.join("a/b/c.yaml"), b"ok").expect("inside");
    append(&fence, &root.join("a/log"), b"1").expect("append");
    assert!(safe_name("../x", "session id").is_err());
    assert!(safe_name("session-20250817-101010", "session id").is_ok());
}
