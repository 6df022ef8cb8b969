//! Maps for the reader's paths and ids, hashed tens of thousands of times
//! per reload. The standard SipHash resists collision attacks from
//! untrusted keys; these keys are the user's own file names, and a reload
//! spent a sixth of its time in SipHash. foldhash's fast hasher (already in
//! the tree through ratatui's hashbrown) is used instead.

use std::collections::{HashMap, HashSet};

pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
pub type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_paths_spread() {
        use std::hash::BuildHasher;
        let state = foldhash::fast::FixedState::default();
        let set: HashSet<u64> = (0..10_000)
            .map(|i| {
                state.hash_one(std::path::PathBuf::from(format!(
                    "/w/.milestones/active/m{i}.yaml"
                )))
            })
            .collect();
        assert_eq!(set.len(), 10_000);
    }
}
