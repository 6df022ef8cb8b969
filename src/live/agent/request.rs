//! Answering an agent from the dashboard (issue 19): the request its
//! `PermissionRequest` hook saved, its preview (the file on disk read here,
//! never in `app` or `ui`), and the keys sent to its exact pane once its
//! screen is checked to show that very request.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::live::pane;
use crate::model::{AgentView, Preview, Request, TmuxPane};
use crate::rules::agent::{Screen, screen};
use crate::rules::request::{self, OnDisk};

/// A file larger than this is not diffed.
const MAX_DIFF_BYTES: u64 = 1 << 20;

pub fn path(root: &Path, id: &str) -> PathBuf {
    root.join(crate::live::runs::DIR)
        .join(format!("{id}.request.json"))
}

/// Saves what a `PermissionRequest` asks (atomically: temp file, rename).
pub fn save(root: &Path, id: &str, hook: &Value) -> std::io::Result<()> {
    let p = path(root, id);
    std::fs::create_dir_all(p.parent().unwrap_or(root))?;
    let doc = json!({
        "session_id": hook["session_id"],
        "tool_name": hook["tool_name"],
        "tool_input": hook["tool_input"],
        "cwd": hook["cwd"],
    });
    let tmp = p.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, doc.to_string())?;
    std::fs::rename(&tmp, &p)
}

pub fn load(root: &Path, id: &str) -> Option<Request> {
    let text = crate::read::file::read_regular(&path(root, id)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    Some(Request {
        session_id: v["session_id"].as_str()?.to_string(),
        tool: v["tool_name"].as_str()?.to_string(),
        input: v["tool_input"].clone(),
        cwd: v["cwd"].as_str().unwrap_or_default().to_string(),
    })
}

/// The saved request, if it is the one the agent waits on now.
fn current(root: &Path, id: &str, agent: &AgentView) -> Option<Request> {
    let req = load(root, id)?;
    let cwd = (!req.cwd.is_empty()).then(|| Path::new(&req.cwd));
    let detail = crate::rules::agent::tool_detail(&req.tool, &req.input, cwd);
    (req.session_id == agent.session_id && agent.detail.as_deref() == Some(detail.as_str()))
        .then_some(req)
}

/// The file a Write would replace, read only inside the workspace or the
/// agent's own directory.
fn on_disk(root: &Path, req: &Request) -> OnDisk {
    let Some(target) = request::target(req) else {
        return OnDisk::Missing;
    };
    let p = Path::new(&req.cwd).join(target);
    let Ok(real) = std::fs::canonicalize(&p) else {
        return OnDisk::Missing;
    };
    let canon = |d: &Path| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
    if !real.starts_with(canon(root))
        && (req.cwd.is_empty() || !real.starts_with(canon(Path::new(&req.cwd))))
    {
        return OnDisk::Unread("outside the workspace: not read".into());
    }
    match std::fs::metadata(&real) {
        Ok(m) if !m.is_file() => return OnDisk::Unread("not a file".into()),
        Ok(m) if m.len() > MAX_DIFF_BYTES => return OnDisk::Unread("too large to diff".into()),
        _ => {}
    }
    match std::fs::read(&real).map(String::from_utf8) {
        Ok(Ok(t)) => OnDisk::Text(t),
        Ok(Err(_)) => OnDisk::Unread("not UTF-8".into()),
        Err(e) => OnDisk::Unread(format!("cannot read: {e}")),
    }
}

pub fn preview(root: &Path, id: &str, agent: &AgentView) -> Option<Preview> {
    let req = current(root, id, agent)?;
    let lines = request::preview(&req, on_disk(root, &req));
    Some(Preview {
        id: id.to_string(),
        session_id: agent.session_id.clone(),
        detail: agent.detail.clone(),
        lines,
    })
}

/// The number of the menu's option that starts with `word` (`1. Yes`,
/// `3. No`).
fn option(screen_text: &str, word: &str) -> Option<String> {
    screen_text.lines().find_map(|l| {
        let l = l.trim_start().trim_start_matches('❯').trim_start();
        let (n, rest) = l.split_once(". ")?;
        (n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() && rest.trim() == word)
            .then(|| n.to_string())
    })
}

/// What the menu must show for this request: the file's name, or the
/// command's first line.
fn expected(agent: &AgentView) -> Option<String> {
    let d = agent.detail.as_deref()?;
    let (_, target) = d.split_once(' ')?;
    let name = Path::new(target)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| target.to_string());
    // A long command wraps on screen: its start is enough.
    Some(name.chars().take(30).collect())
}

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

/// How long a screen is given to catch up with its hook.
const SETTLE_MS: u64 = 2000;

/// Answers the permission menu: `1. Yes` or `No`, after checking that the
/// pane shows this very request. Returns what was done, in words.
pub fn answer(id: &str, agent: &AgentView, p: &TmuxPane, allow: bool) -> Result<String, String> {
    let what = agent.detail.clone().unwrap_or_else(|| "the request".into());
    let shown =
        settled(p, Screen::PermissionMenu).ok_or_else(|| format!("{id}'s agent pane is gone"))?;
    if screen(&shown) != Screen::PermissionMenu {
        return Err(format!(
            "{id}'s agent is not asking for permission on its screen (answered already, or moved on); nothing sent"
        ));
    }
    if let Some(e) = expected(agent)
        && !shown.contains(&e)
    {
        return Err(format!(
            "{id}'s screen shows another request than {what}; nothing sent"
        ));
    }
    let key = if allow {
        option(&shown, "Yes")
    } else {
        option(&shown, "No")
    }
    .ok_or_else(|| format!("{id}'s permission menu has no such answer; nothing sent"))?;
    pane::send(p, "", &[&key])?;
    Ok(format!(
        "{id}: {} {what}",
        if allow { "allowed" } else { "denied" }
    ))
}

/// Types a reply into the agent's prompt and submits it, after checking
/// that the pane shows the empty prompt.
pub fn reply(id: &str, p: &TmuxPane, text: &str) -> Result<String, String> {
    let shown = settled(p, Screen::Prompt).ok_or_else(|| format!("{id}'s agent pane is gone"))?;
    if screen(&shown) != Screen::Prompt {
        return Err(format!("{id}'s agent is not at its prompt; reply not sent"));
    }
    let line: String = text.chars().filter(|c| !c.is_control()).collect();
    pane::send(p, &line, &["Enter"])?;
    Ok(format!("{id}: replied"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_options_are_found_by_their_words() {
        let s = " Do you want to proceed?\n ❯ 1. Yes\n   2. Yes, and always allow\n   3. No\n";
        assert_eq!(option(s, "Yes").as_deref(), Some("1"));
        assert_eq!(option(s, "No").as_deref(), Some("3"));
        assert_eq!(option("1. Nope", "No"), None);
    }
}
