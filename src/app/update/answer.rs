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
        app.message = Some(
            if app.needs_you {
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
    match (a, agent.state) {
        (Action::Allow | Action::Deny, AgentState::WaitingPermission) => {
            fx.push(Effect::Answer {
                id,
                agent: *agent,
                allow: a == Action::Allow,
            });
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

/// Asks for the preview of what the selected agent asks, once per request.
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
    let key = (id.clone(), a.session_id.clone(), a.detail.clone());
    if app.preview_asked.as_ref() == Some(&key) {
        return;
    }
    app.preview_asked = Some(key);
    fx.push(Effect::LoadPreview { id, agent: *a });
}
