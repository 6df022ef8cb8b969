//! The one place mdash talks to tmux: every argv for `tmux` is built here
//! (and in `tmux/pane.rs`, for an agent's exact pane), and every one runs
//! through one runner, `Tmux`, whose server is a type (`Socket`), never a
//! string left to the environment by accident. Workspace text reaches tmux
//! only through `escape_format` (tmux expands `#{}`, `#()` and `#[]` in
//! messages, window names and start directories; `#()` runs a shell
//! command), and windows are targeted exactly, by id (`@N`) or by name with
//! `=`, never as `session:window` text. Unit tests can record the argvs
//! the runner would run (`record`).

pub mod pane;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Text as tmux shows it, never as a format: `#` doubled (tmux reads `##`
/// as a literal `#`), and every character a terminal would act on or that
/// reorders a line (`util::text::unsafe_char`: controls, BiDi controls,
/// line separators) written out as `\e`, `\u{202e}`, … (the same rule as
/// everything else mdash shows).
pub fn escape_format(s: &str) -> String {
    crate::util::text::escape(s).replace('#', "##")
}

/// Which tmux server a command talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Socket {
    /// The server this process's environment names: the one mdash runs
    /// inside (`$TMUX`), else the user's default server.
    Ambient,
    /// An exact server (`tmux -S <path>`): a run's own pane.
    Path(PathBuf),
}

/// The runner: every tmux command mdash runs goes through `Tmux::run` (or
/// `command`, for the one that takes over the terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tmux {
    pub socket: Socket,
}

#[cfg(test)]
thread_local! {
    static RECORDED: std::cell::RefCell<Option<Vec<Vec<String>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` and returns, with its result, every tmux argv (after `tmux`
/// and its socket) that the runner built meanwhile on this thread.
#[cfg(test)]
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Vec<Vec<String>>) {
    RECORDED.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let out = f();
    let seen = RECORDED.with(|r| r.borrow_mut().take()).unwrap_or_default();
    (out, seen)
}

impl Tmux {
    pub fn ambient() -> Tmux {
        Tmux {
            socket: Socket::Ambient,
        }
    }

    pub fn at(socket: &str) -> Tmux {
        Tmux {
            socket: Socket::Path(PathBuf::from(socket)),
        }
    }

    /// The command for `args` on this server; not run.
    pub fn command<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        #[cfg(test)]
        RECORDED.with(|r| {
            if let Some(v) = r.borrow_mut().as_mut() {
                v.push(
                    args.iter()
                        .map(|a| a.as_ref().to_string_lossy().into_owned())
                        .collect(),
                );
            }
        });
        let mut c = Command::new("tmux");
        if let Socket::Path(p) = &self.socket {
            c.arg("-S").arg(p);
        }
        c.args(args).stdin(Stdio::null());
        c
    }

    /// Runs tmux and returns its stdout, or its complaint (escaped).
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Result<String, String> {
        let out = self
            .command(args)
            .output()
            .map_err(|e| format!("cannot run tmux: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            Err(format!("tmux: {}", crate::util::text::escape(err.trim())))
        }
    }

    /// Whether the command succeeds, its output dropped.
    pub fn status<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> bool {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
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

/// Shows `text` in the status line of the client of the current pane
/// (fire and forget: tmux answers at once, and nothing waits on it).
pub fn display_message(text: &str) {
    let _ = Tmux::ambient()
        .command(&["display-message", "--", &escape_format(text)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut c| std::thread::spawn(move || c.wait()));
}

/// Makes `w` the current window of its session.
pub fn select_window(w: &Window) -> Result<(), String> {
    Tmux::ambient()
        .run(&["select-window", "-t", &w.arg()])
        .map(|_| ())
}

/// The pid of the first pane's process of window `w`.
pub fn pane_pid(w: &Window) -> Option<i32> {
    Tmux::ambient()
        .run(&["display-message", "-p", "-t", &w.arg(), "#{pane_pid}"])
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
        .filter(|d| !d.chars().any(crate::util::text::unsafe_char))
        .ok_or_else(|| {
            format!(
                "cannot start a tmux window in {}: the path is not plain text",
                cwd.display()
            )
        })?;
    let mut args: Vec<String> = vec!["new-window".into()];
    if let Some(t) = session {
        args.extend(["-t".into(), t.to_string()]);
    }
    args.extend(
        ["-d", "-P", "-F", "#{pane_pid} #{window_id}", "-n"]
            .iter()
            .map(|s| s.to_string()),
    );
    // A directory is a path, not text to show: refused above when it holds
    // anything `escape_format` would rewrite, but `#`.
    args.extend([escape_format(name), "-c".into(), dir.replace('#', "##")]);
    for (k, v) in env {
        // `-e` values are not formats (and come from approved settings).
        args.extend(["-e".into(), format!("{k}={v}")]);
    }
    args.push("--".into());
    args.extend(argv.iter().cloned());
    let out = Tmux::ambient()
        .run(&args)
        .map_err(|e| format!("tmux new-window failed: {e}"))?;
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
        assert_eq!(escape_format("x\x1b]0;t\x07\r\ny"), "x\\e]0;t\\u{7}\\r\\ny");
        // BiDi controls too, as everywhere else (issue 24 item 15).
        assert_eq!(escape_format("a\u{202e}b\u{2066}"), "a\\u{202e}b\\u{2066}");
        assert_eq!(WindowId::parse("@12"), Some(WindowId(12)));
        assert_eq!(WindowId::parse("mdash:1a"), None);
        assert!(Window::name("mdash:1a").is_err());
        assert_eq!(
            Window::name("mdash-1a").map(|w| w.arg()),
            Ok("=mdash-1a".into())
        );
    }
}
