//! The one place mdash talks to tmux: every argv for `tmux` is built here.
//! Workspace text reaches tmux only through `escape_format` (tmux expands
//! `#{}`, `#()` and `#[]` in messages, window names and start directories;
//! `#()` runs a shell command), and windows are targeted exactly, by id
//! (`@N`) or by name with `=`, never as `session:window` text.

use std::path::Path;
use std::process::{Command, Stdio};

/// Text as tmux shows it, never as a format: `#` doubled (tmux reads `##`
/// as a literal `#`), control characters dropped (they would reach the
/// terminal raw from the status line).
pub fn escape_format(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("##"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A tmux window id (`@3`): stable for the window's life, unlike its index
/// or name, and free of the `:` and `.` that split a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowId(pub u32);

impl WindowId {
    pub fn parse(s: &str) -> Option<WindowId> {
        s.strip_prefix('@')?.parse().ok().map(WindowId)
    }
}

impl std::fmt::Display for WindowId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{}", self.0)
    }
}

/// A window target: by id, or by exact name (`=name`: no pattern is read
/// from it). tmux splits a target at `:` and `.` before it looks at `=`, so
/// a name holding either cannot be a target: `Window::name` refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    Id(WindowId),
    Name(String),
}

impl Window {
    pub fn name(n: &str) -> Result<Window, String> {
        if n.is_empty() || n.contains([':', '.']) || n.chars().any(char::is_control) {
            return Err(format!(
                "tmux window name {n:?} cannot be a target (empty, or holds `:`, `.` or a control character)"
            ));
        }
        Ok(Window::Name(n.to_string()))
    }

    fn arg(&self) -> String {
        match self {
            Window::Id(id) => id.to_string(),
            Window::Name(n) => format!("={n}"),
        }
    }
}

/// Whether this process runs inside tmux (so that a bare `tmux` command
/// reaches the user's server).
pub fn inside() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

fn tmux() -> Command {
    let mut c = Command::new("tmux");
    c.stdin(Stdio::null());
    c
}

/// Runs tmux and returns its stdout, or its complaint.
fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run tmux: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(escape_format(err.trim()).replace("##", "#"))
    }
}

/// Shows `text` in the status line of the client of the current pane
/// (fire and forget: tmux answers at once, and nothing waits on it).
pub fn display_message(text: &str) {
    let _ = tmux()
        .args(["display-message", "--", &escape_format(text)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut c| std::thread::spawn(move || c.wait()));
}

/// Makes `w` the current window of its session.
pub fn select_window(w: &Window) -> Result<(), String> {
    output(tmux().args(["select-window", "-t", &w.arg()])).map(|_| ())
}

/// The pid of the first pane's process of window `w`.
pub fn pane_pid(w: &Window) -> Option<i32> {
    output(tmux().args(["display-message", "-p", "-t", &w.arg(), "#{pane_pid}"]))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A new window in the background running `argv` (no shell) in `cwd`:
/// its pane's pid and window id.
pub fn new_window(
    // `=name:` of a session to open it in (the workspace's own, when mdash
    // is not inside tmux); else the current session.
    session: Option<&str>,
    name: &str,
    cwd: &Path,
    env: &[(String, String)],
    argv: &[String],
) -> Result<(i32, WindowId), String> {
    let dir = cwd
        .to_str()
        .filter(|d| !d.chars().any(char::is_control))
        .ok_or_else(|| {
            format!(
                "cannot start a tmux window in {}: the path is not plain text",
                cwd.display()
            )
        })?;
    let mut cmd = tmux();
    cmd.arg("new-window");
    if let Some(t) = session {
        cmd.args(["-t", t]);
    }
    cmd.args(["-d", "-P", "-F", "#{pane_pid} #{window_id}", "-n"])
        .arg(escape_format(name))
        .arg("-c")
        .arg(escape_format(dir));
    for (k, v) in env {
        // `-e` values are not formats (and come from approved settings).
        cmd.arg("-e").arg(format!("{k}={v}"));
    }
    cmd.arg("--").args(argv);
    let out = output(&mut cmd).map_err(|e| format!("tmux new-window failed: {e}"))?;
    let mut f = out.split_whitespace();
    let pid = f.next().and_then(|p| p.parse().ok());
    let id = f.next().and_then(WindowId::parse);
    match (pid, id) {
        (Some(p), Some(w)) => Ok((p, w)),
        _ => Err(format!(
            "tmux gave no pane pid and window id: {}",
            out.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_never_read_from_text() {
        assert_eq!(
            escape_format("a#(rm -rf ~)#{pane_pid}#[fg=red]"),
            "a##(rm -rf ~)##{pane_pid}##[fg=red]"
        );
        assert_eq!(escape_format("x\x1b]0;t\x07\r\ny"), "x]0;ty");
        assert_eq!(WindowId::parse("@12"), Some(WindowId(12)));
        assert_eq!(WindowId::parse("mdash:1a"), None);
        assert!(Window::name("mdash:1a").is_err());
        assert_eq!(
            Window::name("mdash-1a").map(|w| w.arg()),
            Ok("=mdash-1a".into())
        );
    }
}
