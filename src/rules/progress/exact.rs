//! The same rules in rationals; `None` when a figure outgrows them.

use super::*;

fn of(x: f64) -> Option<Ratio> {
    Ratio::of(x)
}

pub fn fraction(state: Option<&PhaseState>) -> Option<Ratio> {
    match state {
        Some(PhaseState {
            progress: Some(p), ..
        }) => of(*p)?.over(Ratio::int(100)),
        Some(PhaseState {
            status: Some(s), ..
        }) => of(status::phase_fraction(s)),
        _ => Some(Ratio::ZERO),
    }
}

/// Σ wₚ·fₚ and Σ wₚ.
fn sums(weights: &[f64; 4], phases: &PhaseMap) -> Option<(Ratio, Ratio)> {
    let (mut num, mut total) = (Ratio::ZERO, Ratio::ZERO);
    for p in Phase::ALL {
        let w = of(weights[p.index()])?;
        total = total.plus(w)?;
        num = num.plus(w.times(fraction(phases.get(p))?)?)?;
    }
    Some((num, total))
}

pub fn weighted(weights: &[f64; 4], phases: &PhaseMap) -> Option<Ratio> {
    let (num, total) = sums(weights, phases)?;
    if total.num() <= 0 {
        return Some(Ratio::ZERO);
    }
    num.over(total)
}

fn task_score(t: &Task, weights: &[f64; 4]) -> Option<Ratio> {
    if let Some(phases) = &t.phases {
        return weighted(weights, phases);
    }
    Some(match status::of_task(t) {
        Status::Completed => Ratio::ONE,
        Status::InProgress => Ratio::new(1, 2)?,
        _ => Ratio::ZERO,
    })
}

pub fn milestone(m: &Milestone, status: Status) -> Option<Ratio> {
    let hundred = Ratio::int(100);
    if status == Status::Completed {
        return Some(hundred);
    }
    if let Some(phases) = &m.phases {
        return hundred.times(weighted(&m.weights, phases)?);
    }
    if !m.tasks.is_empty() {
        let (mut sum, mut total) = (Ratio::ZERO, Ratio::ZERO);
        for t in &m.tasks {
            let w = of(t.weight)?;
            total = total.plus(w)?;
            sum = sum.plus(w.times(task_score(t, &m.weights)?)?)?;
        }
        if total.num() <= 0 {
            return Some(Ratio::ZERO);
        }
        return hundred.times(sum.over(total)?);
    }
    if m.bundle.is_some() {
        let total = super::super::plan::total(m).unwrap_or(0);
        let done = m.counters.completed.unwrap_or(0).min(total);
        if total == 0 {
            return Some(Ratio::ZERO);
        }
        return hundred.times(Ratio::new(i128::from(done), i128::from(total))?);
    }
    of(m.declared_progress.unwrap_or(0.0))
}

/// The plain mean of the phased tasks' fractions of phase `p`.
pub fn mean(phased: &[&PhaseMap], p: Phase) -> Option<Ratio> {
    let mut sum = Ratio::ZERO;
    for ph in phased {
        sum = sum.plus(fraction(ph.get(p))?)?;
    }
    sum.over(Ratio::int(i128::try_from(phased.len()).ok()?))
}
