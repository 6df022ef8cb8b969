//! What the fleet dashboard does for a key (SPEC §14: every key on every
//! row). A row's workspace is local or behind ssh; either way the same CLI
//! runs where the workspace is (`live::fleet::action::once`), once, on a
//! worker, never retried after a lost reply, and its outcome goes to the
//! status line: `run` for s/p/r/x, `answer --request HASH` for y/n (the
//! hash the stream showed, so the workspace's mdash refuses a request
//! that changed), `reply` for R. `a` goes to the agent's pane: a local
//! one as the dashboard does, a remote one in a new local tmux window
//! (outside tmux: this terminal) running `ssh -t HOST mdash attach ID`.

use tokio::sync::mpsc;

use super::Fleet;
use crate::app::{App, Effect, Msg, RunAction};
use crate::live::fleet::config::Entry;
use crate::model::{LineKind, Preview};

/// The workspace of the fleet row `id`, and the milestone's own id there.
fn place(fleet: &Fleet, app: &App, id: &str) -> Option<(Entry, String)> {
    let i = app
        .snap
        .as_ref()?
        .milestones
        .iter()
        .position(|m| m.milestone.id == id)?;
    let (w, own) = fleet.owners.get(i).cloned()?;
    Some((fleet.entries[w].clone(), own))
}

/// Runs `mdash ARGS… --dir PATH` where `e` is, once, on a worker; `done`
/// turns (exit code, last line) into the message for the app.
fn once(
    tx: &mpsc::UnboundedSender<Msg>,
    e: Entry,
    mut args: Vec<String>,
    done: impl FnOnce(Option<i32>, String) -> Msg + Send + 'static,
) {
    // `--dir PATH` before a `--` that ends the options.
    let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
    args.splice(at..at, ["--dir".to_string(), e.path.clone()]);
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, last) = crate::live::fleet::action::once(e.host.as_deref(), &e.mdash, &argv);
        // Its words are the remote's: escaped like any workspace text.
        let last = crate::util::text::escape(last.trim_start_matches("mdash: ")).into_owned();
        let _ = tx.send(done(code, last));
    });
}

fn at(e: &Entry) -> String {
    e.host.as_deref().unwrap_or("here").to_string()
}

/// An answer's outcome, as the dashboard's own answers are told.
fn told(
    what: &str,
    own: &str,
    place: &str,
    code: Option<i32>,
    last: String,
) -> Result<String, String> {
    match code {
        Some(0) if place == "here" => Ok(last),
        Some(0) => Ok(format!("{last} (on {place})")),
        Some(_) => Err(format!("{what} {own} on {place} refused: {last}")),
        None => Err(format!(
            "{what} {own} on {place}: no answer ({last}); not retried, the stream shows what happened"
        )),
    }
}

/// The preview of a request read from a stream: what it asks, by the
/// identity the stream gave (its hash); the diff stays where it is.
fn preview(id: String, agent: &crate::model::AgentView) -> Option<Preview> {
    let r = agent.request.as_ref()?;
    let head = match &r.target {
        Some(t) => format!("{} {t}", r.tool),
        None => r.tool.clone(),
    };
    Some(Preview {
        id,
        session_id: agent.session_id.clone(),
        hash: r.hash.clone(),
        detail: agent.detail.clone(),
        more: 0,
        lines: vec![(LineKind::Head, head)],
    })
}

pub(super) fn effect(
    fleet: &mut Fleet,
    app: &mut App,
    tui: &mut crate::runtime::tui::Tui,
    tx: &mpsc::UnboundedSender<Msg>,
    fx: Effect,
) -> std::io::Result<()> {
    match fx {
        Effect::Quit => app.quit = true,
        Effect::Suspend => {
            tui.suspend()?;
            app.dirty = true;
        }
        Effect::LoadPreview { id, agent } => {
            let preview = preview(id.clone(), &agent);
            let _ = tx.send(Msg::PreviewLoaded { id, preview });
        }
        Effect::Run { id, action } => {
            let Some((e, own)) = place(fleet, app, &id) else {
                return Ok(());
            };
            let verb = match action {
                RunAction::Start { .. } => "start",
                RunAction::Pause => "pause",
                RunAction::Resume => "resume",
                RunAction::Stop => "stop",
            };
            let mut args: Vec<String> = vec!["run".into(), verb.into(), own.clone()];
            if matches!(action, RunAction::Start { force: true, .. }) {
                args.push("--force".into());
            }
            let place = at(&e);
            once(tx, e, args, move |code, last| {
                Msg::Notice(match code {
                    Some(0) => format!("{verb} {own} on {place}: {last}"),
                    Some(c) => format!("{verb} {own} on {place} failed ({c}): {last}"),
                    None => format!(
                        "{verb} {own} on {place}: no answer ({last}); not retried, the stream shows what happened"
                    ),
                })
            });
        }
        Effect::Answer { id, hash, allow } => {
            let Some((e, own)) = place(fleet, app, &id) else {
                return Ok(());
            };
            let word = if allow { "allow" } else { "deny" };
            let args = vec![
                "answer".into(),
                own.clone(),
                word.into(),
                "--request".into(),
                hash,
            ];
            let place = at(&e);
            once(tx, e, args, move |code, last| Msg::Answered {
                result: told(word, &own, &place, code, last),
                id,
            });
        }
        Effect::Reply { id, pane: _, text } => {
            let Some((e, own)) = place(fleet, app, &id) else {
                return Ok(());
            };
            // After `--`: a reply may start with `-` (`--help` is text).
            let args = vec!["reply".into(), own.clone(), "--".into(), text];
            let place = at(&e);
            once(tx, e, args, move |code, last| Msg::Answered {
                result: told("reply to", &own, &place, code, last),
                id,
            });
        }
        Effect::FocusAgent { id, pane: _ } => {
            if let Some((e, own)) = place(fleet, app, &id) {
                super::attach::go(app, tui, tx, &e, &id, &own)?;
            }
        }
        Effect::Notify(_) | Effect::LoadLog(_) => {}
        _ => {
            app.message = Some(
                "not available in the fleet view yet: open that workspace's own dashboard".into(),
            )
        }
    }
    Ok(())
}
