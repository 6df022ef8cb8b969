//! A session's subagents as Claude Code keeps them (SPEC §8.1): beside
//! the session's transcript `<session>.jsonl`, the directory
//! `<session>/subagents/` holds `agent-<id>.jsonl` (the subagent's own
//! transcript) and `agent-<id>.meta.json` (`agentType`, `description`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A meta file is a hundred bytes; more is not one.
const META_MAX: u64 = 64 * 1024;

/// One subagent transcript of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: String,
    pub path: PathBuf,
    pub mtime: SystemTime,
}

/// The subagent transcripts beside the session transcript `session`
/// (regular files only, by name).
pub fn list(session: &Path) -> Vec<File> {
    let Some(stem) = session.file_stem() else {
        return Vec::new();
    };
    let dir = session.with_file_name(stem).join("subagents");
    super::list(&dir)
        .into_iter()
        .filter_map(|(path, mtime)| {
            let name = path.file_stem()?.to_str()?;
            let id = name.strip_prefix("agent-")?.to_string();
            Some(File { id, path, mtime })
        })
        .collect()
}

/// What a subagent's meta file says: its type and its description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub kind: Option<String>,
    pub description: Option<String>,
}

/// The meta file beside subagent transcript `transcript`.
pub fn meta(transcript: &Path) -> Meta {
    let path = transcript.with_extension("meta.json");
    let Ok(f) = crate::read::file::open_regular(&path) else {
        return Meta::default();
    };
    let mut buf = Vec::new();
    if f.take(META_MAX).read_to_end(&mut buf).is_err() {
        return Meta::default();
    }
    let v: serde_json::Value = serde_json::from_slice(&buf).unwrap_or_default();
    let s = |k: &str| v[k].as_str().map(str::to_string);
    Meta {
        kind: s("agentType"),
        description: s("description"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subagents_are_found_beside_their_session() {
        let dir = tempfile::tempdir().expect("dir");
        let session = dir.path().join("s1.jsonl");
        std::fs::write(&session, "").expect("w");
        let sub = dir.path().join("s1/subagents");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join("agent-a1.jsonl"), "").expect("w");
        std::fs::write(
            sub.join("agent-a1.meta.json"),
            r#"{"agentType":"general-purpose","description":"Design 2a","toolUseId":"t"}"#,
        )
        .expect("w");
        std::fs::write(sub.join("notes.txt"), "").expect("w");
        let found = list(&session);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "a1");
        assert_eq!(
            meta(&found[0].path),
            Meta {
                kind: Some("general-purpose".into()),
                description: Some("Design 2a".into())
            }
        );
        assert_eq!(meta(&dir.path().join("nothing.jsonl")), Meta::default());
    }
}
