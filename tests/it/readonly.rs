//! Read commands do not write (issue 25 item 3): while a Claude Code agent
//! waits after a turn ended with Esc (no hook says so, its screen does),
//! `status`, `status --json` and `check` show the corrected state and leave
//! every file of the workspace as it was, bytes and modification time; the
//! correction is logged by the dashboard only.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::claude::{self, Setup, screen, text};
use common::model::Turn;

/// Every regular file under `root` (the worktrees and `.git` included):
/// its bytes and modification time.
fn files(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let ft = e.file_type().expect("file type");
            let p = e.path();
            if ft.is_dir() {
                todo.push(p);
            } else if ft.is_file() {
                let mtime = e.metadata().expect("metadata").modified().expect("mtime");
                out.insert(p.clone(), (std::fs::read(&p).expect("read"), mtime));
            }
        }
    }
    out
}

#[test]
fn status_and_check_leave_every_file_unchanged_while_an_agent_waits() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(
        &bin,
        vec![
            Turn::text("Ready."),
            // Hangs until Esc in the pane ends the turn.
            Turn::text("never seen").hold(Duration::from_secs(90)),
        ],
    );
    let out = s.mdash(&["run", "start", "2a"]);
    assert!(out.status.success(), "run start: {}", text(&out.stderr));
    s.wait_state("2a", "waiting_input", Some("Ready."));
    let pane = s.tmux.wait_pane("the agent's prompt", screen::prompt);
    s.tmux.type_text(&pane, "and now?");
    s.tmux.keys(&pane, &["Enter"]);
    s.wait_state("2a", "working", None);
    s.tmux.wait_screen(&pane, "working", screen::working);
    s.tmux.keys(&pane, &["Escape"]);
    s.tmux
        .wait_screen(&pane, "the prompt again", screen::prompt);
    // The hooks said `working` last; nothing writes while the agent waits.
    let events = s.agent_events("2a").len();
    let before = files(&s.root);
    // `status --json` corrects the state from the screen (once the state is
    // old enough for the screen to count), and shows it ...
    s.wait_state("2a", "waiting_input", None);
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["check"],
        &["status", "--json"],
    ] {
        let _ = s.mdash(args);
    }
    // ... and writes nothing: no `agent_state` appended, no file touched.
    assert_eq!(
        s.agent_events("2a").len(),
        events,
        "an agent_state was logged"
    );
    let after = files(&s.root);
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, v)| before.get(*p) != Some(v))
        .map(|(p, _)| p.display().to_string())
        .chain(
            before
                .keys()
                .filter(|p| !after.contains_key(*p))
                .map(|p| format!("{} (removed)", p.display())),
        )
        .collect();
    assert!(changed.is_empty(), "read commands changed {changed:?}");
    let _ = s.mdash(&["run", "stop", "2a"]);
}
