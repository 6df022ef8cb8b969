//! Timestamps as agents write them: RFC 3339, with or without zone or
//! fraction, space-separated, date-only.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f %z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// A time that names its zone (`Z`, `+01:00`, `+0100`). SPEC §10 ignores
/// zoneless times: their instant is a guess.
pub fn zoned(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    None
}

/// `2026-11-22T10:00:00Z`.
pub fn format(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A time as a clock reading beside `now` (UTC): `14:12` on the same day,
/// `11-24 10:04` in the same year, `2027-02-25` in another.
pub fn clock(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    use chrono::Datelike;
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else if t.year() == now.year() {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

/// A duration in two units at most: `45m`, `4h10m`, `2d3h`.
pub fn span(secs: i64) -> String {
    let m = secs.max(0) / 60;
    match m {
        m if m < 60 => format!("{m}m"),
        m if m < 24 * 60 => format!("{}h{:02}m", m / 60, m % 60),
        m => format!("{}d{}h", m / (24 * 60), m % (24 * 60) / 60),
    }
}

/// A short age such as `45s`, `12m`, `3h`, `2d`.
pub fn age(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - from).num_seconds().max(0);
    match secs {
        // Ages refresh once a minute, so seconds would only go stale.
        s if s < 60 => "<1m".to_string(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// `n` minutes (negative as 0), saturating at the longest span chrono
/// holds: a configured number of minutes can never panic.
pub fn minutes(n: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::try_minutes(n.max(0)).unwrap_or(chrono::TimeDelta::MAX)
}

/// `t + d`, saturating at the latest time chrono holds.
pub fn plus(t: DateTime<Utc>, d: chrono::TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_agents_write() {
        let z = parse("2025-08-12T04:02:37.000Z").map(format);
        assert_eq!(z.as_deref(), Some("2025-08-12T04:02:37Z"));
        let off = parse("2025-07-21T10:02:13+10:00").map(format);
        assert_eq!(off.as_deref(), Some("2025-07-21T00:02:13Z"));
        assert_eq!(
            parse("2025-07-16").map(format).as_deref(),
            Some("2025-07-16T00:00:00Z")
        );
        assert_eq!(
            parse("2025-07-16 08:00:00").map(format).as_deref(),
            Some("2025-07-16T08:00:00Z")
        );
        assert_eq!(parse("2026-08-30 05:18 AEST"), None);
        assert_eq!(parse("soon"), None);
    }
}
