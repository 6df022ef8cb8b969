//! Git state of a worktree with 50,000 files (`cargo bench --bench git_status`).
//! Prints the median and spread of `git::state`, which runs on a blocking
//! worker in the dashboard, never on the UI task.

use std::time::Instant;

#[path = "../tests/it/common/mod.rs"]
mod common;
use common::{add_worktree, git_ok};

fn main() {
    let files: usize = std::env::var("FILES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    git_ok(r, &["init", "-q"]);
    for i in 0..files {
        let dir = r.join(format!("src/d{}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&dir).expect("mkdir");
        }
        std::fs::write(dir.join(format!("f{i}.txt")), format!("{i}\n")).expect("write");
    }
    git_ok(r, &["add", "-A"]);
    git_ok(r, &["commit", "-qm", "many files"]);
    let w = add_worktree(r, "2a");
    std::fs::write(w.join("src/d0/f0.txt"), "changed\n").expect("write");
    std::fs::write(w.join("untracked.txt"), "u\n").expect("write");
    let wts = milestone_dash::live::git::worktrees(r);
    let wt = wts
        .iter()
        .find(|x| x.path.ends_with("milestone-2a"))
        .expect("worktree");
    let mut times = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        let st = milestone_dash::live::git::state(r, wt, None);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(st.dirty, 2);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "git state, {files} files: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    );
}
