//! An action on a fleet row (SPEC §14): the same CLI, run once where the
//! workspace is — through ssh for a remote one (its arguments quoted one
//! by one), this mdash for a local one (no shell) — and never retried: a
//! lost answer is told as such, and the stream shows what happened.

/// Runs `mdash ARGS…` for a workspace on `host` (`None`: here); the exit
/// code (`None`: no answer) and the last line it printed.
pub fn once(host: Option<&str>, mdash: &str, args: &[&str]) -> (Option<i32>, String) {
    match host {
        Some(h) => {
            let mut argv = vec![mdash];
            argv.extend_from_slice(args);
            super::ssh::run_once(h, &argv)
        }
        None => {
            use std::os::unix::process::CommandExt;
            let exe = match std::env::current_exe() {
                Ok(e) => e,
                Err(e) => return (None, format!("cannot find mdash: {e}")),
            };
            let out = std::process::Command::new(exe)
                .args(args)
                .stdin(std::process::Stdio::null())
                .process_group(0)
                .output();
            super::ssh::outcome(out, "mdash")
        }
    }
}
