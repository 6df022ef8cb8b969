//! The footer's key hints: the keys that apply to the focused pane and the
//! selected milestone, most useful first (as lazygit and k9s show them),
//! then `?` and `q`, which every width keeps.

use crate::app::keymap::{Action, Key};
use crate::app::{App, Pane, rows};
use crate::model::{AgentState, RunState, Status};

/// One hint: the key as shown and what it does, in a word or two.
pub type Hint = (String, &'static str);

fn key(app: &App, a: Action) -> Option<String> {
    app.keymap.keys(a).first().map(Key::label)
}

fn push(app: &App, out: &mut Vec<Hint>, a: Action, word: &'static str) {
    if let Some(k) = key(app, a) {
        out.push((k, word));
    }
}

/// `j/k` for moving, from the first keys of both actions.
fn updown(app: &App) -> Option<String> {
    let down = key(app, Action::MoveDown)?;
    Some(match key(app, Action::MoveUp) {
        Some(up) => format!("{down}/{up}"),
        None => down,
    })
}

/// The hints for what is on screen, most useful first, without the two
/// that always show (`always`).
pub fn hints(app: &App) -> Vec<Hint> {
    let mut out = Vec::new();
    if app.help {
        if let Some(k) = updown(app) {
            out.push((k, "scroll"));
        }
        push(app, &mut out, Action::Back, "close");
        return out;
    }
    if app.attached.is_some() {
        out.push(("Esc".into(), "close"));
        return out;
    }
    let run_keys = |out: &mut Vec<Hint>| {
        let Some(m) = rows::selected(app) else { return };
        // `a` goes to a Claude Code agent's pane (tmux last-window comes
        // back), else shows the run's output.
        let attach = if m.agent.as_ref().is_some_and(|a| a.pane.is_some()) || app.tmux_runs {
            "go to agent"
        } else {
            "output"
        };
        match m.run.as_ref().map(|r| r.state) {
            Some(RunState::Running) => {
                push(app, out, Action::PauseRun, "pause");
                push(app, out, Action::StopRun, "stop");
                push(app, out, Action::Attach, attach);
            }
            Some(RunState::Paused) => {
                push(app, out, Action::ResumeRun, "resume");
                push(app, out, Action::StopRun, "stop");
                push(app, out, Action::Attach, attach);
            }
            _ => {
                if !matches!(m.status, Status::Completed | Status::Cancelled) && !m.is_merged() {
                    push(app, out, Action::StartRun, "start");
                }
                if m.run.is_some() {
                    push(app, out, Action::Attach, attach);
                }
                if m.worktree.is_none() {
                    push(app, out, Action::AddWorktree, "worktree");
                }
            }
        }
    };
    // An agent that waits for you comes first (issue 29 item 13): its keys
    // are the first to show in the narrowest footer.
    if matches!(app.focus, Pane::Milestones | Pane::Detail) {
        agent_keys(app, &mut out);
    }
    match app.focus {
        Pane::Milestones => {
            run_keys(&mut out);
            let word = if app.autostart {
                "stop filling"
            } else {
                "start ready"
            };
            push(app, &mut out, Action::StartReady, word);
            push(app, &mut out, Action::Open, "detail");
            push(app, &mut out, Action::Filter, "filter");
            if let Some(k) = updown(app) {
                out.push((k, "move"));
            }
            push(app, &mut out, Action::NextPane, "pane");
            push(app, &mut out, Action::ShowBlockers, "blockers");
            push(app, &mut out, Action::ShowLog, "log");
        }
        Pane::Detail => {
            if let Some(k) = updown(app) {
                out.push((k, "scroll"));
            }
            run_keys(&mut out);
            push(app, &mut out, Action::Back, "back");
            push(app, &mut out, Action::NextPane, "pane");
        }
        Pane::Blockers => {
            push(app, &mut out, Action::Open, "jump to it");
            if let Some(k) = updown(app) {
                out.push((k, "move"));
            }
            push(app, &mut out, Action::Back, "back");
            push(app, &mut out, Action::NextPane, "pane");
        }
        Pane::Log => {
            let word = if app.log.follow { "unfollow" } else { "follow" };
            push(app, &mut out, Action::ToggleFollow, word);
            if let Some(k) = updown(app) {
                out.push((k, "scroll"));
            }
            push(app, &mut out, Action::Back, "back");
            push(app, &mut out, Action::NextPane, "pane");
        }
    }
    out
}

/// `y allow`, `n deny` for an agent waiting for permission, `R reply` for
/// one waiting for input, when mdash can answer it (its pane is known).
fn agent_keys(app: &App, out: &mut Vec<Hint>) {
    let Some(a) = rows::selected(app)
        .and_then(|m| m.agent.as_ref())
        .filter(|a| a.pane.is_some())
    else {
        return;
    };
    match a.state {
        AgentState::WaitingPermission => {
            push(app, out, Action::Allow, "allow");
            push(app, out, Action::Deny, "deny");
        }
        AgentState::WaitingInput => push(app, out, Action::Reply, "reply"),
        _ => {}
    }
}

/// `? help` and `q quit`: shown at every width.
pub fn always(app: &App) -> Vec<Hint> {
    let mut out = Vec::new();
    push(app, &mut out, Action::Help, "help");
    push(app, &mut out, Action::Quit, "quit");
    out
}

/// What each glyph means: one meaning per glyph, wherever it shows (the
/// `?` help lists these under "Legend"; a unit test holds the list's and
/// the detail's glyphs to it).
pub const LEGEND: [(&str, &str); 22] = [
    ("!", "an agent asks permission (y allows, n denies)"),
    ("?", "an agent waits for your reply (R replies)"),
    ("dim ! ?", "still waiting, but you have been to it (a)"),
    ("↯", "an agent's turn ended on an API error (R replies)"),
    ("⑂2", "subagents of the agent at work"),
    ("○", "planned; in Requires: not completed yet"),
    ("▶", "in progress (what the file says)"),
    ("‖", "paused (the file, or its run)"),
    ("■", "blocked; a blocker that stops work"),
    ("✓", "completed; in Requires: completed"),
    ("⊕", "merged into the base branch: done"),
    ("✗", "failed: a milestone, a task, a run"),
    ("⊘", "cancelled"),
    ("~", "a status mdash does not know"),
    ("◆", "a blocker that needs a look (approval, long task)"),
    ("●", "an agent run is live (the header counts them)"),
    (
        "+2 -1",
        "worktree commits ahead of / behind the base branch",
    ),
    ("✎3", "worktree paths changed, not committed"),
    ("≠1", "worktree paths in conflict"),
    ("=", "worktree in step with the base branch"),
    ("⚠", "a file mdash could not read (see Blockers)"),
    ("28% 3", "weighted progress; then the blocker count"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;

    fn app() -> App {
        App::new(Keymap::default(), false, chrono::Utc::now())
    }

    #[test]
    fn hints_follow_the_focus() {
        let mut a = app();
        let words = |a: &App| hints(a).into_iter().map(|(_, w)| w).collect::<Vec<_>>();
        assert!(words(&a).contains(&"filter"));
        a.focus = Pane::Blockers;
        assert_eq!(words(&a)[0], "jump to it");
        a.focus = Pane::Log;
        assert_eq!(words(&a)[0], "unfollow");
        a.help = true;
        assert_eq!(words(&a), ["scroll", "close"]);
    }

    #[test]
    fn help_and_quit_survive_any_config() {
        let mut km = Keymap::default();
        let _ = km.apply(&[
            ("quit".into(), vec!["z".into()]),
            ("help".into(), vec!["q".into()]),
            ("move_down".into(), vec!["ctrl-c".into()]),
        ]);
        km.keep_quit();
        let a = App::new(km, false, chrono::Utc::now());
        let q = crate::app::keymap::Key::plain(crossterm::event::KeyCode::Char('q'));
        assert_eq!(a.keymap.action(q), Some(Action::Quit));
        assert_eq!(
            a.keymap.action(crate::app::keymap::Key::ctrl('c')),
            Some(Action::Quit)
        );
        let shown: Vec<&str> = always(&a).into_iter().map(|(_, w)| w).collect();
        assert_eq!(shown, ["help", "quit"]);
    }
}
