//! Claude Code's transcripts (`<config>/projects/<dir>/<session>.jsonl`,
//! docs/claude-code.md): where they are for a directory, and what one says
//! of its tokens and its last turn. Opens files, nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::Tokens;

mod order;
pub mod subagents;
pub mod tail;

/// One assistant message: its tokens and the model that wrote it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Msg {
    pub tokens: Tokens,
    pub model: String,
}

/// What one transcript says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    pub session_id: String,
    /// Usage per assistant message id: one answer is written as several
    /// lines with the same id, and counts once.
    pub usage: HashMap<String, Msg>,
    /// The newest assistant message: whether it ended its turn, and the
    /// first text of it.
    pub last_end_turn: bool,
    pub last_text: Option<String>,
    /// The API error kind (`rate_limit`, ...) when the newest assistant
    /// message is Claude Code's note of an API error (SPEC §8.2).
    pub last_error: Option<String>,
    /// The newest tool call: its name and the fields that name its target.
    pub last_tool: Option<(String, Value)>,
    /// The oldest and the newest line's time (RFC 3339), if any had one
    /// (by time: lines are not always written in order, `order`).
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub cwd: Option<String>,
    /// The time of the prompt or answer that set the turn's state: one
    /// written later but older changes only the tokens (`order`).
    turn_at: Option<chrono::DateTime<chrono::Utc>>,
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

/// Reads one transcript whole (tests, small files); the dashboard reads
/// them incrementally (`tail`). `None` when it cannot be read.
pub fn read(path: &Path) -> Option<Transcript> {
    tail::Tail::open(path, None).map(|t| std::sync::Arc::unwrap_or_clone(t.transcript))
}

fn n(u: &Value, k: &str) -> u64 {
    u[k].as_u64().unwrap_or(0)
}

/// Parses a transcript's text. Bad lines are skipped: the file is being
/// appended to while it is read.
pub fn parse(text: &str) -> Transcript {
    let mut t = Transcript::default();
    for line in text.lines() {
        t.feed(line);
    }
    t
}

/// A string field of a line, found without parsing the line (most lines
/// are tool output, far too big to parse for a time stamp): the first (or
/// `last`) `"key": "…"`. In JSON text a key's quote is never escaped; a
/// quote inside a string always is.
fn str_field(line: &str, key: &str, last: bool) -> Option<String> {
    let pat = format!("\"{key}\"");
    let value = |at: usize| -> Option<String> {
        let rest = line[at + pat.len()..].trim_start().strip_prefix(':')?;
        let rest = rest.trim_start();
        if !rest.starts_with('"') {
            return None;
        }
        let mut esc = false;
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let close = c == '"' && !esc;
                esc = c == '\\' && !esc;
                close
            })?
            .0;
        serde_json::from_str(&rest[..=end]).ok()
    };
    if last {
        line.rmatch_indices(&pat).find_map(|(i, _)| value(i))
    } else {
        line.match_indices(&pat).find_map(|(i, _)| value(i))
    }
}

impl Transcript {
    /// Takes in one line of a transcript.
    pub fn feed(&mut self, line: &str) {
        // Only these lines are worth a parse (`"assistant"` never occurs
        // unescaped in a tool's output, which is a JSON string).
        let assistant = line.contains("\"assistant\"");
        let prompt = !assistant && line.contains("\"user\"") && !line.contains("\"tool_result\"");
        if let Some(ts) = str_field(line, "timestamp", true) {
            if self
                .first_timestamp
                .as_deref()
                .is_none_or(|f| order::text_before(&ts, f))
            {
                self.first_timestamp = Some(ts.clone());
            }
            if self
                .last_timestamp
                .as_deref()
                .is_none_or(|l| !order::text_before(&ts, l))
            {
                self.last_timestamp = Some(ts);
            }
        }
        if self.session_id.is_empty()
            && let Some(s) = str_field(line, "sessionId", false)
        {
            self.session_id = s;
        }
        if self.cwd.is_none() {
            self.cwd = str_field(line, "cwd", false);
        }
        if !assistant && !prompt {
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        let at = order::at(v["timestamp"].as_str());
        // Older than what set the turn's state: written late (`order`).
        let late = order::before(at, self.turn_at);
        match v["type"].as_str() {
            Some("assistant") => {}
            // A prompt after the answer starts a new turn.
            Some("user") if v["message"]["role"] == "user" && !is_tool_result(&v) => {
                if !late {
                    self.last_end_turn = false;
                    self.last_error = None;
                    self.turn_at = at.or(self.turn_at);
                }
                return;
            }
            _ => return,
        }
        let m = &v["message"];
        let Some(id) = m["id"].as_str() else { return };
        let u = &m["usage"];
        let new = !self.usage.contains_key(id);
        self.usage.insert(
            id.to_string(),
            Msg {
                tokens: Tokens {
                    input: n(u, "input_tokens"),
                    output: n(u, "output_tokens"),
                    cache_read: n(u, "cache_read_input_tokens"),
                    cache_write: n(u, "cache_creation_input_tokens"),
                },
                model: m["model"].as_str().unwrap_or_default().to_string(),
            },
        );
        if late {
            return;
        }
        self.turn_at = at.or(self.turn_at);
        self.last_end_turn = ends_turn(m);
        self.last_error = (v["isApiErrorMessage"] == true)
            .then(|| v["error"].as_str().unwrap_or("api_error").to_string());
        let blocks = m["content"].as_array();
        let text = blocks
            .into_iter()
            .flatten()
            .find_map(|c| (c["type"] == "text").then(|| c["text"].as_str()).flatten());
        // One answer spans lines: its text stays its text.
        if let Some(x) = text {
            self.last_text = Some(x.to_string());
        } else if new {
            self.last_text = None;
        }
        if let Some(tool) = blocks
            .into_iter()
            .flatten()
            .rfind(|c| c["type"] == "tool_use")
        {
            let input = &tool["input"];
            let target: serde_json::Map<String, Value> =
                ["file_path", "notebook_path", "path", "command"]
                    .iter()
                    .filter_map(|k| Some((k.to_string(), input.get(*k)?.clone())))
                    .collect();
            let name = tool["name"].as_str().unwrap_or("tool").to_string();
            self.last_tool = Some((name, Value::Object(target)));
        }
    }
}

fn is_tool_result(v: &Value) -> bool {
    v["message"]["content"]
        .as_array()
        .is_some_and(|c| c.iter().any(|b| b["type"] == "tool_result"))
}

/// The messages of several transcripts, each message id once across all
/// of them (a forked session copies its parent's lines).
pub fn messages<'a>(ts: impl IntoIterator<Item = &'a Transcript>) -> Vec<&'a Msg> {
    let mut seen: HashMap<&str, &Msg> = HashMap::new();
    for t in ts {
        for (id, u) in &t.usage {
            seen.entry(id.as_str()).or_insert(u);
        }
    }
    seen.into_values().collect()
}

/// Sums the tokens of messages.
pub fn sum<'a>(msgs: impl IntoIterator<Item = &'a Msg>) -> Tokens {
    let mut sum = Tokens::default();
    for m in msgs {
        sum.add(m.tokens);
    }
    sum
}

/// Sums usage over transcripts, each message id once across all of them.
pub fn tokens<'a>(ts: impl IntoIterator<Item = &'a Transcript>) -> Tokens {
    sum(messages(ts))
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
    fn lines_written_with_spaces_count_too() {
        let t = parse(concat!(
            r#"{"type": "user", "sessionId": "s9", "cwd": "/w", "timestamp": "2026-11-22T09:00:00.000Z", "message": {"role": "user", "content": "go"}}"#,
            "\n",
            r#"{"type": "assistant", "timestamp": "2026-11-22T09:00:05.000Z", "message": {"id": "m1", "model": "claude-x", "stop_reason": "end_turn", "content": [{"type": "text", "text": "Hi \"there\""}], "usage": {"input_tokens": 7, "output_tokens": 1}}}"#,
            "\n"
        ));
        assert_eq!(t.session_id, "s9");
        assert_eq!(t.cwd.as_deref(), Some("/w"));
        assert_eq!(t.usage["m1"].tokens.input, 7);
        assert_eq!(t.usage["m1"].model, "claude-x");
        assert_eq!(t.last_text.as_deref(), Some("Hi \"there\""));
        assert_eq!(
            t.first_timestamp.as_deref(),
            Some("2026-11-22T09:00:00.000Z")
        );
        assert_eq!(
            t.last_timestamp.as_deref(),
            Some("2026-11-22T09:00:05.000Z")
        );
    }

    #[test]
    fn directory_names_follow_claude_code() {
        assert_eq!(
            project_dir_name(Path::new("/tmp/.tmpAb/w_x")),
            "-tmp--tmpAb-w-x"
        );
    }
}
