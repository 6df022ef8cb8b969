//! A stand-in for Claude Code in a real tmux pane, for the answering tests
//! (issue 24): a program named `claude` (so mdash treats it as Claude Code)
//! that draws whatever screen the test gives it — copied from the real
//! CLI 2.1.197's permission screens — and records every key it receives.
//! Its hooks are the test's: it calls `mdash hook` with the events Claude
//! Code would send. The run is started by `mdash run start`, in a private
//! tmux server (`TMUX_TMPDIR`), exactly as a real one.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use super::sec::{Ws, chmod_x, eventually};

pub const SESSION: &str = "5e55a7c0-0000-4000-8000-000000000001";

/// The rule Claude Code draws above its permission dialog.
pub fn rule() -> String {
    "─".repeat(100)
}

const DASHES: &str = "╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌";

/// The conversation above the dialog, as the real CLI draws it.
fn top(call: &str) -> String {
    format!(
        " ▐▛███▜▌   Claude Code v2.1.197\n❯ Work on milestone 1a\n\n● {call}\n{}\n",
        rule()
    )
}

/// Claude Code's Bash permission screen for `command`.
pub fn bash_screen(command: &str, description: &str) -> String {
    let shown: String = command.lines().map(|l| format!("   {l}\n")).collect();
    format!(
        "{}\n Bash command\n\n{shown}   {description}\n\n This command requires approval\n\n Do you want to proceed?\n ❯ 1. Yes\n   2. Yes, and don't ask again for this command in /w\n   3. No\n\n Esc to cancel · Tab to amend · ctrl+e to explain\n",
        top("Bash(…)")
    )
}

/// Claude Code's Write screen over an existing file: `diff` as its lines
/// (`1 -old`, `1 +new`).
pub fn write_screen(name: &str, diff: &[&str]) -> String {
    let body: String = diff.iter().map(|l| format!("  {l}\n")).collect();
    format!(
        "{}\n Overwrite file\n {name}\n{DASHES}\n{body}{DASHES}\n Do you want to overwrite {name}?\n ❯ 1. Yes\n   2. Yes, allow all edits during this session (shift+tab)\n   3. No\n\n Esc to cancel · Tab to amend\n",
        top(&format!("Write({name})"))
    )
}

/// Claude Code's WebFetch permission screen.
pub fn fetch_screen(url: &str, prompt: &str) -> String {
    let host = url.split('/').nth(2).unwrap_or(url);
    format!(
        "{}\n Fetch\n\n   url: \"{url}\", prompt: \"{prompt}\"\n   Claude wants to fetch content from {host}\n\n Do you want to allow Claude to fetch this content?\n ❯ 1. Yes\n   2. Yes, and don't ask again for {host}\n   3. No, and tell Claude what to do differently (esc)\n",
        top(&format!("Fetch({url})"))
    )
}

/// The identity of the request file as saved now: its SHA-256, 32 hex
/// digits (what `agent.request.hash` documents).
pub fn file_hash(path: &std::path::Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).expect("request file");
    sha2::Sha256::digest(&bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Claude Code's empty prompt.
pub fn prompt_screen() -> String {
    format!(
        " ▐▛███▜▌   Claude Code v2.1.197\n\n● Done.\n\n{}\n❯ \n{}\n  ? for shortcuts\n",
        rule(),
        rule()
    )
}

pub struct Agent {
    pub ws: Ws,
    pub ctl: PathBuf,
    pub socket: String,
    pub pane: String,
}

impl Agent {
    /// Workspace `ws/` with milestone `1a`, its agent the stand-in, started
    /// and drawing `screen`.
    pub fn start(screen: &str) -> Agent {
        let mut ws = Ws::new();
        let base = ws.dir.path().to_path_buf();
        let (bin, ctl, tmux) = (base.join("bin"), base.join("ctl"), base.join("tmux"));
        for d in [&bin, &ctl, &tmux, &base.join("claude-home")] {
            std::fs::create_dir_all(d).expect("dir");
        }
        std::fs::write(ctl.join("screen"), screen).expect("screen");
        // Keys are read byte by byte, in non-canonical mode with a 0.1 s
        // timeout (`dd` appends each byte raw: nothing is lost to the
        // shell), and the screen is redrawn when its file changes.
        let script = format!(
            "#!/bin/bash\nd='{}'\nstty -echo -icanon min 0 time 1\nlast=''\nwhile :; do\n  cur=\"$(cat \"$d/screen\" 2>/dev/null)\"\n  if [ \"$cur\" != \"$last\" ]; then printf '\\033[H\\033[2J%s' \"$cur\"; last=\"$cur\"; fi\n  dd bs=1 count=1 2>/dev/null >> \"$d/keys\"\ndone\n",
            ctl.display()
        );
        std::fs::write(bin.join("claude"), script).expect("stand-in");
        chmod_x(&bin.join("claude"));
        ws.env
            .push(("TMUX_TMPDIR".into(), tmux.display().to_string()));
        ws.env.push((
            "CLAUDE_CONFIG_DIR".into(),
            base.join("claude-home").display().to_string(),
        ));
        ws.file(
            ".milestones/config/mdash.yaml",
            format!(
                "agent:\n  command: [\"{}\", \"{{id}}\"]\n  cwd: workspace\n  stop_grace_secs: 1\n",
                bin.join("claude").display()
            ),
        );
        ws.trust();
        let (code, out) = ws.mdash(&["run", "start", "1a"]);
        assert_eq!(code, 0, "run start: {out}");
        let mut a = Agent {
            ws,
            ctl,
            socket: String::new(),
            pane: String::new(),
        };
        eventually("the run's pane recorded", || a.record_pane().is_some());
        let (socket, pane) = a.record_pane().expect("pane");
        a.socket = socket;
        a.pane = pane;
        let first = screen.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let first = first.trim().to_string();
        eventually("the stand-in's screen", || a.screen().contains(&first));
        a
    }

    /// (socket, pane) from the run record.
    fn record_pane(&self) -> Option<(String, String)> {
        let text = std::fs::read_to_string(self.ws.record_path("1a")).ok()?;
        let field = |k: &str| {
            text.lines().find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{k}: "))
                    .map(|v| v.trim().trim_matches(['\'', '"']).to_string())
            })
        };
        Some((field("socket")?, field("pane")?))
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", &self.pane]).stdout)
            .into_owned()
    }

    /// Draws a new screen and waits until the pane shows it.
    pub fn draw(&self, screen: &str) {
        let tmp = self.ctl.join("screen.tmp");
        std::fs::write(&tmp, screen).expect("screen");
        std::fs::rename(&tmp, self.ctl.join("screen")).expect("rename");
        let lines: Vec<String> = screen
            .lines()
            .map(|l| l.trim_end().to_string())
            .filter(|l| !l.trim().is_empty())
            .collect();
        eventually("the new screen drawn", || {
            let s = self.screen();
            lines.iter().all(|l| s.contains(l.trim()))
        });
    }

    /// Every key the stand-in received.
    pub fn keys(&self) -> String {
        std::fs::read_to_string(self.ctl.join("keys")).unwrap_or_default()
    }

    /// Waits until the stand-in has received exactly `keys` (and a moment
    /// more, so that a late extra key would show).
    pub fn wait_keys(&self, keys: &str) {
        eventually(&format!("the keys {keys:?}"), || self.keys() == keys);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(self.keys(), keys, "no further key");
    }

    /// Sends a hook event as Claude Code would (`mdash hook` on stdin).
    pub fn hook(&self, mut event: Value) {
        event["session_id"] = json!(SESSION);
        if event["cwd"].is_null() {
            event["cwd"] = json!(self.ws.root.display().to_string());
        }
        let mut c = self.ws.command();
        c.args(["hook", "--root"])
            .arg(&self.ws.root)
            .args(["--milestone", "1a"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut child = c.spawn().expect("hook");
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(event.to_string().as_bytes())
            .expect("event");
        drop(stdin);
        assert!(child.wait().expect("hook").success());
    }

    /// A `PermissionRequest` for `tool` with `input`.
    pub fn request(&self, tool: &str, input: Value) {
        self.hook(
            json!({"hook_event_name": "PermissionRequest", "tool_name": tool,
                         "tool_input": input}),
        );
    }

    /// `agent.request` of 1a in `status --json`, once it is there.
    pub fn request_ref(&self) -> Value {
        eventually("agent.request in status --json", || {
            self.ws.milestone("1a")["agent"]["request"].is_object()
        });
        self.ws.milestone("1a")["agent"]["request"].clone()
    }

    pub fn hash(&self) -> String {
        self.request_ref()["hash"]
            .as_str()
            .expect("hash")
            .to_string()
    }

    /// `mdash answer 1a allow|deny --request HASH`: (exit code, output).
    pub fn answer(&self, decision: &str, hash: &str) -> (i32, String) {
        self.ws
            .mdash(&["answer", "1a", decision, "--request", hash])
    }

    /// The dashboard in a new window of the agent's own tmux server; its
    /// pane id.
    fn session(&self) -> String {
        String::from_utf8_lossy(
            &self
                .tmux(&["display-message", "-p", "-t", &self.pane, "#{session_id}"])
                .stdout,
        )
        .trim()
        .to_string()
    }

    pub fn dashboard(&self) -> String {
        let session = self.session();
        let mut args: Vec<String> = vec![
            "new-window".into(),
            "-d".into(),
            "-t".into(),
            format!("{session}:"),
            "-P".into(),
            "-F".into(),
            "#{pane_id}".into(),
            "--".into(),
            "env".into(),
            format!("XDG_CONFIG_HOME={}", self.ws.cfg.display()),
            format!("XDG_STATE_HOME={}", self.ws.state.display()),
            "TERM=xterm-256color".into(),
        ];
        for (k, v) in &self.ws.env {
            args.push(format!("{k}={v}"));
        }
        args.push(env!("CARGO_BIN_EXE_mdash").into());
        args.push(self.ws.root.display().to_string());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.tmux(&refs);
        assert!(out.status.success(), "dashboard: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn capture(&self, pane: &str) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", pane]).stdout).into_owned()
    }

    /// Waits until the pane's screen satisfies `pred`; panics with it.
    pub fn wait_screen(&self, pane: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let s = self.capture(pane);
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < super::sec::DEADLINE,
                "timed out waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Another program in the same tmux server drawing `screen` and
    /// recording its keys (in `ctl-<name>/keys`): a pane that is not the
    /// run's. Its pane id and key log.
    pub fn other_pane(&self, name: &str, screen: &str) -> (String, PathBuf) {
        let ctl = self.ws.dir.path().join(format!("ctl-{name}"));
        std::fs::create_dir_all(&ctl).expect("ctl");
        std::fs::write(ctl.join("screen"), screen).expect("screen");
        let script = ctl.join("draw");
        std::fs::write(
            &script,
            format!(
                "#!/bin/bash\nstty -echo -icanon min 1\nprintf '\\033[H\\033[2J%s' \"$(cat '{0}/screen')\"\nwhile :; do dd bs=1 count=1 2>/dev/null >> '{0}/keys'; done\n",
                ctl.display()
            ),
        )
        .expect("script");
        chmod_x(&script);
        let target = format!("{}:", self.session());
        let out = self.tmux(&[
            "new-window",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-t",
            &target,
            "--",
            &script.display().to_string(),
        ]);
        assert!(out.status.success(), "new-window: {out:?}");
        let pane = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let first = screen
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        eventually("the other pane drawn", || {
            self.capture(&pane).contains(&first)
        });
        (pane, ctl.join("keys"))
    }

    pub fn send(&self, pane: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", pane];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.ws.mdash(&["run", "stop", "1a"]);
        let _ = self.tmux(&["kill-server"]);
    }
}
