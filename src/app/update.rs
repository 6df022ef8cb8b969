//! `update(&mut App, Msg) -> Vec<Effect>`: every reaction of the dashboard,
//! testable without a terminal.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use crate::app::keymap::{Action, Key};
use crate::app::layout;
use crate::app::rows::{self, Row};
use crate::app::{App, Effect, Msg, Pane, RunAction};
use crate::model::{RunState, Snapshot};

mod answer;
pub use answer::shown;
mod merge;
mod mouse;
mod nav;
mod ready;
mod snapshot;

use mouse::mouse;
use nav::*;
use ready::*;
use snapshot::*;

/// Applies one message. Sets `app.dirty` when what is on screen may have
/// changed (everything but a reload or git read that found nothing new).
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    app.dirty = true;
    match msg {
        Msg::Key(k) if k.kind == KeyEventKind::Release => {}
        Msg::Key(k) => key(app, Key::from_event(&k), &mut fx),
        Msg::Mouse(m) => mouse(app, m, &mut fx),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            // The old offset belongs to the old wrapping.
            app.detail_scroll = 0;
            keep_visible(app);
        }
        Msg::Loaded(snap) => loaded(app, *snap, &mut fx),
        Msg::Partial(Some(snap)) => partial(app, *snap),
        Msg::Partial(None) => app.dirty = false,
        Msg::LogLoaded { id, events } => {
            if app.selected.as_deref() == Some(id.as_str()) {
                app.log.id = Some(id);
                app.log.events = events;
                let max = app.log.events.len();
                app.log.scroll = app.log.scroll.min(max);
            }
        }
        Msg::Tick(now) => app.now = now,
        Msg::Notice(s) => app.message = Some(s),
        Msg::Failed { job, text } => app.message = Some(format!("{job} failed: {text}")),
        Msg::Git { generation, states } => {
            if generation >= app.git_gen {
                app.git_gen = generation;
                app.git = states;
                // A first screenful waits for the full read, which gets
                // these states then.
                if let Some(snap) = app.snap.clone().filter(|s| s.partial.is_none()) {
                    changed(app, snap, false, &mut fx);
                }
            }
        }
        Msg::MessageExpired(text) => {
            if app.message.as_deref() == Some(text.as_str()) {
                app.message = None;
            }
        }
        Msg::RunDone { id, action, result } => {
            app.starting.retain(|s| s != &id);
            use crate::model::Refusal;
            match (action, result) {
                (RunAction::Start { .. }, Ok(msg)) => {
                    // Busy until a snapshot shows this run (not the last one).
                    let before = rows::find(app, &id)
                        .and_then(|m| m.run.as_ref())
                        .map(|r| r.started_at.clone());
                    app.launched.push((id, before));
                    app.message = Some(msg);
                }
                (RunAction::Stop, Ok(msg)) => app.message = Some(again(app, &id, &msg)),
                (_, Ok(msg)) => app.message = Some(msg),
                (
                    RunAction::Start { force, .. },
                    Err(Refusal::NotTrusted {
                        shown: cmd,
                        fingerprint,
                    }),
                ) => {
                    app.confirm = Some((
                        format!(
                            "this workspace's agent command is not approved yet:\n{cmd}\ntrust it and start {id}? (y/n)"
                        ),
                        Effect::Run {
                            id,
                            action: RunAction::Start {
                                force,
                                trust: Some(fingerprint),
                            },
                        },
                    ));
                }
                (RunAction::Start { trust, .. }, Err(Refusal::Unmet(ids))) => {
                    app.confirm = Some((
                        format!(
                            "{id} requires {} (not completed); start anyway? (y/n)",
                            ids.join(", ")
                        ),
                        Effect::Run {
                            id,
                            action: RunAction::Start { force: true, trust },
                        },
                    ));
                }
                (_, Err(e)) => {
                    app.message = Some(format!("{id}: {}", e.to_string().replace('\n', "; ")))
                }
            }
        }
        Msg::AgentOutput { id, lines } => {
            if app.attached.as_ref().is_some_and(|(a, _)| *a == id) {
                app.attached = Some((id, lines));
            }
        }
        m @ (Msg::ChecksProgress { .. }
        | Msg::ChecksUntrusted { .. }
        | Msg::ChecksDone { .. }
        | Msg::MergeDone { .. }
        | Msg::ChecksOutput { .. }) => merge::message(app, m),
        Msg::PreviewLoaded { id, preview } => {
            if app.selected.as_deref() == Some(id.as_str()) {
                app.preview = preview;
            }
        }
        Msg::Answered { id, result } => answer::answered(app, &id, result),
        Msg::WorktreeAdded {
            id,
            result,
            ignored,
        } => match result {
            Ok(path) if !ignored => {
                app.confirm = Some((
                    format!(
                        "created {path}; .worktrees/ is not ignored by git: add it to .git/info/exclude? (y/n)"
                    ),
                    Effect::ExcludeWorktrees,
                ));
            }
            Ok(path) => app.message = Some(format!("created {path} for {id}")),
            Err(e) => app.message = Some(format!("worktree for {id}: {e}")),
        },
    }
    answer::want_preview(app, &mut fx);
    fx
}

fn area(app: &App) -> Rect {
    Rect::new(0, 0, app.size.0, app.size.1)
}

fn areas(app: &App) -> layout::Areas {
    layout::compute(area(app), app)
}

/// Rows of content a pane shows (inside its border).
fn page(app: &App, pane: Pane) -> usize {
    areas(app)
        .of(pane)
        .map_or(1, |r| r.height.saturating_sub(2).max(1) as usize)
}

fn key(app: &mut App, k: Key, fx: &mut Vec<Effect>) {
    app.message = None;
    if app.attached.is_some() {
        if matches!(k.code, KeyCode::Esc | KeyCode::Char('q' | 'a')) {
            app.attached = None;
        } else {
            app.message = Some(format!(
                "{} does nothing in the output view; Esc closes it",
                k.label()
            ));
        }
        return;
    }
    if crate::app::prompt::key_in_box(app, k.code) {
        return;
    }
    if let Some((_, yes)) = app.confirm.take() {
        // The next question is shown from its top, and seen anew.
        app.prompt = Default::default();
        if matches!(k.code, KeyCode::Char('y' | 'Y')) {
            fx.push(yes);
        } else {
            app.message = Some("cancelled".into());
        }
        return;
    }
    if answer::reply_key(app, k, fx) {
        return;
    }
    if app.filtering {
        match k.code {
            KeyCode::Char('c') if k.mods.contains(crossterm::event::KeyModifiers::CONTROL) => {
                act(app, Action::Quit, fx);
            }
            KeyCode::Char(c) => {
                app.filter.push(c);
                refilter(app, fx);
            }
            KeyCode::Backspace => {
                app.filter.pop();
                refilter(app, fx);
            }
            KeyCode::Enter => app.filtering = false,
            KeyCode::Esc => {
                app.filtering = false;
                app.filter.clear();
                refilter(app, fx);
            }
            _ => {}
        }
        return;
    }
    if let Some(a) = app.keymap.action(k) {
        if app.help {
            let n = crate::app::keymap::Action::ALL.len() + crate::app::hints::LEGEND.len() + 2;
            match a {
                Action::MoveDown => {
                    app.help_scroll = (app.help_scroll + 1).min(n.saturating_sub(1))
                }
                Action::MoveUp => app.help_scroll = app.help_scroll.saturating_sub(1),
                Action::Help | Action::Back | Action::Quit => act(app, a, fx),
                _ => app.message = Some("the help is open: Esc closes it first".into()),
            }
            return;
        }
        act(app, a, fx);
    }
}

fn act(app: &mut App, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::MoveDown => step(app, 1, fx),
        Action::MoveUp => step(app, -1, fx),
        Action::PageDown => {
            let n = page(app, app.focus) as isize;
            step(app, n, fx)
        }
        Action::PageUp => {
            let n = page(app, app.focus) as isize;
            step(app, -n, fx)
        }
        Action::Top => step(app, isize::MIN / 2, fx),
        Action::Bottom => step(app, isize::MAX / 2, fx),
        Action::NextPane | Action::PrevPane => {
            let order = Pane::ORDER;
            let i = order.iter().position(|p| *p == app.focus).unwrap_or(0);
            let n = order.len();
            let next = if a == Action::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            focus(app, order[next]);
        }
        // In the queue, Enter goes to the agent, like `a`.
        Action::Open if app.focus == Pane::Milestones && app.needs_you && focus_agent(app, fx) => {}
        Action::Open => match app.focus {
            Pane::Milestones => focus(app, Pane::Detail),
            Pane::Blockers => {
                let target = rows::ordered_blockers(app)
                    .get(app.blocker_index)
                    .map(|b| (b.id.clone(), b.kind));
                if let Some((id, kind)) = target {
                    app.filter.clear();
                    select(app, Some(id), fx);
                    app.focus = Pane::Milestones;
                    // An agent that waits: Enter goes to it, like `a`.
                    use crate::model::BlockerKind as K;
                    if matches!(kind, K::AgentWaiting | K::AgentError) {
                        focus_agent(app, fx);
                    }
                }
            }
            _ => {}
        },
        Action::Filter => {
            app.filtering = true;
            app.focus = Pane::Milestones;
        }
        Action::Back => {
            if app.help {
                app.help = false;
            } else if !app.filter.is_empty() {
                app.filter.clear();
                refilter(app, fx);
            } else {
                app.focus = Pane::Milestones;
            }
        }
        Action::ShowDetail => toggle(app, Pane::Detail),
        Action::ShowBlockers => toggle(app, Pane::Blockers),
        Action::ShowLog => toggle(app, Pane::Log),
        Action::ToggleFollow => {
            app.log.follow = !app.log.follow;
            if app.log.follow {
                app.log.scroll = 0;
            }
        }
        Action::AddWorktree => {
            let target =
                rows::selected(app).map(|m| (m.milestone.id.clone(), m.worktree.is_some()));
            match target {
                Some((id, true)) => app.message = Some(format!("{id} already has a worktree")),
                Some((id, false)) => {
                    app.confirm = Some((
                        format!(
                            "create .worktrees/milestone-{id} on a new branch feature/milestone-{id}? (y/n)"
                        ),
                        Effect::AddWorktree(id),
                    ));
                }
                None => app.message = Some("no milestone selected".into()),
            }
        }
        Action::StartRun
        | Action::PauseRun
        | Action::ResumeRun
        | Action::StopRun
        | Action::Attach => {
            if a == Action::Attach && focus_agent(app, fx) {
                return;
            }
            let Some(m) = rows::selected(app) else {
                app.message = Some("no milestone selected".into());
                return;
            };
            let id = m.milestone.id.clone();
            let run = m.run.as_ref().map(|r| r.state);
            match (a, run) {
                (Action::StartRun, Some(state @ (RunState::Running | RunState::Paused))) => {
                    app.message = Some(format!("{id} is already {state}"));
                }
                (Action::StartRun, _) => start(app, id, fx),
                (Action::PauseRun, Some(RunState::Running)) => fx.push(Effect::Run {
                    id,
                    action: RunAction::Pause,
                }),
                (Action::PauseRun, Some(RunState::Paused)) => {
                    app.message = Some(format!("{id} is already paused; r resumes it"))
                }
                (Action::ResumeRun, Some(RunState::Running)) => {
                    app.message = Some(format!("{id} is running; p pauses it"))
                }
                (Action::ResumeRun, _) => fx.push(Effect::Run {
                    id,
                    action: RunAction::Resume,
                }),
                (Action::StopRun, Some(RunState::Running | RunState::Paused)) => {
                    app.confirm = Some((
                        format!("stop {id}'s run (SIGTERM, then SIGKILL)? (y/n)"),
                        Effect::Run {
                            id,
                            action: RunAction::Stop,
                        },
                    ));
                }
                (Action::Attach, Some(_)) if app.tmux_runs => fx.push(Effect::TmuxSelect(id)),
                (Action::Attach, Some(_)) => {
                    app.attached = Some((id.clone(), Vec::new()));
                    fx.push(Effect::LoadAgentOutput(id.clone()));
                }
                (_, Some(state)) if state.is_over() => {
                    let msg = format!("{id}'s run has ended ({state}) — press s to start it again");
                    app.message = Some(again(app, &id, &msg));
                }
                (_, Some(state)) => app.message = Some(format!("{id}'s run is {state}")),
                (_, None) => app.message = Some(format!("{id} has no run; s starts one")),
            }
        }
        Action::RunChecks | Action::ShowChecks | Action::Merge => merge::action(app, a, fx),
        Action::StartReady => {
            app.autostart = !app.autostart;
            if app.autostart {
                let said = fill_slots(app, fx);
                app.message = Some(said);
            } else {
                app.message = Some("stopped filling free slots".into());
            }
        }
        Action::Allow | Action::Deny | Action::Reply | Action::Queue => answer::act(app, a, fx),
        Action::Help => {
            app.help = !app.help;
            app.help_scroll = 0;
        }
        Action::Suspend => fx.push(Effect::Suspend),
        Action::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
    }
    keep_visible(app);
}

/// After a Claude Code run ended, `r` resumes its conversation (SPEC §8:
/// `claude --resume`), which "press s to start it again" leaves out.
fn again(app: &App, id: &str, msg: &str) -> String {
    let resumable = rows::find(app, id)
        .and_then(|m| m.agent.as_ref())
        .is_some_and(|a| a.kind == "claude" && !a.session_id.is_empty());
    if resumable {
        msg.replace(
            "press s to start it again",
            "r resumes its conversation, s starts anew",
        )
    } else {
        msg.to_string()
    }
}

/// Goes to the selected milestone's Claude Code agent in its tmux pane,
/// when it has one; false otherwise.
fn focus_agent(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    let Some(m) = rows::selected(app) else {
        return false;
    };
    let Some(agent) = m.agent.as_ref() else {
        return false;
    };
    let Some(pane) = agent.pane.clone() else {
        return false;
    };
    let id = m.milestone.id.clone();
    // Going there acknowledges the wait.
    if agent.state.waits() {
        let since = agent.since.clone();
        if !app.seen.iter().any(|(i, s)| *i == id && *s == since) {
            app.seen.push((id.clone(), since));
        }
    }
    // Read on the way back: how to come back.
    app.message = Some(format!(
        "went to {id}'s agent pane; tmux last-window (prefix l) comes back here"
    ));
    fx.push(Effect::FocusAgent { id, pane });
    true
}
