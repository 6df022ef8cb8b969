//! `a` on a fleet row: to the agent's tmux pane. A local workspace's agent
//! as the dashboard goes there (its pane proven again first); a remote
//! one through `ssh -t HOST mdash attach ID --dir PATH` (quoted for the
//! remote shell, no local shell), in a new local tmux window when the
//! fleet runs inside tmux, else in this terminal until the user detaches.

use tokio::sync::mpsc;

use crate::app::{App, Msg};
use crate::live::fleet::config::Entry;

pub(super) fn go(
    app: &mut App,
    tui: &mut crate::runtime::tui::Tui,
    tx: &mpsc::UnboundedSender<Msg>,
    e: &Entry,
    id: &str,
    own: &str,
) -> std::io::Result<()> {
    let inside = crate::live::tmux::inside();
    let Some(host) = e.host.clone() else {
        return local(app, tui, tx, e, id, own);
    };
    let argv = crate::live::fleet::ssh::attach_argv(&host, &e.mdash, own, &e.path);
    if inside {
        let (tx, own) = (tx.clone(), own.to_string());
        tokio::task::spawn_blocking(move || {
            let name = format!("{own}@{host}");
            let opened =
                crate::live::tmux::new_window(None, &name, std::path::Path::new("/"), &[], &argv)
                    .and_then(|(_, w)| {
                        crate::live::tmux::select_window(&crate::live::tmux::Window::Id(w))
                    });
            let said = match opened {
                Ok(()) => format!(
                    "{own} on {host}: attached in a new tmux window through ssh -t (prefix l comes back)"
                ),
                Err(e) => format!("cannot open a tmux window for {own} on {host}: {e}"),
            };
            let _ = tx.send(Msg::Notice(crate::util::text::escape(&said).into_owned()));
        });
        return Ok(());
    }
    let mut cmd = std::process::Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    tui.run_outside(cmd)?;
    app.message = Some(format!("back from {id}'s agent on {host}"));
    app.dirty = true;
    Ok(())
}

fn local(
    app: &mut App,
    tui: &mut crate::runtime::tui::Tui,
    tx: &mpsc::UnboundedSender<Msg>,
    e: &Entry,
    id: &str,
    own: &str,
) -> std::io::Result<()> {
    match crate::live::git::discover::discover(std::path::Path::new(&e.path)) {
        Ok(root) => {
            crate::runtime::runner::focus_agent(app, tui, tx, root, own, id)?;
        }
        Err(m) => app.message = Some(format!("cannot go to {id}'s agent: {m}")),
    }
    app.dirty = true;
    Ok(())
}
