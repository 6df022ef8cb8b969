//! Start-up and sharing (issue 15): a large workspace shows a first
//! screenful before its full read, and the full read that follows is taken
//! as the first (nothing in it is news); a reload that changed one
//! milestone makes one new view and shares the others; a write that is no
//! event log (an agent's output) costs no full read.

use crate::common;
use common::*;

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use milestone_dash::app::keymap::Keymap;
use milestone_dash::app::update::update;
use milestone_dash::app::{App, Effect, Msg};
use milestone_dash::live::snapshot::Reader;

fn milestone(i: usize, title: &str) -> String {
    // Every other one requires the next: an unmet dependency is a blocker.
    let req = if i.is_multiple_of(2) {
        format!("[\"m{:03}\"]", i + 1)
    } else {
        "[]".to_string()
    };
    format!(
        "id: m{i:03}\ntitle: \"{title}\"\nstatus: in_progress\ndependencies:\n  requires: {req}\ntasks:\n  - {{id: t1, status: completed}}\n  - {{id: t2, status: pending}}\n"
    )
}

fn tree(n: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    for i in 0..n {
        write(
            d.path(),
            &format!(".milestones/active/m{i:03}.yaml"),
            milestone(i, &format!("Milestone {i}")),
        );
    }
    d
}

fn rename_over(root: &Path, i: usize, title: &str) -> std::path::PathBuf {
    let dir = root.join(".milestones/active");
    let tmp = dir.join(format!(".m{i:03}.tmp"));
    std::fs::write(&tmp, milestone(i, title)).expect("write");
    let to = dir.join(format!("m{i:03}.yaml"));
    std::fs::rename(&tmp, &to).expect("rename");
    to
}

#[test]
fn a_large_workspace_shows_its_first_files_before_the_full_read() {
    let d = tree(450);
    let now = Utc::now();
    let mut r = Reader::new(d.path());
    let first = r.first_screen(200, now).expect("a first screenful");
    assert_eq!(first.partial, Some(450), "it says how many files there are");
    let ids: Vec<&str> = first
        .milestones
        .iter()
        .map(|m| m.milestone.id.as_str())
        .collect();
    let want: Vec<String> = (0..200).map(|i| format!("m{i:03}")).collect();
    assert_eq!(ids, want, "the first 200 files by name, in display order");
    // Every even milestone requires the next, which may not be read yet:
    // a partial set claims no unmet dependency.
    assert!(
        first.milestones.iter().all(|m| m.blockers.is_empty()),
        "no blockers that depend on files not read yet"
    );

    // The full read that follows equals a fresh one, and is not partial.
    let full = r.load(now);
    assert_eq!(full.partial, None);
    assert_eq!(full.milestones.len(), 450);
    let fresh = Reader::new(d.path()).load(now);
    assert_eq!(
        full, fresh,
        "the first screenful leaves the full read unchanged"
    );
    // Once read, there is no first screenful to show.
    assert!(r.first_screen(200, now).is_none());
    // A small workspace has none either: its full read is as quick.
    assert!(
        Reader::new(tree(20).path())
            .first_screen(200, now)
            .is_none()
    );
}

#[test]
fn the_full_read_after_a_first_screenful_is_not_news() {
    let d = tree(450);
    let now = Utc::now();
    let mut r = Reader::new(d.path());
    let first = r.first_screen(200, now).expect("partial");
    let full = r.load(now);
    assert!(
        full.milestones.iter().any(|m| !m.blockers.is_empty()),
        "the tree has blockers to announce if they were news"
    );
    let mut app = App::new(Keymap::default(), true, now);
    update(&mut app, Msg::Resize(100, 30));
    let fx = update(&mut app, Msg::Partial(Some(Box::new(first))));
    assert!(
        fx.is_empty(),
        "nothing is loaded or started from a partial: {fx:?}"
    );
    assert_eq!(app.selected.as_deref(), Some("m000"));
    // The user moves while the rest is read.
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('j'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let picked = app.selected.clone();
    assert_ne!(picked.as_deref(), Some("m000"));
    let fx = update(&mut app, Msg::Loaded(Box::new(full)));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Notify(_))),
        "no 'new blockers' for what was there before mdash looked: {fx:?}"
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadLog(id) if Some(id) == picked.as_ref())),
        "the selection is kept and its log read now: {fx:?}"
    );
    assert_eq!(app.selected, picked);
    assert_eq!(app.snap.as_ref().map(|s| s.milestones.len()), Some(450));
    // A late partial never replaces a complete snapshot.
    let late = Reader::new(d.path())
        .first_screen(200, now)
        .expect("partial");
    update(&mut app, Msg::Partial(Some(Box::new(late))));
    assert_eq!(app.snap.as_ref().map(|s| s.partial), Some(None));
}

#[test]
fn a_change_to_one_milestone_makes_one_new_view() {
    let d = tree(300);
    let now = Utc::now();
    let mut r = Reader::new(d.path());
    let before = r.load(now);
    let p = rename_over(d.path(), 7, "Renamed");
    let after = r.load_changed(vec![p], true, now);
    assert_eq!(after.milestones.len(), 300);
    let new: Vec<&str> = before
        .milestones
        .iter()
        .zip(&after.milestones)
        .filter(|(a, b)| !Arc::ptr_eq(a, b))
        .map(|(_, b)| b.milestone.id.as_str())
        .collect();
    assert_eq!(new, ["m007"], "every other view is shared");
    assert_eq!(after.milestones[7].milestone.title, "Renamed");
    assert_eq!(
        after,
        Reader::new(d.path()).load(now),
        "and equal to a full read"
    );

    // A milestone others depend on changed: the rules ran over the kept
    // inputs, and the views whose blockers changed are new too.
    let p = rename_over(d.path(), 9, "Renamed too");
    let again = r.load_changed(vec![p], true, now);
    assert_eq!(again, Reader::new(d.path()).load(now));
}

#[test]
fn an_agents_output_costs_no_full_read() {
    let d = tree(300);
    let now = Utc::now();
    let mut r = Reader::new(d.path());
    let before = r.load(now);
    // What a run's supervisor writes beside the event logs.
    let out = d.path().join(".milestones/logs/agent-m003.log");
    write(d.path(), ".milestones/logs/agent-m003.log", "working\n");
    // A full read would evaluate every milestone again: new views.
    let after = r.load_changed(vec![out], true, now);
    assert!(
        before
            .milestones
            .iter()
            .zip(&after.milestones)
            .all(|(a, b)| Arc::ptr_eq(a, b)),
        "an agent's output changes no view"
    );
    // A new event log is a new file: the full read.
    write(
        d.path(),
        ".milestones/logs/execution-m003.jsonl",
        "{\"timestamp\":\"2026-11-22T09:00:00Z\",\"event\":\"task_started\"}\n",
    );
    let log = d.path().join(".milestones/logs/execution-m003.jsonl");
    let with_log = r.load_changed(vec![log], true, now);
    assert_eq!(
        with_log.milestones[3]
            .last_event
            .as_ref()
            .map(|e| e.name.as_str()),
        Some("task_started")
    );
    assert_eq!(with_log, Reader::new(d.path()).load(now));
}

/// The watched trees are walked by mdash: a directory linked from
/// `.milestones` to elsewhere in the workspace is watched (its edits show
/// at once), a link out of the workspace (`-> /`) is not walked.
#[test]
fn a_linked_active_directory_inside_the_workspace_is_watched() {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), "docs/milestones/a.yaml", milestone(1, "Before"));
    std::fs::create_dir_all(d.path().join(".milestones")).expect("mkdir");
    std::os::unix::fs::symlink("../docs/milestones", d.path().join(".milestones/active"))
        .expect("symlink");
    std::os::unix::fs::symlink("/", d.path().join(".milestones/everything")).expect("symlink");
    std::fs::create_dir_all(d.path().join(".milestones/logs/old")).expect("mkdir");
    let dirs: Vec<std::path::PathBuf> = milestone_dash::live::watch::Watcher::trees(d.path())
        .into_iter()
        .map(|(p, recursive)| {
            assert!(!recursive, "each directory is watched on its own");
            p
        })
        .collect();
    let rel: Vec<String> = dirs
        .iter()
        .map(|p| {
            p.strip_prefix(d.path())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        rel,
        [
            ".milestones",
            ".milestones/active",
            ".milestones/logs",
            ".milestones/logs/old"
        ],
        "the link out of the workspace is not walked"
    );
    let mut p = pty::Pty::spawn(d.path(), 100, 30);
    p.wait_for("the milestone", |s| s.contains("Before"));
    // Edits made after start-up arrive as events (no timer reloads a live
    // watch): the new title on screen proves the linked tree is watched.
    p.pump_for(std::time::Duration::from_millis(300));
    let tmp = d.path().join("docs/milestones/.a.tmp");
    std::fs::write(&tmp, milestone(1, "After")).expect("write");
    std::fs::rename(&tmp, d.path().join("docs/milestones/a.yaml")).expect("rename");
    let s = p.wait_for("the edit", |s| s.contains("After"));
    assert!(!s.contains("polling"), "still watched live:\n{s}");
    p.send(b"q");
    p.wait_exit();
}

#[test]
fn a_first_screenful_starts_nothing_and_current_txt_still_picks() {
    let d = tree(450);
    write(d.path(), ".milestones/active/current.txt", "m300\n");
    let now = Utc::now();
    let mut r = Reader::new(d.path());
    let first = r.first_screen(200, now).expect("partial");
    let full = r.load(now);
    assert_eq!(full.current.as_deref(), Some("m300"));
    let mut app = App::new(Keymap::default(), true, now);
    update(&mut app, Msg::Resize(100, 30));
    update(&mut app, Msg::Partial(Some(Box::new(first))));
    // `S` (fill free slots) while the rest is read: nothing is started.
    let fx = update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('S'),
            crossterm::event::KeyModifiers::SHIFT,
        )),
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Run { .. })),
        "no run starts from a partial snapshot: {fx:?}"
    );
    // Git states arriving meanwhile do not bring the partial back to life.
    let fx = update(
        &mut app,
        Msg::Git {
            generation: 1,
            states: Vec::new(),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    // The full snapshot picks what `current.txt` names, the user not having moved.
    update(&mut app, Msg::Loaded(Box::new(full)));
    assert_eq!(app.selected.as_deref(), Some("m300"));
}

/// A directory made after start-up is watched from then on: the walk runs
/// again when a changed path is a directory.
#[test]
fn a_directory_made_after_start_up_is_watched() {
    let d = tree(3);
    let mut p = pty::Pty::spawn(d.path(), 100, 30);
    p.wait_for("the milestones", |s| s.contains("Milestone 2"));
    p.pump_for(std::time::Duration::from_millis(300));
    write(
        d.path(),
        ".milestones/completed/z.yaml",
        "id: z\ntitle: \"Done once\"\nstatus: completed\n",
    );
    p.wait_for("the new directory's file", |s| s.contains("Done once"));
    p.pump_for(std::time::Duration::from_millis(300));
    // An edit inside it arrives as an event on its new watch.
    let dir = d.path().join(".milestones/completed");
    std::fs::write(
        dir.join(".z.tmp"),
        "id: z\ntitle: \"Done twice\"\nstatus: completed\n",
    )
    .expect("write");
    std::fs::rename(dir.join(".z.tmp"), dir.join("z.yaml")).expect("rename");
    let s = p.wait_for("the edit in the new directory", |s| {
        s.contains("Done twice")
    });
    assert!(!s.contains("polling"), "still watched live:\n{s}");
    p.send(b"q");
    p.wait_exit();
}
