//! Weighted progress and phase bars (SPEC §3).

use crate::model::{Milestone, Phase, PhaseBar, PhaseMap, PhaseState, Status, Task, TaskCounts};
use crate::rules::status;
use crate::util::ratio::Ratio;

/// A phase's fraction: an explicit figure wins, else its status.
pub fn fraction(state: Option<&PhaseState>) -> f64 {
    exact_near_tie(float::fraction(state), 3, || exact::fraction(state))
}

/// Σ wₚ·fₚ / Σ wₚ over all four phases, 0–1.
pub fn weighted(weights: &[f64; 4], phases: &PhaseMap) -> f64 {
    exact_near_tie(float::weighted(weights, phases), 3, || {
        exact::weighted(weights, phases)
    })
}

/// The weighted progress of a milestone, 0–100 (SPEC §3, first rule that
/// applies). Every input is a decimal, so the figure is a rational: where
/// floating point lands near a tie of the reported figure (one decimal),
/// it is computed exactly (`exact`) and given as the `f64` nearest to it,
/// so that rounding it on its decimal value (`util::round`) is exact:
/// 28.75 is 28.75, not 28.749999999999996. Far from a tie both round
/// alike, and floating point is a hundred times cheaper.
pub fn milestone(m: &Milestone, status: Status) -> f64 {
    exact_near_tie(float::milestone(m, status), 1, || {
        exact::milestone(m, status)
    })
}

/// `x`, or the exact figure when `x` is within floating point's reach of a
/// tie at `places` decimals (or the exact one outgrows `i128`: then `x`).
fn exact_near_tie(x: f64, places: i32, exact: impl FnOnce() -> Option<Ratio>) -> f64 {
    let y = x * 10f64.powi(places);
    if ((y - y.floor()) - 0.5).abs() > 1e-6 {
        return x;
    }
    exact().map_or(x, Ratio::to_f64)
}

/// The same rules in rationals; `None` when a figure outgrows them.
mod exact;

/// The rules in floating point: exact enough far from a tie.
mod float {
    use super::*;

    pub fn fraction(state: Option<&PhaseState>) -> f64 {
        match state {
            Some(PhaseState {
                progress: Some(p), ..
            }) => p / 100.0,
            Some(PhaseState {
                status: Some(s), ..
            }) => status::phase_fraction(s),
            _ => 0.0,
        }
    }

    pub fn weighted(weights: &[f64; 4], phases: &PhaseMap) -> f64 {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        Phase::ALL
            .iter()
            .map(|p| weights[p.index()] * fraction(phases.get(*p)))
            .sum::<f64>()
            / total
    }

    fn task_score(t: &Task, weights: &[f64; 4]) -> f64 {
        if let Some(phases) = &t.phases {
            return weighted(weights, phases);
        }
        match status::of_task(t) {
            Status::Completed => 1.0,
            Status::InProgress => 0.5,
            _ => 0.0,
        }
    }

    pub fn milestone(m: &Milestone, status: Status) -> f64 {
        if status == Status::Completed {
            return 100.0;
        }
        if let Some(phases) = &m.phases {
            return 100.0 * weighted(&m.weights, phases);
        }
        if !m.tasks.is_empty() {
            let total: f64 = m.tasks.iter().map(|t| t.weight).sum();
            if total <= 0.0 {
                return 0.0;
            }
            let sum: f64 = m
                .tasks
                .iter()
                .map(|t| t.weight * task_score(t, &m.weights))
                .sum();
            return 100.0 * sum / total;
        }
        if m.bundle.is_some() {
            let total = super::super::plan::total(m).unwrap_or(0);
            let done = m.counters.completed.unwrap_or(0).min(total);
            return if total == 0 {
                0.0
            } else {
                100.0 * done as f64 / total as f64
            };
        }
        m.declared_progress.unwrap_or(0.0)
    }
}

fn status_for(fr: f64) -> &'static str {
    if fr >= 1.0 {
        "completed"
    } else if fr <= 0.0 {
        "pending"
    } else {
        "in_progress"
    }
}

/// The four phase bars: milestone-level phases, else the plain mean over the
/// tasks that have per-task phases, else none.
pub fn phase_bars(m: &Milestone) -> Vec<PhaseBar> {
    if let Some(phases) = &m.phases {
        return Phase::ALL
            .iter()
            .map(|&p| {
                let st = phases.get(p);
                let fr = fraction(st);
                PhaseBar {
                    phase: p,
                    weight: m.weights[p.index()],
                    fraction: fr,
                    status: st
                        .and_then(|s| s.status.clone())
                        .unwrap_or_else(|| status_for(fr).to_string()),
                }
            })
            .collect();
    }
    let phased: Vec<&PhaseMap> = m.tasks.iter().filter_map(|t| t.phases.as_deref()).collect();
    if phased.is_empty() {
        return Vec::new();
    }
    Phase::ALL
        .iter()
        .map(|&p| {
            let fr = exact_near_tie(
                phased.iter().map(|ph| fraction(ph.get(p))).sum::<f64>() / phased.len() as f64,
                3,
                || exact::mean(&phased, p),
            );
            let statuses: Vec<Option<&String>> = phased
                .iter()
                .map(|ph| ph.get(p).and_then(|s| s.status.as_ref()))
                .collect();
            // Tasks that agree give their common status; mixed ones a summary.
            let status = match statuses.first() {
                Some(Some(first)) if statuses.iter().all(|s| *s == Some(*first)) => {
                    (*first).clone()
                }
                _ => status_for(fr).to_string(),
            };
            PhaseBar {
                phase: p,
                weight: m.weights[p.index()],
                fraction: fr,
                status,
            }
        })
        .collect()
}

pub fn task_counts(m: &Milestone) -> TaskCounts {
    if !m.tasks.is_empty() {
        let mut c = TaskCounts {
            total: m.tasks.len() as u64,
            ..TaskCounts::default()
        };
        for t in &m.tasks {
            match status::of_task(t) {
                Status::Completed => c.completed += 1,
                Status::InProgress => c.in_progress += 1,
                Status::Failed => c.failed += 1,
                _ => {}
            }
        }
        return c;
    }
    TaskCounts {
        total: super::plan::total(m).unwrap_or(0),
        completed: m.counters.completed.unwrap_or(0),
        in_progress: m.counters.in_progress.unwrap_or(0),
        failed: u64::from(m.bundle.as_ref().is_some_and(|b| b.failed_task.is_some())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;
    use crate::read::milestone::{Reading, classify};
    use crate::read::yaml;

    fn ms(src: &str) -> Milestone {
        let v = yaml::parse(src).expect("yaml");
        match classify(&v, Origin::Active, "x.yaml", "x").expect("ok") {
            Reading::Milestone(m) => *m,
            _ => panic!("not a milestone"),
        }
    }

    fn progress(src: &str) -> f64 {
        let m = ms(src);
        milestone(&m, status::of_milestone(&m))
    }

    #[test]
    fn milestone_level_phases_are_weighted() {
        let p = progress(
            "id: a\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: completed}\n    spec: {weight: 25, status: in_progress}\n    task: {weight: 20, status: pending}\n    execute: {weight: 40, status: pending}\n",
        );
        assert!((p - 27.5).abs() < 1e-9, "{p}");
    }

    #[test]
    fn unlisted_phases_count_zero_and_custom_weights_apply() {
        let p = progress(
            "id: a\nphases:\n  design: {status: done}\nkiro_configuration:\n  phase_weights: {design: 50, spec: 50, task: 0, execute: 0}\n",
        );
        assert!((p - 50.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn completed_wins_and_explicit_numbers_win() {
        assert_eq!(
            progress("id: a\nstatus: done\nphases: {design: {status: pending}}\n"),
            100.0
        );
        let p = progress("id: a\nphases:\n  design: {status: pending, progress: 40}\n");
        assert!((p - 6.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn tasks_with_and_without_phases() {
        let p = progress(
            "id: a\ntasks:\n  - id: t1\n    status: in_progress\n    kiro_workflow:\n      phases:\n        design: {status: approved}\n        spec: {status: waiting_approval}\n  - {id: t2, status: completed, kiro_workflow: {enabled: false}}\n  - {id: t3, status: in_progress}\n",
        );
        // t1: (15 + 25*0.75)/100 = 0.3375; t2: 1; t3: 0.5.
        assert!((p - 100.0 * (0.3375 + 1.0 + 0.5) / 3.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn task_weights() {
        let p = progress("id: a\ntasks:\n  - {status: done, weight: 3}\n  - {status: todo}\n");
        assert!((p - 75.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn declared_is_the_fallback() {
        assert_eq!(progress("id: a\nprogress: 42\n"), 42.0);
        assert_eq!(progress("id: a\n"), 0.0);
    }

    #[test]
    fn bars_average_task_phases() {
        let m = ms(
            "id: a\ntasks:\n  - phases: {design: {status: approved}}\n  - phases: {design: {status: in_review}, spec: blocked}\n  - {status: done}\n",
        );
        let bars = phase_bars(&m);
        assert_eq!(bars.len(), 4);
        assert!((bars[0].fraction - 0.875).abs() < 1e-9);
        assert_eq!(bars[0].status, "in_progress");
        assert!((bars[1].fraction - 0.125).abs() < 1e-9);
        assert!(phase_bars(&ms("id: a\ntasks: [{status: done}]\n")).is_empty());
    }

    /// Reported as `status --json` reports it (one decimal).
    fn reported(src: &str) -> f64 {
        crate::util::round::half_away(progress(src), 1)
    }

    #[test]
    fn boundaries_are_exact_and_round_half_away() {
        // 25·0.75 + 40·0.25 = 28.75 (28.749999999999996 in floating point).
        let src = "id: a\nphases:\n  spec: {status: in_review}\n  execute: {status: blocked}\n";
        assert_eq!(progress(src), 28.75);
        assert_eq!(reported(src), 28.8);
        // 25·0.25 + 20·0.25 + 40·1 = 51.25; 25·0.75 + 20·0.25 + 40·1 = 63.75.
        let src = "id: a\nphases:\n  spec: {status: blocked}\n  task: {status: blocked}\n  execute: {status: done}\n";
        assert_eq!(reported(src), 51.3);
        let src = "id: a\nphases:\n  spec: {status: in_review}\n  task: {status: blocked}\n  execute: {status: done}\n";
        assert_eq!(reported(src), 63.8);
        // An explicit figure: 15 · 9 / 100 = 1.35 (1.3499999999999999).
        assert_eq!(reported("id: a\nphases:\n  design: {progress: 9}\n"), 1.4);
        // The same sum through tasks with per-task phases, and task weights.
        let src = "id: a\ntasks:\n  - {id: t1, weight: 1.5, kiro_workflow: {phases: {spec: in_review, execute: blocked}}}\n  - {id: t2, weight: 0.5, kiro_workflow: {phases: {spec: in_review, execute: blocked}}}\n";
        assert_eq!(progress(src), 28.75);
        assert_eq!(reported(src), 28.8);
        // Declared figures: as written, clamped.
        assert_eq!(reported("id: a\nprogress: 28.65\n"), 28.7);
        assert_eq!(reported("id: a\nprogress: -5\n"), 0.0);
        assert_eq!(reported("id: a\nprogress: 100\n"), 100.0);
        assert_eq!(
            reported("id: a\nphases:\n  design: {status: pending}\n"),
            0.0
        );
        assert_eq!(
            reported("id: a\nphases: {design: done, spec: done, task: done, execute: done}\n"),
            100.0
        );
    }

    #[test]
    fn fractions_are_exact_and_round_half_away() {
        let round3 = |x: f64| crate::util::round::half_away(x, 3);
        let bars = phase_bars(&ms(
            "id: a\nphases:\n  design: {progress: 13.45}\n  spec: {progress: 56.25}\n  task: {progress: 33.35}\n",
        ));
        assert_eq!(bars[0].fraction, 0.1345);
        assert_eq!(round3(bars[0].fraction), 0.135);
        assert_eq!(round3(bars[1].fraction), 0.563);
        assert_eq!(round3(bars[2].fraction), 0.334);
        assert_eq!(round3(bars[3].fraction), 0.0);
        // The plain mean over the tasks: (0.9 + 0 + 0.1035) / 3 = 0.3345.
        let bars = phase_bars(&ms(
            "id: a\ntasks:\n  - phases: {design: {progress: 90}}\n  - phases: {design: {progress: 0}}\n  - phases: {design: {progress: 10.35}}\n",
        ));
        assert_eq!(round3(bars[0].fraction), 0.335);
    }
}
