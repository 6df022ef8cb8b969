//! The conflict forecast (SPEC §9): for every pair of unmerged milestone
//! branch tips, and each tip against the base, a three-way merge computed in
//! an in-memory index (`merge_commits`): no checkout, index or ref is
//! touched. Results are cached by the pair of commit ids, so n branches cost
//! n² merges once and then only the pairs whose tips moved.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use git2::{Oid, Repository};

/// The paths a commit changed since `base`: a tree diff, which skips every
/// subtree the two share (cheap next to a merge, which walks every entry).
fn changed(repo: &Repository, base: Oid, tip: Oid) -> Option<BTreeSet<String>> {
    let tree = |o: Oid| repo.find_commit(o).ok()?.tree().ok();
    let diff = repo
        .diff_tree_to_tree(tree(base).as_ref(), tree(tip).as_ref(), None)
        .ok()?;
    let mut out = BTreeSet::new();
    for d in diff.deltas() {
        for f in [d.old_file().path(), d.new_file().path()]
            .into_iter()
            .flatten()
        {
            out.insert(f.to_string_lossy().into_owned());
        }
    }
    Some(out)
}

/// Some path of `a` is a path of `b`, or a directory above or below one
/// (a file on one side where the other has a directory).
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().any(|p| {
        big.contains(p)
            || big
                .range(format!("{p}/")..)
                .next()
                .is_some_and(|q| q.starts_with(&format!("{p}/")))
            || p.match_indices('/').any(|(i, _)| big.contains(&p[..i]))
    })
}

/// The conflicting paths of merging two commits; empty when clean. `None`
/// when git cannot merge them at all (unrelated histories, a missing object).
/// A three-way merge conflicts only where both sides changed a path, so
/// when their changes since the merge base are apart, no merge is needed.
fn conflicts(repo: &Repository, a: Oid, b: Oid) -> Option<Vec<String>> {
    let base = repo.merge_base(a, b).ok()?;
    if let (Some(ca), Some(cb)) = (changed(repo, base, a), changed(repo, base, b))
        && !overlap(&ca, &cb)
    {
        return Some(Vec::new());
    }
    let (ca, cb) = (repo.find_commit(a).ok()?, repo.find_commit(b).ok()?);
    let index = repo.merge_commits(&ca, &cb, None).ok()?;
    if !index.has_conflicts() {
        return Some(Vec::new());
    }
    let mut paths: Vec<String> = index
        .conflicts()
        .ok()?
        .flatten()
        .filter_map(|c| {
            let e = c.our.or(c.their).or(c.ancestor)?;
            Some(String::from_utf8_lossy(&e.path).into_owned())
        })
        .collect();
    paths.sort();
    paths.dedup();
    Some(paths)
}

type Pair = (Oid, Oid);

/// Merges every pair, on up to 4 threads (a `Repository` is not `Sync`:
/// one per thread), in order.
fn merge_all(root: &Path, jobs: &[Pair]) -> Vec<Option<Vec<String>>> {
    let one = |chunk: &[Pair]| -> Vec<Option<Vec<String>>> {
        let repo = Repository::open(root).ok();
        chunk
            .iter()
            .map(|&(a, b)| repo.as_ref().and_then(|r| conflicts(r, a, b)))
            .collect()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if threads <= 1 || jobs.len() < 8 {
        return one(jobs);
    }
    let size = jobs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs.chunks(size).map(|c| s.spawn(move || one(c))).collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Pairs already merged in memory, by (smaller, larger) commit id.
#[derive(Debug, Default)]
pub struct Cache {
    pairs: HashMap<Pair, Option<Vec<String>>>,
    /// Merges the last `forecast` computed (the rest came from the cache).
    pub computed: usize,
}

fn key(a: Oid, b: Oid) -> Pair {
    if a <= b { (a, b) } else { (b, a) }
}

/// One milestone's forecast: the others its tip conflicts with (`"base"`
/// first when merging it into the base alone would), each with the paths.
pub type Forecast = Vec<(String, Vec<String>)>;

/// `tips` are (milestone id, full commit id) of the unmerged branches (the
/// caller leaves merged ones out); `base` is the base branch's commit.
pub fn forecast(
    root: &Path,
    tips: &[(String, String)],
    base: Option<&str>,
    cache: &mut Cache,
) -> Vec<(String, Forecast)> {
    let tips: Vec<(&str, Oid)> = tips
        .iter()
        .filter_map(|(id, h)| Some((id.as_str(), Oid::from_str(h).ok()?)))
        .collect();
    let base = base.and_then(|b| Oid::from_str(b).ok());
    let mut wanted: Vec<Pair> = Vec::new();
    for (i, (_, a)) in tips.iter().enumerate() {
        wanted.extend(base.filter(|b| b != a).map(|b| key(*a, b)));
        wanted.extend(
            tips[i + 1..]
                .iter()
                .filter(|(_, b)| b != a)
                .map(|(_, b)| key(*a, *b)),
        );
    }
    wanted.sort();
    wanted.dedup();
    let jobs: Vec<Pair> = wanted
        .iter()
        .filter(|k| !cache.pairs.contains_key(k))
        .copied()
        .collect();
    cache.computed = jobs.len();
    let results = merge_all(root, &jobs);
    let mut fresh: HashMap<Pair, Option<Vec<String>>> = jobs.into_iter().zip(results).collect();
    // Keep only the pairs still asked about: the cache holds n² at most.
    let mut keep = HashMap::with_capacity(wanted.len());
    for k in wanted {
        if let Some(v) = fresh.remove(&k).or_else(|| cache.pairs.remove(&k)) {
            keep.insert(k, v);
        }
    }
    cache.pairs = keep;
    let hit = |a: Oid, b: Oid| -> Option<Vec<String>> {
        cache
            .pairs
            .get(&key(a, b))
            .and_then(|r| r.clone())
            .filter(|p| !p.is_empty())
    };
    let mut sorted = tips.clone();
    sorted.sort_by(|x, y| x.0.cmp(y.0));
    tips.iter()
        .map(|&(id, a)| {
            let mut out: Forecast = Vec::new();
            if let Some(paths) = base.filter(|b| *b != a).and_then(|b| hit(a, b)) {
                out.push(("base".to_string(), paths));
            }
            for &(other, b) in &sorted {
                if other != id
                    && a != b
                    && let Some(paths) = hit(a, b)
                {
                    out.push((other.to_string(), paths));
                }
            }
            (id.to_string(), out)
        })
        .collect()
}

/// Fills `forecast` and `forecast_paths` of every unmerged worktree with a
/// HEAD, against the others and the base branch's tip.
pub fn attach(
    root: &Path,
    states: &mut [(String, crate::model::WorktreeState)],
    configured_base: Option<&str>,
    cache: &mut Cache,
) {
    let base = Repository::open(root).ok().and_then(|repo| {
        let name = super::base_branch(&repo, configured_base)?;
        let b = repo.find_branch(&name, git2::BranchType::Local).ok()?;
        b.get().target().map(|o| o.to_string())
    });
    let tips: Vec<(String, String)> = states
        .iter()
        .filter(|(_, s)| s.merged != Some(true) && !s.prunable)
        .filter_map(|(id, s)| Some((id.clone(), s.head_id.clone()?)))
        .collect();
    let out = forecast(root, &tips, base.as_deref(), cache);
    for (id, hits) in out {
        if let Some((_, s)) = states.iter_mut().find(|(i, _)| *i == id) {
            (s.forecast, s.forecast_paths) = hits.into_iter().unzip();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn overlap_sees_shared_paths_and_file_directory_clashes() {
        assert!(!overlap(&set(&["a/x", "b"]), &set(&["a/y", "c"])));
        assert!(overlap(&set(&["a/x"]), &set(&["a/x"])));
        assert!(overlap(&set(&["a"]), &set(&["a/x"])));
        assert!(overlap(&set(&["a/x/y"]), &set(&["a/x"])));
        assert!(
            !overlap(&set(&["ab"]), &set(&["a/x"])),
            "a prefix of a name is no directory"
        );
        assert!(!overlap(&set(&[]), &set(&["a"])));
    }
}
