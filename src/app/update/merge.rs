//! Checks and merging from the dashboard (`t`, `T`, `M`): what is asked
//! and which effects go out; the runner does the work and answers with
//! `ChecksProgress`, `ChecksDone`, `MergeDone` and `ChecksOutput`.

use crate::app::keymap::Action;
use crate::app::{App, ChecksLive, Effect, Msg, rows};
use crate::model::Gate;

/// The title of the full-screen view of `id`'s checks output.
pub fn checks_title(id: &str) -> String {
    format!("{id} checks")
}

/// `✓progress ✓commits ✗checks`: every gate that applies, by what it
/// requires, `✓` when that holds.
pub fn gates(ready: &crate::model::Ready) -> String {
    Gate::ALL
        .iter()
        .filter(|g| **g != Gate::Checks || ready.checks_configured)
        .map(|g| {
            let mark = if ready.missing.contains(g) {
                '✗'
            } else {
                '✓'
            };
            format!("{mark}{}", g.word())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn action(app: &mut App, a: Action, fx: &mut Vec<Effect>) {
    let Some(m) = rows::selected(app) else { return };
    let id = m.milestone.id.clone();
    match a {
        Action::RunChecks => {
            if app.checks.iter().any(|c| c.id == id) {
                app.message = Some(format!("{id}'s checks are already running"));
            } else if m.worktree.is_none() {
                app.message = Some(format!("{id} has no worktree to test (w creates one)"));
            } else {
                app.checks.push(ChecksLive {
                    id: id.clone(),
                    elapsed_secs: 0,
                    last: String::new(),
                });
                app.message = Some(format!("running {id}'s checks (T shows the output)"));
                fx.push(Effect::RunChecks(id));
            }
        }
        Action::ShowChecks => {
            app.attached = Some((checks_title(&id), Vec::new()));
            fx.push(Effect::LoadChecksOutput(id));
        }
        Action::Merge => {
            let Some(w) = &m.worktree else {
                app.message = Some(format!("{id} has no worktree to merge"));
                return;
            };
            let (Some(branch), Some(base)) = (&w.branch, &w.base) else {
                app.message = Some(format!("{id}: no branch or no base branch to merge into"));
                return;
            };
            if w.merged == Some(true) {
                app.message = Some(format!("{branch} is already merged into {base}"));
                return;
            }
            if let Some(i) = w.forecast.iter().position(|f| f == "base") {
                let paths = w.forecast_paths.get(i).map(|p| p.join(", "));
                app.message = Some(format!(
                    "{branch} would conflict with {base} in {}: resolve it first",
                    paths.unwrap_or_default()
                ));
                return;
            }
            let how = if w.behind == Some(0) {
                "fast-forward".to_string()
            } else {
                format!("a merge commit \"Merge {branch}\"")
            };
            let ok = m.ready.ok();
            // Said before the merge: its worktree cannot go afterwards.
            let stays = crate::rules::ready::live_run(m)
                .map(|w| format!(" (worktree stays after: {w})"))
                .unwrap_or_default();
            let question = if ok {
                format!(
                    "merge {branch} into {base} by {how}? {} (y/n){stays}",
                    gates(&m.ready)
                )
            } else {
                format!(
                    "{id} is not ready ({}): merge {branch} into {base} by {how} anyway? (y/n){stays}",
                    gates(&m.ready)
                )
            };
            app.confirm = Some((question, Effect::Merge { id, force: !ok }));
        }
        _ => {}
    }
}

pub(super) fn message(app: &mut App, msg: Msg) {
    match msg {
        Msg::ChecksProgress {
            id,
            line,
            elapsed_secs,
        } => {
            if let Some(c) = app.checks.iter_mut().find(|c| c.id == id) {
                c.elapsed_secs = elapsed_secs;
                if let Some(l) = &line {
                    c.last = l.clone();
                }
            }
            if let (Some((title, lines)), Some(l)) = (app.attached.as_mut(), line)
                && *title == checks_title(&id)
            {
                lines.push(l);
            }
        }
        Msg::ChecksUntrusted {
            id,
            shown,
            fingerprint,
        } => {
            app.checks.retain(|c| c.id != id);
            // In the box, whole and escaped (never the footer, which keeps
            // only its last lines), and approving only what was shown.
            app.confirm = Some((
                format!(
                    "this workspace's checks.command is not approved yet:\n{shown}\ntrust it and run {id}'s checks? (y/n)"
                ),
                Effect::TrustChecks { id, fingerprint },
            ));
        }
        Msg::ChecksDone { id, result } => {
            app.checks.retain(|c| c.id != id);
            app.message = Some(match result {
                Ok(s) => s,
                Err(e) => format!("{id}: {}", e.replace('\n', "; ")),
            });
        }
        Msg::MergeDone { id, result } => match result {
            Ok((summary, true))
                if let Some(why) = rows::find(app, &id).and_then(crate::rules::ready::live_run) =>
            {
                // Not offered: removing it would delete a live agent's cwd.
                app.message = Some(format!("{summary} — the worktree stays: {why}"));
            }
            Ok((summary, true)) => {
                // The question first: a long summary is cut at the footer's end.
                app.confirm = Some((
                    format!("Remove {id}'s worktree and branch now? (y/n) — {summary}"),
                    Effect::RemoveWorktree(id),
                ));
            }
            Ok((summary, false)) => app.message = Some(summary),
            Err(e) => app.message = Some(format!("{id}: {}", e.replace('\n', "; "))),
        },
        Msg::ChecksOutput { id, lines } => {
            if let Some((title, _)) = &app.attached
                && *title == checks_title(&id)
            {
                app.attached = Some((checks_title(&id), lines));
            }
        }
        _ => {}
    }
}
