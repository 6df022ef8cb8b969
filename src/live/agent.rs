//! A milestone's Claude Code agent, live (SPEC §8): the state its hooks
//! last reported (the newest `agent_state` event), a run whose process is
//! gone, Claude Code's transcripts (tokens; sessions mdash did not start),
//! and the tmux screen for turns that ended without a hook (Esc, a denied
//! permission). The pure rules are in `rules::agent`.

pub mod answer;
mod cache;
pub mod claude;
pub mod request;
mod subagents;

use cache::Found;
pub use cache::Transcripts;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::live::runs::{self, records};
use crate::model::{AgentState, AgentStatus, AgentView, Run, Worktree};
use crate::read::transcript::{self, Transcript};
use crate::rules::agent as rule;

/// The screen is consulted only once a state is this old: hooks arrive
/// within milliseconds, and a screen caught mid-redraw must not win.
const SCREEN_AFTER_SECS: i64 = 2;

/// Whether a command line runs Claude Code: its program's file name.
pub fn is_claude(argv: &[String]) -> bool {
    argv.first()
        .and_then(|p| Path::new(p).file_name())
        .is_some_and(|n| n == "claude")
}

pub fn log_path(root: &Path, id: &str) -> PathBuf {
    root.join(".milestones/logs")
        .join(format!("execution-{id}.jsonl"))
}

/// Appends an `agent_state` event to the milestone's log (SPEC §8).
pub fn append_state(
    root: &Path,
    id: &str,
    state: AgentState,
    detail: Option<&str>,
    session: &str,
) -> std::io::Result<()> {
    records::event(
        root,
        id,
        crate::read::agent::EVENT,
        serde_json::json!({"agent": "claude", "state": state.as_str(), "detail": detail,
                           "session_id": session}),
    )
}

/// The newest agent state in milestone `id`'s log, read through the read
/// fence (a FIFO or a link out of the workspace is refused, never waited on).
pub fn last_state(root: &Path, id: &str) -> Option<crate::model::AgentStatus> {
    let fence = crate::read::file::Fence::new(root, crate::live::config::DEFAULT_MAX_FILE_BYTES);
    crate::read::agent::last_state(&fence, &log_path(root, id))
}

/// Appends a `subagent_state` event to the milestone's log (SPEC §8.1).
pub fn append_subagent(
    root: &Path,
    id: &str,
    session: &str,
    (agent_id, agent_type): (&str, &str),
    state: crate::model::SubagentState,
    detail: Option<&str>,
) -> std::io::Result<()> {
    let state = match state {
        crate::model::SubagentState::Working => "working",
        crate::model::SubagentState::Ended => "ended",
    };
    records::event(
        root,
        id,
        crate::read::agent::SUB_EVENT,
        serde_json::json!({"agent": "claude", "agent_id": agent_id, "agent_type": agent_type,
                           "state": state, "detail": detail, "session_id": session}),
    )
}

/// Records that the agent ended, unless its hooks already said so.
pub fn record_ended(root: &Path, id: &str) -> std::io::Result<()> {
    match last_state(root, id) {
        Some(s) if s.state != AgentState::Ended => {
            append_state(root, id, AgentState::Ended, None, &s.session_id)
        }
        _ => Ok(()),
    }
}

/// The Claude Code session the milestone's hooks last named, as `mdash
/// hook` kept it privately: never the workspace's log (`runs::resume`).
pub fn last_session(root: &Path, id: &str) -> Option<String> {
    runs::resume::load(root, id)
}

/// What `observe` needs of the workspace.
pub struct Inputs<'a> {
    pub root: &'a Path,
    pub ids: &'a [String],
    pub worktrees: &'a [Worktree],
    /// The newest `agent_state` per milestone id.
    pub hooked: &'a HashMap<String, AgentStatus>,
    pub runs: &'a [Run],
    /// `agent.kind: claude`: every run is Claude Code, whatever its program.
    pub claude_kind: bool,
    pub ended_after_minutes: u64,
    /// The price table (SPEC §8.3).
    pub prices: &'a crate::model::Prices,
    pub now: DateTime<Utc>,
    /// Log a screen correction as an `agent_state` event: the dashboard
    /// only. A read command (`status`, `check`, `watch`) shows it and
    /// writes nothing.
    pub log_corrections: bool,
}

fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The directories whose sessions are each milestone's: its worktree (as
/// given and as resolved: Claude Code names a session by its real path).
fn session_dirs(inp: &Inputs) -> HashMap<String, Vec<PathBuf>> {
    let known: std::collections::HashSet<&str> = inp.ids.iter().map(String::as_str).collect();
    let mut dirs: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for w in inp.worktrees.iter().filter(|w| !w.prunable) {
        if let Some(id) = w.milestone(|x| known.contains(x)) {
            let abs = inp.root.join(&w.path);
            let real = canon(&abs);
            let list = dirs.entry(id).or_default();
            if real != abs {
                list.push(real);
            }
            list.push(abs);
        }
    }
    dirs
}

/// Every milestone's agent, as of `inp.now`.
pub fn observe(cache: &mut Transcripts, inp: &Inputs) -> Vec<(String, AgentView)> {
    let Some(config) = transcript::config_dir() else {
        return Vec::new();
    };
    let dirs = session_dirs(inp);
    let mut out = Vec::new();
    for id in inp.ids {
        let mine = dirs.get(id).map_or(&[][..], Vec::as_slice);
        if let Some(a) = one(cache, inp, &config, id, mine) {
            out.push((id.clone(), a));
        }
    }
    out
}

fn one(
    cache: &mut Transcripts,
    inp: &Inputs,
    config: &Path,
    id: &str,
    dirs: &[PathBuf],
) -> Option<AgentView> {
    let run = inp
        .runs
        .iter()
        .find(|r| r.id == id && (inp.claude_kind || is_claude(&r.command)));
    let hook = inp.hooked.get(id);
    let mut found = gather(cache, config, dirs, hook, run);
    // Claude Code runs its Stop hook a moment before the turn's last answer
    // reaches the transcript: wait briefly for it, so that the tokens of a
    // turn that just ended are whole.
    if let Some(h) = hook.filter(|h| h.state == AgentState::WaitingInput) {
        let lagging = |found: &[Found]| {
            found
                .iter()
                .rfind(|f| f.t.session_id == h.session_id)
                .is_some_and(|f| {
                    let changed: DateTime<Utc> = f.mtime.into();
                    !f.t.last_end_turn && (inp.now - changed).num_milliseconds() < LAG_MS
                })
        };
        for _ in 0..LAG_POLLS {
            if !lagging(&found) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            found = gather(cache, config, dirs, hook, run);
        }
    }
    found.sort_by_key(|f| f.mtime);
    let subs = subagents::files(cache, &found);
    let (tokens, cost_micros) = subagents::totals(&found, &subs, inp.prices);
    let newest = found.last().map(|f| (f.mtime, f.t.as_ref()));
    let since_of = |s: &str| crate::util::time::parse(s);
    let mut status = match hook {
        // A session started by hand after the hooked one is the agent now.
        Some(h)
            if newest.is_some_and(|(m, t)| {
                t.session_id != h.session_id
                    && since_of(&h.since).is_none_or(|s| DateTime::<Utc>::from(m) > s)
            }) =>
        {
            newest.map(|(m, t)| from_transcript(t, m, inp))?
        }
        Some(h) => h.clone(),
        None => match newest {
            Some((m, t)) => from_transcript(t, m, inp),
            None => AgentStatus {
                state: AgentState::Starting,
                detail: None,
                session_id: String::new(),
                since: run?.started_at.clone(),
                subagents: Vec::new(),
            },
        },
    };
    let hooked = hook.is_some_and(|h| h.session_id == status.session_id);
    let mut pane = None;
    if let Some(r) = run.filter(|_| hooked || hook.is_none()) {
        let view = runs::observe(inp.root, r);
        let newer_run = since_of(&r.started_at)
            .zip(since_of(&status.since))
            .is_some_and(|(a, b)| a > b);
        if view.state.is_over() {
            if status.state != AgentState::Ended {
                status = AgentStatus {
                    state: AgentState::Ended,
                    detail: None,
                    since: r.ended_at.clone().unwrap_or_else(|| status.since.clone()),
                    ..status
                };
            }
        } else {
            if newer_run {
                // A new run (a resume) whose hooks have not spoken yet.
                status = AgentStatus {
                    state: AgentState::Starting,
                    detail: None,
                    since: r.started_at.clone(),
                    ..status
                };
            }
            pane = answer::proven_pane(inp.root, r);
        }
    }
    if let Some(p) = &pane
        && hooked
    {
        correct_from_screen(inp, id, p, &mut status, newest.map(|(_, t)| t));
    }
    let hooks = if hooked { &status.subagents[..] } else { &[] };
    let subagents = subagents::views(
        cache,
        &subs,
        &status.session_id,
        hooks,
        status.state == AgentState::Ended,
        inp,
    );
    Some(AgentView {
        kind: "claude",
        session_id: status.session_id,
        state: status.state,
        since: status.since,
        detail: status.detail,
        tokens,
        cost_micros,
        subagents,
        pane,
        hooked,
        request: None,
    })
}

/// A transcript changed this recently may still be catching up with a hook.
const LAG_MS: i64 = 3000;
/// At most this many 50 ms waits for it.
const LAG_POLLS: usize = 12;

/// The transcripts of a milestone's sessions.
fn gather(
    cache: &mut Transcripts,
    config: &Path,
    dirs: &[PathBuf],
    hook: Option<&AgentStatus>,
    run: Option<&Run>,
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for d in dirs {
        found.extend(cache.dir(&transcript::dir_for(config, d)));
    }
    // A run in the workspace itself shares its directory with others: only
    // the sessions its hooks named are its own.
    if let (Some(h), Some(r)) = (hook, run)
        && !found.iter().any(|f| f.t.session_id == h.session_id)
    {
        let dir = transcript::dir_for(config, &canon(Path::new(&r.cwd)));
        found.extend(
            cache
                .dir(&dir)
                .into_iter()
                .filter(|f| f.t.session_id == h.session_id),
        );
    }
    found
}

/// A session without hooks: its state from its transcript (SPEC §8).
fn from_transcript(t: &Transcript, mtime: SystemTime, inp: &Inputs) -> AgentStatus {
    let changed: DateTime<Utc> = mtime.into();
    let quiet = (inp.now - changed).num_minutes()
        >= i64::try_from(inp.ended_after_minutes).unwrap_or(i64::MAX);
    let (state, detail) = if quiet {
        (AgentState::Ended, None)
    } else if let Some(kind) = &t.last_error {
        // Claude Code's note of an API error (SPEC §8.2).
        let hook = serde_json::json!({"error": kind, "last_assistant_message": t.last_text});
        (AgentState::Error, Some(rule::error_detail(&hook)))
    } else if t.last_end_turn {
        (
            AgentState::WaitingInput,
            t.last_text.as_deref().and_then(rule::first_line),
        )
    } else {
        (AgentState::Working, None)
    };
    AgentStatus {
        state,
        detail,
        session_id: t.session_id.clone(),
        since: t
            .last_timestamp
            .clone()
            .unwrap_or_else(|| crate::util::time::format(changed)),
        subagents: Vec::new(),
    }
}

/// A turn ended with Esc, a permission answered "No": no hook says so, the
/// pane does. The correction is logged like any change of state.
fn correct_from_screen(
    inp: &Inputs,
    id: &str,
    pane: &crate::model::TmuxPane,
    status: &mut AgentStatus,
    transcript: Option<&Transcript>,
) {
    // A resumed run sits at its empty prompt with no hook fired (issue 29
    // item 4): `starting` is corrected too.
    if !matches!(
        status.state,
        AgentState::Starting
            | AgentState::Working
            | AgentState::WaitingPermission
            | AgentState::WaitingInput
    ) {
        return;
    }
    let old_enough = crate::util::time::parse(&status.since)
        .is_none_or(|s| (inp.now - s).num_seconds() >= SCREEN_AFTER_SECS);
    if !old_enough {
        return;
    }
    let Some(screen) = crate::live::pane::capture(pane) else {
        return;
    };
    let shown = rule::screen(&screen);
    // A compaction that ends without `PostCompact` ("Not enough messages
    // to compact") leaves the prompt: the detail `compacting` is over.
    let compacted =
        status.detail.as_deref() == Some(rule::COMPACTING) && shown == rule::Screen::Prompt;
    let Some(state) = rule::correct(status.state, shown)
        .or_else(|| compacted.then_some(AgentState::WaitingInput))
    else {
        return;
    };
    // A hook may have spoken since the log was read: under the hook lock
    // (the dashboard's corrections and the hooks take turns), the log's
    // newest state must still be the one corrected.
    let _held = inp
        .log_corrections
        .then(|| crate::live::runs::lock::hook(inp.root, id).ok());
    if !rule::log_unchanged(inp.hooked.get(id), last_state(inp.root, id).as_ref()) {
        return;
    }
    let detail = match state {
        AgentState::WaitingInput => transcript
            .filter(|t| t.session_id == status.session_id)
            .and_then(|t| t.last_text.as_deref())
            .and_then(rule::first_line),
        _ => None,
    };
    if inp.log_corrections {
        let _ = append_state(inp.root, id, state, detail.as_deref(), &status.session_id);
    }
    *status = AgentStatus {
        state,
        detail,
        since: crate::util::time::format(inp.now),
        session_id: std::mem::take(&mut status.session_id),
        subagents: std::mem::take(&mut status.subagents),
    };
}
