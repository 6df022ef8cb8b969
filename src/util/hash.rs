//! A fast hasher for the reader's maps keyed by paths and ids, which are
//! hashed tens of thousands of times per reload. (The standard SipHash
//! resists collision attacks from untrusted keys; these keys are the user's
//! own file names, and a reload spent a sixth of its time in SipHash.)

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): a multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_paths_spread() {
        let set: std::collections::HashSet<u64> = (0..10_000)
            .map(|i| {
                let mut h = Fx::default();
                std::hash::Hash::hash(
                    &std::path::PathBuf::from(format!("/w/.milestones/active/m{i}.yaml")),
                    &mut h,
                );
                h.finish()
            })
            .collect();
        assert_eq!(set.len(), 10_000);
    }
}
