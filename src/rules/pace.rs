//! Pace (SPEC §10): a milestone's speed so far and when it reaches 100 at
//! that speed; and stalls, which are a flag on the list, not a blocker.
//! Pure: the clock comes in as `now`.

use chrono::{DateTime, Utc};

use crate::model::{Event, Milestone, Pace, Status};
use crate::util::time::zoned;

/// The earliest of every phase's and task's `started_at` (milestone-level
/// and per-task phases alike) and the milestone's log event times.
pub fn start(m: &Milestone, events: &[Event]) -> Option<DateTime<Utc>> {
    let phase_starts = |map: &crate::model::PhaseMap| {
        map.0
            .iter()
            .flatten()
            .filter_map(|p| p.started_at.as_deref().and_then(zoned))
            .collect::<Vec<_>>()
    };
    let mut times: Vec<DateTime<Utc>> = Vec::new();
    if let Some(p) = &m.phases {
        times.extend(phase_starts(p));
    }
    for t in &m.tasks {
        times.extend(t.started_at.as_deref().and_then(zoned));
        if let Some(p) = &t.phases {
            times.extend(phase_starts(p));
        }
    }
    times.extend(
        events
            .iter()
            .filter_map(|e| e.timestamp.as_deref().and_then(zoned)),
    );
    times.into_iter().min()
}

/// `progress` is the computed figure; SPEC §10 works from the reported one
/// (one decimal, half away from zero on its decimal value: `util::round`),
/// in tenths of a point here, and the time in nanoseconds, so that the
/// division, its rounding and the rounding down to the minute are exact
/// integer arithmetic.
pub fn pace(
    status: Status,
    progress: f64,
    start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Pace> {
    const NS_PER_HOUR: i128 = 3_600_000_000_000;
    const NS_PER_MINUTE: i128 = 60_000_000_000;
    if matches!(status, Status::Completed | Status::Cancelled) {
        return None;
    }
    let tenths = i128::from(crate::util::round::scaled(progress.clamp(0.0, 100.0), 1)?);
    if tenths <= 0 {
        return None;
    }
    let ns = |d: chrono::TimeDelta| {
        i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
    };
    let elapsed = ns(now - start?);
    if elapsed <= 0 {
        return None;
    }
    // points/hour × 10 = tenths × ns per hour / elapsed, half away from zero.
    let num = tenths * NS_PER_HOUR;
    let pph10 = (2 * num + elapsed) / (2 * elapsed);
    // now + (100 − p) / (p / h) hours, from the unrounded speed, floored to
    // the minute: ⌊(now·p + (100 − p)·h) / (p · 1 min)⌋ minutes.
    let now_ns = ns(now - DateTime::UNIX_EPOCH);
    let minute = (now_ns * tenths + (1000 - tenths) * elapsed).div_euclid(tenths * NS_PER_MINUTE);
    let eta = DateTime::from_timestamp(i64::try_from(minute.checked_mul(60)?).ok()?, 0)?;
    Some(Pace {
        points_per_hour: pph10 as f64 / 10.0,
        eta,
    })
}

/// The dashboard shows a pace only once it means something: this many
/// minutes since the start, and this many points of progress. Right after a
/// start, "6267.7 %/h, done in 0m" says nothing. `status --json` keeps SPEC
/// §10's figure from the first second.
pub const SHOWN_AFTER_MINUTES: f64 = 15.0;
pub const SHOWN_AFTER_POINTS: f64 = 5.0;

/// The pace the screen shows: none for a merged milestone (it is done), nor
/// before `SHOWN_AFTER_MINUTES` and `SHOWN_AFTER_POINTS`.
pub fn shown(v: &crate::model::MilestoneView) -> Option<Pace> {
    let p = v.pace?;
    // The time since the start, back from the speed: progress ÷ points/hour.
    let minutes = if p.points_per_hour > 0.0 {
        v.progress / p.points_per_hour * 60.0
    } else {
        f64::INFINITY
    };
    let early = minutes < SHOWN_AFTER_MINUTES || v.progress < SHOWN_AFTER_POINTS;
    (!early && !v.is_merged()).then_some(p)
}

/// The newest time anything was heard of the milestone: its log events and
/// the times written in its file (phase and task starts and completions).
pub fn last_activity(m: &Milestone, events: &[Event]) -> Option<DateTime<Utc>> {
    let parse = |s: &Option<String>| s.as_deref().and_then(crate::util::time::parse);
    let mut times: Vec<DateTime<Utc>> = events.iter().filter_map(|e| e.time).collect();
    let mut phases = |map: &crate::model::PhaseMap| {
        for p in map.0.iter().flatten() {
            times.extend(parse(&p.started_at));
            times.extend(parse(&p.completed_at));
        }
    };
    if let Some(p) = &m.phases {
        phases(p);
    }
    for t in &m.tasks {
        if let Some(p) = &t.phases {
            phases(p);
        }
    }
    for t in &m.tasks {
        times.extend(parse(&t.started_at));
        times.extend(parse(&t.completed_at));
    }
    times.into_iter().max()
}

/// In progress, and nothing heard for `stall_minutes`. Unknown activity is
/// not a stall: there is nothing to measure from.
pub fn stalled(
    status: Status,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    stall_minutes: i64,
) -> bool {
    status == Status::InProgress
        && last.is_some_and(|t| now - t > crate::util::time::minutes(stall_minutes))
}

/// When one phase ran: its start, and its end once it completed.
pub type PhaseSpan = Option<(DateTime<Utc>, Option<DateTime<Utc>>)>;

/// Each phase's span for the timeline: from the milestone's phase times,
/// else the earliest start and latest completion of its tasks' phases,
/// else the log's phase events (`phase_started`, `phase_completed`,
/// `kiro_phase_updated`, `kiro_phase_transition`).
pub fn phase_spans(m: &Milestone, events: &[Event]) -> [PhaseSpan; 4] {
    use crate::model::Phase;
    let mut out: [PhaseSpan; 4] = [None; 4];
    let at = |s: &Option<String>| s.as_deref().and_then(zoned);
    for p in Phase::ALL {
        let mut starts = Vec::new();
        let mut ends = Vec::new();
        let mut done = true;
        if let Some(ps) = m.phases.as_ref().and_then(|x| x.get(p)) {
            starts.extend(at(&ps.started_at));
            ends.extend(at(&ps.completed_at));
            done &= ps.completed_at.is_some();
        } else {
            for t in &m.tasks {
                if let Some(ps) = t.phases.as_ref().and_then(|x| x.get(p)) {
                    starts.extend(at(&ps.started_at));
                    ends.extend(at(&ps.completed_at));
                    done &= ps.completed_at.is_some();
                }
            }
        }
        if starts.is_empty() {
            for e in events {
                let Some(t) = e.timestamp.as_deref().and_then(zoned) else {
                    continue;
                };
                let field = |k: &str| {
                    e.details
                        .as_ref()
                        .and_then(|d| d.get(k))
                        .and_then(|v| v.as_str())
                        .and_then(Phase::from_name)
                };
                let status = e
                    .details
                    .as_ref()
                    .and_then(|d| d.get("status"))
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                match e.name.as_str() {
                    "phase_started" if field("phase") == Some(p) => starts.push(t),
                    "phase_completed" if field("phase") == Some(p) => ends.push(t),
                    "kiro_phase_updated" if field("phase") == Some(p) => {
                        if matches!(status, "completed" | "approved") {
                            ends.push(t)
                        } else {
                            starts.push(t)
                        }
                    }
                    "kiro_phase_transition" if field("to_phase") == Some(p) => starts.push(t),
                    "kiro_phase_transition" if field("from_phase") == Some(p) => ends.push(t),
                    _ => {}
                }
            }
            done = !ends.is_empty();
        }
        let start = starts
            .iter()
            .min()
            .copied()
            .or_else(|| ends.iter().min().copied());
        out[p.index()] = start.map(|s| (s, ends.iter().max().copied().filter(|_| done)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        zoned(s).expect("time")
    }

    #[test]
    fn zoneless_and_bad_times_are_ignored() {
        assert!(zoned("2026-11-22T10:00:00").is_none());
        assert!(zoned("2026-11-22 10:00:00").is_none());
        assert!(zoned("2026-11-22").is_none());
        assert!(zoned("soon").is_none());
        assert_eq!(t("2026-11-22T11:00:00+01:00"), t("2026-11-22T10:00:00Z"));
        assert_eq!(t("2026-11-22 11:00:00 +0100"), t("2026-11-22T10:00:00Z"));
    }

    #[test]
    fn speed_rounds_half_away_and_eta_floors_to_the_minute() {
        let now = t("2026-11-22T10:00:00Z");
        // 7.5 points in 30 h: 0.25 → 0.3; 92.5 / 0.25 = 370 h.
        let p = pace(
            Status::InProgress,
            7.5,
            Some(t("2026-11-21T04:00:00Z")),
            now,
        )
        .expect("pace");
        assert_eq!(p.points_per_hour, 0.3);
        assert_eq!(p.eta, t("2026-12-07T20:00:00Z"));
        // 27.5 in 4 h: 6.875 → 6.9; 10h32m43.6s → 20:32.
        let p = pace(
            Status::InProgress,
            27.5,
            Some(t("2026-11-22T06:00:00Z")),
            now,
        )
        .expect("pace");
        assert_eq!(p.points_per_hour, 6.9);
        assert_eq!(p.eta, t("2026-11-22T20:32:00Z"));
        // Progress is taken as reported: 0.04 is 0.0, no pace.
        assert!(
            pace(
                Status::InProgress,
                0.04,
                Some(t("2026-11-22T06:00:00Z")),
                now
            )
            .is_none()
        );
        assert!(pace(Status::InProgress, 50.0, Some(now), now).is_none());
        assert!(
            pace(
                Status::Completed,
                50.0,
                Some(t("2026-11-22T06:00:00Z")),
                now
            )
            .is_none()
        );
        assert!(pace(Status::InProgress, 50.0, None, now).is_none());
    }

    #[test]
    fn speed_is_exact_to_the_nanosecond() {
        let now = t("2026-11-22T10:00:00Z");
        // 50 points in 1.8432 s: 976562.5 tenths an hour → 97656.3 (with
        // the time in whole milliseconds, 1.843 s, it was 97666.8).
        let p = pace(
            Status::InProgress,
            50.0,
            Some(t("2026-11-22T09:59:58.1568Z")),
            now,
        )
        .expect("pace");
        assert_eq!(p.points_per_hour, 97656.3);
        assert_eq!(p.eta, t("2026-11-22T10:00:00Z"));
        // 28.75 is reported as 28.8: in 1 h, 28.8 an hour; left 71.2 / 28.8
        // = 2.4722… h = 2h28m20s → 12:28.
        let p = pace(
            Status::InProgress,
            28.75,
            Some(t("2026-11-22T09:00:00Z")),
            now,
        )
        .expect("pace");
        assert_eq!(p.points_per_hour, 28.8);
        assert_eq!(p.eta, t("2026-11-22T12:28:00Z"));
        // 100 (not completed): nothing left, the ETA is now.
        let p = pace(
            Status::InProgress,
            100.0,
            Some(t("2026-11-22T09:00:00.5Z")),
            now,
        )
        .expect("pace");
        assert_eq!(p.points_per_hour, 100.0);
        assert_eq!(p.eta, now);
        // 0.05 is reported as 0.1 (half away): a pace; a start 1 ns in the
        // future is none.
        assert!(
            pace(
                Status::InProgress,
                0.05,
                Some(t("2026-11-22T09:00:00Z")),
                now
            )
            .is_some()
        );
        assert!(
            pace(
                Status::InProgress,
                50.0,
                Some(t("2026-11-22T10:00:00.000000001Z")),
                now
            )
            .is_none()
        );
    }

    #[test]
    fn stalls_need_a_known_quiet_time() {
        let now = t("2026-11-22T10:00:00Z");
        assert!(stalled(
            Status::InProgress,
            Some(t("2026-11-22T07:59:00Z")),
            now,
            120
        ));
        assert!(!stalled(
            Status::InProgress,
            Some(t("2026-11-22T08:00:00Z")),
            now,
            120
        ));
        assert!(!stalled(Status::InProgress, None, now, 120));
        assert!(!stalled(
            Status::Paused,
            Some(t("2026-11-20T00:00:00Z")),
            now,
            120
        ));
    }
}
