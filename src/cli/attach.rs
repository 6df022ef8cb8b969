//! `mdash attach ID`: the dashboard's `a` on an agent as a command (a
//! fleet dashboard runs it through `ssh -t` for a remote agent, issue 28).
//! The pane is proven here, as for `y`/`n` (`live::agent::answer::pane_now`):
//! only the tmux pane the run's own supervisor runs in. Inside tmux it
//! switches there; outside, this terminal attaches to the pane's session
//! until the user detaches. Exit 0 when there, 1 when refused (and why on
//! stderr), 2 for a bad argument.

use std::path::Path;

use crate::util::text::escape;

pub fn run(root: &Path, id: &str) -> i32 {
    if !crate::model::valid_id(id) {
        eprintln!(
            "mdash: {} is not a milestone id",
            escape(&format!("{id:?}"))
        );
        return 2;
    }
    let pane = match crate::live::agent::answer::pane_now(root, id) {
        Ok((_, p)) => p,
        Err(e) => {
            eprintln!("mdash: cannot go to {id}'s agent: {}", escape(&e));
            return 1;
        }
    };
    if crate::live::tmux::inside() {
        return match crate::live::pane::focus(&pane) {
            Ok(()) => {
                println!("at {id}'s agent ({})", pane.pane);
                0
            }
            Err(e) => {
                eprintln!("mdash: cannot go to {id}'s agent: {}", escape(&e));
                1
            }
        };
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "mdash: attaching to {id}'s agent needs a terminal (over ssh: ssh -t HOST mdash attach {id})"
        );
        return 2;
    }
    match crate::live::pane::attach_command(&pane) {
        Some(mut cmd) => match cmd.status() {
            Ok(s) if s.success() => 0,
            Ok(_) => 1,
            Err(e) => {
                eprintln!("mdash: cannot run tmux: {e}");
                1
            }
        },
        None => {
            eprintln!(
                "mdash: cannot go to {id}'s agent: its pane {} is gone",
                pane.pane
            );
            1
        }
    }
}
