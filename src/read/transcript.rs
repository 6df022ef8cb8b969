//! Claude Code's transcripts (`<config>/projects/<dir>/<session>.jsonl`,
//! docs/claude-code.md): where they are for a directory, and what one says
//! of its tokens and its last turn. Opens files, nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::Tokens;

/// What one transcript says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    pub session_id: String,
    /// Usage per assistant message id: one answer is written as several
    /// lines with the same id, and counts once.
    pub usage: HashMap<String, Tokens>,
    /// The newest assistant message: whether it ended its turn, and the
    /// first text of it.
    pub last_end_turn: bool,
    pub last_text: Option<String>,
    /// The newest line's time (RFC 3339), if any line had one.
    pub last_timestamp: Option<String>,
    pub cwd: Option<String>,
}

/// Claude Code's configuration directory: `$CLAUDE_CONFIG_DIR`, else
/// `~/.claude`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("CLAUDE_CONFIG_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".claude")))
}

/// The directory name Claude Code gives a working directory: every
/// character that is not an ASCII letter or digit becomes `-`.
pub fn project_dir_name(dir: &Path) -> String {
    dir.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Where the transcripts of sessions started in `dir` are.
pub fn dir_for(config: &Path, dir: &Path) -> PathBuf {
    config.join("projects").join(project_dir_name(dir))
}

/// The transcripts in `dir` (`*.jsonl`, regular files only), with their
/// modification times.
pub fn list(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|e| {
            let md = std::fs::symlink_metadata(e.path()).ok()?;
            let m = md.modified().ok()?;
            md.is_file().then(|| (e.path(), m))
        })
        .collect();
    out.sort();
    out
}

/// Reads one transcript; `None` when it cannot be read.
pub fn read(path: &Path) -> Option<Transcript> {
    let text = std::fs::read(path).ok()?;
    let mut t = parse(&String::from_utf8_lossy(&text));
    if t.session_id.is_empty() {
        t.session_id = path.file_stem()?.to_string_lossy().into_owned();
    }
    Some(t)
}

fn n(u: &Value, k: &str) -> u64 {
    u[k].as_u64().unwrap_or(0)
}

/// Parses a transcript's text. Bad lines are skipped: the file is being
/// appended to while it is read.
pub fn parse(text: &str) -> Transcript {
    let mut t = Transcript::default();
    for line in text.lines() {
        // Most lines are tool output; only these are worth a JSON parse.
        if !line.contains("\"timestamp\"") && !line.contains("\"assistant\"") {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if let Some(ts) = v["timestamp"].as_str() {
            t.last_timestamp = Some(ts.to_string());
        }
        if t.session_id.is_empty()
            && let Some(s) = v["sessionId"].as_str()
        {
            t.session_id = s.to_string();
        }
        if t.cwd.is_none() {
            t.cwd = v["cwd"].as_str().map(str::to_string);
        }
        match v["type"].as_str() {
            Some("assistant") => {}
            // A prompt after the answer starts a new turn.
            Some("user") if v["message"]["role"] == "user" && !is_tool_result(&v) => {
                t.last_end_turn = false;
                continue;
            }
            _ => continue,
        }
        let m = &v["message"];
        let Some(id) = m["id"].as_str() else { continue };
        let u = &m["usage"];
        let new = !t.usage.contains_key(id);
        t.usage.insert(
            id.to_string(),
            Tokens {
                input: n(u, "input_tokens"),
                output: n(u, "output_tokens"),
                cache_read: n(u, "cache_read_input_tokens"),
                cache_write: n(u, "cache_creation_input_tokens"),
            },
        );
        t.last_end_turn = ends_turn(m);
        let text = m["content"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|c| (c["type"] == "text").then(|| c["text"].as_str()).flatten());
        // One answer spans lines: its text stays its text.
        if let Some(x) = text {
            t.last_text = Some(x.to_string());
        } else if new {
            t.last_text = None;
        }
    }
    t
}

fn is_tool_result(v: &Value) -> bool {
    v["message"]["content"]
        .as_array()
        .is_some_and(|c| c.iter().any(|b| b["type"] == "tool_result"))
}

/// Sums usage over transcripts, each message id once across all of them (a
/// forked session copies its parent's lines).
pub fn tokens<'a>(ts: impl IntoIterator<Item = &'a Transcript>) -> Tokens {
    let mut seen: HashMap<&str, Tokens> = HashMap::new();
    for t in ts {
        for (id, u) in &t.usage {
            seen.entry(id.as_str()).or_insert(*u);
        }
    }
    let mut sum = Tokens::default();
    for u in seen.values() {
        sum.add(*u);
    }
    sum
}

/// Whether an assistant message ends its turn. Claude Code writes a line
/// per content block as the block completes, and the line can be written
/// before the answer's `stop_reason` has arrived (it is then `null`): a
/// message without a `tool_use` block ends the turn unless it says
/// otherwise.
fn ends_turn(m: &Value) -> bool {
    match m["stop_reason"].as_str() {
        Some("tool_use" | "pause_turn") => false,
        Some(_) => true,
        None => !m["content"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "tool_use"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = r#"{"type":"user","sessionId":"s1","cwd":"/w","timestamp":"2026-11-22T09:00:00.000Z","message":{"role":"user","content":"go"}}
{"type":"assistant","sessionId":"s1","timestamp":"2026-11-22T09:00:01.000Z","message":{"id":"m1","stop_reason":"tool_use","content":[{"type":"text","text":"Reading."}],"usage":{"input_tokens":100,"output_tokens":10,"cache_read_input_tokens":20,"cache_creation_input_tokens":5}}}
{"type":"assistant","sessionId":"s1","timestamp":"2026-11-22T09:00:01.001Z","message":{"id":"m1","stop_reason":"tool_use","content":[{"type":"tool_use","name":"Read"}],"usage":{"input_tokens":100,"output_tokens":10,"cache_read_input_tokens":20,"cache_creation_input_tokens":5}}}
{"type":"user","sessionId":"s1","timestamp":"2026-11-22T09:00:02.000Z","message":{"role":"user","content":[{"type":"tool_result","content":"x"}]}}
not json
{"type":"assistant","sessionId":"s1","timestamp":"2026-11-22T09:00:03.000Z","message":{"id":"m2","stop_reason":"end_turn","content":[{"type":"text","text":"Done. Next?"}],"usage":{"input_tokens":200,"output_tokens":7}}}
"#;

    #[test]
    fn each_message_id_counts_once() {
        let t = parse(LINES);
        assert_eq!(t.session_id, "s1");
        assert_eq!(t.usage.len(), 2);
        assert_eq!(
            tokens([&t, &t.clone()]),
            Tokens {
                input: 300,
                output: 17,
                cache_read: 20,
                cache_write: 5
            }
        );
        assert!(t.last_end_turn);
        assert_eq!(t.last_text.as_deref(), Some("Done. Next?"));
        assert_eq!(
            t.last_timestamp.as_deref(),
            Some("2026-11-22T09:00:03.000Z")
        );
    }

    #[test]
    fn a_line_written_before_its_stop_reason_still_ends_the_turn() {
        let line = |reason: &str, content: &str| {
            format!(
                r#"{{"type":"assistant","sessionId":"s1","timestamp":"2026-11-22T09:00:04.000Z","message":{{"id":"m3","stop_reason":{reason},"content":[{content}],"usage":{{"input_tokens":1,"output_tokens":1}}}}}}"#
            )
        };
        let text = r#"{"type":"text","text":"Hi."}"#;
        let tool = r#"{"type":"tool_use","name":"Read"}"#;
        assert!(parse(&line("null", text)).last_end_turn);
        assert!(!parse(&line("null", tool)).last_end_turn);
        assert!(!parse(&line("\"tool_use\"", text)).last_end_turn);
        assert!(parse(&line("\"max_tokens\"", text)).last_end_turn);
    }

    #[test]
    fn a_new_prompt_reopens_the_turn() {
        let more = format!(
            "{LINES}{}\n",
            r#"{"type":"user","sessionId":"s1","timestamp":"2026-11-22T09:01:00.000Z","message":{"role":"user","content":"again"}}"#
        );
        assert!(!parse(&more).last_end_turn);
    }

    #[test]
    fn directory_names_follow_claude_code() {
        assert_eq!(
            project_dir_name(Path::new("/tmp/.tmpAb/w_x")),
            "-tmp--tmpAb-w-x"
        );
    }
}
