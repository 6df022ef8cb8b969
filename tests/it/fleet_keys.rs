//! Every key on a remote row (issue 28 item 4, SPEC §14): `y` on a remote
//! agent's request reaches the agent there through `mdash answer --request
//! HASH` over a real sshd on 127.0.0.1; a request that changed there since
//! the one on screen is refused there and the status line says so; `R`
//! types a reply; `a` opens a local tmux window running `ssh -t HOST mdash
//! attach ID --dir PATH` (quoted for the remote shell), which attaches to
//! the agent's own pane. The agent is the stand-in (`common::standin`),
//! the fleet the real binary in a tmux server of its own.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::json;

use crate::common::sec::eventually;
use crate::common::sshd::{HOST, Sshd};
use crate::common::standin::{Agent, bash_screen, prompt_screen};

/// The fleet dashboard in a private tmux server (so that what `a` opens
/// there is told apart from the agent's own server).
struct Fleet {
    sock: PathBuf,
}

impl Fleet {
    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.sock)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux")
    }

    fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", target]).stdout)
            .into_owned()
    }

    fn wait(&self, target: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let s = self.screen(target);
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "timed out waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "fleet:0"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Every pane of the server: (pane id, its process's argv).
    fn panes(&self) -> Vec<(String, Vec<String>)> {
        let out = self.tmux(&["list-panes", "-a", "-F", "#{pane_id} #{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (id, pid) = l.split_once(' ')?;
                let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let argv = cmd
                    .split(|&b| b == 0)
                    .filter(|a| !a.is_empty())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                Some((id.to_string(), argv))
            })
            .collect()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// The remote `mdash watch --json` behind the host's stream (the "remote"
/// is this machine: its process is found by its exact argv).
fn remote_watch(bin: &str, root: &str) -> i32 {
    let found = crate::common::procs::find(&[bin, "watch", "--json", "--", root]);
    assert_eq!(found.len(), 1, "one remote watch: {found:?}");
    found[0].0
}

#[test]
fn y_n_r_and_a_on_a_remote_agent_go_through_ssh_once() {
    let sshd = Sshd::start();
    let a = Agent::start(&bash_screen("make test", "Run the tests"));
    a.request(
        "Bash",
        json!({"command": "make test", "description": "Run the tests"}),
    );
    let first = a.hash();
    let bin = env!("CARGO_BIN_EXE_mdash");
    let root = a.ws.root.display().to_string();
    let fleet_file = a.ws.dir.path().join("fleet.yaml");
    std::fs::write(
        &fleet_file,
        format!(
            "workspaces:\n  - host: {HOST}\n    path: {root}\n    name: box\n    mdash: {bin}\n"
        ),
    )
    .expect("fleet.yaml");
    let f = Fleet {
        sock: a.ws.dir.path().join("fleet-tmux.sock"),
    };
    let mut argv: Vec<String> = vec![
        "new-session".into(),
        "-d".into(),
        "-s".into(),
        "fleet".into(),
        "-x".into(),
        "160".into(),
        "-y".into(),
        "45".into(),
        "--".into(),
        "env".into(),
        format!(
            "XDG_CONFIG_HOME={}",
            a.ws.dir.path().join("fleet-cfg").display()
        ),
        "TERM=xterm-256color".into(),
    ];
    for (k, v) in sshd.envs() {
        argv.push(format!("{k}={}", v.display()));
    }
    argv.extend([bin.to_string(), "fleet".into(), "--fleet".into()]);
    argv.push(fleet_file.display().to_string());
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = f.tmux(&refs);
    assert!(out.status.success(), "fleet: {out:?}");
    f.wait("fleet:0", "the remote agent waiting", |s| {
        s.contains(&format!("box · {HOST} · live")) && s.contains("Bash make test")
    });
    // The queue selects it; the detail offers y/n (its pane is there).
    f.keys(&["!"]);
    f.wait("fleet:0", "y/n offered", |s| {
        s.contains("y: allow") && s.contains("┌ 1a")
    });

    // The request changes there while its stream is held back: the
    // screen still shows the first one, and `y` answers that one, which
    // the remote refuses.
    let watch = remote_watch(bin, &root);
    // SAFETY: a process this test's fleet started; continued below.
    unsafe { libc::kill(watch, libc::SIGSTOP) };
    a.draw(&bash_screen("make lint", "Lint"));
    a.request(
        "Bash",
        json!({"command": "make lint", "description": "Lint"}),
    );
    assert_ne!(a.hash(), first);
    f.keys(&["y"]);
    let s = f.wait("fleet:0", "the refusal", |s| s.contains("refused"));
    assert!(
        s.contains("asks something else now") && s.contains("nothing sent"),
        "{s}"
    );
    a.wait_keys("");
    // SAFETY: as above.
    unsafe { libc::kill(watch, libc::SIGCONT) };

    // The new request on screen: `y` allows it there.
    f.wait("fleet:0", "the new request", |s| {
        s.contains("Bash make lint")
    });
    f.keys(&["y"]);
    f.wait("fleet:0", "allowed there", |s| {
        s.contains(&format!("1a: allowed Bash make lint (on {HOST})"))
    });
    a.wait_keys("1");

    // `R` replies at its prompt there (quoted: the text holds `'`, `$()`, `;`).
    a.draw(&prompt_screen());
    a.hook(json!({"hook_event_name": "Stop", "last_assistant_message": "Done."}));
    f.wait("fleet:0", "waiting for input", |s| s.contains("R: reply"));
    f.keys(&["R"]);
    f.wait("fleet:0", "the reply box", |s| s.contains("reply to 1a"));
    f.keys(&["-l", "it's $(id); ok"]);
    f.keys(&["Enter"]);
    f.wait("fleet:0", "replied", |s| s.contains("1a: replied"));
    a.wait_keys("1it's $(id); ok\n");

    // `a`: a new window of the fleet's tmux runs ssh -t with the remote
    // command quoted, and shows the agent's own pane.
    let before: Vec<String> = f.panes().into_iter().map(|(p, _)| p).collect();
    f.keys(&["a"]);
    let new_ssh = || {
        f.panes()
            .into_iter()
            .find(|(p, argv)| !before.contains(p) && argv.first().is_some_and(|a| a == "ssh"))
    };
    eventually("a window running ssh -t", || new_ssh().is_some());
    let opened = new_ssh();
    let (pane, argv) = opened.expect("window");
    let quoted = format!("'{bin}' 'attach' '1a' '--dir' '{root}'");
    assert_eq!(argv.last(), Some(&quoted), "{argv:?}");
    let tail: Vec<&str> = argv[argv.len() - 4..].iter().map(String::as_str).collect();
    assert_eq!(&tail[..3], ["-t", "--", HOST], "{argv:?}");
    assert!(argv.contains(&"BatchMode=yes".to_string()), "{argv:?}");
    f.wait(&pane, "the agent's pane through ssh", |s| {
        s.contains("? for shortcuts") && s.contains("Done.")
    });
}
