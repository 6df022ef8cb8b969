//! The dependency graph: which milestones lie on a cycle of `requires`.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// For each milestone on a cycle, the shortest cycle through it, written
/// `a -> b -> a`. Edges to unknown ids are ignored here (they are unmet
/// dependencies, not cycles).
pub fn cycles<'a>(nodes: impl Iterator<Item = (&'a str, &'a [String])>) -> HashMap<String, String> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let list: Vec<(&str, &[String])> = nodes.collect();
    for (id, _) in &list {
        graph.entry(id).or_default();
    }
    for (id, reqs) in &list {
        for r in reqs.iter() {
            if graph.contains_key(r.as_str())
                && let Some(e) = graph.get_mut(id)
            {
                e.insert(r.as_str());
            }
        }
    }
    let mut out = HashMap::new();
    for comp in components(&graph) {
        let cyclic = comp.len() > 1 || graph.get(comp[0]).is_some_and(|e| e.contains(comp[0]));
        if !cyclic {
            continue;
        }
        let members: BTreeSet<&str> = comp.iter().copied().collect();
        // One search, then rotations of it: exact for the ring-shaped
        // components seen in practice, and linear for long rings.
        let mut known: HashMap<&str, String> = HashMap::new();
        if let Some(ring) = shortest_cycle(&graph, &members, comp[0], usize::MAX) {
            let body = &ring[..ring.len() - 1];
            for i in 0..body.len() {
                let rot = body[i..].iter().chain(&body[..i]).copied();
                known
                    .entry(body[i])
                    .or_insert_with(|| render(rot, body.len()));
            }
        }
        for &start in &comp {
            let detail = match known.remove(start) {
                Some(d) if comp.len() > SEARCH_LIMIT => Some(d),
                _ => match shortest_cycle(&graph, &members, start, MAX_VISITS) {
                    Some(p) => {
                        let n = p.len() - 1;
                        Some(render(p.into_iter().take(n), n))
                    }
                    // The search gave up in a huge tangle: say so rather than
                    // spend quadratic time naming the exact ring.
                    None => Some(format!(
                        "{start} -> … -> {start} (one of {} milestones on cycles)",
                        comp.len()
                    )),
                },
            };
            if let Some(d) = detail {
                out.insert(start.to_string(), d);
            }
        }
    }
    out
}

/// Longer cycles are abbreviated: nobody reads a thousand ids.
const SHOWN: usize = 12;

/// `a -> b -> a`, or `a -> b -> … -> a (40 milestones)` for long cycles.
/// `ring` yields the cycle's members once each, starting anywhere.
fn render<'a>(ring: impl Iterator<Item = &'a str>, len: usize) -> String {
    let shown: Vec<&str> = ring.take(SHOWN.min(len)).collect();
    let Some(first) = shown.first() else {
        return String::new();
    };
    if len <= SHOWN {
        format!("{} -> {first}", shown.join(" -> "))
    } else {
        format!(
            "{} -> … -> {first} ({len} milestones)",
            shown[..SHOWN - 2].join(" -> ")
        )
    }
}

/// A cycle search stops after visiting this many milestones.
const MAX_VISITS: usize = 4096;

/// Components larger than this get rotated cycles instead of one search per node.
const SEARCH_LIMIT: usize = 256;

/// Strongly connected components (Tarjan, iterative so deep chains cannot
/// overflow the stack).
fn components<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    // Tarjan over indices: the ids once into a table, then plain arrays
    // (hash lookups per edge cost more than the walk at 10,000 milestones).
    let ids: Vec<&str> = graph.keys().copied().collect();
    let at: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let succ: Vec<Vec<usize>> = graph
        .values()
        .map(|reqs| reqs.iter().filter_map(|r| at.get(r).copied()).collect())
        .collect();
    const UNSEEN: usize = usize::MAX;
    let n = ids.len();
    let (mut index, mut low, mut on_stack) = (vec![UNSEEN; n], vec![0; n], vec![false; n]);
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, how many of its successors are done)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut done)) = work.last_mut() {
            if let Some(&w) = succ[v].get(*done) {
                *done += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(ids[w]);
                    if w == v {
                        break;
                    }
                }
                comp.sort_unstable();
                out.push(comp);
            }
        }
    }
    out
}

fn shortest_cycle<'a>(
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    members: &BTreeSet<&'a str>,
    start: &'a str,
    max_visits: usize,
) -> Option<Vec<&'a str>> {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        if prev.len() > max_visits {
            return None;
        }
        for &w in &graph[v] {
            if !members.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut cur = v;
                while cur != start {
                    cur = prev[cur];
                    path.push(cur);
                }
                path.reverse();
                path.push(start);
                return Some(path);
            }
            if !prev.contains_key(w) && w != start {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(edges: &[(&str, &[&str])]) -> HashMap<String, String> {
        let owned: Vec<(String, Vec<String>)> = edges
            .iter()
            .map(|(a, r)| (a.to_string(), r.iter().map(|s| s.to_string()).collect()))
            .collect();
        cycles(owned.iter().map(|(a, r)| (a.as_str(), r.as_slice())))
    }

    #[test]
    fn finds_cycles_and_ignores_chains() {
        let c = run(&[
            ("a", &["b"]),
            ("b", &["c"]),
            ("c", &["a"]),
            ("d", &["a"]),
            ("e", &["ghost"]),
        ]);
        assert_eq!(c.get("a").map(String::as_str), Some("a -> b -> c -> a"));
        assert_eq!(c.get("b").map(String::as_str), Some("b -> c -> a -> b"));
        assert!(!c.contains_key("d"));
        assert!(!c.contains_key("e"));
    }

    #[test]
    fn self_loop_and_two_cycle() {
        let c = run(&[("a", &["a"]), ("x", &["y"]), ("y", &["x"])]);
        assert_eq!(c.get("a").map(String::as_str), Some("a -> a"));
        assert_eq!(c.get("y").map(String::as_str), Some("y -> x -> y"));
    }

    #[test]
    fn long_chain_does_not_overflow() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("m{i}")).collect();
        let reqs: Vec<Vec<String>> = (0..20_000)
            .map(|i| {
                if i > 0 {
                    vec![ids[i - 1].clone()]
                } else {
                    vec![ids[19_999].clone()]
                }
            })
            .collect();
        let c = cycles(
            ids.iter()
                .map(String::as_str)
                .zip(reqs.iter().map(Vec::as_slice)),
        );
        assert_eq!(c.len(), 20_000);
        assert_eq!(
            c["m5"],
            "m5 -> m4 -> m3 -> m2 -> m1 -> m0 -> m19999 -> m19998 -> m19997 -> m19996 -> … -> m5 (20000 milestones)"
        );
    }

    #[test]
    fn components_match_mutual_reachability_on_random_graphs() {
        let mut rng = crate::util::rng::Rng::new(42);
        for _ in 0..300 {
            let n = 1 + rng.below(25);
            let names: Vec<String> = (0..n).map(|i| format!("m{i:02}")).collect();
            let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for a in &names {
                let e = graph.entry(a.as_str()).or_default();
                for b in &names {
                    if rng.chance(0.08) {
                        e.insert(b.as_str());
                    }
                }
            }
            fn reach<'g>(
                graph: &BTreeMap<&'g str, BTreeSet<&'g str>>,
                from: &'g str,
            ) -> BTreeSet<&'g str> {
                let mut seen = BTreeSet::from([from]);
                let mut todo = vec![from];
                while let Some(v) = todo.pop() {
                    for &w in &graph[v] {
                        if seen.insert(w) {
                            todo.push(w);
                        }
                    }
                }
                seen
            }
            let mut want: BTreeSet<Vec<&str>> = BTreeSet::new();
            for a in graph.keys() {
                let ra = reach(&graph, a);
                let comp: Vec<&str> = graph
                    .keys()
                    .copied()
                    .filter(|b| ra.contains(b) && reach(&graph, b).contains(a))
                    .collect();
                want.insert(comp);
            }
            let got: BTreeSet<Vec<&str>> = components(&graph).into_iter().collect();
            assert_eq!(got, want);
        }
    }
}
