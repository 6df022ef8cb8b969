//! Rounding as SPEC §7 says it: half away from zero, on the decimal value
//! of the number (28.75 → 28.8, 0.5625 → 0.563, 28.65 → 28.7 although the
//! nearest `f64` is 28.6499…) and not half to even (Rust's `{:.1}` prints
//! 28.25 as 28.2). The rules compute the figures exactly (`util::ratio`),
//! so a 28.75 reaches here as 28.75, not 28.749999999999996. Every
//! figure SPEC rounds goes through here: `status --json`, `mdash status`,
//! the dashboard, watch and the run records.

use super::ratio::Ratio;

/// `x × 10^places` rounded half away from zero; `None` when `x` is not
/// finite or too large for its decimals to matter.
pub fn scaled(x: f64, places: u32) -> Option<i64> {
    if !x.is_finite() || places > 15 {
        return None;
    }
    let y = x * 10f64.powi(places as i32);
    if y.abs() >= 1e15 {
        return None;
    }
    // Far from a tie, the float product rounds the same as the decimal.
    if ((y - y.trunc()).abs() - 0.5).abs() > 1e-6 && y.abs() < 1e9 {
        return Some(y.round() as i64);
    }
    Ratio::of(x)
        .and_then(|r| r.scaled(places))
        .and_then(|n| i64::try_from(n).ok())
        .or(Some(y.round() as i64))
}

/// `x` rounded to `places` decimals, half away from zero, as the nearest
/// `f64` to that decimal (which prints as it with `{}` or `{:.places$}`).
pub fn half_away(x: f64, places: u32) -> f64 {
    match scaled(x, places) {
        Some(n) => n as f64 / 10f64.powi(places as i32),
        None => x,
    }
}

/// `x` with exactly `places` decimals, rounded half away from zero.
pub fn fixed(x: f64, places: u32) -> String {
    format!("{:.*}", places as usize, half_away(x, places))
}

/// `x` rounded to `first` decimals (the reported figure), then that figure
/// to `then` decimals: the screen's whole percents agree with the tenths
/// `status --json` reports (28.45 is reported as 28.5, shown as 29%).
pub fn twice(x: f64, first: u32, then: u32) -> i64 {
    let Some(n) = scaled(x, first) else {
        return x.round() as i64;
    };
    let d = 10i64.pow(first.saturating_sub(then));
    let q = (2 * n.unsigned_abs() + d.unsigned_abs()) / (2 * d.unsigned_abs());
    let q = q as i64;
    if n < 0 { -q } else { q }
}

/// The exact value's `f64` rounded: for a rational computed exactly.
pub fn ratio(r: Ratio, places: u32) -> Option<f64> {
    let n = i64::try_from(r.scaled(places)?).ok()?;
    (n.unsigned_abs() < 1 << 53).then(|| n as f64 / 10f64.powi(places as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_away_from_zero_on_the_decimal_value() {
        assert_eq!(half_away(28.75, 1), 28.8);
        // A figure is its decimal value: this one is below the tie.
        assert_eq!(half_away(28.749999999999996, 1), 28.7);
        assert_eq!(half_away(28.25, 1), 28.3);
        assert_eq!(half_away(28.65, 1), 28.7);
        assert_eq!(half_away(-28.75, 1), -28.8);
        assert_eq!(half_away(0.5625, 3), 0.563);
        assert_eq!(half_away(0.3335, 3), 0.334);
        assert_eq!(half_away(1.0005, 3), 1.001);
        assert_eq!(half_away(0.125, 2), 0.13);
        assert_eq!(half_away(2.5, 0), 3.0);
        assert_eq!(half_away(0.0, 1), 0.0);
        assert_eq!(half_away(-0.04, 1), 0.0);
        assert!(half_away(-0.04, 1).is_sign_positive());
        assert_eq!(half_away(100.0, 1), 100.0);
        assert_eq!(half_away(99.95, 1), 100.0);
        assert_eq!(half_away(99.94999, 1), 99.9);
        assert_eq!(half_away(33.333333333333336, 1), 33.3);
        assert!(half_away(f64::NAN, 1).is_nan());
        assert_eq!(half_away(1e300, 1), 1e300);
    }

    #[test]
    fn fixed_prints_what_half_away_gives() {
        assert_eq!(fixed(28.25, 1), "28.3");
        assert_eq!(fixed(28.5, 0), "29");
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(100.0, 1), "100.0");
    }

    #[test]
    fn twice_rounds_the_reported_figure() {
        assert_eq!(twice(28.45, 1, 0), 29);
        assert_eq!(twice(28.44, 1, 0), 28);
        assert_eq!(twice(0.565, 3, 2), 57);
        assert_eq!(twice(0.125, 3, 2), 13);
        assert_eq!(twice(-28.45, 1, 0), -29);
        assert_eq!(twice(99.96, 1, 0), 100);
        assert_eq!(twice(28.75, 1, 1), 288);
    }

    #[test]
    fn scaled_is_the_integer_count_of_units() {
        assert_eq!(scaled(28.75, 1), Some(288));
        assert_eq!(scaled(0.05, 1), Some(1));
        assert_eq!(scaled(0.04999, 1), Some(0));
        assert_eq!(scaled(1e16, 1), None);
    }
}
