//! Exact rational arithmetic for the figures SPEC rounds (progress,
//! fractions, pace): every input is a decimal (a YAML number), so sums and
//! quotients of them are rationals, and rounding a rational half away from
//! zero is exact integer arithmetic. `None` from any operation means the
//! figures outgrew `i128`; callers then fall back to floating point.

/// `num / den`, reduced, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

const POW10: [i128; 7] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/// Binary GCD, in 64 bits whenever both fit (the usual case, and several
/// times faster than 128-bit division).
fn gcd(a: i128, b: i128) -> i128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(x), Ok(y)) => i128::from(gcd64(x, y)),
        _ => {
            let (mut a, mut b) = (a, b);
            while b != 0 {
                (a, b) = (b, a % b);
            }
            i128::try_from(a).unwrap_or(1)
        }
    }
}

fn gcd64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`; `None` when `den` is 0.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let s = if den < 0 { -1 } else { 1 };
        if g == 1 {
            return Some(Ratio {
                num: s * num,
                den: s * den,
            });
        }
        // 64-bit division when the parts fit, as they nearly always do.
        let div = |x: i128| match (i64::try_from(x), i64::try_from(g)) {
            (Ok(x), Ok(g)) => i128::from(x / g),
            _ => x / g,
        };
        Some(Ratio {
            num: s * div(num),
            den: s * div(den),
        })
    }

    pub fn int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// The decimal value of `x`: the decimal with the fewest digits that
    /// reads back as `x` (what a YAML `28.75` or `33.3` was written as).
    pub fn of(x: f64) -> Option<Ratio> {
        if !x.is_finite() {
            return None;
        }
        // Most inputs are integers or have a few decimals.
        for (k, p) in POW10.iter().enumerate() {
            let y = (x * *p as f64).round();
            if y.abs() >= 9.0e15 {
                break;
            }
            if y / *p as f64 == x {
                return Ratio::new(y as i128, POW10[k]);
            }
        }
        decimal(&format!("{x}"))
    }

    pub fn num(self) -> i128 {
        self.num
    }

    pub fn den(self) -> i128 {
        self.den
    }

    pub fn plus(self, o: Ratio) -> Option<Ratio> {
        let g = gcd(self.den, o.den).max(1);
        let a = self.num.checked_mul(o.den / g)?;
        let b = o.num.checked_mul(self.den / g)?;
        Ratio::new(a.checked_add(b)?, (self.den / g).checked_mul(o.den)?)
    }

    pub fn minus(self, o: Ratio) -> Option<Ratio> {
        self.plus(Ratio {
            num: o.num.checked_neg()?,
            den: o.den,
        })
    }

    pub fn times(self, o: Ratio) -> Option<Ratio> {
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        Ratio::new(
            (self.num / g1).checked_mul(o.num / g2)?,
            (self.den / g2).checked_mul(o.den / g1)?,
        )
    }

    /// `None` for a zero divisor too.
    pub fn over(self, o: Ratio) -> Option<Ratio> {
        if o.num == 0 {
            return None;
        }
        self.times(Ratio {
            num: o.den,
            den: o.num,
        })
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self × 10^places`, rounded half away from zero to an integer.
    pub fn scaled(self, places: u32) -> Option<i128> {
        let n = self
            .num
            .unsigned_abs()
            .checked_mul(10u128.checked_pow(places)?)?;
        let d = self.den.unsigned_abs();
        let q = n.checked_mul(2)?.checked_add(d)? / d.checked_mul(2)?;
        let q = i128::try_from(q).ok()?;
        Some(if self.num < 0 { -q } else { q })
    }

    /// The nearest `f64` (exactly so while both parts fit 53 bits, which
    /// reduced figures from ordinary files always do).
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// A plain decimal as Rust prints an `f64` (`-12.345`, no exponent).
fn decimal(s: &str) -> Option<Ratio> {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 36 || frac.len() > 36 {
        return None;
    }
    let n: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Ratio::new(
        if neg { -n } else { n },
        10i128.checked_pow(frac.len() as u32)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).expect("ratio")
    }

    #[test]
    fn decimals_read_as_written() {
        assert_eq!(Ratio::of(28.75), Some(r(115, 4)));
        assert_eq!(Ratio::of(33.3), Some(r(333, 10)));
        assert_eq!(Ratio::of(0.1), Some(r(1, 10)));
        assert_eq!(Ratio::of(-0.5625), Some(r(-9, 16)));
        assert_eq!(Ratio::of(0.0), Some(Ratio::ZERO));
        assert_eq!(Ratio::of(1e-9), Some(r(1, 1_000_000_000)));
        assert_eq!(
            Ratio::of(33.333333333333336).map(|x| x.den()),
            Some(10i128.pow(15) / 8)
        );
        assert_eq!(Ratio::of(f64::NAN), None);
        assert_eq!(Ratio::of(1e300), None);
    }

    #[test]
    fn gcd_in_64_and_128_bits() {
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(gcd(-12, 18), 6);
        assert_eq!(gcd(0, 5), 5);
        assert_eq!(gcd(7, 0), 7);
        assert_eq!(gcd(1 << 70, 3 << 68), 1 << 68);
        assert_eq!(r(6, -4), r(-3, 2));
    }

    #[test]
    fn arithmetic_is_exact() {
        // 0.1 + 0.2 is 0.3, not 0.30000000000000004.
        let s = Ratio::of(0.1).and_then(|a| a.plus(Ratio::of(0.2)?));
        assert_eq!(s, Ratio::of(0.3));
        // (15·1 + 25·0.75) / 100 × 100 = 33.75.
        let w = r(15, 1)
            .plus(r(25, 1).times(r(3, 4)).expect("m"))
            .expect("a");
        assert_eq!(
            w.over(r(100, 1)).and_then(|x| x.times(r(100, 1))),
            Some(r(135, 4))
        );
        assert_eq!(r(1, 3).minus(r(1, 2)), Some(r(-1, 6)));
        assert_eq!(r(1, 2).over(Ratio::ZERO), None);
    }

    #[test]
    fn scaled_rounds_half_away_from_zero() {
        assert_eq!(r(115, 4).scaled(1), Some(288));
        assert_eq!(r(-115, 4).scaled(1), Some(-288));
        assert_eq!(r(9, 16).scaled(3), Some(563));
        assert_eq!(r(1, 3).scaled(1), Some(3));
        assert_eq!(r(2, 3).scaled(0), Some(1));
        assert_eq!(Ratio::ZERO.scaled(3), Some(0));
        assert_eq!(r(5, 2).scaled(0), Some(3));
    }
}
