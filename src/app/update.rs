//! `update(&mut App, Msg) -> Vec<Effect>`: every reaction of the dashboard,
//! testable without a terminal.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use crate::app::keymap::{Action, Key};
use crate::app::rows::{self, Row};
use crate::app::{App, Effect, Msg, Pane, RunAction};
use crate::model::{RunState, Snapshot};
use crate::ui::layout;

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(k) if k.kind == KeyEventKind::Release => {}
        Msg::Key(k) => key(app, Key::from_event(&k), &mut fx),
        Msg::Mouse(m) => mouse(app, m, &mut fx),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            keep_visible(app);
        }
        Msg::Loaded(snap) => loaded(app, *snap, &mut fx),
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
                if let Some(snap) = app.snap.clone() {
                    changed(app, snap, false, &mut fx);
                }
            }
        }
        Msg::RunDone { id, action, result } => {
            app.starting.retain(|s| s != &id);
            use crate::live::runs::control::Refusal;
            match (action, result) {
                (_, Ok(msg)) => app.message = Some(msg),
                (RunAction::Start { force, .. }, Err(Refusal::NotTrusted(cmd))) => {
                    app.confirm = Some((
                        format!(
                            "this workspace's agent.command is {cmd} — trust it and start {id}? (y/n)"
                        ),
                        Effect::Run {
                            id,
                            action: RunAction::Start { force, trust: true },
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
        }
        return;
    }
    if let Some((_, yes)) = app.confirm.take() {
        if matches!(k.code, KeyCode::Char('y' | 'Y')) {
            fx.push(yes);
        }
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
            let n = crate::app::keymap::Action::ALL.len();
            match a {
                Action::MoveDown => {
                    app.help_scroll = (app.help_scroll + 1).min(n.saturating_sub(1))
                }
                Action::MoveUp => app.help_scroll = app.help_scroll.saturating_sub(1),
                Action::Help | Action::Back | Action::Quit => act(app, a, fx),
                _ => {}
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
        Action::Open => match app.focus {
            Pane::Milestones => focus(app, Pane::Detail),
            Pane::Blockers => {
                let target = rows::ordered_blockers(app)
                    .get(app.blocker_index)
                    .map(|b| b.id.clone());
                if let Some(id) = target {
                    app.filter.clear();
                    select(app, Some(id), fx);
                    app.focus = Pane::Milestones;
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
                None => {}
            }
        }
        Action::StartRun
        | Action::PauseRun
        | Action::ResumeRun
        | Action::StopRun
        | Action::Attach => {
            let Some(m) = rows::selected(app) else { return };
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
                (Action::ResumeRun, Some(RunState::Running)) => {
                    app.message = Some(format!("{id} is running"))
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
                (Action::Attach, Some(_)) => {
                    app.attached = Some((id.clone(), Vec::new()));
                    fx.push(Effect::LoadAgentOutput(id.clone()));
                    fx.push(Effect::TmuxSelect(id));
                }
                (_, Some(state)) => app.message = Some(format!("{id}'s run is {state}")),
                (_, None) => app.message = Some(format!("{id} has no run; s starts one")),
            }
        }
        Action::StartReady => {
            app.autostart = !app.autostart;
            app.message = Some(
                if app.autostart {
                    "starting ready milestones as slots free up"
                } else {
                    "stopped filling free slots"
                }
                .into(),
            );
            fill_slots(app, fx);
        }
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

fn focus(app: &mut App, pane: Pane) {
    app.focus = pane;
    if pane != Pane::Milestones {
        app.side = pane;
    }
}

fn toggle(app: &mut App, pane: Pane) {
    if app.focus == pane {
        app.focus = Pane::Milestones;
    } else {
        focus(app, pane);
    }
}

/// Moves within the focused pane.
fn step(app: &mut App, by: isize, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Milestones => {
            let vis = rows::visible(app);
            if vis.is_empty() {
                return;
            }
            let cur = rows::selected_index(app)
                .and_then(|s| vis.iter().position(|&i| i == s))
                .unwrap_or(0);
            let next = (cur as isize)
                .saturating_add(by)
                .clamp(0, vis.len() as isize - 1) as usize;
            let id = app
                .snap
                .as_ref()
                .map(|s| s.milestones[vis[next]].milestone.id.clone());
            select(app, id, fx);
        }
        Pane::Blockers => {
            let n = rows::ordered_blockers(app).len();
            app.blocker_index = (app.blocker_index as isize)
                .saturating_add(by)
                .clamp(0, n.saturating_sub(1) as isize) as usize;
        }
        Pane::Detail => {
            app.detail_scroll = (app.detail_scroll as isize)
                .saturating_add(by)
                .clamp(0, u16::MAX as isize) as u16;
        }
        Pane::Log => {
            // Down moves toward the newest line; reaching it resumes following.
            let max = app.log.events.len() as isize;
            let s = (app.log.scroll as isize).saturating_sub(by).clamp(0, max);
            app.log.scroll = s as usize;
            app.log.follow = s == 0;
        }
    }
}

fn select(app: &mut App, id: Option<String>, fx: &mut Vec<Effect>) {
    if id != app.selected {
        app.selected = id.clone();
        app.detail_scroll = 0;
        app.log = crate::app::LogView {
            follow: true,
            ..Default::default()
        };
        if let Some(id) = id {
            fx.push(Effect::LoadLog(id));
        }
    }
    keep_visible(app);
}

/// After the filter changed: keep the selection if it is still shown, else
/// select the first match.
fn refilter(app: &mut App, fx: &mut Vec<Effect>) {
    let vis = rows::visible(app);
    let keep = rows::selected_index(app).is_some_and(|i| vis.contains(&i));
    if !keep && let Some(&first) = vis.first() {
        let id = app
            .snap
            .as_ref()
            .map(|s| s.milestones[first].milestone.id.clone());
        select(app, id, fx);
    }
    app.list_offset = 0;
    keep_visible(app);
}

/// Scrolls the list so the selected row (and its stage header) is shown.
fn keep_visible(app: &mut App) {
    let h = page(app, Pane::Milestones);
    let rows = rows::rows(app);
    let Some(sel) = rows::selected_index(app) else {
        return;
    };
    let Some(pos) = rows.iter().position(|r| *r == Row::Milestone(sel)) else {
        return;
    };
    let top = if pos > 0 && matches!(rows[pos - 1], Row::Stage(_)) {
        pos - 1
    } else {
        pos
    };
    if top < app.list_offset {
        app.list_offset = top;
    } else if pos >= app.list_offset + h {
        app.list_offset = pos + 1 - h;
    }
    app.list_offset = app.list_offset.min(rows.len().saturating_sub(h));
}

/// Asks for a run of `id`, remembering it is on its way.
fn start(app: &mut App, id: String, fx: &mut Vec<Effect>) {
    app.starting.push(id.clone());
    fx.push(Effect::Run {
        id,
        action: RunAction::Start {
            force: false,
            trust: false,
        },
    });
}

/// With `S` on: starts ready milestones (not finished, dependencies met, no
/// live run) in list order while fewer than `max_concurrent` runs are live.
fn fill_slots(app: &mut App, fx: &mut Vec<Effect>) {
    use crate::model::Status;
    let Some(snap) = &app.snap else { return };
    if !app.autostart {
        return;
    }
    let live = |m: &crate::model::MilestoneView| {
        m.run
            .as_ref()
            .is_some_and(|r| r.state.is_live())
    };
    let active = snap.milestones.iter().filter(|m| live(m)).count() + app.starting.len();
    let free = app.max_concurrent.saturating_sub(active);
    let ready: Vec<String> = snap
        .milestones
        .iter()
        .filter(|m| {
            !matches!(
                m.status,
                Status::Completed | Status::Cancelled | Status::Failed
            )
        })
        .filter(|m| !live(m) && !app.starting.contains(&m.milestone.id))
        .filter(|m| m.run.as_ref().is_none_or(|r| r.state != RunState::Failed))
        .filter(|m| crate::live::runs::control::unmet(snap, m).is_empty())
        .map(|m| m.milestone.id.clone())
        .take(free)
        .collect();
    for id in ready {
        start(app, id, fx);
    }
}

fn mouse(app: &mut App, m: crossterm::event::MouseEvent, fx: &mut Vec<Effect>) {
    let a = areas(app);
    let Some(pane) = a.at(m.column, m.row) else {
        return;
    };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let Some(r) = a.of(pane) else { return };
            let line = (m.row.saturating_sub(r.y + 1)) as usize;
            match pane {
                Pane::Milestones => {
                    let rows = rows::rows(app);
                    if let Some(Row::Milestone(i)) = rows.get(app.list_offset + line) {
                        let id = app
                            .snap
                            .as_ref()
                            .map(|s| s.milestones[*i].milestone.id.clone());
                        select(app, id, fx);
                    }
                }
                Pane::Blockers => {
                    let n = rows::ordered_blockers(app).len();
                    let off = app
                        .blocker_index
                        .saturating_sub(page(app, Pane::Blockers).saturating_sub(1));
                    if off + line < n {
                        app.blocker_index = off + line;
                    }
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let before = app.focus;
            app.focus = pane;
            step(
                app,
                if m.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                },
                fx,
            );
            app.focus = before;
            keep_visible(app);
        }
        _ => {}
    }
}

fn loaded(app: &mut App, snap: Snapshot, fx: &mut Vec<Effect>) {
    changed(app, snap, true, fx);
}

/// A new picture of the workspace: from the reader, or the old one with new
/// worktree states. Notifies new blockers; reloads the log when asked.
fn changed(app: &mut App, mut snap: Snapshot, reload_log: bool, fx: &mut Vec<Effect>) {
    crate::rules::attach_worktrees(&mut snap.milestones, &app.git);
    if let Some(old) = &app.snap
        && old.milestones == snap.milestones
        && old.problems == snap.problems
        && old.current == snap.current
    {
        // A poll or a touch that changed nothing.
        app.now = snap.now;
        return;
    }
    if let Some(old) = &app.snap {
        let before: HashSet<(&str, &str, &str)> = old
            .blockers()
            .map(|b| (b.id.as_str(), b.kind.name(), b.detail.as_str()))
            .collect();
        // Conflicts seen in the first git read of a worktree were there
        // before mdash looked: not news.
        let had_git: HashSet<&str> = old
            .milestones
            .iter()
            .filter(|o| o.worktree.is_some())
            .map(|o| o.milestone.id.as_str())
            .collect();
        let fresh: Vec<String> = snap
            .blockers()
            .filter(|b| !before.contains(&(b.id.as_str(), b.kind.name(), b.detail.as_str())))
            .filter(|b| {
                b.kind != crate::model::BlockerKind::GitConflict || had_git.contains(b.id.as_str())
            })
            .map(|b| format!("{} {}: {}", b.id, b.kind.name().replace('_', " "), b.detail))
            .collect();
        // A run that was live and now is not has ended.
        let was_live: HashSet<&str> = old
            .milestones
            .iter()
            .filter(|o| {
                o.run
                    .as_ref()
                    .is_some_and(|r| r.state.is_live())
            })
            .map(|o| o.milestone.id.as_str())
            .collect();
        for m in &snap.milestones {
            let was_live = was_live.contains(m.milestone.id.as_str());
            if let Some(r) = m
                .run
                .as_ref()
                .filter(|r| was_live && r.state.is_over())
            {
                let how = r
                    .detail
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                fx.push(Effect::Notify(format!(
                    "run of {} {}{how}",
                    m.milestone.id, r.state
                )));
            }
        }
        match fresh.len() {
            0 => {}
            1 => fx.push(Effect::Notify(format!("new blocker: {}", fresh[0]))),
            n => fx.push(Effect::Notify(format!(
                "{n} new blockers, first: {}",
                fresh[0]
            ))),
        }
    }
    app.now = snap.now;
    app.blocker_order = rows::blocker_order(&snap);
    app.snap = Some(snap);
    let still_there = rows::selected_index(app).is_some();
    if !still_there {
        let vis = rows::visible(app);
        let first = app.snap.as_ref().and_then(|s| {
            let current = s
                .current
                .as_ref()
                .and_then(|c| s.milestones.iter().position(|m| &m.milestone.id == c));
            current
                .or(vis.first().copied())
                .map(|i| s.milestones[i].milestone.id.clone())
        });
        app.selected = None;
        select(app, first, fx);
    } else if let Some(id) = app.selected.clone().filter(|_| reload_log) {
        fx.push(Effect::LoadLog(id));
    }
    let n = rows::ordered_blockers(app).len();
    app.blocker_index = app.blocker_index.min(n.saturating_sub(1));
    keep_visible(app);
    if reload_log && let Some((id, _)) = &app.attached {
        fx.push(Effect::LoadAgentOutput(id.clone()));
    }
    fill_slots(app, fx);
}
