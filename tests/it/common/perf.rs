//! Helpers for the stale-dashboard tests (issue 16 item 6) and the
//! reload tests of issue 15: the binary in a pseudo-terminal inside a user
//! namespace of its own, whose inotify watch limit the test sets (the
//! machine's limit is left alone).

use std::path::Path;
use std::process::Command;

use portable_pty::CommandBuilder;

use super::pty::Pty;

/// Whether `unshare --user` works here and lets the namespace's inotify
/// watch limit be set (`/proc/sys/user/max_inotify_watches`, Linux ≥ 5.11).
pub fn can_limit_watches() -> Result<(), String> {
    let out = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "sh",
            "-c",
            "echo 7 > /proc/sys/user/max_inotify_watches && cat /proc/sys/user/max_inotify_watches",
        ])
        .output()
        .map_err(|e| format!("unshare: {e}"))?;
    if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "7" {
        Ok(())
    } else {
        Err(format!(
            "unshare --user cannot set the watch limit: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The dashboard on `dir` in a user namespace allowing `limit` inotify watches.
pub fn spawn_with_watch_limit(dir: &Path, limit: u32, cols: u16, rows: u16) -> Pty {
    let mut cmd = CommandBuilder::new("unshare");
    cmd.args(["--user", "--map-root-user", "sh", "-c"]);
    cmd.arg(format!(
        "echo {limit} > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$1\""
    ));
    cmd.arg(env!("CARGO_BIN_EXE_mdash"));
    cmd.arg(dir);
    Pty::spawn_cmd(cmd, cols, rows)
}

/// The number of inotify watches the process `pid` holds.
pub fn watches(pid: u32) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
        return 0;
    };
    fds.flatten()
        .filter_map(|f| std::fs::read_to_string(f.path()).ok())
        .map(|t| t.lines().filter(|l| l.starts_with("inotify wd:")).count())
        .sum()
}
