//! Answering Claude Code from the dashboard (issue 19), against the real
//! CLI and the scripted model: the request's diff in the detail pane, `y`
//! going through, `n` refused by the agent, a request already answered in
//! the pane not answered twice, `R` replying, `!` the queue.

use crate::common;

use std::time::Duration;

use common::claude::{self, Setup, screen};
use common::model::{Turn, Usage};
use serde_json::json;

#[test]
#[cfg_attr(
    mdash_no_claude,
    ignore = "needs the Claude Code CLI and tmux (scripts/install-claude.sh; claude on PATH)"
)]
fn requests_are_previewed_and_answered_from_the_dashboard() {
    let Some(bin) = claude::require() else { return };
    let s = Setup::new(&bin, Vec::new());
    let w = s.worktree("2a");
    let a = w.join("a.txt").to_string_lossy().into_owned();
    let b = w.join("b.txt").to_string_lossy().into_owned();
    s.model.push(vec![
        Turn::tool("Read", json!({"file_path": a})),
        Turn::tool("Write", json!({"file_path": a, "content": "one\ntwo\n"})),
        Turn::text("Written.").usage(Usage::default()),
        Turn::tool(
            "Bash",
            json!({"command": "echo no > c.txt", "description": "Make c"}),
        ),
        Turn::tool("Write", json!({"file_path": b, "content": "fresh\n"})),
        Turn::text("Made b.").usage(Usage::default()),
        Turn::text("You are welcome.").usage(Usage::default()),
    ]);
    let dash = s
        .tmux
        .start("dash", &s.root, &[env!("CARGO_BIN_EXE_mdash").to_string()]);
    s.tmux.wait_text(&dash, "Milestone 2b");
    s.tmux.keys(&dash, &["s"]);
    s.wait_state("2a", "waiting_permission", Some("Write a.txt"));

    // The queue shows only the agent that waits; the detail its diff.
    s.tmux.keys(&dash, &["!"]);
    let shown = s.tmux.wait_screen(&dash, "the diff of the Write", |sc| {
        sc.contains("+two") && sc.contains("Write a.txt") && !sc.contains("Milestone 2b")
    });
    assert!(shown.contains("   one"), "context line:\n{shown}");
    assert!(!shown.contains("-one"), "one is kept:\n{shown}");

    // `y` allows: the file is written and the turn ends.
    s.tmux.keys(&dash, &["y"]);
    s.tmux.wait_screen(&dash, "the answer named", |sc| {
        sc.contains("2a: allowed Write a.txt")
    });
    s.wait_state("2a", "waiting_input", Some("Written."));
    assert_eq!(
        std::fs::read_to_string(w.join("a.txt")).expect("a"),
        "one\ntwo\n"
    );
    s.tmux.wait_screen(&dash, "the answer named", |sc| {
        sc.contains("2a: allowed Write a.txt")
    });

    // `n` denies: Claude Code is told no and the command never runs (and
    // asks the model nothing: the turn ends there).
    let agent = s.tmux.wait_pane("the agent's prompt", |sc| {
        screen::prompt(sc) && sc.contains("Written.")
    });
    s.tmux.type_text(&agent, "make c");
    s.tmux.keys(&agent, &["Enter"]);
    s.wait_state("2a", "waiting_permission", Some("Bash echo no > c.txt"));
    s.tmux.wait_screen(&dash, "the command previewed", |sc| {
        sc.contains("$ echo no > c.txt")
    });
    s.tmux.keys(&dash, &["n"]);
    s.tmux.wait_text(&agent, "What should Claude do instead?");
    s.wait_state("2a", "waiting_input", None);
    assert!(!w.join("c.txt").exists(), "a denied command never ran");
    s.tmux.wait_screen(&dash, "the denial named", |sc| {
        sc.contains("2a: denied Bash echo no")
    });

    // A request answered in the pane is not answered again from the dashboard.
    s.tmux.type_text(&agent, "then make b");
    s.tmux.keys(&agent, &["Enter"]);
    s.wait_state("2a", "waiting_permission", Some("Write b.txt"));
    s.tmux.wait_screen(&dash, "a new file previewed", |sc| {
        sc.contains("Write b.txt (new file)") && sc.contains("+fresh")
    });
    s.tmux
        .wait_screen(&agent, "its menu", screen::permission_menu);
    s.tmux.keys(&agent, &["1"]);
    s.tmux
        .wait_screen(&agent, "the menu gone", |sc| !screen::permission_menu(sc));
    s.tmux.keys(&dash, &["y"]);
    let shown = s.tmux.wait_screen(&dash, "the refusal", |sc| {
        sc.contains("nothing sent") || sc.contains("2a's agent is ")
    });
    assert!(!shown.contains("allowed Write b.txt"), "{shown}");
    s.wait_state("2a", "waiting_input", Some("Made b."));
    assert_eq!(
        std::fs::read_to_string(w.join("b.txt")).expect("b"),
        "fresh\n"
    );
    let pane = s.tmux.screen(&agent);
    assert!(
        pane.lines().any(|l| l.trim_end() == "❯"),
        "nothing was typed into the prompt:\n{pane}"
    );

    // `R` replies at the prompt.
    s.tmux.keys(&dash, &["R"]);
    s.tmux.wait_text(&dash, "reply to 2a's agent");
    s.tmux.type_text(&dash, "thanks");
    s.tmux.wait_text(&dash, "thanks_");
    s.tmux.keys(&dash, &["Enter"]);
    s.tmux.wait_text(&dash, "2a: replied");
    s.wait_state("2a", "waiting_input", Some("You are welcome."));
    let last = s.model.main_requests().pop().expect("request");
    assert!(last.conversation_text().contains("thanks"));
    assert!(s.model.wait_served(7, Duration::from_secs(1)));
    let _ = s.mdash(&["run", "stop", "2a"]);
}
