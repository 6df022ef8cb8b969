//! The dashboard as a test sees it: a workspace read in-process, an `App`
//! fed the snapshot and its git state as the runtime would, keys, and the
//! screen rendered to text on a test backend.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use milestone_dash::app::update::update;
use milestone_dash::app::{App, Effect, Msg};
use milestone_dash::model::{AgentState, AgentView, RunState, RunView, Snapshot, TmuxPane};

use super::merge::Ws;

pub fn now() -> chrono::DateTime<chrono::Utc> {
    milestone_dash::util::time::parse(super::NOW).expect("now")
}

/// The workspace read as the dashboard reads it, git state included.
pub fn snap(ws: &Ws) -> Snapshot {
    milestone_dash::live::snapshot::load_with_git(&ws.root, now())
}

/// An app showing `snap`, `id` selected.
pub fn app(snap: Snapshot, id: &str, cols: u16, rows: u16) -> App {
    let mut app = App::new(milestone_dash::app::keymap::Keymap::default(), false, now());
    update(&mut app, Msg::Resize(cols, rows));
    // The git state arrives apart from the files, as in the dashboard.
    let states = snap
        .milestones
        .iter()
        .filter_map(|v| Some((v.milestone.id.clone(), (**v.worktree.as_ref()?).clone())))
        .collect();
    update(&mut app, Msg::Loaded(Box::new(snap)));
    update(
        &mut app,
        Msg::Git {
            generation: 1,
            states,
        },
    );
    app.selected = Some(id.to_string());
    app
}

pub fn key(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    )
}

/// The whole screen as text, one line a row.
pub fn screen(app: &App, cols: u16, rows: u16) -> String {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(cols, rows)).expect("term");
    t.draw(|f| milestone_dash::ui::render(app, f))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    (0..rows)
        .map(|y| {
            (0..cols)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// Gives `id`'s view an agent (and optionally a run), as the readers would.
pub fn with_agent(s: &mut Snapshot, id: &str, agent: AgentView, run: Option<RunState>) {
    for v in s.milestones.iter_mut() {
        if v.milestone.id == id {
            let v = std::sync::Arc::make_mut(v);
            v.agent = Some(Box::new(agent.clone()));
            v.run = run.map(|state| RunView {
                state,
                pid: Some(4242),
                started_at: super::NOW.into(),
                detail: None,
            });
        }
    }
}

pub fn claude(state: AgentState, pane: bool) -> AgentView {
    AgentView {
        kind: "claude",
        session_id: "9b2f0c1e-session".into(),
        state,
        since: super::NOW.into(),
        detail: Some("Which database should I use?".into()),
        tokens: milestone_dash::model::Tokens {
            input: 123_456_789,
            output: 98_765_432,
            cache_read: 11_223_344,
            cache_write: 55_667_788,
        },
        pane: pane.then(|| TmuxPane {
            pane: "%7".into(),
            socket: "/tmp/tmux-0/default".into(),
        }),
        hooked: true,
        request: None,
        cost_micros: None,
        subagents: Vec::new(),
    }
}
