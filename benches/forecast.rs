//! The conflict forecast (`cargo bench --bench forecast`): 20 milestone
//! branches of a 10,000-file repository, each touching 50 files (branch i
//! overlaps branch i+1 on 10 of them, so neighbours conflict). Prints the
//! cold forecast (every pair and each branch against the base), a warm one
//! with nothing moved, and one after a single branch moved.

use std::time::Instant;

use git2::{Oid, Repository, Signature};

const FILES: usize = 10_000;
const BRANCHES: usize = 20;
const TOUCHED: usize = 50;
const STEP: usize = 40;

fn content(i: usize, first: &str) -> String {
    let mut s = format!("{first}\n");
    for l in 1..20 {
        s.push_str(&format!("file {i} line {l}\n"));
    }
    s
}

fn path(i: usize) -> String {
    format!("src/d{}/f{i}.txt", i / 100)
}

fn commit(repo: &Repository, parent: Option<Oid>, edits: &[(String, String)], msg: &str) -> Oid {
    let sig = Signature::now("b", "b@example.com").expect("sig");
    let base = parent.map(|p| repo.find_commit(p).expect("parent").tree().expect("tree"));
    let mut up = git2::build::TreeUpdateBuilder::new();
    for (p, text) in edits {
        let blob = repo.blob(text.as_bytes()).expect("blob");
        up.upsert(p.as_str(), blob, git2::FileMode::Blob);
    }
    let empty;
    let baseline = match &base {
        Some(t) => t,
        None => {
            let id = repo
                .treebuilder(None)
                .expect("tb")
                .write()
                .expect("empty tree");
            empty = repo.find_tree(id).expect("tree");
            &empty
        }
    };
    let tree = repo
        .find_tree(up.create_updated(repo, baseline).expect("update"))
        .expect("tree");
    let parents: Vec<git2::Commit> = parent
        .iter()
        .map(|p| repo.find_commit(*p).expect("c"))
        .collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(None, &sig, &sig, msg, &tree, &refs)
        .expect("commit")
}

fn main() {
    let d = tempfile::tempdir().expect("tmp");
    let repo = Repository::init_bare(d.path()).expect("init");
    let t = Instant::now();
    let all: Vec<(String, String)> = (0..FILES).map(|i| (path(i), content(i, "base"))).collect();
    let base = commit(&repo, None, &all, "10,000 files");
    repo.reference("refs/heads/main", base, true, "bench")
        .expect("main");
    let mut tips: Vec<(String, String)> = Vec::new();
    for b in 0..BRANCHES {
        let edits: Vec<(String, String)> = (b * STEP..b * STEP + TOUCHED)
            .map(|i| (path(i), content(i, &format!("branch {b}"))))
            .collect();
        let tip = commit(&repo, Some(base), &edits, &format!("branch {b}"));
        tips.push((format!("b{b:02}"), tip.to_string()));
    }
    println!(
        "setup: {FILES} files, {BRANCHES} branches x {TOUCHED} files in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut cache = milestone_dash::live::git::forecast::Cache::default();
    let run = |cache: &mut milestone_dash::live::git::forecast::Cache,
               tips: &[(String, String)],
               label: &str| {
        let t = Instant::now();
        let out = milestone_dash::live::git::forecast::forecast(
            d.path(),
            tips,
            Some(&base.to_string()),
            cache,
        );
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let pairs: usize = out.iter().map(|(_, v)| v.len()).sum::<usize>() / 2;
        println!(
            "{label}: {ms:.1} ms, {} merges computed, {pairs} conflicting pairs",
            cache.computed
        );
        out
    };
    let out = run(&mut cache, &tips, "cold (190 pairs + 20 against main)");
    assert_eq!(
        out.iter().find(|(id, _)| id == "b00").map(|(_, v)| v.len()),
        Some(1)
    );
    for _ in 0..3 {
        run(&mut cache, &tips, "warm, nothing moved");
    }
    let edits = vec![(path(5 * STEP), content(5 * STEP, "moved"))];
    let moved = commit(
        &repo,
        Some(Oid::from_str(&tips[5].1).expect("oid")),
        &edits,
        "b05 moves",
    );
    tips[5].1 = moved.to_string();
    run(
        &mut cache,
        &tips,
        "one branch moved (19 pairs + 1 against main)",
    );
}
