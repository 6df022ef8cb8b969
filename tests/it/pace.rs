//! `pace` in `status --json` (SPEC §10), to the minute, on trees with phase
//! and task start times and logs; expected values worked out by hand.
//!
//! All at `--now 2026-11-22T10:00:00Z`. With p the reported progress (one
//! decimal) and h the exact hours since the start:
//! points_per_hour = round1(p / h), eta = floor_minute(now + (100 − p) / (p / h)).

use crate::common;
use common::*;

use serde_json::json;

fn pace(doc: &serde_json::Value, id: &str) -> serde_json::Value {
    milestone(doc, id)["pace"].clone()
}

fn pph(doc: &serde_json::Value, id: &str) -> f64 {
    pace(doc, id)["points_per_hour"]
        .as_f64()
        .unwrap_or_else(|| panic!("{id}: pace {}", pace(doc, id)))
}

fn eta(doc: &serde_json::Value, id: &str) -> String {
    pace(doc, id)["eta"].as_str().expect("eta").to_string()
}

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    let ms = |id: &str, y: &str| write(r, &format!(".milestones/active/{id}.yaml"), y);
    let log = |id: &str, lines: &[&str]| {
        write(
            r,
            &format!(".milestones/logs/execution-{id}.jsonl"),
            lines.join("\n") + "\n",
        )
    };

    // p1: progress 15·1 + 25·0.5 = 27.5; started 06:00 (design), h = 4.
    // 27.5 / 4 = 6.875 → 6.9. Left 72.5 / 6.875 = 10.5454… h = 10h32m43.6s
    // → 20:32:43 → 20:32.
    ms(
        "p1",
        "id: p1\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T06:00:00Z\", completed_at: \"2026-11-22T07:00:00Z\"}\n  spec: {status: in_progress, started_at: \"2026-11-22T07:00:00Z\"}\n",
    );

    // p2: tasks (1 + 0.5 + 0 + 0) / 4 = 37.5. Starts: t1 08:30+01:00 =
    // 07:30Z; t2's zoneless 01:00 is ignored, so are the log's zoneless and
    // unparseable times; the log's 07:45Z is later. h = 2.5: 37.5 / 2.5 =
    // 15.0; left 62.5 / 15 h = 4h10m exactly → 14:10.
    ms(
        "p2",
        "id: p2\nstatus: in_progress\ntasks:\n  - {id: t1, status: completed, started_at: \"2026-11-22T08:30:00+01:00\"}\n  - {id: t2, status: in_progress, started_at: \"2026-11-22T01:00:00\"}\n  - {id: t3, status: pending}\n  - {id: t4, status: pending}\n",
    );
    log(
        "p2",
        &[
            r#"{"event":"task_started","timestamp":"2026-11-22T07:45:00Z"}"#,
            r#"{"event":"note","timestamp":"2026-11-22T02:00:00"}"#,
            r#"{"event":"note","timestamp":"yesterday"}"#,
        ],
    );

    // p3: progress 15 (design done, started 09:00Z), but the log's first
    // event (an ordinary one, behind a newer one) is at 08:00Z: h = 2, 15 / 2 = 7.5; left 85 / 7.5 = 11h20m → 21:20.
    ms(
        "p3",
        "id: p3\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T09:00:00Z\"}\n",
    );
    log(
        "p3",
        &[
            r#"{"event":"phase_completed","timestamp":"2026-11-22T09:30:00Z"}"#,
            r#"{"event":"task_started","timestamp":"2026-11-22T08:00:00Z"}"#,
            r#"{"event":"note","timestamp":"2026-11-22T09:40:00Z"}"#,
        ],
    );

    // p4: progress 1/3 = 33.333… reported 33.3; started a day ago, h = 24.
    // 33.3 / 24 = 1.3875 → 1.4. Left 66.7 / 1.3875 = 48.0720… h =
    // 48h4m19.5s → 2026-11-24T10:04. (With the rounded 1.4 it would be
    // 47h38m; with the unrounded progress, 48h00m.)
    ms(
        "p4",
        "id: p4\nstatus: in_progress\ntasks:\n  - {id: t1, status: completed, started_at: \"2026-11-21T10:00:00Z\"}\n  - {id: t2, status: pending}\n  - {id: t3, status: pending}\n",
    );

    // p5: progress 7.5 (design half done); started 30 h ago: 7.5 / 30 =
    // 0.25 → 0.3 (half away from zero). Left 92.5 / 0.25 = 370 h = 15 d
    // 10 h → 2026-12-07T20:00.
    ms(
        "p5",
        "id: p5\nstatus: in_progress\nphases:\n  design: {status: in_progress, started_at: \"2026-11-21T04:00:00Z\"}\n",
    );

    // p6: one task with per-task phases (15 + 12.5 = 27.5); its design
    // phase started at 08:00Z, before the task's 09:00Z: h = 2. 27.5 / 2 =
    // 13.75 → 13.8. Left 72.5 / 13.75 = 5.2727… h = 5h16m21.8s → 15:16.
    ms(
        "p6",
        "id: p6\nstatus: in_progress\ntasks:\n  - id: t1\n    status: in_progress\n    started_at: \"2026-11-22T09:00:00Z\"\n    kiro_workflow:\n      phases:\n        design: {status: completed, started_at: \"2026-11-22T08:00:00Z\"}\n        spec: {status: in_progress}\n",
    );

    // Null: completed, cancelled, progress 0, no start known, only a
    // zoneless start, started exactly now, started in the future.
    ms(
        "n1",
        "id: n1\nstatus: completed\nphases:\n  design: {status: completed, started_at: \"2026-11-22T06:00:00Z\"}\n",
    );
    ms(
        "n2",
        "id: n2\nstatus: cancelled\nphases:\n  design: {status: completed, started_at: \"2026-11-22T06:00:00Z\"}\n",
    );
    ms(
        "n3",
        "id: n3\nstatus: in_progress\nphases:\n  design: {status: pending, started_at: \"2026-11-22T06:00:00Z\"}\n",
    );
    ms(
        "n4",
        "id: n4\nstatus: in_progress\nphases:\n  design: {status: completed}\n",
    );
    ms(
        "n5",
        "id: n5\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22 06:00:00\"}\n",
    );
    ms(
        "n6",
        "id: n6\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T10:00:00Z\"}\n",
    );
    ms(
        "n7",
        "id: n7\nstatus: in_progress\nphases:\n  design: {status: completed, started_at: \"2026-11-22T11:00:00Z\"}\n",
    );
    d
}

#[test]
fn pace_and_eta_follow_spec_to_the_minute() {
    let d = tree();
    let doc = status_json(d.path());
    assert_eq!(milestone(&doc, "p1")["progress"], 27.5);
    assert_eq!(pph(&doc, "p1"), 6.9);
    assert_eq!(eta(&doc, "p1"), "2026-11-22T20:32:00Z");
    assert_eq!(milestone(&doc, "p2")["progress"], 37.5);
    assert_eq!(pph(&doc, "p2"), 15.0);
    assert_eq!(eta(&doc, "p2"), "2026-11-22T14:10:00Z");
    assert_eq!(pph(&doc, "p3"), 7.5);
    assert_eq!(eta(&doc, "p3"), "2026-11-22T21:20:00Z");
    assert_eq!(milestone(&doc, "p4")["progress"], 33.3);
    assert_eq!(pph(&doc, "p4"), 1.4);
    assert_eq!(eta(&doc, "p4"), "2026-11-24T10:04:00Z");
    assert_eq!(pph(&doc, "p5"), 0.3);
    assert_eq!(eta(&doc, "p5"), "2026-12-07T20:00:00Z");
    assert_eq!(milestone(&doc, "p6")["progress"], 27.5);
    assert_eq!(pph(&doc, "p6"), 13.8);
    assert_eq!(eta(&doc, "p6"), "2026-11-22T15:16:00Z");
    // Exactly two keys.
    assert_eq!(
        pace(&doc, "p2"),
        json!({"points_per_hour": 15.0, "eta": "2026-11-22T14:10:00Z"})
    );
    for id in ["n1", "n2", "n3", "n4", "n5", "n6", "n7"] {
        let m = milestone(&doc, id);
        assert!(m.get("pace").is_some(), "{id}: pace is always present");
        assert!(m["pace"].is_null(), "{id}: {}", m["pace"]);
    }
}

#[test]
fn pace_is_deterministic_under_now() {
    let d = tree();
    let at = |now: &str| {
        let out = bin()
            .args(["status", "--json", "--now", now])
            .arg(d.path())
            .output()
            .expect("run");
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(at(NOW), at(NOW));
    // Two hours later p1 has run 6 h: 27.5 / 6 = 4.583… → 4.6; left
    // 72.5 / 4.5833… = 15.8181… h = 15h49m5.5s from 12:00 → 03:49 next day.
    let later: serde_json::Value =
        serde_json::from_slice(&at("2026-11-22T12:00:00Z")).expect("json");
    assert_eq!(pph(&later, "p1"), 4.6);
    assert_eq!(eta(&later, "p1"), "2026-11-23T03:49:00Z");
}

#[test]
fn status_table_gains_an_eta_column_when_wide() {
    let d = tree();
    let table = |cols: &str| {
        let out = bin()
            .args(["status", "--now", NOW])
            .arg(d.path())
            .env("COLUMNS", cols)
            .output()
            .expect("run");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let narrow = table("80");
    assert!(
        !narrow.lines().next().unwrap_or("").contains("ETA"),
        "{narrow}"
    );
    let wide = table("140");
    let header = wide.lines().next().unwrap_or("");
    assert!(header.contains("ETA"), "{wide}");
    let p1 = wide.lines().find(|l| l.starts_with("p1 ")).expect("p1 row");
    assert!(p1.contains("20:32"), "{p1}");
    let n1 = wide.lines().find(|l| l.starts_with("n1 ")).expect("n1 row");
    assert!(!n1.contains(':'), "no ETA for a completed milestone: {n1}");
    assert!(wide.lines().all(|l| l.chars().count() <= 140), "{wide}");
}

/// The dashboard at `w` columns, NO_COLOR or not, with `id` selected and
/// its log loaded: the screen's lines.
fn screen(d: &tempfile::TempDir, id: &str, w: u16, h: u16, color: bool) -> Vec<String> {
    use milestone_dash::app::update::update;
    use milestone_dash::app::{App, Msg};
    let now = milestone_dash::util::time::parse(NOW).expect("now");
    let mut app = App::new(milestone_dash::app::keymap::Keymap::default(), color, now);
    update(&mut app, Msg::Resize(w, h));
    let snap = milestone_dash::live::snapshot::load(d.path(), now);
    update(&mut app, Msg::Loaded(Box::new(snap)));
    for _ in 0..20 {
        if app.selected.as_deref() == Some(id) {
            break;
        }
        update(
            &mut app,
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('j'),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
    }
    assert_eq!(app.selected.as_deref(), Some(id));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("term");
    t.draw(|f| milestone_dash::ui::render(&app, f))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}

#[test]
fn the_detail_pane_shows_pace_and_a_phase_timeline_at_60_and_120_columns() {
    let d = tree();
    for (w, h) in [(60, 40), (120, 40)] {
        for color in [true, false] {
            let s = screen(&d, "p1", w, h, color);
            let all = s.join("\n");
            assert!(
                all.contains("6.9 %/h · done ~20:32, in 10h32m"),
                "{w} cols:\n{all}"
            );
            assert!(all.contains("Timeline 06:00 → ETA 20:32"), "{all}");
            // The timeline row, from its label on (a wide screen has the
            // list beside it).
            let row = |phase: &str| {
                let label = format!("  {phase:<8}");
                s.iter()
                    .filter_map(|l| l.find(&label).map(|at| l[at..].to_string()))
                    .find(|l| l.contains(if color { '·' } else { '.' }))
                    .unwrap_or_else(|| panic!("no {phase} row at {w} cols:\n{all}"))
            };
            let (done, open) = if color { ('█', '▒') } else { ('#', '=') };
            // design ran 06:00–07:00 and is done; spec runs since 07:00.
            let design = row("design");
            assert!(
                design.contains(done) && design.contains("1h00m"),
                "{design}"
            );
            let spec = row("spec");
            assert!(spec.contains(open) && spec.contains("3h00m+"), "{spec}");
            // Shared axis: spec begins where design ends.
            let first = |l: &str, c: char| l.chars().position(|x| x == c);
            let last = |l: &str, c: char| {
                l.chars()
                    .rev()
                    .position(|x| x == c)
                    .map(|p| l.chars().count() - p)
            };
            assert_eq!(
                last(&design, done),
                first(&spec, open),
                "\n{design}\n{spec}"
            );
            if !color {
                for l in [&design, &spec] {
                    assert!(
                        !l.contains('█') && !l.contains('▒') && !l.contains('·'),
                        "{l}"
                    );
                }
            }
        }
    }
}
