//! Helpers for the security and run-control tests: a workspace with its own
//! user config and state directories, victim processes in sessions of their
//! own, a private tmux server, and /proc readers. Black-box only: nothing
//! here uses mdash's library, so the tests see what a user sees.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Generous: the CI machine is a loaded 2-core box.
pub const DEADLINE: Duration = Duration::from_secs(20);

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A number no other test (or test binary running at the same time) uses:
/// a process marker and a tmux server name.
pub fn unique() -> u64 {
    let n = SEQ.fetch_add(1, Ordering::SeqCst) as u64;
    // A valid `sleep` argument: 9, then the pid, then a sequence number.
    9_000_000_000 + (u64::from(std::process::id()) % 100_000) * 10_000 + n % 10_000
}

pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < DEADLINE, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

pub fn chmod_x(p: &Path) {
    let mut perm = std::fs::metadata(p).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(p, perm).expect("chmod");
}

/// A workspace `ws/` with milestone `1a`, an agent script whose processes
/// carry this workspace's marker (`sleep <tag>`), and, beside it, the user's
/// config and state directories and a directory `out/` that stands for
/// "everything outside the workspace".
pub struct Ws {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub cfg: PathBuf,
    pub state: PathBuf,
    pub out: PathBuf,
    pub tag: u64,
    pub env: Vec<(String, String)>,
}

impl Ws {
    pub fn new() -> Ws {
        let dir = tempfile::tempdir().expect("tmp");
        Ws::at(dir, None)
    }

    /// A workspace whose root is `root` (e.g. on a small tmpfs).
    pub fn at(dir: tempfile::TempDir, root: Option<PathBuf>) -> Ws {
        let base = dir.path().to_path_buf();
        let root = root.unwrap_or_else(|| base.join("ws"));
        let w = Ws {
            root,
            cfg: base.join("cfg"),
            state: base.join("state"),
            out: base.join("out"),
            tag: unique(),
            env: Vec::new(),
            dir,
        };
        std::fs::create_dir_all(&w.out).expect("out");
        std::fs::create_dir_all(&w.cfg).expect("cfg");
        std::fs::create_dir_all(&w.state).expect("state");
        w.file(
            ".milestones/active/1a.yaml",
            "id: 1a\ntitle: Target\nstatus: planned\ntasks:\n  - {id: t1, status: in_progress}\n",
        );
        w.agent(&format!(
            "#!/bin/sh\nsleep {} &\nwhile true; do sleep 1; done\n",
            w.tag
        ));
        w.config("");
        w
    }

    pub fn file(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// The agent script, kept outside the workspace (it stands for a
    /// program the user installed).
    pub fn agent_path(&self) -> PathBuf {
        self.dir.path().join("agent.sh")
    }

    pub fn agent(&self, script: &str) {
        std::fs::write(self.agent_path(), script).expect("agent");
        chmod_x(&self.agent_path());
    }

    /// `.milestones/config/mdash.yaml` running the agent script, plus `extra`
    /// lines under `agent:`.
    pub fn config(&self, extra: &str) {
        self.file(
            ".milestones/config/mdash.yaml",
            format!(
                "agent:\n  command: [\"{}\", \"{{id}}\"]\n  stop_grace_secs: 2\n{extra}",
                self.agent_path().display()
            ),
        );
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mdash"));
        c.current_dir(&self.root)
            .env("XDG_CONFIG_HOME", &self.cfg)
            .env("XDG_STATE_HOME", &self.state)
            .env_remove("TMUX")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs mdash in the workspace: (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command().args(args).output().expect("run mdash");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs mdash and returns (exit code, stdout + stderr).
    pub fn mdash(&self, args: &[&str]) -> (i32, String) {
        let (c, o, e) = self.run(args);
        (c, o + &e)
    }

    /// Approves the workspace's agent command without a terminal.
    pub fn trust(&self) {
        let (code, out) = self.mdash(&["trust", "--yes"]);
        assert_eq!(code, 0, "mdash trust --yes: {out}");
    }

    pub fn status(&self) -> serde_json::Value {
        let out = self
            .command()
            .args(["status", "--json"])
            .output()
            .expect("status");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "status --json: {e}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    pub fn milestone(&self, id: &str) -> serde_json::Value {
        let doc = self.status();
        doc["milestones"]
            .as_array()
            .expect("milestones")
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no milestone {id} in {doc:#}"))
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.root
            .join(format!(".milestones/sessions/mdash-runs/{id}.yaml"))
    }

    /// A number field of the run record (`pgid`, `pid`).
    pub fn record_number(&self, id: &str, key: &str) -> Option<i64> {
        let text = std::fs::read_to_string(self.record_path(id)).ok()?;
        text.lines().find_map(|l| {
            l.strip_prefix(&format!("{key}: "))
                .and_then(|v| v.trim().parse().ok())
        })
    }

    /// The live agent processes of this workspace (`sleep <tag>`).
    pub fn agents(&self) -> Vec<Proc> {
        find(&["sleep", &self.tag.to_string()])
    }

    pub fn events(&self, id: &str) -> Vec<String> {
        std::fs::read_to_string(
            self.root
                .join(format!(".milestones/logs/execution-{id}.jsonl")),
        )
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["event"].as_str().map(str::to_string))
        .collect()
    }
}

impl Drop for Ws {
    /// Leave no agent behind, whatever happened: kill what carries our tag,
    /// and the supervisors recorded here if they are mdash's.
    fn drop(&mut self) {
        for p in self.agents() {
            kill(p.pid, libc::SIGKILL);
        }
        if let Some(g) = self.record_number("1a", "pgid") {
            let g = g as i32;
            let cmd = std::fs::read(format!("/proc/{g}/cmdline")).unwrap_or_default();
            let root = self.root.display().to_string();
            if String::from_utf8_lossy(&cmd).contains(&root) {
                // SAFETY: killpg only sends a signal, to a supervisor of this test.
                unsafe {
                    libc::killpg(g, libc::SIGKILL);
                }
            }
        }
    }
}

pub fn kill(pid: i32, sig: i32) {
    // SAFETY: kill only sends a signal.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// A process as /proc shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proc {
    pub pid: i32,
    pub state: char,
    pub pgid: i32,
    pub sid: i32,
    pub start: u64,
}

pub fn stat(pid: i32) -> Option<Proc> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(Proc {
        pid,
        state: f.first()?.chars().next()?,
        pgid: f.get(2)?.parse().ok()?,
        sid: f.get(3)?.parse().ok()?,
        start: f.get(19)?.parse().ok()?,
    })
}

/// Alive: exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    stat(pid).is_some_and(|p| p.state != 'Z' && p.state != 'X')
}

/// Live processes whose command line is exactly `argv`.
pub fn find(argv: &[&str]) -> Vec<Proc> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == want))
        .filter_map(stat)
        .filter(|p| p.state != 'Z')
        .collect()
}

pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A process mdash did not start, in a session of its own (`setsid`), with
/// a child of its own: what a forged record would point at.
pub struct Victim {
    pub child: std::process::Child,
    pub pid: i32,
    pub tag: u64,
}

impl Victim {
    pub fn spawn() -> Victim {
        let tag = unique();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &format!("sleep {tag} & sleep {tag}; wait")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let child = cmd.spawn().expect("victim");
        let pid = child.id() as i32;
        let v = Victim { child, pid, tag };
        eventually("the victim and its children", || v.children().len() == 2);
        v
    }

    pub fn children(&self) -> Vec<Proc> {
        find(&["sleep", &self.tag.to_string()])
    }

    /// Every process of the victim is alive and not stopped.
    pub fn untouched(&self) -> bool {
        let all: Vec<Proc> = stat(self.pid).into_iter().chain(self.children()).collect();
        all.len() == 3 && all.iter().all(|p| matches!(p.state, 'S' | 'R' | 'D'))
    }

    pub fn describe(&self) -> String {
        format!(
            "{:?} {:?}",
            stat(self.pid),
            self.children()
                .iter()
                .map(|p| (p.pid, p.state))
                .collect::<Vec<_>>()
        )
    }

    /// A run record naming this process as a run's group leader, with its
    /// real start time and this boot's id (everything /proc tells anyone).
    pub fn forged_record(&self, id: &str) -> String {
        let me = stat(self.pid).expect("victim stat");
        format!(
            "id: {id}\nbackend: process\npid: {p}\npgid: {p}\nstart_ticks: {s}\nboot_id: {b}\ncommand: [x]\nstate: running\nstarted_at: 2026-01-01T00:00:00Z\nsession_id: s\ncwd: /\n",
            p = self.pid,
            s = me.start,
            b = boot_id()
        )
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        for p in self.children() {
            kill(p.pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private tmux server (`tmux -L <unique> -f /dev/null`) with one session
/// `t`, and the `TMUX` value that points a client at it.
pub struct Tmux {
    pub name: String,
    pub socket: String,
}

impl Tmux {
    pub fn new() -> Tmux {
        let name = format!("mdash-sec-{}", unique());
        let mut t = Tmux {
            name,
            socket: String::new(),
        };
        let ok = t
            .cmd()
            // A first window that cannot end by itself (a shell might, and
            // the server with it).
            .args([
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "120",
                "-y",
                "40",
                "sleep 86400",
            ])
            .status()
            .expect("tmux");
        assert!(ok.success(), "tmux new-session");
        let socket = t.out(&["display-message", "-p", "-t", "t", "#{socket_path}"]);
        t.socket = socket.trim().to_string();
        t
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.name, "-f", "/dev/null"])
            .env_remove("TMUX")
            .stdin(Stdio::null());
        c
    }

    pub fn out(&self, args: &[&str]) -> String {
        let o = self.cmd().args(args).output().expect("tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// What `TMUX` holds inside this server's session `t`.
    pub fn env(&self) -> String {
        format!("{},0,0", self.socket)
    }

    /// `window_id window_name window_active` of every window.
    pub fn windows(&self) -> Vec<(String, String, bool)> {
        self.out(&[
            "list-windows",
            "-t",
            "t",
            "-F",
            "#{window_id}\t#{window_name}\t#{window_active}",
        ])
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((
                f.next()?.to_string(),
                f.next()?.to_string(),
                f.next()? == "1",
            ))
        })
        .collect()
    }

    pub fn capture(&self, target: &str) -> String {
        self.out(&["capture-pane", "-p", "-t", target])
    }

    /// Runs mdash's dashboard for `w` in a new window `dash` of session `t`,
    /// with `path_prefix` first on PATH (a tmux shim, when given).
    pub fn dashboard(&self, w: &Ws, path_prefix: Option<&Path>) {
        let path = match path_prefix {
            Some(p) => format!(
                "{}:{}",
                p.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
            None => std::env::var("PATH").unwrap_or_default(),
        };
        let mut args: Vec<String> = vec![
            "new-window".into(),
            "-t".into(),
            // `t:` is the session (the next free index); a bare `t` may
            // name a window, whose index is then "in use".
            "t:".into(),
            "-n".into(),
            "dash".into(),
            "--".into(),
            "env".into(),
            format!("XDG_CONFIG_HOME={}", w.cfg.display()),
            format!("XDG_STATE_HOME={}", w.state.display()),
            format!("PATH={path}"),
            "TERM=xterm-256color".into(),
        ];
        for (k, v) in &w.env {
            args.push(format!("{k}={v}"));
        }
        args.push(env!("CARGO_BIN_EXE_mdash").into());
        args.push(w.root.display().to_string());
        // On a loaded machine tmux may fail to fork the pane once; that is
        // no finding of these tests, so it gets a second chance.
        let mut last = String::new();
        for _ in 0..3 {
            let out = self.cmd().args(&args).output().expect("tmux");
            if out.status.success() {
                return;
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("tmux new-window failed three times: {last}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// A `tmux` on PATH that logs each call (after it ran) to `log`, then
/// behaves as the real one.
pub fn tmux_shim(dir: &Path, log: &Path) -> PathBuf {
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v tmux"])
            .output()
            .expect("which")
            .stdout,
    )
    .expect("utf8");
    let bin = dir.join("shim");
    std::fs::create_dir_all(&bin).expect("shim dir");
    let script = format!(
        "#!/bin/sh\n\"{}\" \"$@\"\nrc=$?\nprintf '%s\\n' \"$*\" >> \"{}\"\nexit $rc\n",
        real.trim(),
        log.display()
    );
    std::fs::write(bin.join("tmux"), script).expect("shim");
    chmod_x(&bin.join("tmux"));
    bin
}

/// Every file under `dir` whose name ends with `suffix`.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(files_ending(&p, suffix));
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
    out
}

/// No byte below 0x20 but `\n`, no DEL, no C1 control on stdout.
pub fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{200e}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}
