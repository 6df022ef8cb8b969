//! tmux for agents: reading the screen of an exact pane (`%N` on a known
//! server socket), typing into it, and the workspace's own detached session
//! for runs started while mdash is not inside tmux. Targets are pane ids or
//! `=name`, never text that tmux would split or expand.

use std::path::Path;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::model::TmuxPane;

fn tmux_at(socket: &str) -> Command {
    let mut c = Command::new("tmux");
    c.arg("-S").arg(socket).stdin(Stdio::null());
    c
}

fn run(mut c: Command) -> Result<String, String> {
    let out = c.output().map_err(|e| format!("cannot run tmux: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err: String = String::from_utf8_lossy(&out.stderr)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        Err(format!("tmux: {}", err.trim()))
    }
}

/// A pane id as tmux prints it (`%12`), and nothing else.
pub fn valid_pane_id(p: &str) -> bool {
    p.strip_prefix('%')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The visible screen of the pane, as plain text; `None` when the pane or
/// its server is gone.
pub fn capture(p: &TmuxPane) -> Option<String> {
    if !valid_pane_id(&p.pane) {
        return None;
    }
    let mut c = tmux_at(&p.socket);
    c.args(["capture-pane", "-p", "-t", &p.pane]);
    run(c).ok()
}

/// Types `text` literally into the pane (`send-keys -l`: no key names are
/// read from it), then the given keys (`Enter`, `1`).
pub fn send(p: &TmuxPane, text: &str, keys: &[&str]) -> Result<(), String> {
    if !valid_pane_id(&p.pane) {
        return Err(format!("{:?} is not a tmux pane id", p.pane));
    }
    if !text.is_empty() {
        let mut c = tmux_at(&p.socket);
        c.args(["send-keys", "-t", &p.pane, "-l", "--", text]);
        run(c)?;
    }
    if !keys.is_empty() {
        let mut c = tmux_at(&p.socket);
        c.args(["send-keys", "-t", &p.pane]).args(keys);
        run(c)?;
    }
    Ok(())
}

/// Makes the pane the current one of its window and its window the current
/// one of its session, so that a client of that session lands on it.
pub fn select(p: &TmuxPane) -> Result<(), String> {
    if !valid_pane_id(&p.pane) {
        return Err(format!("{:?} is not a tmux pane id", p.pane));
    }
    let mut c = tmux_at(&p.socket);
    c.args(["select-window", "-t", &p.pane]);
    run(c)?;
    let mut c = tmux_at(&p.socket);
    c.args(["select-pane", "-t", &p.pane]);
    run(c).map(|_| ())
}

/// From inside tmux: switches this client to the pane (when a client is
/// attached at all) and makes it the current pane of its session.
pub fn focus(p: &TmuxPane) -> Result<(), String> {
    if !valid_pane_id(&p.pane) {
        return Err(format!("{:?} is not a tmux pane id", p.pane));
    }
    let mut c = tmux_at(&p.socket);
    c.args(["switch-client", "-t", &p.pane]);
    // No client (a detached session): selecting is all there is to do.
    let _ = run(c);
    select(p)
}

/// The session the pane belongs to.
pub fn session_of(p: &TmuxPane) -> Option<String> {
    let mut c = tmux_at(&p.socket);
    c.args(["display-message", "-p", "-t", &p.pane, "#{session_id}"]);
    let s = run(c).ok()?.trim().to_string();
    s.starts_with('$').then_some(s)
}

/// The name of the workspace's own tmux session: `mdash-` and a hash of its
/// path (names hold no `:` or `.`, which would split a target).
pub fn workspace_session(root: &Path) -> String {
    let d = Sha256::digest(root.to_string_lossy().as_bytes());
    let hex: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("mdash-{hex}")
}

/// When mdash is not inside tmux, runs go to a detached session of the
/// workspace's own, created here when missing; the target for
/// `new-window -t`. `None` inside tmux: the run opens in the current session.
pub fn session_target(root: &Path) -> Result<Option<String>, String> {
    if std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    let name = workspace_session(root);
    let exact = format!("={name}");
    let has = Command::new("tmux")
        .args(["has-session", "-t", &exact])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        let dir = root.to_string_lossy().replace('#', "##");
        let mut c = Command::new("tmux");
        c.args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "160",
            "-y",
            "48",
            "-c",
            &dir,
        ])
        .stdin(Stdio::null());
        run(c).map_err(|e| format!("cannot create the tmux session {name}: {e}"))?;
    }
    Ok(Some(format!("{exact}:")))
}

/// `tmux attach` to the pane's session, on the pane: what `a` runs when the
/// dashboard is not inside tmux (the dashboard suspends meanwhile).
pub fn attach_command(p: &TmuxPane) -> Option<Command> {
    let session = session_of(p)?;
    select(p).ok()?;
    let mut c = Command::new("tmux");
    c.arg("-S")
        .arg(&p.socket)
        .args(["attach-session", "-t", &session]);
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pane_ids_are_targets() {
        assert!(valid_pane_id("%0"));
        assert!(valid_pane_id("%12"));
        assert!(!valid_pane_id("%"));
        assert!(!valid_pane_id("mdash:1a"));
        assert!(!valid_pane_id("%1;kill-server"));
        let s = workspace_session(Path::new("/w/a:b.c"));
        assert!(s.starts_with("mdash-") && !s.contains([':', '.']));
    }
}
