//! OpenSSH as the fleet's transport (SPEC §14): the one argv every ssh
//! mdash runs is built here, with the remote command quoted for the
//! remote shell one argument at a time. The user's ssh config, agent and
//! keys are used as they are; `BatchMode=yes` means ssh never asks for a
//! password inside the dashboard.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Quotes one argument for a POSIX shell: `'…'`, a `'` inside as `'\''`.
pub fn quote_word(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// `quote_word` for one of fleet.yaml's paths: a leading `~/` stays
/// outside the quotes as `"$HOME"/`, so the remote shell finds the remote
/// user's home (`mdash: ~/.cargo/…`).
pub fn quote(arg: &str) -> String {
    match arg.strip_prefix("~/") {
        Some(rest) => format!("\"$HOME\"/{}", quote_word(rest)),
        None => quote_word(arg),
    }
}

/// The remote command line: each argument quoted. The program and the
/// value of `--dir` are paths that may start at the remote home; any
/// other word (an id, a reply's text) is taken literally.
pub fn remote_line(args: &[&str]) -> String {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 || i > 0 && args[i - 1] == "--dir" {
                quote(a)
            } else {
                quote_word(a)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The private directory of the control sockets (mode 0700).
pub fn control_dir() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let dir = base.join(format!("mdash-ssh-{uid}"));
    let _ = std::fs::create_dir_all(&dir);
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    dir
}

/// Seconds between ssh's keep-alives, and how many may go unanswered.
const ALIVE_SECS: u32 = 15;
const ALIVE_COUNT: u32 = 3;

/// `ssh` with the options mdash always gives: batch mode, one shared
/// connection per host (`ControlMaster=auto`, kept 10 minutes), keep-alives.
/// `MDASH_SSH_CONFIG` names a config file for `-F` (the tests' own).
pub fn command(host: &str, tty: bool) -> Command {
    let mut c = Command::new("ssh");
    if let Some(f) = std::env::var_os("MDASH_SSH_CONFIG") {
        c.arg("-F").arg(f);
    }
    let path = control_dir().join("%C");
    c.args([
        "-o",
        "BatchMode=yes",
        "-o",
        "ControlMaster=auto",
        "-o",
        "ControlPersist=600",
    ])
    .arg("-o")
    .arg(format!("ControlPath={}", path.display()))
    .args(["-o", &format!("ServerAliveInterval={ALIVE_SECS}")])
    .args(["-o", &format!("ServerAliveCountMax={ALIVE_COUNT}")])
    .args(["-o", "ConnectTimeout=10"])
    .arg(if tty { "-t" } else { "-T" })
    .arg("--")
    .arg(host);
    c
}

/// `ssh HOST -- LINE` (a `remote_line`), in a process group of its own, stdin and
/// stdout piped, stderr piped (its last line is the error shown).
pub fn spawn(host: &str, line: String) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    command(host, false)
        .arg(line)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
}

/// The local argv of `ssh -t HOST -- <mdash attach ID --dir PATH, quoted>`:
/// what a tmux window runs (no local shell reads it) to reach a remote
/// agent's pane; the remote mdash proves the pane there.
pub fn attach_argv(host: &str, mdash: &str, id: &str, path: &str) -> Vec<String> {
    let c = command(host, true);
    let mut argv = vec![c.get_program().to_string_lossy().into_owned()];
    argv.extend(c.get_args().map(|a| a.to_string_lossy().into_owned()));
    argv.push(remote_line(&[mdash, "attach", id, "--dir", path]));
    argv
}

/// Runs a command on the remote once (an action: never retried): its exit
/// code and its output's last line.
pub fn run_once(host: &str, args: &[&str]) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let out = command(host, false)
        .arg(remote_line(args))
        .stdin(Stdio::null())
        .process_group(0)
        .output();
    outcome(out, "ssh")
}

/// An action's exit code and the last line of its output (both streams),
/// or why `program` could not run.
pub fn outcome(out: std::io::Result<std::process::Output>, program: &str) -> (Option<i32>, String) {
    match out {
        Ok(o) => {
            let text = [o.stdout, o.stderr].concat();
            let text = String::from_utf8_lossy(&text);
            let last = text
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or("");
            (o.status.code(), last.to_string())
        }
        Err(e) => (None, format!("cannot run {program}: {e}")),
    }
}

/// What to tell the user when ssh fails in batch mode for want of a key.
pub fn advice(host: &str, error: &str) -> String {
    if error.contains("Permission denied") || error.contains("Host key verification failed") {
        format!(
            "{error} (run `ssh {host}` once in a terminal: accept its host key, load your key with ssh-add)"
        )
    } else {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_arguments_stay_one_word_each() {
        let args = [
            "mdash",
            "run",
            "pause",
            "a b'; $(rm -rf x) `x`",
            "--dir",
            "/w/it's here;",
        ];
        let line = remote_line(&args);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\n' {line}"))
            .output()
            .expect("sh");
        let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(got, args);
    }

    #[test]
    fn a_home_path_is_the_remote_home() {
        assert_eq!(quote("~/.cargo/bin/mdash"), "\"$HOME\"/'.cargo/bin/mdash'");
        // A reply's text is not a path: `~/` stays as typed.
        let line = remote_line(&["~/m", "reply", "1a", "~/x", "--dir", "~/w"]);
        assert_eq!(
            line,
            "\"$HOME\"/'m' 'reply' '1a' '~/x' '--dir' \"$HOME\"/'w'"
        );
        let line = remote_line(&["m", "reply", "1a", "--dir", "/w", "--", "~/x"]);
        assert_eq!(line, "'m' 'reply' '1a' '--dir' '/w' '--' '~/x'");
    }
}
