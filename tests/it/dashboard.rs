//! The dashboard without a terminal: `update` on messages, and `render` on
//! ratatui's `TestBackend` at wide, medium and narrow sizes.

use crate::common;
use common::*;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use milestone_dash::app::keymap::Keymap;
use milestone_dash::app::update::update;
use milestone_dash::app::{App, Effect, Msg, Pane};
use milestone_dash::live::snapshot as workspace;
use milestone_dash::model::Snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(
        r,
        ".milestones/completed/1a.yaml",
        "id: 1a\ntitle: Protocol\nstatus: done\n",
    );
    write(
        r,
        ".milestones/active/2a.yaml",
        "id: 2a\ntitle: Sensor ingest\nstatus: executing\ndependencies: {requires: [1a]}\nphases:\n  design: {status: completed}\n  spec: {status: in_progress}\n",
    );
    write(
        r,
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Alerting\nstatus: planned\ndependencies: {requires: [2a]}\ntasks:\n  - {id: t1, status: done}\n  - {id: t2, status: todo}\n",
    );
    write(
        r,
        ".milestones/active/3a.yaml",
        "id: 3a\ntitle: Dashboards\nblockers: [design review]\n",
    );
    write(r, ".milestones/active/broken.yaml", "id: [\n");
    write(
        r,
        ".milestones/logs/execution-2a.jsonl",
        "{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"task_started\",\"details\":{\"task_id\":\"t1\"}}\n",
    );
    d
}

fn snap(d: &tempfile::TempDir) -> Snapshot {
    workspace::load(
        d.path(),
        milestone_dash::util::time::parse(NOW).expect("now"),
    )
}

fn app_with(d: &tempfile::TempDir, w: u16, h: u16) -> (App, Vec<Effect>) {
    let mut app = App::new(
        Keymap::default(),
        true,
        milestone_dash::util::time::parse(NOW).expect("now"),
    );
    update(&mut app, Msg::Resize(w, h));
    let fx = update(&mut app, Msg::Loaded(Box::new(snap(d))));
    (app, fx)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(app: &mut App, c: char) -> Vec<Effect> {
    key(app, KeyCode::Char(c))
}

fn screen(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| milestone_dash::ui::render(app, f))
        .expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

fn has(lines: &[String], s: &str) -> bool {
    lines.iter().any(|l| l.contains(s))
}

#[test]
fn first_load_selects_and_loads_the_log() {
    let d = tree();
    let (app, fx) = app_with(&d, 160, 48);
    assert_eq!(app.selected.as_deref(), Some("1a"));
    assert_eq!(fx, [Effect::LoadLog("1a".into())]);
}

#[test]
fn keys_move_filter_and_jump() {
    let d = tree();
    let (mut app, _) = app_with(&d, 160, 48);
    assert_eq!(ch(&mut app, 'j'), [Effect::LoadLog("2a".into())]);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected.as_deref(), Some("2b"));
    ch(&mut app, 'G');
    assert_eq!(app.selected.as_deref(), Some("3a"));
    ch(&mut app, 'g');
    assert_eq!(app.selected.as_deref(), Some("1a"));
    ch(&mut app, 'k');
    assert_eq!(app.selected.as_deref(), Some("1a"), "stays at the top");

    // Filter by title, then by status; Esc clears.
    ch(&mut app, '/');
    for c in "alert".chars() {
        ch(&mut app, c);
    }
    assert_eq!(app.selected.as_deref(), Some("2b"));
    key(&mut app, KeyCode::Enter);
    assert!(!app.filtering);
    assert_eq!(milestone_dash::app::rows::visible(&app).len(), 1);
    key(&mut app, KeyCode::Esc);
    assert_eq!(milestone_dash::app::rows::visible(&app).len(), 4);
    ch(&mut app, '/');
    for c in "in_progress".chars() {
        ch(&mut app, c);
    }
    assert_eq!(app.selected.as_deref(), Some("2a"));
    key(&mut app, KeyCode::Esc);

    // Blockers: focus, move, Enter jumps to the milestone.
    ch(&mut app, 'b');
    assert_eq!(app.focus, Pane::Blockers);
    let target = milestone_dash::app::rows::ordered_blockers(&app)[1]
        .id
        .clone();
    ch(&mut app, 'j');
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        (app.focus, app.selected.clone()),
        (Pane::Milestones, Some(target))
    );

    // Tab cycles through the panes.
    for want in [Pane::Detail, Pane::Blockers, Pane::Log, Pane::Milestones] {
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, want);
    }
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Log);
}

#[test]
fn help_swallows_keys_until_closed_and_quit_quits() {
    let d = tree();
    let (mut app, _) = app_with(&d, 100, 30);
    ch(&mut app, '?');
    assert!(app.help);
    ch(&mut app, 'j');
    assert_eq!(
        app.selected.as_deref(),
        Some("1a"),
        "j scrolls the help, not the list"
    );
    assert_eq!(app.help_scroll, 1);
    key(&mut app, KeyCode::Esc);
    assert!(!app.help);
    assert_eq!(ch(&mut app, 'q'), [Effect::Quit]);
    assert!(app.quit);
    let (mut app, _) = app_with(&d, 100, 30);
    let fx = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(fx, [Effect::Quit]);
}

#[test]
fn new_blockers_notify_once_not_on_first_load() {
    let d = tree();
    let (mut app, fx) = app_with(&d, 100, 30);
    assert!(!fx.iter().any(|f| matches!(f, Effect::Notify(_))));
    write(
        d.path(),
        ".milestones/active/2b.yaml",
        "id: 2b\ntitle: Alerting\nblockers: [disk full]\n",
    );
    let fx = update(&mut app, Msg::Loaded(Box::new(snap(&d))));
    let notes: Vec<&Effect> = fx
        .iter()
        .filter(|f| matches!(f, Effect::Notify(_)))
        .collect();
    assert_eq!(
        notes,
        [&Effect::Notify(
            "new blocker: 2b recorded: disk full".into()
        )]
    );
    let fx = update(&mut app, Msg::Loaded(Box::new(snap(&d))));
    assert!(
        !fx.iter().any(|f| matches!(f, Effect::Notify(_))),
        "edge-triggered"
    );
}

#[test]
fn conflicts_found_by_the_first_git_read_are_not_news() {
    let d = tree();
    let (mut app, _) = app_with(&d, 100, 30);
    let state = |conflicts| milestone_dash::model::WorktreeState {
        path: ".worktrees/milestone-2b".into(),
        branch: Some("feature/milestone-2b".into()),
        head: Some("abc1234".into()),
        subject: None,
        ahead: Some(0),
        behind: Some(0),
        dirty: 0,
        conflicts,
        operation: None,
        merged: Some(false),
        forecast: Vec::new(),
        forecast_paths: Vec::new(),
        head_id: None,
        base: Some("main".into()),
        locked: false,
        prunable: false,
        error: None,
    };
    let git = |app: &mut milestone_dash::app::App, generation, conflicts| {
        update(
            app,
            Msg::Git {
                generation,
                states: vec![("2b".into(), state(conflicts))],
            },
        )
    };
    let notified = |fx: &[Effect]| fx.iter().any(|f| matches!(f, Effect::Notify(_)));
    assert!(
        !notified(&git(&mut app, 1, 2)),
        "already there when mdash looked"
    );
    assert!(!notified(&git(&mut app, 2, 2)));
    assert!(
        notified(&git(&mut app, 3, 3)),
        "a new conflict count is news"
    );
}

#[test]
fn selection_survives_reloads_and_logs_match_it() {
    let d = tree();
    let (mut app, _) = app_with(&d, 100, 30);
    ch(&mut app, 'j');
    update(
        &mut app,
        Msg::LogLoaded {
            id: "1a".into(),
            events: vec![],
        },
    );
    assert!(
        app.log.id.is_none(),
        "a late log of another milestone is ignored"
    );
    let ev = milestone_dash::read::log::parse_line(r#"{"event":"x"}"#)
        .expect("ok")
        .expect("event");
    update(
        &mut app,
        Msg::LogLoaded {
            id: "2a".into(),
            events: vec![ev],
        },
    );
    assert_eq!(app.log.events.len(), 1);
    let fx = update(&mut app, Msg::Loaded(Box::new(snap(&d))));
    assert_eq!(fx, [], "a reload that changed nothing does nothing");
    write(
        d.path(),
        ".milestones/logs/execution-2a.jsonl",
        "{\"timestamp\":\"2026-11-22T09:30:00Z\",\"event\":\"task_completed\"}\n",
    );
    let fx = update(&mut app, Msg::Loaded(Box::new(snap(&d))));
    assert_eq!(app.selected.as_deref(), Some("2a"));
    assert_eq!(fx, [Effect::LoadLog("2a".into())]);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let d = tree();
    let (mut app, _) = app_with(&d, 160, 48);
    // Row 1 is the list's top border; rows: Stage 1, 1a, Stage 2, 2a, 2b...
    let click = |row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Msg::Mouse(click(2 + 4)));
    assert_eq!(app.selected.as_deref(), Some("2b"));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Msg::Mouse(wheel));
    assert_eq!(app.selected.as_deref(), Some("3a"));
}

#[test]
fn wide_shows_every_pane_and_every_milestone() {
    let d = tree();
    let (app, _) = app_with(&d, 160, 48);
    let s = screen(&app, 160, 48);
    for want in [
        "Milestones",
        "Blockers",
        "Log 1a",
        "1a Protocol",
        "Sensor ingest",
        "Alerting",
        "Dashboards",
        "overall",
        "j/k move",
        "q quit",
        "⚠ 1 file problem",
    ] {
        assert!(has(&s, want), "{want} missing:\n{}", s.join("\n"));
    }
    // 2a: design 1 and spec 0.5 → (15 + 12.5)/100.
    assert!(
        s.iter()
            .any(|l| l.contains("Sensor ingest") && l.contains("28%") && l.contains('█')),
        "{}",
        s.join("\n")
    );
    assert!(
        s.iter()
            .any(|l| l.contains("Alerting") && l.contains("50%"))
    );
    assert!(
        has(&s, "recorded design review") || has(&s, "3a recorded"),
        "{}",
        s.join("\n")
    );
}

#[test]
fn medium_and_narrow_layouts() {
    let d = tree();
    let (mut app, _) = app_with(&d, 80, 24);
    let s = screen(&app, 80, 24);
    assert!(has(&s, "Milestones") && has(&s, "Sensor ingest"));
    assert!(!has(&s, "Log 1a"), "one side pane only at 80 columns");
    ch(&mut app, 'l');
    assert!(has(&screen(&app, 80, 24), "Log 1a"));

    let (mut app, _) = app_with(&d, 40, 12);
    let s = screen(&app, 40, 12);
    assert!(
        has(&s, "Milestones") && has(&s, "1a") && has(&s, "2a"),
        "{}",
        s.join("\n")
    );
    ch(&mut app, 'b');
    let s = screen(&app, 40, 12);
    assert!(
        has(&s, "Blockers") && !has(&s, "Milestones"),
        "{}",
        s.join("\n")
    );
}

#[test]
fn no_size_panics_or_overflows() {
    let d = tree();
    let (mut app, _) = app_with(&d, 80, 24);
    ch(&mut app, '?');
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 5),
        (10, 3),
        (20, 5),
        (39, 11),
        (40, 12),
        (59, 20),
        (60, 8),
        (119, 30),
        (120, 17),
        (200, 60),
        (400, 120),
    ] {
        update(&mut app, Msg::Resize(w, h));
        let s = screen(&app, w, h);
        assert_eq!(s.len(), h as usize);
        key(&mut app, KeyCode::Esc);
        let s = screen(&app, w, h);
        assert!(
            s.iter()
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= w as usize)
        );
        ch(&mut app, '?');
    }
}

#[test]
fn no_color_has_no_colours() {
    let d = tree();
    let mut app = App::new(
        Keymap::default(),
        false,
        milestone_dash::util::time::parse(NOW).expect("now"),
    );
    update(&mut app, Msg::Resize(120, 40));
    update(&mut app, Msg::Loaded(Box::new(snap(&d))));
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| milestone_dash::ui::render(&app, f))
        .expect("draw");
    let buf = t.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README");
    let km = Keymap::default();
    for a in milestone_dash::app::keymap::Action::ALL {
        let row = format!("| `{}` | {} |", km.keys_label(a), a.description());
        assert!(readme.contains(&row), "README lacks the row: {row}");
    }
}

#[test]
fn a_run_that_ends_notifies() {
    let d = tree();
    let (mut app, _) = app_with(&d, 100, 30);
    let mut live = snap(&d);
    let run = |state: &'static str| milestone_dash::model::RunView {
        state: milestone_dash::model::RunState::parse(state).expect("a run state"),
        pid: Some(1),
        started_at: NOW.into(),
        detail: None,
    };
    std::sync::Arc::make_mut(&mut live.milestones[1]).run = Some(run("running"));
    update(&mut app, Msg::Loaded(Box::new(live.clone())));
    let mut ended = live.clone();
    std::sync::Arc::make_mut(&mut ended.milestones[1]).run = Some(milestone_dash::model::RunView {
        detail: Some("3".into()),
        ..run("failed")
    });
    let fx = update(&mut app, Msg::Loaded(Box::new(ended)));
    assert!(
        fx.contains(&Effect::Notify("run of 2a failed (3)".into())),
        "{fx:?}"
    );
}

#[test]
fn going_to_a_waiting_agent_acknowledges_it() {
    use milestone_dash::model::{AgentState, AgentView, TmuxPane, Tokens};
    let d = tree();
    let (mut app, _) = app_with(&d, 120, 30);
    let mut live = snap(&d);
    let waiting = |since: &str| AgentView {
        kind: "claude",
        session_id: "s-1".into(),
        state: AgentState::WaitingPermission,
        since: since.into(),
        detail: Some("Write a.txt".into()),
        tokens: Tokens::default(),
        cost_micros: None,
        subagents: Vec::new(),
        pane: Some(TmuxPane {
            pane: "%7".into(),
            socket: "/tmp/none".into(),
        }),
        hooked: true,
        request: None,
    };
    let i = live
        .milestones
        .iter()
        .position(|m| m.milestone.id == "2a")
        .expect("2a");
    std::sync::Arc::make_mut(&mut live.milestones[i]).agent =
        Some(Box::new(waiting("2026-11-22T09:59:00Z")));
    update(&mut app, Msg::Loaded(Box::new(live.clone())));
    let header = |app: &App| screen(app, 120, 30)[0].clone();
    assert!(header(&app).contains("1 need you"), "{}", header(&app));
    // Select 2a and go to its agent.
    while app.selected.as_deref() != Some("2a") {
        ch(&mut app, 'j');
    }
    let fx = ch(&mut app, 'a');
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FocusAgent { id, .. } if id == "2a")),
        "{fx:?}"
    );
    assert!(
        !header(&app).contains("need you"),
        "arriving acknowledged it: {}",
        header(&app)
    );
    // The same wait, reloaded: still acknowledged.
    update(&mut app, Msg::Loaded(Box::new(live.clone())));
    assert!(!header(&app).contains("need you"));
    // A new wait (a new `since`) is news again.
    std::sync::Arc::make_mut(&mut live.milestones[i]).agent =
        Some(Box::new(waiting("2026-11-22T10:05:00Z")));
    update(&mut app, Msg::Loaded(Box::new(live)));
    assert!(header(&app).contains("1 need you"), "{}", header(&app));
}
