//! tmux for agents: reading the screen of an exact pane (`%N` on a known
//! server socket), typing into it, and the workspace's own detached session
//! for runs started while mdash is not inside tmux. Targets are pane ids or
//! `=name`, never text that tmux would split or expand. Every command goes
//! through the runner of `live::tmux`.

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

use super::Tmux;
use crate::model::TmuxPane;

fn server(p: &TmuxPane) -> Tmux {
    Tmux::at(&p.socket)
}

/// A pane id as tmux prints it (`%12`), and nothing else.
pub fn valid_pane_id(p: &str) -> bool {
    p.strip_prefix('%')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn checked(p: &TmuxPane) -> Result<(), String> {
    if valid_pane_id(&p.pane) {
        Ok(())
    } else {
        Err(format!("{:?} is not a tmux pane id", p.pane))
    }
}

/// The visible screen of the pane, as plain text; `None` when the pane or
/// its server is gone.
pub fn capture(p: &TmuxPane) -> Option<String> {
    checked(p).ok()?;
    server(p).run(&["capture-pane", "-p", "-t", &p.pane]).ok()
}

/// The pid of the process the pane runs (`#{pane_pid}`): for a run mdash
/// started in tmux, its supervisor.
pub fn pid(p: &TmuxPane) -> Option<i32> {
    checked(p).ok()?;
    server(p)
        .run(&["display-message", "-p", "-t", &p.pane, "#{pane_pid}"])
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The pane's width in columns (`#{pane_width}`): where the agent's
/// screen wraps its lines.
pub fn width(p: &TmuxPane) -> Option<usize> {
    checked(p).ok()?;
    server(p)
        .run(&["display-message", "-p", "-t", &p.pane, "#{pane_width}"])
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|w| *w > 0)
}

/// Types `text` literally into the pane (`send-keys -l`: no key names are
/// read from it), then the given keys (`Enter`, `1`).
pub fn send(p: &TmuxPane, text: &str, keys: &[&str]) -> Result<(), String> {
    checked(p)?;
    if !text.is_empty() {
        server(p).run(&["send-keys", "-t", &p.pane, "-l", "--", text])?;
    }
    if !keys.is_empty() {
        let mut args = vec!["send-keys", "-t", &p.pane];
        args.extend_from_slice(keys);
        server(p).run(&args)?;
    }
    Ok(())
}

/// Makes the pane the current one of its window and its window the current
/// one of its session, so that a client of that session lands on it.
pub fn select(p: &TmuxPane) -> Result<(), String> {
    checked(p)?;
    server(p).run(&["select-window", "-t", &p.pane])?;
    server(p).run(&["select-pane", "-t", &p.pane]).map(|_| ())
}

/// From inside tmux: switches this client to the pane (when a client is
/// attached at all) and makes it the current pane of its session.
pub fn focus(p: &TmuxPane) -> Result<(), String> {
    checked(p)?;
    // No client (a detached session): selecting is all there is to do.
    let _ = server(p).run(&["switch-client", "-t", &p.pane]);
    select(p)
}

/// The session the pane belongs to.
pub fn session_of(p: &TmuxPane) -> Option<String> {
    checked(p).ok()?;
    let s = server(p)
        .run(&["display-message", "-p", "-t", &p.pane, "#{session_id}"])
        .ok()?
        .trim()
        .to_string();
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
    if super::inside() {
        return Ok(None);
    }
    let name = workspace_session(root);
    let exact = format!("={name}");
    let tmux = Tmux::ambient();
    if !tmux.status(&["has-session", "-t", &exact]) {
        let dir = root.to_string_lossy().replace('#', "##");
        tmux.run(&[
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
        .map_err(|e| format!("cannot create the tmux session {name}: {e}"))?;
    }
    Ok(Some(format!("{exact}:")))
}

/// `tmux attach` to the pane's session, on the pane: what `a` runs when the
/// dashboard is not inside tmux (the dashboard suspends meanwhile).
pub fn attach_command(p: &TmuxPane) -> Option<Command> {
    let session = session_of(p)?;
    select(p).ok()?;
    let mut c = server(p).command(&["attach-session", "-t", &session]);
    // The one tmux command that takes over the terminal.
    c.stdin(std::process::Stdio::inherit());
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

    #[test]
    fn every_command_names_its_server_and_exact_pane() {
        let p = TmuxPane {
            pane: "%7".into(),
            socket: "/nonexistent/mdash-test-socket".into(),
        };
        let (_, seen) = super::super::record(|| {
            let _ = send(&p, "hi; rm -rf ~", &["Enter"]);
            let _ = capture(&p);
        });
        assert_eq!(
            seen,
            [
                vec!["send-keys", "-t", "%7", "-l", "--", "hi; rm -rf ~"],
                vec!["capture-pane", "-p", "-t", "%7"],
            ]
        );
        let bad = TmuxPane {
            pane: "=x:1".into(),
            ..p
        };
        let (r, seen) = super::super::record(|| send(&bad, "", &["1"]));
        assert!(r.is_err() && seen.is_empty());
    }
}
