//! The records the milestone packs expect: the milestone's status edited in
//! place, saved-session files, and events appended to the execution log.

use std::path::Path;

use crate::live::write::Fence;

use crate::read::yaml::{self, Value};

/// The text with its status set as `set_status` sets it (only the value's
/// bytes change; see `live::write::with_status`), or the text unchanged when
/// the status cannot be changed in place.
pub fn with_status(text: &str, status: &str) -> String {
    crate::live::write::with_status(text.as_bytes(), false, status)
        .ok()
        .and_then(|(b, _)| String::from_utf8(b).ok())
        .unwrap_or_else(|| text.to_string())
}

/// Sets the milestone file's status through the one write path: only the
/// value's bytes change, a file an agent is rewriting is waited for, and
/// one whose layout cannot be edited in place is refused, untouched.
pub fn set_status(file: &Path, status: &str) -> std::io::Result<()> {
    crate::live::write::set_status(file, status)
}

/// Appends one event line to `.milestones/logs/execution-<id>.jsonl` in a
/// single write, so concurrent writers never interleave within a line.
pub fn event(root: &Path, id: &str, name: &str, details: serde_json::Value) -> std::io::Result<()> {
    let name_ok = crate::live::write::safe_name(id, "milestone id")?;
    let line = serde_json::json!({
        "timestamp": crate::util::time::format(chrono::Utc::now()),
        "event": name,
        "milestone_id": id,
        "details": details,
    })
    .to_string()
        + "\n";
    let path = root
        .join(".milestones/logs")
        .join(format!("execution-{name_ok}.jsonl"));
    crate::live::write::append(&Fence::new(root), &path, line.as_bytes())
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
        Value::Number(crate::util::round::half_away(p.progress, 1).into()),
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
    let path = session_path(root, p.session_id)?;
    crate::live::write::replace(&Fence::new(root), &path, text.as_bytes())
}

/// `.milestones/sessions/<session_id>.yaml`, for a session id that is a
/// plain name (a run record is workspace data: `../../x` must not climb out).
fn session_path(root: &Path, session_id: &str) -> std::io::Result<std::path::PathBuf> {
    let name = crate::live::write::safe_name(session_id, "session id")?;
    Ok(root
        .join(".milestones/sessions")
        .join(format!("{name}.yaml")))
}

/// Marks a saved session resumed (`status: resumed`, `resumed_at`).
pub fn mark_resumed(root: &Path, session_id: &str) -> std::io::Result<()> {
    let path = session_path(root, session_id)?;
    let fence = Fence::new(root);
    // Read what will be replaced: a symlink leading out is neither read nor
    // written, and a file over limits.max_file_bytes is left alone.
    let max = crate::live::config::load(root).0.max_file_bytes;
    let Ok(text) = crate::read::file::Fence::new(root, max).read_text(&path) else {
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
    crate::live::write::replace(&fence, &path, out.as_bytes())
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
