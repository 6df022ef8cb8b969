//! Exact rounding (issue 25 item 4): a few hundred generated milestones
//! (phases with weights, explicit and status fractions, tasks with weights
//! and per-task phases, declared figures, start times to the nanosecond in
//! several zones) read by the real binary, against an independent reading
//! of SPEC §3, §7 and §10 worked out here in integer rationals from the
//! generator's own numbers (never from mdash's YAML or code). Every
//! `progress`, `fraction`, `declared_progress` and `pace` must agree, and
//! `mdash status`'s whole percents must be the reported tenths rounded.

use crate::common;
use common::*;

use chrono::{DateTime, FixedOffset, Utc};

/// `n / d`, reduced, `d > 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1) * d.signum();
        Q(n / g, d / g)
    }
    fn add(self, o: Q) -> Q {
        Q::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
    fn clamp100(self) -> Q {
        if self.0 < 0 {
            Q(0, 1)
        } else if self.0 > 100 * self.1 {
            Q(100, 1)
        } else {
            self
        }
    }
    /// × 10^places, half away from zero.
    fn round(self, places: u32) -> i128 {
        let n = self.0.abs() * 10i128.pow(places);
        let q = (2 * n + self.1) / (2 * self.1);
        q * self.0.signum()
    }
}

/// A number as the generator writes it: hundredths, printed as a decimal.
#[derive(Clone, Copy)]
struct Dec(i64);

impl Dec {
    fn q(self) -> Q {
        Q::new(self.0.into(), 100)
    }
    fn text(self) -> String {
        let s = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        match a % 100 {
            0 => format!("{s}{}", a / 100),
            f if f % 10 == 0 => format!("{s}{}.{}", a / 100, f / 10),
            f => format!("{s}{}.{f:02}", a / 100),
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

const PHASES: [&str; 4] = ["design", "spec", "task", "execute"];
/// Phase status words and their fractions in quarters (SPEC §3).
const PHASE_WORDS: &[(&str, i128)] = &[
    ("completed", 4),
    ("approved", 4),
    ("done", 4),
    ("waiting_approval", 3),
    ("in_review", 3),
    ("in_progress", 2),
    ("active", 2),
    ("changes_requested", 2),
    ("blocked", 1),
    ("pending", 0),
    ("not_started", 0),
];
/// Task status words and their score in halves when they have no phases.
const TASK_WORDS: &[(&str, i128)] = &[
    ("completed", 2),
    ("done", 2),
    ("in_progress", 1),
    ("active", 1),
    ("pending", 0),
    ("todo", 0),
    ("blocked", 0),
];

/// A figure the generator writes: mostly on or near the boundaries.
fn figure(r: &mut Rng) -> Dec {
    let whole = r.below(101) as i64 * 100;
    Dec(match r.below(8) {
        0 => whole,
        1 => (whole + 50).min(10_000),
        2 => r.below(10_001) as i64,
        3 => (whole + 25).min(10_000),
        4 => (whole + 75).min(10_000),
        5 => r.below(1_001) as i64 * 10 + 5,
        6 => *r.pick(&[-500, 10_500, 0, 10_000, 2_875, 5_625, 3_335]),
        _ => (r.below(100) as i64 * 100 + 45).min(10_000),
    })
}

/// Nanoseconds since the epoch of `NOW`.
fn now_ns() -> i128 {
    let t: DateTime<Utc> = NOW.parse().expect("now");
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

/// A time before `NOW`, written in one of the shapes agents write.
fn time(r: &mut Rng, starts: &mut Vec<i128>) -> String {
    let ago = match r.below(4) {
        0 => r.below(100 * 3600) as i128 * 1_000_000_000,
        1 => (r.below(100 * 3600) as i128 * 1000 + r.below(1000) as i128) * 1_000_000,
        2 => r.below(100 * 3600 * 1_000_000) as i128 * 1000,
        _ => r.below(100 * 3600 * 1_000_000_000) as i128 + 1,
    };
    let at = now_ns() - ago;
    starts.push(at);
    let t = DateTime::from_timestamp(
        (at.div_euclid(1_000_000_000)) as i64,
        at.rem_euclid(1_000_000_000) as u32,
    )
    .expect("time");
    let zone =
        FixedOffset::east_opt(*r.pick(&[0, 3600, -5 * 3600, 5 * 3600 + 1800])).expect("zone");
    t.with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%.f%:z")
        .to_string()
}

/// One phase map: its YAML lines at `indent` and each phase's fraction.
fn phase_map(r: &mut Rng, indent: &str, starts: &mut Vec<i128>) -> (String, [Q; 4]) {
    let mut y = String::new();
    let mut f = [Q(0, 1); 4];
    let mut any = false;
    for (i, p) in PHASES.iter().enumerate() {
        if r.chance(20) && (i != 3 || any) {
            continue;
        }
        any = true;
        let mut fields = Vec::new();
        if r.chance(40) {
            let d = figure(r);
            fields.push(format!("progress: {}", d.text()));
            f[i] = d.q().clamp100().div(Q(100, 1));
            if r.chance(50) {
                fields.push("status: in_progress".into());
            }
        } else {
            let (w, q) = *r.pick(PHASE_WORDS);
            fields.push(format!("status: {w}"));
            f[i] = Q::new(q, 4);
        }
        if r.chance(50) {
            fields.push(format!("started_at: \"{}\"", time(r, starts)));
        }
        y.push_str(&format!("{indent}{p}: {{{}}}\n", fields.join(", ")));
    }
    (y, f)
}

struct Expected {
    id: String,
    progress: Q,
    declared: Option<Q>,
    fractions: Option<[Q; 4]>,
    paced: bool,
    start: Option<i128>,
}

fn weighted(w: &[Q; 4], f: &[Q; 4]) -> Q {
    let total = w.iter().fold(Q(0, 1), |a, x| a.add(*x));
    if total.0 <= 0 {
        return Q(0, 1);
    }
    (0..4)
        .fold(Q(0, 1), |a, i| a.add(w[i].mul(f[i])))
        .div(total)
}

fn generate(r: &mut Rng, i: usize) -> (String, Vec<String>, Expected) {
    let id = format!("g{i:03}");
    let mut y = format!("id: {id}\n");
    let mut starts = Vec::new();
    let (status, done, paced) = *r.pick(&[
        ("in_progress", false, true),
        ("in_progress", false, true),
        ("in_progress", false, true),
        ("executing", false, true),
        ("planned", false, true),
        ("completed", true, false),
        ("cancelled", false, false),
    ]);
    y.push_str(&format!("status: {status}\n"));
    let mut w = [15, 25, 20, 40].map(|x| Q(x, 1));
    if r.chance(40) {
        let ws: Vec<Dec> = (0..4)
            .map(|_| Dec(*r.pick(&[0, 500, 1000, 1500, 2000, 2500, 3000, 4000, 1250, 3350])))
            .collect();
        y.push_str("kiro_configuration:\n  phase_weights:\n");
        for (k, p) in PHASES.iter().enumerate() {
            y.push_str(&format!("    {p}: {}\n", ws[k].text()));
            w[k] = ws[k].q();
        }
    }
    let kind = r.below(4);
    let mut fractions = None;
    let mut progress = Q(0, 1);
    if kind == 0 || kind == 3 {
        let (lines, f) = phase_map(r, "  ", &mut starts);
        y.push_str("phases:\n");
        y.push_str(&lines);
        progress = Q(100, 1).mul(weighted(&w, &f));
        fractions = Some(f);
    }
    if kind == 1 || kind == 3 {
        y.push_str("tasks:\n");
        let (mut sum, mut total) = (Q(0, 1), Q(0, 1));
        let mut phased: Vec<[Q; 4]> = Vec::new();
        for t in 0..1 + r.below(6) {
            let (word, halves) = *r.pick(TASK_WORDS);
            y.push_str(&format!("  - id: t{t}\n    status: {word}\n"));
            let tw = if r.chance(50) {
                let d = Dec(*r.pick(&[100, 200, 300, 50, 150, 225, 125]));
                y.push_str(&format!("    weight: {}\n", d.text()));
                d.q()
            } else {
                Q(1, 1)
            };
            if r.chance(30) {
                y.push_str(&format!("    started_at: \"{}\"\n", time(r, &mut starts)));
            }
            let score = if r.chance(40) {
                let (lines, f) = phase_map(r, "        ", &mut starts);
                y.push_str("    kiro_workflow:\n      phases:\n");
                y.push_str(&lines);
                phased.push(f);
                weighted(&w, &f)
            } else {
                Q::new(halves, 2)
            };
            total = total.add(tw);
            sum = sum.add(tw.mul(score));
        }
        if kind == 1 {
            progress = Q(100, 1).mul(sum.div(total));
            // The bars: the plain mean over the tasks with phases.
            fractions = (!phased.is_empty()).then(|| {
                let n = Q(phased.len() as i128, 1);
                std::array::from_fn(|k| phased.iter().fold(Q(0, 1), |a, f| a.add(f[k])).div(n))
            });
        }
    }
    let mut declared = None;
    if kind == 2 || r.chance(30) {
        let d = figure(r);
        y.push_str(&format!("progress: {}\n", d.text()));
        declared = Some(d.q().clamp100());
        if kind == 2 {
            progress = d.q().clamp100();
        }
    }
    if done {
        progress = Q(100, 1);
    }
    let mut log = Vec::new();
    for _ in 0..r.below(3) {
        let t = time(r, &mut starts);
        log.push(format!(r#"{{"event":"note","timestamp":"{t}"}}"#));
    }
    let start = starts.iter().min().copied();
    let exp = Expected {
        id,
        progress,
        declared,
        fractions,
        paced,
        start,
    };
    (y, log, exp)
}

/// SPEC §10 from the reported tenths, in nanoseconds.
fn pace(e: &Expected) -> serde_json::Value {
    let tenths = e.progress.round(1);
    let Some(start) = e.start.filter(|_| e.paced && tenths > 0) else {
        return serde_json::Value::Null;
    };
    let h = now_ns() - start;
    if h <= 0 {
        return serde_json::Value::Null;
    }
    let hour = 3_600_000_000_000i128;
    let pph10 = Q::new(tenths * hour, h).round(0);
    // now + (1000 − tenths) / (tenths / h), floored to the minute.
    let eta = Q::new(
        now_ns() * tenths + (1000 - tenths) * h,
        tenths * 60_000_000_000,
    );
    let minute = eta.0.div_euclid(eta.1);
    let eta = DateTime::from_timestamp(minute as i64 * 60, 0).expect("eta");
    serde_json::json!({
        "points_per_hour": pph10 as f64 / 10.0,
        "eta": eta.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

fn tenths(q: Q) -> f64 {
    q.round(1) as f64 / 10.0
}

#[test]
fn generated_milestones_agree_with_an_exact_reading() {
    let d = tempfile::tempdir().expect("tmp");
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut all = Vec::new();
    for i in 0..400 {
        let (y, log, e) = generate(&mut r, i);
        write(d.path(), &format!(".milestones/active/{}.yaml", e.id), &y);
        if !log.is_empty() {
            let path = format!(".milestones/logs/execution-{}.jsonl", e.id);
            write(d.path(), &path, log.join("\n") + "\n");
        }
        all.push((y, e));
    }
    let doc = status_json(d.path());
    let mut wrong = Vec::new();
    let mut ties = 0;
    for (y, e) in &all {
        let m = milestone(&doc, &e.id);
        let mut say = |what: &str, got: &serde_json::Value, want: serde_json::Value| {
            if got.as_f64().map_or(got.clone(), serde_json::Value::from) != want {
                wrong.push(format!("{} {what}: got {got}, want {want}\n{y}", e.id));
            }
        };
        if e.progress.round(2) % 10 == 5 {
            ties += 1;
        }
        say("progress", &m["progress"], tenths(e.progress).into());
        say(
            "declared_progress",
            &m["declared_progress"],
            e.declared.map(tenths).into(),
        );
        if let Some(f) = e.fractions {
            for (k, p) in PHASES.iter().enumerate() {
                let want = f[k].round(3) as f64 / 1000.0;
                say(
                    &format!("{p} fraction"),
                    &m["phases"][k]["fraction"],
                    want.into(),
                );
            }
        }
        let want = pace(e);
        if m["pace"] != want {
            wrong.push(format!(
                "{} pace: got {}, want {want}\n{y}",
                e.id, m["pace"]
            ));
        }
    }
    assert!(ties > 20, "the generator makes ties ({ties})");
    assert!(
        wrong.is_empty(),
        "{} disagreements, the first:\n{}",
        wrong.len(),
        wrong.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );

    // `mdash status`: each row's whole percent is its reported tenths
    // rounded again, half away from zero (28.45 → 28.5 → 29).
    let out = bin()
        .args(["status", "--now", NOW])
        .arg(d.path())
        .env("COLUMNS", "200")
        .output()
        .expect("run mdash");
    let text = String::from_utf8_lossy(&out.stdout);
    for (_, e) in &all {
        let row = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(e.id.as_str()))
            .unwrap_or_else(|| panic!("no row for {} in\n{text}", e.id));
        let whole = Q::new(e.progress.round(1), 10).round(0).to_string();
        let json = milestone(&doc, &e.id)["progress"].clone();
        assert!(
            row.split_whitespace().any(|w| w == whole),
            "{}: progress {json} should show as {whole} in {row:?}",
            e.id
        );
    }
}
