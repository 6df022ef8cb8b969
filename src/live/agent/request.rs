//! What a waiting agent asks (issue 19, SPEC §8.4): the request its
//! `PermissionRequest` hook saved (through the write fence), known by the
//! hash of the saved file; its preview (the file on disk read here, only
//! inside the workspace and the run's own directory, never in `app` or
//! `ui`). Answering it is `answer.rs`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::model::{AgentState, AgentView, Preview, Request, RequestRef, Run};
use crate::rules::request::{self, OnDisk};

/// A file larger than this is not diffed.
const MAX_DIFF_BYTES: u64 = 1 << 20;

pub fn path(root: &Path, id: &str) -> PathBuf {
    root.join(crate::live::runs::DIR)
        .join(format!("{id}.request.json"))
}

/// Saves what a `PermissionRequest` asks, through the one write path: the
/// fence (a symlinked `.milestones/sessions` leading out is refused), a new
/// random temp file (`O_EXCL|O_NOFOLLOW`: a planted symlink is never
/// followed), then a rename.
pub fn save(root: &Path, id: &str, hook: &Value) -> std::io::Result<()> {
    let name = crate::live::write::safe_name(id, "milestone id")?;
    let doc = json!({
        "session_id": hook["session_id"],
        "tool_name": hook["tool_name"],
        "tool_input": hook["tool_input"],
        "cwd": hook["cwd"],
    });
    crate::live::write::replace(
        &crate::live::write::Fence::new(root),
        &path(root, &name),
        doc.to_string().as_bytes(),
    )
}

/// The identity of a saved request: the SHA-256 of its file, 32 hex digits.
pub fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse(text: &str) -> Option<Request> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some(Request {
        session_id: v["session_id"].as_str()?.to_string(),
        tool: v["tool_name"].as_str()?.to_string(),
        input: v["tool_input"].clone(),
        cwd: v["cwd"].as_str().unwrap_or_default().to_string(),
    })
}

/// A saved request and its hash.
#[derive(Debug, Clone)]
pub struct Saved {
    pub hash: String,
    pub req: Request,
}

/// `limits.max_file_bytes` (read only when a request is to be read).
pub fn limit(root: &Path) -> u64 {
    crate::live::config::load(root).0.max_file_bytes
}

/// The saved request of milestone `id`: read through the read fence, at
/// most `max_bytes` (`limits.max_file_bytes`); why not, in words.
pub fn load(root: &Path, id: &str, max_bytes: u64) -> Result<Saved, String> {
    if !crate::model::valid_id(id) {
        return Err(format!("{id:?} is not a milestone id"));
    }
    let text = crate::read::file::Fence::new(root, max_bytes)
        .read_text(&path(root, id))
        .map_err(|p| format!("its saved request: {}", p.message))?;
    let req = parse(&text).ok_or("its saved request is not a request")?;
    Ok(Saved {
        hash: hash(&text),
        req,
    })
}

/// `<Tool> <target>` of a request, as the agent's `detail` says it.
pub fn detail(req: &Request) -> String {
    let cwd = (!req.cwd.is_empty()).then(|| Path::new(&req.cwd));
    crate::rules::agent::tool_detail(&req.tool, &req.input, cwd)
}

/// The saved request, if it is the one the agent waits on now: its
/// session, and what it asks, are the agent's.
pub fn current(saved: &Saved, session: &str, agent_detail: Option<&str>) -> bool {
    let d = detail(&saved.req);
    // A subagent's request names it after the target (SPEC §8.1).
    let same = |a: &str| {
        a == d
            || a.strip_prefix(d.as_str())
                .is_some_and(|r| r.starts_with(" (") && r.ends_with(')'))
    };
    saved.req.session_id == session && agent_detail.is_some_and(same)
}

fn reference(s: &Saved) -> RequestRef {
    let d = detail(&s.req);
    let target = d
        .strip_prefix(s.req.tool.as_str())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    RequestRef {
        hash: s.hash.clone(),
        tool: crate::util::text::escape(&s.req.tool).into_owned(),
        target,
    }
}

/// Gives each agent that waits for permission the identity of its saved
/// request (`agent.request`, SPEC §8.4).
pub fn attach(root: &Path, agents: &mut [(String, AgentView)]) {
    let mut max = None;
    for (id, a) in agents.iter_mut() {
        if a.state != AgentState::WaitingPermission || !a.hooked {
            continue;
        }
        let max = *max.get_or_insert_with(|| limit(root));
        a.request = load(root, id, max)
            .ok()
            .filter(|s| current(s, &a.session_id, a.detail.as_deref()))
            .map(|s| reference(&s));
    }
}

/// The file a Write would replace, read only inside the workspace (its
/// worktrees included) and the run record's own directory: never where the
/// request's `cwd` (the agent's word) points.
fn on_disk(root: &Path, run: Option<&Run>, req: &Request) -> OnDisk {
    let Some(target) = request::target(req) else {
        return OnDisk::Missing;
    };
    let p = Path::new(&req.cwd).join(target);
    if std::fs::symlink_metadata(&p).is_err() {
        return OnDisk::Missing;
    }
    let mut fence = crate::read::file::Fence::new(root, MAX_DIFF_BYTES);
    if let Some(r) = run.filter(|r| !r.cwd.is_empty()) {
        fence.allow(Path::new(&r.cwd));
    }
    if fence.check(&p).is_err() {
        return OnDisk::Unread("outside the workspace: not read".into());
    }
    match std::fs::metadata(&p) {
        Ok(m) if !m.is_file() => return OnDisk::Unread("not a file".into()),
        Ok(m) if m.len() > MAX_DIFF_BYTES => return OnDisk::Unread("too large to diff".into()),
        _ => {}
    }
    match fence.read_text(&p) {
        Ok(t) => OnDisk::Text(t),
        Err(e) => OnDisk::Unread(e.message),
    }
}

/// The file the request writes, as it is on disk now (read through the
/// fence): what `answer` compares the agent's dialog with.
pub fn disk(root: &Path, id: &str, saved: &Saved) -> OnDisk {
    let run = crate::live::runs::read(root, id);
    on_disk(root, run.as_ref(), &saved.req)
}

fn lines(root: &Path, run: Option<&Run>, req: &Request) -> Vec<(crate::model::LineKind, String)> {
    request::preview(req, on_disk(root, run, req))
}

/// The preview of the request agent `id` waits on, capped once here.
pub fn preview(root: &Path, id: &str, agent: &AgentView) -> Option<Preview> {
    let saved = load(root, id, limit(root)).ok()?;
    if !current(&saved, &agent.session_id, agent.detail.as_deref()) {
        return None;
    }
    let run = crate::live::runs::read(root, id);
    let (lines, more) = request::cap(lines(root, run.as_ref(), &saved.req));
    Some(Preview {
        id: id.to_string(),
        session_id: agent.session_id.clone(),
        hash: saved.hash,
        detail: agent.detail.clone(),
        more,
        lines,
    })
}
