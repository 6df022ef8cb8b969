//! Answering agents from the dashboard (issue 19): `y` allows, `n` denies,
//! `R` types a reply, `!` shows the queue of agents that need you. The
//! screen checks and the keys happen in the runtime (`Effect::Answer`,
//! `Effect::Reply`); here only what to ask for.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::app::keymap::{Action, Key};
use crate::app::rows;
use crate::app::{App, Effect};
use crate::model::AgentState;

pub(super) fn act(app: &mut App, a: Action, fx: &mut Vec<Effect>) {
    if a == Action::Queue {
        app.needs_you = !app.needs_you;
        let none = app.needs_you && rows::visible(app).is_empty();
        app.message = Some(
            if none {
                "no agent needs you now (! again: everything)"
            } else if app.needs_you {
                "agents that need you, oldest first (! again: everything)"
            } else {
                "all milestones"
            }
            .into(),
        );
        if app.needs_you
            && let Some(&first) = rows::visible(app).first()
        {
            let id = app
                .snap
                .as_ref()
                .map(|s| s.milestones[first].milestone.id.clone());
            app.selected = id;
        }
        return;
    }
    let Some(m) = rows::selected(app) else { return };
    let id = m.milestone.id.clone();
    let Some(agent) = m.agent.clone() else {
        app.message = Some(format!("{id} has no agent to answer"));
        return;
    };
    let Some(pane) = agent.pane.clone() else {
        app.message = Some(format!(
            "{id}'s agent is not in a tmux pane mdash started; answer it where it runs"
        ));
        return;
    };
    // A frozen agent reads nothing: keys sent now would wait unseen.
    if m.run.as_ref().map(|r| r.state) == Some(crate::model::RunState::Paused) {
        app.message = Some(format!(
            "{id}'s run is paused: r resumes it, then answer (nothing sent)"
        ));
        return;
    }
    match (a, agent.state) {
        (Action::Allow | Action::Deny, AgentState::WaitingPermission) => {
            // SPEC §8.4: only the request whose preview is on screen.
            match shown(app, &id, &agent) {
                Some(hash) => fx.push(Effect::Answer {
                    id,
                    hash,
                    allow: a == Action::Allow,
                }),
                None => {
                    app.message = Some(format!(
                        "{id}'s request is not on screen yet (a new one just arrived, or it cannot be previewed); nothing sent"
                    ))
                }
            }
        }
        (Action::Reply, AgentState::WaitingInput | AgentState::Error) => {
            app.replying = Some((id, String::new()));
            let _ = pane;
        }
        (Action::Allow | Action::Deny, s) | (Action::Reply, s) => {
            app.message = Some(format!("{id}'s agent is {}", s.as_str().replace('_', " ")));
        }
        _ => {}
    }
}

/// Keys while a reply is typed; true when the key was taken.
pub(super) fn reply_key(app: &mut App, k: Key, fx: &mut Vec<Effect>) -> bool {
    let Some((id, text)) = app.replying.as_mut() else {
        return false;
    };
    match k.code {
        KeyCode::Char('c') if k.mods.contains(KeyModifiers::CONTROL) => app.replying = None,
        KeyCode::Char(c) => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Esc => app.replying = None,
        KeyCode::Enter => {
            let (id, text) = (id.clone(), text.clone());
            app.replying = None;
            let pane = app
                .snap
                .as_ref()
                .and_then(|s| s.milestones.iter().find(|m| m.milestone.id == id))
                .and_then(|m| m.agent.as_ref())
                .and_then(|a| a.pane.clone());
            match pane {
                Some(pane) if !text.trim().is_empty() => fx.push(Effect::Reply { id, pane, text }),
                Some(_) => app.message = Some("empty reply: nothing sent".into()),
                None => app.message = Some(format!("{id}'s agent pane is gone")),
            }
        }
        _ => {}
    }
    true
}

/// After an answer, the queue moves on to the next agent that waits.
pub(super) fn answered(app: &mut App, id: &str, result: Result<String, String>) {
    match result {
        Ok(msg) => {
            app.message = Some(msg);
            if app.needs_you {
                let next = rows::visible(app).into_iter().find_map(|i| {
                    let m = &app.snap.as_ref()?.milestones[i];
                    (m.milestone.id != id).then(|| m.milestone.id.clone())
                });
                if next.is_some() {
                    app.selected = next;
                }
            }
        }
        Err(e) => app.message = Some(e),
    }
}

/// The hash of `agent`'s request, when its preview is the one on screen.
pub fn shown(app: &App, id: &str, agent: &crate::model::AgentView) -> Option<String> {
    let want = agent.request.as_ref()?;
    app.preview
        .as_ref()
        .filter(|p| p.id == id && p.hash == want.hash && p.session_id == agent.session_id)
        .map(|p| p.hash.clone())
}

/// Asks for the preview of what the selected agent asks, once per request
/// (a new request, even with the same detail, is asked for at once).
pub(super) fn want_preview(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(m) = rows::selected(app) else { return };
    let Some(a) = m
        .agent
        .clone()
        .filter(|a| a.state == AgentState::WaitingPermission)
    else {
        return;
    };
    let id = m.milestone.id.clone();
    let key = (
        id.clone(),
        a.session_id.clone(),
        a.request.as_ref().map(|r| r.hash.clone()),
    );
    if app.preview_asked.as_ref() == Some(&key) {
        return;
    }
    app.preview_asked = Some(key);
    fx.push(Effect::LoadPreview { id, agent: a });
}
