//! The read fence against a symlink swapped in while it reads (issue 25
//! item 5): a thread exchanges a file, or a directory on the way, with a
//! symlink that leads out of the workspace, atomically and over and over,
//! while the fence reads. Whatever it reads must be the inside bytes or a
//! refusal, never the outside file.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use milestone_dash::read::file::{self, Fence};
use rustix::fs::{CWD, RenameFlags, renameat_with};

const READS: usize = 20_000;

/// Swaps `a` and `b` (one a symlink) until told to stop.
fn swapper(a: PathBuf, b: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            renameat_with(CWD, &a, CWD, &b, RenameFlags::EXCHANGE).expect("exchange");
            n += 1;
        }
        n
    })
}

/// Reads `path` `READS` times through a new fence each time (one per
/// reload, as the reader makes them) with `read`, and returns how many
/// reads gave the inside text and how many were refused; panics on the
/// outside text.
fn race(root: &Path, path: &Path, read: impl Fn(&Fence, &Path) -> Option<String>) -> (u32, u32) {
    let (mut inside, mut refused) = (0, 0);
    for i in 0..READS {
        let fence = Fence::new(root, 1 << 20);
        match read(&fence, path) {
            Some(t) if t.contains("SECRET") => {
                panic!("read {i}: the fence read the outside file through a swapped-in symlink")
            }
            Some(t) if t.contains("inside") => inside += 1,
            _ => refused += 1,
        }
    }
    (inside, refused)
}

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("ws");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join(".milestones/active")).expect("mkdir");
    std::fs::create_dir_all(root.join(".milestones/logs")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let secret = "id: x\ntitle: SECRET\n";
    std::fs::write(outside.join("a.yaml"), secret).expect("secret");
    let log =
        "{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"note\",\"milestone_id\":\"SECRET\"}\n";
    std::fs::write(outside.join("execution-a.jsonl"), log).expect("secret log");
    let root = std::fs::canonicalize(root).expect("canon");
    let outside = std::fs::canonicalize(outside).expect("canon");
    Setup {
        _dir: dir,
        root,
        outside,
    }
}

fn skip() -> bool {
    // The guarantee under a race is openat2's; without it the fence walks
    // and then opens, as it always did.
    if !file::beneath_available() {
        eprintln!("openat2 is not available here; the race cannot be closed");
        return true;
    }
    false
}

/// Reads `path` while `a` and `b` are exchanged.
fn run(
    root: &Path,
    path: &Path,
    (a, b): (&Path, &Path),
    read: impl Fn(&Fence, &Path) -> Option<String>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let t = swapper(a.to_path_buf(), b.to_path_buf(), stop.clone());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| race(root, path, read)));
    stop.store(true, Ordering::Relaxed);
    let swaps = t.join().expect("swapper");
    let (inside, refused) = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    // Both sides of the swap were seen: the race was run, not skipped.
    assert!(
        swaps > 0 && inside > 0,
        "swaps {swaps}, inside {inside}, refused {refused}"
    );
}

fn text(f: &Fence, p: &Path) -> Option<String> {
    f.read_text(p).ok()
}

fn log(f: &Fence, p: &Path) -> Option<String> {
    milestone_dash::read::log::read_tail(f, p)
        .ok()
        .map(|r| format!("{:?}", r.events))
}

/// The milestone file itself flips between a regular file and an absolute
/// symlink out of the workspace.
#[test]
fn fence_refuses_a_file_swapped_for_a_symlink_while_it_reads() {
    if skip() {
        return;
    }
    let s = setup();
    let path = s.root.join(".milestones/active/a.yaml");
    std::fs::write(&path, "id: a\ntitle: inside\n").expect("write");
    let other = s.root.join(".milestones/active/a.link");
    symlink(s.outside.join("a.yaml"), &other).expect("ln");
    run(&s.root, &path, (&path, &other), text);
}

/// A directory on the way (`.milestones/active`) flips between the real
/// directory and a relative symlink to a directory outside.
#[test]
fn fence_refuses_a_directory_swapped_for_a_symlink_while_it_reads() {
    if skip() {
        return;
    }
    let s = setup();
    let active = s.root.join(".milestones/active");
    std::fs::write(active.join("a.yaml"), "id: a\ntitle: inside\n").expect("write");
    let other = s.root.join(".milestones/elsewhere");
    symlink("../../outside", &other).expect("ln");
    run(&s.root, &active.join("a.yaml"), (&active, &other), text);
}

/// An event log read by its tail flips the same way.
#[test]
fn fence_refuses_a_log_swapped_for_a_symlink_while_it_reads() {
    if skip() {
        return;
    }
    let s = setup();
    let path = s.root.join(".milestones/logs/execution-a.jsonl");
    std::fs::write(
        &path,
        "{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"note\",\"milestone_id\":\"inside\"}\n",
    )
    .expect("write");
    let other = s.root.join(".milestones/logs/a.link");
    symlink(s.outside.join("execution-a.jsonl"), &other).expect("ln");
    run(&s.root, &path, (&path, &other), log);
}
