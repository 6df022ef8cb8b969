//! The records the milestone packs expect: the milestone's status edited in
//! place, saved-session files, and events appended to the execution log.

use std::io::Write;
use std::path::Path;

use crate::read::yaml::{self, Value};

/// Replaces the value of the status line the reader uses (top-level
/// `status:`, else `metadata:` or `milestone:`'s), or adds one at the top.
/// Everything else in the text stays byte for byte.
pub fn with_status(text: &str, status: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_key = |l: &str, indent: usize| {
        let t = l.trim_start();
        l.len() - t.len() == indent && (t.starts_with("status:") || t.starts_with("\"status\":"))
    };
    let replace = |i: usize| {
        let l = lines[i];
        let indent = l.len() - l.trim_start().len();
        let eol = if l.ends_with('\n') { "\n" } else { "" };
        let mut out: String = lines[..i].concat();
        out.push_str(&format!("{}status: {status}{eol}", " ".repeat(indent)));
        out.push_str(&lines[i + 1..].concat());
        out
    };
    if let Some(i) = lines.iter().position(|l| is_key(l, 0)) {
        return replace(i);
    }
    for wrapper in ["metadata:", "milestone:"] {
        if let Some(w) = lines.iter().position(|l| l.trim_end() == wrapper) {
            let block_end = lines[w + 1..]
                .iter()
                .position(|l| {
                    !l.trim().is_empty() && !l.starts_with(' ') && !l.trim_start().starts_with('#')
                })
                .map_or(lines.len(), |p| w + 1 + p);
            let child = lines[w + 1..block_end]
                .iter()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len());
            if let Some(ind) = child
                && let Some(i) = (w + 1..block_end).find(|&i| is_key(lines[i], ind))
            {
                return replace(i);
            }
        }
    }
    format!("status: {status}\n{text}")
}

/// Sets the milestone file's status, atomically, retrying when someone else
/// (the agent) changed the file in the meantime: their change is kept and
/// the status is applied on top of it.
pub fn set_status(file: &Path, status: &str) -> std::io::Result<()> {
    for _ in 0..200 {
        let mut before = Vec::new();
        std::io::Read::read_to_end(&mut crate::read::file::open_regular(file)?, &mut before)?;
        let text = String::from_utf8_lossy(&before);
        let after = if crate::read::file::ext(file) == "json" {
            let mut v: serde_json::Value =
                serde_json::from_str(&text).map_err(std::io::Error::other)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("status".into(), serde_json::Value::String(status.into()));
            }
            serde_json::to_string_pretty(&v).map_err(std::io::Error::other)? + "\n"
        } else {
            with_status(&text, status)
        };
        if after.as_bytes() == before.as_slice()
            || crate::live::write::replace_if_unchanged(file, &before, after.as_bytes())?
        {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    Err(std::io::Error::other(format!(
        "{} kept changing; status not set",
        file.display()
    )))
}

/// Appends one event line to `.milestones/logs/execution-<id>.jsonl` in a
/// single write, so concurrent writers never interleave within a line.
pub fn event(root: &Path, id: &str, name: &str, details: serde_json::Value) -> std::io::Result<()> {
    let dir = root.join(".milestones/logs");
    std::fs::create_dir_all(&dir)?;
    let line = serde_json::json!({
        "timestamp": crate::util::time::format(chrono::Utc::now()),
        "event": name,
        "milestone_id": id,
        "details": details,
    })
    .to_string()
        + "\n";
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("execution-{id}.jsonl")))?;
    f.write_all(line.as_bytes())
}

/// What a pause saves: `.milestones/sessions/<session_id>.yaml`.
pub struct Pause<'a> {
    pub session_id: &'a str,
    pub milestone_id: &'a str,
    pub working_directory: &'a str,
    pub git_branch: Option<&'a str>,
    pub git_commit: Option<&'a str>,
    pub current_task: Option<&'a str>,
    pub progress: f64,
    pub next_tasks: Vec<String>,
}

pub fn save_pause(root: &Path, p: &Pause) -> std::io::Result<()> {
    let s = yaml::string;
    let mut session = crate::read::yaml::Mapping::new();
    session.insert(s("id"), s(p.session_id));
    session.insert(s("milestone_id"), s(p.milestone_id));
    session.insert(s("status"), s("paused"));
    session.insert(
        s("saved_at"),
        s(&crate::util::time::format(chrono::Utc::now())),
    );
    session.insert(s("save_reason"), s("manual_pause"));
    let mut context = crate::read::yaml::Mapping::new();
    context.insert(s("working_directory"), s(p.working_directory));
    context.insert(s("git_branch"), p.git_branch.map_or(Value::Null, s));
    context.insert(s("git_commit"), p.git_commit.map_or(Value::Null, s));
    let mut exec = crate::read::yaml::Mapping::new();
    exec.insert(s("current_task"), p.current_task.map_or(Value::Null, s));
    exec.insert(
        s("progress_percentage"),
        Value::Number(((p.progress * 10.0).round() / 10.0).into()),
    );
    let mut resume = crate::read::yaml::Mapping::new();
    resume.insert(
        s("next_tasks"),
        Value::Sequence(p.next_tasks.iter().map(|t| s(t)).collect()),
    );
    let mut root_map = crate::read::yaml::Mapping::new();
    root_map.insert(s("session"), Value::Mapping(session));
    root_map.insert(s("context"), Value::Mapping(context));
    root_map.insert(s("execution_state"), Value::Mapping(exec));
    root_map.insert(s("resume_points"), Value::Mapping(resume));
    let text = yaml::to_string(&Value::Mapping(root_map)).map_err(std::io::Error::other)?;
    let path = root
        .join(".milestones/sessions")
        .join(format!("{}.yaml", p.session_id));
    std::fs::create_dir_all(path.parent().unwrap_or(root))?;
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)
}

/// Marks a saved session resumed (`status: resumed`, `resumed_at`).
pub fn mark_resumed(root: &Path, session_id: &str) -> std::io::Result<()> {
    let path = root
        .join(".milestones/sessions")
        .join(format!("{session_id}.yaml"));
    let Ok(text) = crate::read::file::read_regular(&path) else {
        return Ok(());
    };
    let Ok(mut v) = yaml::parse(&text) else {
        return Ok(());
    };
    if let Some(Value::Mapping(s)) = v.as_mapping_mut().and_then(|m| m.get_mut("session")) {
        s.insert(yaml::string("status"), yaml::string("resumed"));
        s.insert(
            yaml::string("resumed_at"),
            yaml::string(&crate::util::time::format(chrono::Utc::now())),
        );
    }
    let out = yaml::to_string(&v).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, out)?;
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::doc;

    #[test]
    fn status_edits_keep_everything_else() {
        let t = "# comment\nid: a\nstatus: planned   \ntasks:\n  - {id: t, status: done}\n";
        assert_eq!(
            with_status(t, "paused"),
            "# comment\nid: a\nstatus: paused\ntasks:\n  - {id: t, status: done}\n"
        );
        let t = "metadata:\n  milestone_id: x\n  status: \"planning\"\nkiro_configuration:\n  phases:\n    design: {status: done}\n";
        assert_eq!(
            with_status(t, "paused"),
            "metadata:\n  milestone_id: x\n  status: paused\nkiro_configuration:\n  phases:\n    design: {status: done}\n"
        );
        assert_eq!(with_status("id: a\n", "paused"), "status: paused\nid: a\n");
        let v =
            crate::read::yaml::parse(&with_status("milestone:\n  id: q\n  title: T\n", "paused"))
                .expect("yaml");
        assert_eq!(doc::text_at(&v, &["status"]).as_deref(), Some("paused"));
    }
}
