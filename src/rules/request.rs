//! What a waiting agent asks, as lines to review (issue 19): a Write as a
//! diff against the file on disk (or "new file" and its first lines), an
//! Edit as a diff of its old and new strings, a Bash command with its
//! description, anything else as its tool and compact JSON. Pure: the file
//! on disk is read by the caller. Nothing from the agent reaches a terminal
//! raw: control characters are dropped here.

pub mod menu;
mod shown;
mod wrap;

use crate::model::{LineKind, Request};

/// At most this many lines of a side are diffed (LCS is quadratic).
const MAX_DIFF_LINES: usize = 1500;
/// A new file shows this many of its first lines.
const NEW_FILE_LINES: usize = 40;
/// A preview holds at most this many lines (issue 24 item 11)…
pub const MAX_LINES: usize = 2000;
/// …and this many characters in all: the rest is counted, not kept.
pub const MAX_CHARS: usize = 256 * 1024;

/// The file on disk that a Write would replace, as the caller found it.
pub enum OnDisk {
    Missing,
    Text(String),
    /// Not read, and why (outside the workspace, too large, not text).
    Unread(String),
}

fn clean(s: &str) -> String {
    s.replace('\t', "    ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn head(s: String) -> (LineKind, String) {
    (LineKind::Head, clean(&s))
}

/// The path the request writes or edits, if any.
pub fn target(req: &Request) -> Option<&str> {
    req.input["file_path"]
        .as_str()
        .or_else(|| req.input["notebook_path"].as_str())
}

pub fn preview(req: &Request, disk: OnDisk) -> Vec<(LineKind, String)> {
    let shown = |p: &str| {
        p.strip_prefix(req.cwd.as_str())
            .map(|r| r.trim_start_matches('/'))
            .filter(|r| !r.is_empty())
            .unwrap_or(p)
            .to_string()
    };
    let input = &req.input;
    match req.tool.as_str() {
        "Write" => {
            let path = target(req).map(shown).unwrap_or_default();
            let new = input["content"].as_str().unwrap_or_default();
            match disk {
                OnDisk::Missing => {
                    let mut out = vec![head(format!("Write {path} (new file)"))];
                    out.extend(
                        new.lines()
                            .take(NEW_FILE_LINES)
                            .map(|l| (LineKind::Added, clean(l))),
                    );
                    let more = new.lines().count().saturating_sub(NEW_FILE_LINES);
                    if more > 0 {
                        out.push(head(format!("… {more} more lines")));
                    }
                    out
                }
                OnDisk::Text(old) => {
                    let mut out = vec![head(format!("Write {path}"))];
                    out.extend(diff(&old, new));
                    out
                }
                OnDisk::Unread(why) => {
                    let mut out = vec![head(format!("Write {path} ({why})"))];
                    out.extend(new.lines().map(|l| (LineKind::Added, clean(l))));
                    out
                }
            }
        }
        "Edit" => {
            let path = target(req).map(shown).unwrap_or_default();
            let mut out = vec![head(format!("Edit {path}"))];
            out.extend(diff(
                input["old_string"].as_str().unwrap_or_default(),
                input["new_string"].as_str().unwrap_or_default(),
            ));
            out
        }
        "MultiEdit" => {
            let path = target(req).map(shown).unwrap_or_default();
            let mut out = vec![head(format!("MultiEdit {path}"))];
            for e in input["edits"].as_array().into_iter().flatten() {
                out.extend(diff(
                    e["old_string"].as_str().unwrap_or_default(),
                    e["new_string"].as_str().unwrap_or_default(),
                ));
            }
            out
        }
        "Bash" => {
            let mut out: Vec<_> = input["command"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .map(|l| head(format!("$ {l}")))
                .collect();
            if let Some(d) = input["description"].as_str() {
                out.push((LineKind::Context, clean(d)));
            }
            out
        }
        tool => {
            let mut out = vec![head(tool.to_string())];
            out.extend(fields(input));
            out
        }
    }
}

/// A JSON input one line per field (issue 24 item 9): `key: value`, a
/// string's further lines below it, anything else as compact JSON.
fn fields(input: &serde_json::Value) -> Vec<(LineKind, String)> {
    let Some(map) = input.as_object() else {
        return vec![(LineKind::Context, clean(&input.to_string()))];
    };
    let mut out = Vec::new();
    for (k, v) in map {
        match v.as_str() {
            Some(text) => {
                let mut lines = text.lines();
                let first = lines.next().unwrap_or_default();
                out.push((LineKind::Context, clean(&format!("{k}: {first}"))));
                out.extend(lines.map(|l| (LineKind::Context, clean(&format!("  {l}")))));
            }
            None => out.push((LineKind::Context, clean(&format!("{k}: {v}")))),
        }
    }
    out
}

/// The preview cut to `MAX_LINES` lines and `MAX_CHARS` characters, and
/// how many lines were left out: computed once, when the request is read.
pub fn cap(mut lines: Vec<(LineKind, String)>) -> (Vec<(LineKind, String)>, usize) {
    let mut chars = 0;
    let keep = lines
        .iter()
        .position(|(_, l)| {
            chars += l.len();
            chars > MAX_CHARS
        })
        .unwrap_or(lines.len())
        .min(MAX_LINES);
    let more = lines.len() - keep;
    lines.truncate(keep);
    (lines, more)
}

/// The first line a request adds (else removes) with text, signed (`+two`),
/// else the command's first line: what the agent's own screen must show
/// too.
pub fn first_change(lines: &[(LineKind, String)]) -> Option<String> {
    let of = |kind: LineKind, sign: char| {
        lines
            .iter()
            .find(|(k, l)| *k == kind && !l.trim().is_empty())
            .map(|(_, l)| format!("{sign}{l}"))
    };
    of(LineKind::Added, '+')
        .or_else(|| of(LineKind::Removed, '-'))
        .or_else(|| {
            lines
                .iter()
                .find_map(|(_, l)| l.strip_prefix("$ ").map(str::to_string))
        })
}

/// A line diff (longest common subsequence): removed lines, then added
/// ones, between the lines both sides keep.
pub fn diff(old: &str, new: &str) -> Vec<(LineKind, String)> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_DIFF_LINES || b.len() > MAX_DIFF_LINES {
        let mut out: Vec<_> = a.iter().map(|l| (LineKind::Removed, clean(l))).collect();
        out.extend(b.iter().map(|l| (LineKind::Added, clean(l))));
        return out;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((LineKind::Context, clean(a[i])));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push((LineKind::Removed, clean(a[i])));
            i += 1;
        } else {
            out.push((LineKind::Added, clean(b[j])));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineKind::*;
    use serde_json::json;

    fn req(tool: &str, input: serde_json::Value) -> Request {
        Request {
            session_id: "s".into(),
            tool: tool.into(),
            input,
            cwd: "/w".into(),
        }
    }

    #[test]
    fn a_write_is_a_diff_against_the_disk() {
        let r = req(
            "Write",
            json!({"file_path": "/w/a.txt", "content": "one\ntwo\nthree\n"}),
        );
        let p = preview(&r, OnDisk::Text("one\n2\nthree\n".into()));
        assert_eq!(
            p,
            [
                (Head, "Write a.txt".to_string()),
                (Context, "one".into()),
                (Removed, "2".into()),
                (Added, "two".into()),
                (Context, "three".into())
            ]
        );
        let p = preview(&r, OnDisk::Missing);
        assert_eq!(p[0], (Head, "Write a.txt (new file)".to_string()));
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn commands_and_others_are_shown_plainly() {
        let r = req(
            "Bash",
            json!({"command": "npm test\u{1b}[2J", "description": "Run tests"}),
        );
        assert_eq!(
            preview(&r, OnDisk::Missing),
            [
                (Head, "$ npm test[2J".to_string()),
                (Context, "Run tests".into())
            ]
        );
        let r = req(
            "WebFetch",
            json!({"url": "https://x", "prompt": "a\nb", "n": 2}),
        );
        assert_eq!(
            preview(&r, OnDisk::Missing)[1..],
            [
                (Context, "url: https://x".to_string()),
                (Context, "prompt: a".into()),
                (Context, "  b".into()),
                (Context, "n: 2".into())
            ]
        );
        let r = req(
            "Edit",
            json!({"file_path": "/w/b", "old_string": "x", "new_string": "y"}),
        );
        assert_eq!(preview(&r, OnDisk::Missing).len(), 3);
    }

    #[test]
    fn a_huge_request_is_capped_once() {
        let content: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
        let r = req("Write", json!({"file_path": "/w/big", "content": content}));
        let (lines, more) = cap(preview(&r, OnDisk::Unread("x".into())));
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(more, 10_001 - MAX_LINES);
        let one = "x".repeat(MAX_CHARS + 10);
        let (lines, more) = cap(vec![(Head, "a".into()), (Added, one)]);
        assert_eq!((lines.len(), more), (1, 1));
    }

    #[test]
    fn the_first_change_is_what_the_screen_must_show() {
        let r = req(
            "Write",
            json!({"file_path": "/w/a", "content": "one\ntwo\n"}),
        );
        let p = preview(&r, OnDisk::Text("one\n".into()));
        assert_eq!(first_change(&p).as_deref(), Some("+two"));
        let p = preview(&r, OnDisk::Text("zero\n".into()));
        assert_eq!(first_change(&p).as_deref(), Some("+one"));
        let r = req("Bash", json!({"command": "rm -rf x\nls"}));
        assert_eq!(
            first_change(&preview(&r, OnDisk::Missing)).as_deref(),
            Some("rm -rf x")
        );
    }
}
