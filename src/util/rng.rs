//! A small deterministic generator (xorshift64), for the simulated agent and
//! the generated test documents. Not for anything that needs randomness.

pub struct Rng(pub u64);

impl Rng {
    /// `seed` must not be 0 (xorshift stays at 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() % 10_000) as f64 / 10_000.0 < p
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> usize {
        (self.next_u64() % n) as usize
    }

    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64)]
    }
}
