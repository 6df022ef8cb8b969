//! The real Claude Code CLI for tests: finding it, a private HOME that skips
//! its first-run screens, its environment pointed at the scripted model
//! (`model.rs`), and a private tmux server to run it in and read its screen.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::model::{Model, Turn};

/// Generous: CI machines are loaded two-core boxes.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(60);

/// Any key works against the scripted model; Claude Code remembers the
/// approval of its last 20 characters.
pub const API_KEY: &str = "sk-ant-api03-mdash-scripted-model-key-0123456789abcdef";

/// Where `claude` is: `$MDASH_CLAUDE_BIN`, else on `PATH`, else where
/// `scripts/install-claude.sh` puts it by default.
pub fn find() -> Option<PathBuf> {
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

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `claude` and `tmux`, or None after saying why the test is skipped. In CI
/// (`CI=true`) a missing CLI is a failure, not a skip: there the tests must run.
pub fn require() -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let why = if !have("tmux") {
        "tmux is not installed".to_string()
    } else {
        match find() {
            Some(p) => return Some(p),
            None => "the Claude Code CLI was not found (run scripts/install-claude.sh and put the directory it prints on PATH)".to_string(),
        }
    };
    assert!(!ci, "CI must run the Claude Code tests, but {why}");
    eprintln!("skipped: {why}");
    None
}

/// A private HOME for Claude Code: onboarding done, the API key approved,
/// and each given directory trusted.
pub struct Home {
    pub dir: tempfile::TempDir,
    trusted: Vec<PathBuf>,
}

impl Home {
    pub fn new(trusted: &[&Path]) -> Home {
        let dir = tempfile::tempdir().expect("home");
        let mut h = Home {
            dir,
            trusted: Vec::new(),
        };
        for d in trusted {
            h.trust(d);
        }
        h.write();
        h
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Trusts one more directory (a new worktree): without it Claude Code
    /// shows its trust screen there.
    pub fn trust(&mut self, dir: &Path) {
        self.trusted.push(dir.to_path_buf());
        let canon = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if canon != dir {
            self.trusted.push(canon);
        }
        self.write();
    }

    fn write(&self) {
        let projects: serde_json::Map<String, serde_json::Value> = self
            .trusted
            .iter()
            .map(|d| {
                (
                    d.to_string_lossy().into_owned(),
                    json!({"hasTrustDialogAccepted": true, "hasCompletedProjectOnboarding": true}),
                )
            })
            .collect();
        let tail = &API_KEY[API_KEY.len() - 20..];
        let doc = json!({
            "hasCompletedOnboarding": true,
            "bypassPermissionsModeAccepted": true,
            "projects": projects,
            "customApiKeyResponses": {"approved": [tail], "rejected": []},
        });
        std::fs::write(self.path().join(".claude.json"), doc.to_string()).expect(".claude.json");
    }

    /// Claude Code's transcripts of sessions started in `dir`.
    pub fn transcripts(&self, dir: &Path) -> PathBuf {
        self.path()
            .join(".claude/projects")
            .join(project_dir_name(dir))
    }

    /// The environment that points Claude Code at the scripted model and
    /// keeps it off the network.
    pub fn env(&self, base_url: &str, claude: &Path) -> Vec<(String, String)> {
        let bin_dir = claude.parent().expect("bin dir");
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        [
            ("HOME", self.path().to_string_lossy().into_owned()),
            ("PATH", path),
            ("ANTHROPIC_BASE_URL", base_url.to_string()),
            ("ANTHROPIC_API_KEY", API_KEY.to_string()),
            ("DISABLE_AUTOUPDATER", "1".into()),
            ("DISABLE_TELEMETRY", "1".into()),
            ("DISABLE_ERROR_REPORTING", "1".into()),
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".into()),
            ("TERM", "xterm-256color".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// `~/.claude/projects/<this>`: the path with every character that is not
/// an ASCII letter or digit replaced by `-`.
pub fn project_dir_name(dir: &Path) -> String {
    dir.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A private tmux server, killed on drop: its socket lives in a private
/// `TMUX_TMPDIR`, so that mdash's own `tmux` commands (given `env()`) reach
/// this server and never the user's. Its server, and so every pane, gets the
/// environment given to `new`.
pub struct Tmux {
    pub tmpdir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Tmux {
    pub fn new(env: Vec<(String, String)>) -> Tmux {
        let tmpdir = tempfile::tempdir().expect("tmux dir");
        let mut env = env;
        env.push((
            "TMUX_TMPDIR".into(),
            tmpdir.path().to_string_lossy().into_owned(),
        ));
        Tmux { tmpdir, env }
    }

    /// The environment of every command and pane of this server.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// A command with this server's environment, outside any tmux.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_remove("TMUX").env_remove("TMUX_PANE");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        let mut c = self.command("tmux");
        c.args(["-f", "/dev/null"]).args(args);
        c.output().expect("tmux")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `argv` in a new session `name` (120x40) in `cwd`; returns its
    /// pane id (`%N`).
    pub fn start(&self, name: &str, cwd: &Path, argv: &[String]) -> String {
        let cwd = cwd.to_string_lossy();
        let mut args: Vec<&str> = vec![
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            &cwd,
            "-P",
            "-F",
            "#{pane_id}",
        ];
        // One shell word per argument: tmux hands a multi-word command to sh.
        let cmd = argv
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        args.push(&cmd);
        let pane = self.ok(&args).trim().to_string();
        // Keep the pane (and its last screen) when the program exits.
        self.ok(&["set-option", "-t", name, "remain-on-exit", "on"]);
        pane
    }

    /// The visible screen of a pane (`%N`) or target, as text.
    pub fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", target]).stdout)
            .into_owned()
    }

    /// Types literal text (no key names).
    pub fn type_text(&self, target: &str, text: &str) {
        self.ok(&["send-keys", "-t", target, "-l", text]);
    }

    /// Sends key names (`Enter`, `Escape`, `C-c`).
    pub fn keys(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Waits until the screen satisfies `pred`; panics with the last screen.
    pub fn wait_screen(&self, target: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + SCREEN_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < end {
            last = self.screen(target);
            if pred(&last) {
                return last;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}; the screen of {target}:\n{last}");
    }

    pub fn wait_text(&self, target: &str, text: &str) -> String {
        self.wait_screen(target, &format!("{text:?}"), |s| s.contains(text))
    }

    /// The pid of the program in a pane.
    pub fn pane_pid(&self, target: &str) -> Option<u32> {
        self.ok(&["display-message", "-p", "-t", target, "#{pane_pid}"])
            .trim()
            .parse()
            .ok()
    }

    /// Every pane of the server: (pane id, session name, window id, pid).
    pub fn panes(&self) -> Vec<(String, String, String, u32)> {
        let out = self.cmd(&[
            "list-panes",
            "-a",
            "-F",
            "#{pane_id}\t#{session_name}\t#{window_id}\t#{pane_pid}",
        ]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Some((
                    f.first()?.to_string(),
                    f.get(1)?.to_string(),
                    f.get(2)?.to_string(),
                    f.get(3)?.parse().ok()?,
                ))
            })
            .collect()
    }

    /// Waits for a pane whose screen satisfies `pred`; returns its id.
    pub fn wait_pane(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + SCREEN_TIMEOUT;
        while Instant::now() < end {
            for (id, ..) in self.panes() {
                if pred(&self.screen(&id)) {
                    return id;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let all: Vec<String> = self
            .panes()
            .iter()
            .map(|(id, ..)| format!("{id}:\n{}", self.screen(id)))
            .collect();
        panic!("no pane shows {what}; panes:\n{}", all.join("\n"));
    }

    pub fn pane_dead(&self, target: &str) -> bool {
        self.ok(&["display-message", "-p", "-t", target, "#{pane_dead}"])
            .trim()
            == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Quotes one argument for sh: `'…'` with embedded quotes closed and escaped.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// What Claude Code's screen shows, in the words of docs/claude-code.md.
pub mod screen {
    /// The permission menu (`❯ 1. Yes`).
    pub fn permission_menu(s: &str) -> bool {
        s.contains("❯ 1. Yes")
    }

    /// A turn in progress.
    pub fn working(s: &str) -> bool {
        s.contains("esc to interrupt")
    }

    /// The prompt box, ready for input: a `❯` line right under a rule of
    /// `─`, nothing in progress and no menu.
    pub fn prompt(s: &str) -> bool {
        let lines: Vec<&str> = s.lines().collect();
        let boxed = lines
            .windows(2)
            .any(|w| w[0].trim_start().starts_with('─') && w[1].trim_start().starts_with('❯'));
        boxed && !working(s) && !permission_menu(s)
    }
}

/// A workspace with milestones 2a and 2b, each with a worktree, whose agent
/// is Claude Code; the real CLI pointed at `model`.
pub struct Setup {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub home: Home,
    pub tmux: Tmux,
    pub model: Model,
}

impl Setup {
    pub fn new(claude: &Path, script: Vec<Turn>) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canon").join("ws");
        std::fs::create_dir_all(&root).expect("ws");
        super::init_repo(&root, "main");
        for id in ["2a", "2b"] {
            super::write(
                &root,
                &format!(".milestones/active/{id}.yaml"),
                format!("id: {id}\ntitle: Milestone {id}\nstatus: in_progress\n"),
            );
        }
        super::write(
            &root,
            ".milestones/config/mdash.yaml",
            "agent:\n  command: [claude, \"Work on milestone {id}\"]\n",
        );
        let w2a = super::add_worktree(&root, "2a");
        let w2b = super::add_worktree(&root, "2b");
        let model = Model::start(script);
        let home = Home::new(&[&root, &w2a, &w2b]);
        let tmux = Tmux::new(home.env(&model.base_url(), claude));
        let s = Setup {
            _dir: dir,
            root,
            home,
            tmux,
            model,
        };
        let out = s.mdash(&["trust", "--yes"]);
        assert!(out.status.success(), "trust: {}", text(&out.stderr));
        s
    }

    pub fn worktree(&self, id: &str) -> PathBuf {
        self.root.join(format!(".worktrees/milestone-{id}"))
    }

    /// mdash in the workspace, outside tmux, with the test's environment.
    pub fn mdash(&self, args: &[&str]) -> std::process::Output {
        self.tmux
            .command(env!("CARGO_BIN_EXE_mdash"))
            .args(args)
            .current_dir(&self.root)
            .output()
            .expect("mdash")
    }

    pub fn status(&self) -> Value {
        let out = self.mdash(&["status", "--json", &self.root.to_string_lossy()]);
        assert!(out.status.success(), "status: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// Polls `status --json` until milestone `id`'s agent satisfies `pred`.
    pub fn wait_agent(&self, id: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + SCREEN_TIMEOUT;
        let mut last = Value::Null;
        while Instant::now() < end {
            let doc = self.status();
            last = super::milestone(&doc, id).clone();
            if pred(&last["agent"]) {
                return doc;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        // The hooks' states, in order: what a flaky wait needs to be read.
        let events: Vec<String> = self
            .agent_events(id)
            .iter()
            .map(|e| format!("{} {}", e["timestamp"], e["details"]))
            .collect();
        panic!(
            "{id}'s agent never became {what}; last: {:#}\nagent_state events:\n{}",
            last,
            events.join("\n")
        );
    }

    pub fn wait_state(&self, id: &str, state: &str, detail: Option<&str>) -> Value {
        self.wait_agent(id, &format!("{state} {detail:?}"), |a| {
            a["state"] == state && detail.is_none_or(|d| a["detail"] == d)
        })
    }

    /// `wait_state` that also waits for the agent's tokens: a hook can say
    /// a turn ended before its answer reaches the transcript.
    pub fn wait_tokens(&self, id: &str, state: &str, detail: &str, tokens: &Value) -> Value {
        self.wait_agent(id, &format!("{state} {detail:?} with {tokens}"), |a| {
            a["state"] == state && a["detail"] == detail && a["tokens"] == *tokens
        })
    }

    pub fn agent_events(&self, id: &str) -> Vec<Value> {
        std::fs::read_to_string(
            self.root
                .join(format!(".milestones/logs/execution-{id}.jsonl")),
        )
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["event"] == "agent_state")
        .collect()
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `/proc/<pid>/stat`'s state letter and parent pid.
pub fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    Some((state, f.next()?.parse().ok()?))
}

/// The descendants of `pid`.
pub fn descendants(pid: u32) -> Vec<u32> {
    let all: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| Some((p, proc_stat(p)?.1)))
        .collect();
    let mut out = vec![];
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for (c, _) in all.iter().filter(|(_, pp)| *pp == p) {
            out.push(*c);
            todo.push(*c);
        }
    }
    out
}

pub fn wait_until(what: &str, f: impl Fn() -> bool) {
    let end = Instant::now() + SCREEN_TIMEOUT;
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

pub fn blockers_of<'a>(doc: &'a Value, id: &str) -> Vec<&'a Value> {
    doc["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["id"] == id && b["kind"] == "agent_waiting")
        .collect()
}
