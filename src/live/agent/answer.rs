//! Answering an agent (SPEC §8.4), for the dashboard's `y`/`n`/`R`/`a` and
//! their CLI twins (`mdash answer`, `mdash reply`): the pane is proven to be
//! the run's (its process is the supervisor mdash started, as the
//! supervisor's own environment names it), the saved request is the one
//! the user was shown (by its hash), and the pane's screen shows that very
//! request in a menu whose options are read only from the menu itself.
//! Anything else sends nothing and says why.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use crate::live::agent::request::{self, Saved};
use crate::live::pane;
use crate::live::runs::{self, bind, procs};
use crate::model::{AgentState, Backend, Run, TmuxPane};
use crate::rules::agent::{Screen, screen};
use crate::rules::request::menu;

/// The pane the supervisor was started in, as tmux told the supervisor
/// itself (`$TMUX_PANE`, the socket in `$TMUX`): never the run record's
/// word, and only while the supervisor is proven to be mdash's.
fn supervisor_pane(root: &Path, run: &Run) -> Option<TmuxPane> {
    if run.backend != Backend::Tmux || !bind::leader_is_ours(run, Some(root)) {
        return None;
    }
    let pane = procs::env_var(run.pgid, "TMUX_PANE")?;
    let socket = procs::env_var(run.pgid, "TMUX")?
        .split(',')
        .next()?
        .to_string();
    pane::valid_pane_id(&pane).then_some(TmuxPane { pane, socket })
}

/// Whether the pane's process is the run's supervisor now (a supervisor
/// started inside another pane inherits that pane's variables).
fn runs_in(p: &TmuxPane, run: &Run) -> bool {
    pane::pid(p) == Some(run.pgid)
}

/// Panes proven, by supervisor (pid, start time): a pane never changes its
/// process, so the proof holds for the supervisor's life.
static PROVEN: Mutex<Option<HashMap<(i32, u64), TmuxPane>>> = Mutex::new(None);

/// The run's pane, proven (for reading its screen while the dashboard
/// reloads: the proof is remembered).
pub fn proven_pane(root: &Path, run: &Run) -> Option<TmuxPane> {
    let p = supervisor_pane(root, run)?;
    let key = (run.pgid, run.start_ticks);
    let mut proven = PROVEN.lock().unwrap_or_else(|e| e.into_inner());
    let map = proven.get_or_insert_with(HashMap::new);
    if map.get(&key) == Some(&p) {
        return Some(p);
    }
    drop(proven);
    if !runs_in(&p, run) {
        return None;
    }
    let mut proven = PROVEN.lock().unwrap_or_else(|e| e.into_inner());
    let map = proven.get_or_insert_with(HashMap::new);
    if map.len() > 4096 {
        map.clear();
    }
    map.insert(key, p.clone());
    Some(p)
}

/// The run of `id` and its pane, proven again now (before anything is
/// sent to it or an answer is read from it).
pub fn pane_now(root: &Path, id: &str) -> Result<(Run, TmuxPane), String> {
    let run = runs::read(root, id).ok_or_else(|| format!("{id} has no recorded run"))?;
    if run.state.is_over() {
        return Err(format!("{id}'s run has ended ({})", run.state));
    }
    let p = supervisor_pane(root, &run).ok_or_else(|| {
        format!(
            "{id}'s agent is not in a tmux pane of a run mdash started; answer it where it runs"
        )
    })?;
    if !runs_in(&p, &run) {
        return Err(format!(
            "{id}'s tmux pane does not run its supervisor (gone, or not the run's); nothing sent"
        ));
    }
    Ok((run, p))
}

/// How long a screen is given to catch up with its hook.
const SETTLE_MS: u64 = 2000;

/// The pane's screen once it shows `want`, or the last one seen: a hook
/// can arrive a moment before the screen it announces is drawn.
fn settled(p: &TmuxPane, want: Screen) -> Option<String> {
    let until = std::time::Instant::now() + std::time::Duration::from_millis(SETTLE_MS);
    loop {
        let shown = pane::capture(p)?;
        if screen(&shown) == want || std::time::Instant::now() >= until {
            return Some(shown);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The saved request with hash `hash`, while the agent still waits on it.
fn the_request(root: &Path, id: &str, hash: &str) -> Result<Saved, String> {
    let saved = request::load(root, id, request::limit(root))
        .map_err(|e| format!("{id}: {e}; nothing sent"))?;
    if saved.hash != hash {
        return Err(format!(
            "{id}'s agent asks something else now (its request changed since the one shown); nothing sent"
        ));
    }
    let last = crate::live::agent::last_state(root, id);
    let waits = last.as_ref().is_some_and(|s| {
        s.state == AgentState::WaitingPermission
            && request::current(&saved, &s.session_id, s.detail.as_deref())
    });
    if !waits {
        return Err(format!(
            "{id}'s agent no longer waits on that request; nothing sent"
        ));
    }
    Ok(saved)
}

/// Answers the permission menu of `id`'s agent, allowing or denying the
/// request whose hash is `hash`, once everything says it is that request.
/// Returns what was done, in words.
pub fn answer(root: &Path, id: &str, hash: &str, allow: bool) -> Result<String, String> {
    let (_, p) = pane_now(root, id)?;
    let saved = the_request(root, id, hash)?;
    let what = crate::util::text::escape(&request::detail(&saved.req)).into_owned();
    let shown =
        settled(&p, Screen::PermissionMenu).ok_or_else(|| format!("{id}'s agent pane is gone"))?;
    if screen(&shown) != Screen::PermissionMenu {
        return Err(format!(
            "{id}'s agent is not asking for permission on its screen (answered already, or moved on); nothing sent"
        ));
    }
    let mut m =
        menu::parse(&shown).map_err(|e| format!("{id}'s permission menu: {e}; nothing sent"))?;
    if m.width > 0 {
        m.width = pane::width(&p).unwrap_or(m.width);
    }
    let disk = request::disk(root, id, &saved);
    menu::shows(&m, &saved.req, &disk).map_err(|e| {
        format!("{id}'s screen shows another request than {what} ({e}); nothing sent (answer it in the pane: a)")
    })?;
    let key = if allow { &m.yes } else { &m.no };
    pane::send(&p, "", &[key])?;
    Ok(format!(
        "{id}: {} {what}",
        if allow { "allowed" } else { "denied" }
    ))
}

/// Types a reply into the prompt of `id`'s agent and submits it, after
/// checking that its proven pane shows the empty prompt.
pub fn reply(root: &Path, id: &str, text: &str) -> Result<String, String> {
    let (_, p) = pane_now(root, id)?;
    let shown = settled(&p, Screen::Prompt).ok_or_else(|| format!("{id}'s agent pane is gone"))?;
    if screen(&shown) != Screen::Prompt {
        return Err(format!("{id}'s agent is not at its prompt; reply not sent"));
    }
    let line: String = text
        .chars()
        .filter(|c| !crate::util::text::unsafe_char(*c))
        .collect();
    if line.trim().is_empty() {
        return Err("empty reply: nothing sent".into());
    }
    pane::send(&p, &line, &["Enter"])?;
    Ok(format!("{id}: replied"))
}
