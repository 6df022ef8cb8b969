//! One thing only: whether the real Claude Code CLI (and tmux) can be found,
//! for the tests that drive it (`tests/it/{claude,agent,answer}.rs`). When
//! they cannot, the tests are compiled as ignored, with the reason, so that
//! `cargo test`'s summary says "ignored" instead of a quiet `ok`. With
//! `CI=true` they are never ignored: there a missing CLI fails them.
//! The search is `tests/it/common/claude.rs`'s `find`.

use std::path::PathBuf;

fn claude() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MDASH_CLAUDE_BIN").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let prefix = std::env::var_os("MDASH_CLAUDE_PREFIX")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mdash/claude")));
    if let Some(p) = prefix {
        dirs.push(p.join("node_modules/.bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("claude"))
        .find(|p| p.is_file())
}

fn tmux() -> bool {
    std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(mdash_no_claude)");
    for v in [
        "PATH",
        "HOME",
        "CI",
        "MDASH_CLAUDE_BIN",
        "MDASH_CLAUDE_PREFIX",
    ] {
        println!("cargo::rerun-if-env-changed={v}");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !ci && (claude().is_none() || !tmux()) {
        println!("cargo::rustc-cfg=mdash_no_claude");
    }
}
