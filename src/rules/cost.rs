//! What an agent's tokens cost (SPEC §8.3): each message's tokens times
//! the price of its model, summed exactly in integers and rounded once to
//! millionths of a dollar, half away from zero. Pure.

use crate::model::{Price, Prices, Tokens};

/// Built-in prices, in dollars per million tokens: input, output, cache
/// read, cache write (5-minute). Taken from Anthropic's published pricing
/// (claude.com/pricing, as of 2025-11); README "Cost" says so. A newer
/// model of a family falls to its family's prefix.
const DEFAULTS: &[(&str, [f64; 4])] = &[
    ("claude-opus-4", [5.0, 25.0, 0.5, 6.25]),
    ("claude-opus-4-0", [15.0, 75.0, 1.5, 18.75]),
    ("claude-opus-4-1", [15.0, 75.0, 1.5, 18.75]),
    ("claude-opus-4-2025", [15.0, 75.0, 1.5, 18.75]),
    ("claude-sonnet-4", [3.0, 15.0, 0.3, 3.75]),
    ("claude-haiku-4", [1.0, 5.0, 0.1, 1.25]),
    ("claude-3-7-sonnet", [3.0, 15.0, 0.3, 3.75]),
    ("claude-3-5-sonnet", [3.0, 15.0, 0.3, 3.75]),
    ("claude-3-5-haiku", [0.8, 4.0, 0.08, 1.0]),
    ("claude-3-opus", [15.0, 75.0, 1.5, 18.75]),
    ("claude-3-haiku", [0.25, 1.25, 0.03, 0.3]),
];

/// Dollars per million tokens as the integer `Price` keeps (millionths).
pub fn micros(dollars_per_million: f64) -> Option<u64> {
    // Half away from zero on the decimal value, as every SPEC rounding.
    (dollars_per_million.is_finite() && dollars_per_million >= 0.0).then(|| {
        crate::util::round::scaled(dollars_per_million, 6)
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or((dollars_per_million * 1e6).round() as u64)
    })
}

pub fn price(p: [f64; 4]) -> Price {
    let m = |x: f64| micros(x).unwrap_or(0);
    Price {
        input: m(p[0]),
        output: m(p[1]),
        cache_read: m(p[2]),
        cache_write: m(p[3]),
    }
}

/// The built-in price table.
pub fn defaults() -> Prices {
    Prices {
        configured: Vec::new(),
        defaults: DEFAULTS
            .iter()
            .map(|(k, p)| (k.to_string(), price(*p)))
            .collect(),
    }
}

/// The cost of `(model, tokens)` messages in millionths of a dollar;
/// `None` when a message with tokens has a model without a price.
/// Messages without tokens (Claude Code's `<synthetic>` notes) are free.
pub fn cost<'a>(msgs: impl IntoIterator<Item = (&'a str, Tokens)>, prices: &Prices) -> Option<u64> {
    // Tokens times millionths of a dollar per million: 1e-12 dollars.
    let mut pico: u128 = 0;
    for (model, t) in msgs {
        if t.total() == 0 {
            continue;
        }
        let p = prices.of(model)?;
        pico += t.input as u128 * p.input as u128
            + t.output as u128 * p.output as u128
            + t.cache_read as u128 * p.cache_read as u128
            + t.cache_write as u128 * p.cache_write as u128;
    }
    // Half away from zero (all sums are positive).
    Some(((pico + 500_000) / 1_000_000) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Tokens {
        Tokens {
            input,
            output,
            cache_read,
            cache_write,
        }
    }

    #[test]
    fn the_longest_prefix_wins_and_sums_are_exact() {
        let d = defaults();
        assert_eq!(
            d.of("claude-opus-4-1-20250805").map(|p| p.input),
            Some(15_000_000)
        );
        assert_eq!(
            d.of("claude-opus-4-5-20251101").map(|p| p.input),
            Some(5_000_000)
        );
        assert_eq!(d.of("gpt-5"), None);
        // 6000 * 3 + 350 * 15 + 1000 * 0.3 + 150 * 3.75 = 24112.5 µ$.
        let c = cost([("claude-sonnet-4-5", t(6000, 350, 1000, 150))], &d);
        assert_eq!(c, Some(24113), "half away from zero");
        // 0.1 + 0.2 in floating point is not 0.3; here it is.
        let mut p = Prices::default();
        p.set("m", price([0.1, 0.2, 0.0, 0.0]));
        assert_eq!(
            cost([("m", t(1_000_000, 1_000_000, 0, 0))], &p),
            Some(300_000)
        );
        // A configured prefix wins over a longer built-in one.
        let mut d = defaults();
        d.set("claude-", price([1.0, 1.0, 1.0, 1.0]));
        d.set("claude-haiku-4-5", price([2.0, 2.0, 2.0, 2.0]));
        assert_eq!(d.of("claude-opus-4-8").map(|p| p.input), Some(1_000_000));
        assert_eq!(
            d.of("claude-haiku-4-5-2025").map(|p| p.input),
            Some(2_000_000)
        );
        assert_eq!(d.of("gpt-5"), None);
    }

    #[test]
    fn an_unknown_model_makes_the_cost_unknown_but_a_synthetic_note_does_not() {
        let d = defaults();
        assert_eq!(
            cost(
                [
                    ("<synthetic>", t(0, 0, 0, 0)),
                    ("claude-haiku-4-5", t(10, 0, 0, 0))
                ],
                &d
            ),
            Some(10)
        );
        assert_eq!(cost([("mystery", t(1, 0, 0, 0))], &d), None);
    }
}
