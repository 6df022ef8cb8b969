//! Helpers for the newcomer tests (`tests/newcomer.rs`): a workspace with
//! its own user config directory, the real binary run in it (plain or in a
//! pseudo-terminal), a real looping agent script, and process-group checks
//! through `/proc`. Nothing here links the library: only the binary is driven.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use super::pty::Pty;
use super::write;

/// A workspace in a temporary directory, with a private
/// `XDG_CONFIG_HOME` (trust and user config) and `HOME`.
pub struct Ws {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub cfg: PathBuf,
}

impl Ws {
    pub fn new() -> Ws {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("ws");
        let cfg = dir.path().join("cfg");
        std::fs::create_dir_all(root.join(".milestones/active")).expect("mkdir");
        std::fs::create_dir_all(&cfg).expect("mkdir");
        Ws { dir, root, cfg }
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        write(&self.root, rel, text);
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }

    /// A milestone file `.milestones/active/<id>.yaml` with extra YAML lines.
    pub fn milestone(&self, id: &str, extra: &str) {
        self.write(
            &format!(".milestones/active/{id}.yaml"),
            format!("id: \"{id}\"\ntitle: \"Title {id}\"\n{extra}"),
        );
    }

    /// An agent script that runs until stopped (a loop of `sleep 1`),
    /// configured in the *user's* config, which needs no trust.
    pub fn looping_agent(&self) {
        self.script("agent.sh", "#!/bin/sh\nwhile true; do sleep 1; done\n");
        self.user_config(&format!(
            "agent:\n  command: [\"{}\", \"{{id}}\"]\n  stop_grace_secs: 1\n  max_concurrent: 3\n",
            self.dir.path().join("agent.sh").display()
        ));
    }

    /// An executable script beside the workspace (not inside it).
    pub fn script(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        let mut perm = std::fs::metadata(&p).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&p, perm).expect("chmod");
        p
    }

    pub fn user_config(&self, text: &str) {
        write(&self.cfg, "mdash/config.yaml", text);
    }

    /// The binary with this workspace's environment, run in `cwd`.
    pub fn cmd_in(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mdash"));
        c.args(args)
            .current_dir(cwd)
            .env("XDG_CONFIG_HOME", &self.cfg)
            .env("HOME", self.dir.path())
            .env_remove("TMUX")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    /// Runs `mdash ARGS` in the workspace: (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in(&self.root, args)
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd_in(cwd, args).output().expect("run mdash");
        decode(&out)
    }

    /// Raw output, for byte-level checks.
    pub fn raw(&self, args: &[&str]) -> Output {
        self.cmd_in(&self.root, args).output().expect("run mdash")
    }

    pub fn json(&self) -> serde_json::Value {
        let out = self.raw(&["status", "--json"]);
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// The dashboard in a pseudo-terminal.
    pub fn dashboard(&self, cols: u16, rows: u16) -> Pty {
        self.pty(cols, rows, &[self.root.to_str().expect("utf-8")])
    }

    /// `mdash ARGS` in a pseudo-terminal with this workspace's environment.
    pub fn pty(&self, cols: u16, rows: u16, args: &[&str]) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_mdash"));
        cmd.args(args);
        cmd.cwd(&self.root);
        cmd.env("XDG_CONFIG_HOME", &self.cfg);
        cmd.env("HOME", self.dir.path());
        cmd.env("TMPDIR", self.dir.path());
        Pty::spawn_cmd(cmd, cols, rows)
    }

    /// Process groups of runs recorded in the workspace (and in any demo
    /// workspace under it).
    pub fn recorded_groups(&self) -> Vec<(String, i32)> {
        groups_under(self.dir.path())
    }
}

impl Default for Ws {
    fn default() -> Self {
        Ws::new()
    }
}

impl Drop for Ws {
    /// Whatever happened, leave no agent behind: only groups whose leader is
    /// an `mdash supervise` this test's workspace started.
    fn drop(&mut self) {
        for (_, g) in self.recorded_groups() {
            let cmdline = std::fs::read(format!("/proc/{g}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            if cmdline.contains("supervise")
                && cmdline.contains(&*self.dir.path().to_string_lossy())
            {
                // SAFETY: killpg only sends a signal, to a group this test started.
                unsafe {
                    libc::killpg(g, libc::SIGKILL);
                }
            }
        }
    }
}

/// `(id, pgid)` of every run record under `dir` (`**/mdash-runs/*.yaml`).
pub fn groups_under(dir: &Path) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() && !ft.is_symlink() {
                if p.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                stack.push(p);
            } else if p.parent().is_some_and(|d| d.ends_with("mdash-runs"))
                && p.extension().is_some_and(|x| x == "yaml")
            {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
                if let Some(g) = v.get("pgid").and_then(serde_yaml::Value::as_i64) {
                    let id = v
                        .get("id")
                        .and_then(serde_yaml::Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    out.push((id, g as i32));
                }
            }
        }
    }
    out
}

/// Live (not zombie) processes whose process group is `pgid`.
pub fn live_in_group(pgid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name is in parentheses and may hold spaces.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        // After ")": state, ppid, pgrp.
        if f.len() > 2 && f[2] == pgid.to_string() && f[0] != "Z" && f[0] != "X" {
            out.push(pid);
        }
    }
    out
}

pub fn decode(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Polls `f` until it holds, for at most `limit`.
pub fn eventually(what: &str, limit: Duration, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The screen as one line of words: wrapped text reads as written.
pub fn flat(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first line of the screen (the header).
pub fn header(screen: &str) -> String {
    screen.lines().next().unwrap_or_default().to_string()
}

/// The last non-empty line of the screen (the footer or status line).
pub fn footer(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

/// Waits until every key sent so far was handled: opens help with `?`
/// and closes it with Esc, waiting for each.
pub fn sync(p: &mut Pty) {
    p.send(b"?");
    p.wait_for("help to open", |s| s.contains("Esc closes"));
    p.send(b"\x1b");
    p.pump_for(Duration::from_millis(60));
    p.wait_for("help to close", |s| !s.contains("Esc closes"));
}

/// Bytes a terminal would act on: C0 controls other than `\n`, DEL, C1
/// controls and the BiDi overrides and isolates.
pub fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        })
        .collect()
}
