//! `mdash status`: the workspace as a table, or as JSON (SPEC §7).

use serde::Serialize;
use serde_json::Value as J;

use crate::model::{MilestoneView, Snapshot};
use crate::ui::text::{fit, plural};
use crate::util::time;

mod seeds;

pub fn run(snap: &Snapshot, json: bool) -> i32 {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = if json {
        // Straight from the model to the pipe, without a JSON tree between.
        serde_json::to_writer_pretty(&mut out, &document(snap))
            .map_err(std::io::Error::from)
            .and_then(|_| out.write_all(b"\n"))
    } else {
        out.write_all(table(snap, columns()).as_bytes())
    }
    .and_then(|_| out.flush());
    0
}

/// Integral numbers print without a fraction (`40`, not `40.0`).
fn num(x: f64) -> J {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        J::from(x as i64)
    } else {
        J::from(x)
    }
}

/// Half away from zero on the decimal value (SPEC §7).
fn round(x: f64, places: u32) -> f64 {
    crate::util::round::half_away(x, places)
}

/// SPEC §7, serialized straight from the snapshot (no intermediate tree:
/// ten thousand milestones stay cheap).
#[derive(Serialize)]
struct Doc<'a> {
    schema: u32,
    root: String,
    now: String,
    milestones: Vec<MilestoneOut<'a>>,
    blockers: Vec<BlockerOut<'a>>,
    errors: Vec<ErrorOut<'a>>,
    registry_error: Option<&'a str>,
}

#[derive(Serialize)]
struct MilestoneOut<'a> {
    id: &'a str,
    title: &'a str,
    stage: Option<&'a str>,
    status: &'static str,
    raw_status: Option<&'a str>,
    source: &'a str,
    progress: J,
    declared_progress: Option<J>,
    phases: Vec<PhaseOut>,
    tasks: &'a crate::model::TaskCounts,
    requires: &'a [String],
    enables: &'a [String],
    worktree: Option<&'a crate::model::WorktreeState>,
    run: Option<&'a crate::live::runs::RunView>,
    agent: Option<&'a crate::model::AgentView>,
    pace: Option<PaceOut>,
    ready: ReadyOut,
    last_event: Option<EventOut<'a>>,
    blockers: Vec<BlockerOut<'a>>,
    plan: Option<seeds::PlanOut<'a>>,
    registry: Vec<seeds::AgentOut<'a>>,
}

#[derive(Serialize)]
struct PhaseOut {
    name: &'static str,
    weight: J,
    fraction: f64,
    status: String,
}

#[derive(Serialize)]
struct PaceOut {
    points_per_hour: f64,
    eta: String,
}

#[derive(Serialize)]
struct ReadyOut {
    ok: bool,
    missing: Vec<&'static str>,
}

#[derive(Serialize)]
struct EventOut<'a> {
    timestamp: Option<&'a str>,
    event: &'a str,
}

#[derive(Serialize)]
struct BlockerOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    kind: &'static str,
    detail: &'a str,
    source: crate::model::BlockerSource,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

fn blocker(b: &crate::model::Blocker, with_id: bool) -> BlockerOut<'_> {
    BlockerOut {
        id: with_id.then_some(b.id.as_str()),
        kind: b.kind.name(),
        detail: &b.detail,
        source: b.source,
    }
}

fn document(snap: &Snapshot) -> Doc<'_> {
    let mut all: Vec<&crate::model::Blocker> = snap.blockers().collect();
    all.sort_by(|a, b| (&a.id, a.kind.name(), &a.detail).cmp(&(&b.id, b.kind.name(), &b.detail)));
    Doc {
        schema: 1,
        root: snap.root.display().to_string(),
        now: time::format(snap.now),
        milestones: snap
            .milestones
            .iter()
            .map(|m| milestone(m, &snap.registry))
            .collect(),
        registry_error: snap.registry.error.as_deref(),
        blockers: all.into_iter().map(|b| blocker(b, true)).collect(),
        errors: snap
            .problems
            .iter()
            .map(|p| ErrorOut {
                path: &p.path,
                line: p.line,
                column: p.column,
                message: &p.message,
            })
            .collect(),
    }
}

/// The document as a JSON value (tests and tools).
pub fn to_json(snap: &Snapshot) -> J {
    serde_json::to_value(document(snap)).unwrap_or(J::Null)
}

fn milestone<'a>(v: &'a MilestoneView, reg: &'a crate::model::Registry) -> MilestoneOut<'a> {
    let m = &v.milestone;
    MilestoneOut {
        id: &m.id,
        title: &m.title,
        stage: m.stage.as_deref(),
        status: v.status.name(),
        raw_status: m.raw_status.as_deref(),
        source: &m.source,
        progress: num(round(v.progress, 1)),
        declared_progress: m.declared_progress.map(|d| num(round(d, 1))),
        phases: v
            .phases
            .iter()
            .map(|p| PhaseOut {
                name: p.phase.name(),
                weight: num(p.weight),
                fraction: round(p.fraction, 3),
                status: p.status.clone(),
            })
            .collect(),
        tasks: &v.tasks,
        requires: &m.requires,
        enables: &m.enables,
        worktree: v.worktree.as_deref(),
        run: v.run.as_ref(),
        agent: v.agent.as_deref(),
        pace: v.pace.map(|p| PaceOut {
            points_per_hour: p.points_per_hour,
            eta: time::format(p.eta),
        }),
        ready: ReadyOut {
            ok: v.ready.ok(),
            missing: v.ready.missing.iter().map(|g| g.name()).collect(),
        },
        last_event: v.last_event.as_ref().map(|e| EventOut {
            timestamp: e.timestamp.as_deref(),
            event: &e.name,
        }),
        blockers: v.blockers.iter().map(|b| blocker(b, false)).collect(),
        plan: seeds::plan(m),
        registry: seeds::registry(reg, &m.id),
    }
}

/// The table's width: `COLUMNS` when set, else the terminal's, else 80.
fn columns() -> usize {
    use std::io::IsTerminal;
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return n;
    }
    if std::io::stdout().is_terminal()
        && let Ok((w, _)) = crossterm::terminal::size()
    {
        return usize::from(w);
    }
    80
}

/// Columns the table needs with its ETA column (UTC).
const WITH_ETA: usize = 92;

fn table(snap: &Snapshot, width: usize) -> String {
    let mut out = String::new();
    let eta = width >= WITH_ETA;
    let line = |id: &str,
                title: &str,
                stage: &str,
                status: &str,
                bar: &str,
                pct: &str,
                blk: &str,
                when: &str| {
        let mut l = format!(
            "{} {} {} {} {} {pct:>5} {blk:>3}",
            fit(id, 14),
            fit(title, 22),
            fit(stage, 3),
            fit(status, 11),
            fit(bar, 16)
        );
        if eta {
            l.push_str(&format!(" {when:>11}"));
        }
        l + "\n"
    };
    out.push_str(&line(
        "ID", "TITLE", "STG", "STATUS", "PHASES", "%", "BLK", "ETA UTC",
    ));
    for v in &snap.milestones {
        out.push_str(&line(
            &v.milestone.id,
            &v.milestone.title,
            v.milestone.stage.as_deref().unwrap_or("-"),
            // The table is for people: a merged milestone is done (the
            // JSON keeps SPEC §2's status).
            if v.is_merged() {
                "merged"
            } else {
                v.status.name()
            },
            &crate::ui::bar::text(&v.phases, v.progress, 16),
            &crate::util::round::twice(v.progress, 1, 0).to_string(),
            &if v.blockers.is_empty() {
                String::new()
            } else {
                v.blockers.len().to_string()
            },
            &v.pace
                .filter(|_| !v.is_merged())
                .map(|p| time::clock(p.eta, snap.now))
                .unwrap_or_default(),
        ));
    }
    let total = snap.milestones.len();
    let overall = if total == 0 {
        0.0
    } else {
        snap.milestones.iter().map(|m| m.progress).sum::<f64>() / total as f64
    };
    let blockers = snap.blockers().count();
    out.push_str(&format!(
        "\n{}, overall {}%, {}",
        plural(total, "milestone"),
        crate::util::round::fixed(overall, 0),
        plural(blockers, "blocker")
    ));
    if let Some(cost) = crate::ui::panes::subagents::total(snap) {
        // What the agents' tokens cost (SPEC §8.3).
        out.push_str(&format!(", agents {cost}"));
    }
    if !snap.problems.is_empty() {
        out.push_str(&format!(
            ", {} (run `mdash check`)",
            plural(snap.problems.len(), "file problem")
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_wide_text() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
    }
}
