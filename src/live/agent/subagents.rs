//! A milestone's subagents (SPEC §8.1): their transcripts beside each of
//! its sessions' transcripts, their meta files, what their hooks said;
//! and the tokens and cost of a milestone's sessions with them.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Found, Inputs, Transcripts};
use crate::model::{Prices, Subagent, SubagentHook, SubagentState, Tokens};
use crate::read::transcript::subagents::{self as sub, File};
use crate::read::transcript::{self, Transcript};
use crate::rules::agent as rule;

/// One subagent transcript, with the session it belongs to.
pub(super) struct SubFile {
    pub session_id: String,
    pub file: File,
    pub t: Arc<Transcript>,
}

/// Every subagent transcript of the sessions in `found`.
pub(super) fn files(cache: &mut Transcripts, found: &[Found]) -> Vec<SubFile> {
    let mut out = Vec::new();
    for f in found {
        for file in sub::list(&f.path) {
            if let Some(t) = cache.file(&file.path, file.mtime) {
                out.push(SubFile {
                    session_id: f.t.session_id.clone(),
                    file,
                    t,
                });
            }
        }
    }
    out
}

/// The tokens of the sessions `found` (each message id once across them)
/// and of every subagent transcript (each message id once per file), and
/// what they cost (SPEC §8.3).
pub(super) fn totals(found: &[Found], subs: &[SubFile], prices: &Prices) -> (Tokens, Option<u64>) {
    let mut msgs = transcript::messages(found.iter().map(|f| f.t.as_ref()));
    for s in subs {
        msgs.extend(s.t.usage.values());
    }
    let tokens = transcript::sum(msgs.iter().copied());
    let cost = crate::rules::cost::cost(msgs.iter().map(|m| (m.model.as_str(), m.tokens)), prices);
    (tokens, cost)
}

/// The subagents of session `session`, oldest first: its transcripts'
/// and its hooks' (a hook may come before the transcript is written).
pub(super) fn views(
    cache: &mut Transcripts,
    subs: &[SubFile],
    session: &str,
    hooks: &[SubagentHook],
    parent_ended: bool,
    inp: &Inputs,
) -> Vec<Subagent> {
    let mut out: Vec<(Option<DateTime<Utc>>, usize, Subagent)> = Vec::new();
    let mine = subs.iter().filter(|s| s.session_id == session);
    for (i, s) in mine.enumerate() {
        // Kept once read whole (it does not change); looked for again while
        // missing (Claude Code may write it just after the transcript).
        let meta = match cache.metas.get(&s.file.path) {
            Some(m) => m.clone(),
            None => {
                let m = sub::meta(&s.file.path);
                if m.kind.is_some() {
                    cache.metas.insert(s.file.path.clone(), m.clone());
                }
                m
            }
        };
        let hook = hooks.iter().find(|h| h.id == s.file.id);
        let (state, detail) = match hook {
            Some(h) => (h.state, h.detail.clone()),
            None => from_transcript(&s.t, s.file.mtime, inp),
        };
        let started = s.t.first_timestamp.clone().unwrap_or_default();
        let kind = meta
            .kind
            .or_else(|| hook.map(|h| h.kind.clone()))
            .unwrap_or_default();
        out.push((
            crate::util::time::parse(&started),
            hooks.iter().position(|h| h.id == s.file.id).unwrap_or(i),
            Subagent {
                id: rule::first_line(&s.file.id).unwrap_or_default(),
                kind: rule::first_line(&kind).unwrap_or_default(),
                description: meta.description.as_deref().and_then(rule::first_line),
                state,
                detail,
                tokens: transcript::tokens([s.t.as_ref()]),
                started,
            },
        ));
    }
    // Started, but not written yet.
    for (i, h) in hooks.iter().enumerate() {
        if out.iter().any(|(_, _, s)| s.id == h.id) {
            continue;
        }
        out.push((
            crate::util::time::parse(&h.since),
            i,
            Subagent {
                id: h.id.clone(),
                kind: h.kind.clone(),
                description: None,
                state: h.state,
                detail: h.detail.clone(),
                tokens: Tokens::default(),
                started: h.since.clone(),
            },
        ));
    }
    out.sort_by_key(|(t, i, _)| (*t, *i));
    out.into_iter()
        .map(|(_, _, mut s)| {
            if parent_ended {
                s.state = SubagentState::Ended;
            }
            s
        })
        .collect()
}

/// A subagent without hooks: working until its last answer ended its turn
/// (or its transcript has been quiet for `agent.ended_after_minutes`).
fn from_transcript(
    t: &Transcript,
    mtime: std::time::SystemTime,
    inp: &Inputs,
) -> (SubagentState, Option<String>) {
    let changed: DateTime<Utc> = mtime.into();
    let quiet = (inp.now - changed).num_minutes() >= inp.ended_after_minutes as i64;
    if t.last_end_turn || quiet {
        let last = t.last_text.as_deref().and_then(rule::first_line);
        return (SubagentState::Ended, last);
    }
    let cwd = t.cwd.as_deref().map(std::path::Path::new);
    let detail = t
        .last_tool
        .as_ref()
        .map(|(name, input)| rule::tool_detail(name, input, cwd));
    (SubagentState::Working, detail)
}
