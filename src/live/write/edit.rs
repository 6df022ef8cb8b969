//! A milestone's status edit as bytes in, bytes out: the one value the
//! reader takes as the raw status (SPEC §2) is replaced where it is written,
//! every other byte kept (BOM, line ends, comments, quotes, JSON numbers).
//! The result is parsed again and must equal the old document with only
//! that value changed; anything else is refused, never rewritten.

use crate::read::doc;
use crate::read::yaml::{self, Value};

use super::locate::{self, Style};

/// Where the reader looks for the raw status, in its order (SPEC §2).
pub const STATUS_PATHS: [&[&str]; 4] = [
    &["status"],
    &["metadata", "status"],
    &["milestone", "status"],
    &["milestone_state", "metadata", "status"],
];

/// Why an edit was not made.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The text is not (yet) a readable milestone: empty, cut short, or not
    /// valid YAML / JSON. An agent may be rewriting it; try again later.
    Unreadable(String),
    /// The file reads, but its status cannot be changed in place without
    /// touching other bytes or values.
    Layout(String),
}

/// The edited bytes (the same bytes when the status is already `status`)
/// and the milestone id the file states (`None`: it states none).
pub fn with_status(
    bytes: &[u8],
    json: bool,
    status: &str,
) -> Result<(Vec<u8>, Option<String>), Refusal> {
    with_status_in(bytes, json, &[], status)
}

/// `with_status` for a milestone held under `within` (the JSON state
/// store's `state:`): the status paths are looked up below it.
pub fn with_status_in(
    bytes: &[u8],
    json: bool,
    within: &[&str],
    status: &str,
) -> Result<(Vec<u8>, Option<String>), Refusal> {
    if status.is_empty()
        || !status
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
        || status.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Refusal::Layout(format!(
            "\"{status}\" is not a status word"
        )));
    }
    let old = parse(bytes, json)?;
    if !matches!(doc::untag(&old), Value::Mapping(_)) {
        return Err(Refusal::Unreadable("it is not a mapping".into()));
    }
    let id = crate::read::milestone::id_of(&old).or_else(|| doc::text_at(&old, &["milestone_id"]));
    // As the reader: the wrapper when it is there, else the whole document.
    let within: &[&str] = if doc::get(&old, within).is_some() {
        within
    } else {
        &[]
    };
    let full =
        |p: &[&str]| -> Vec<String> { within.iter().chain(p).map(|s| s.to_string()).collect() };
    let inner = doc::get(&old, within).unwrap_or(&old);
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = std::str::from_utf8(&bytes[bom..])
        .map_err(|_| Refusal::Unreadable("it is not UTF-8".into()))?;
    // The path the reader takes: the first that holds text, else the first
    // whose key is there (empty or a placeholder), else a new top-level key.
    let path = STATUS_PATHS
        .iter()
        .find(|p| doc::text_at(inner, p).is_some())
        .or_else(|| STATUS_PATHS.iter().find(|p| present(inner, p)));
    if let Some(p) = path
        && doc::text_at(inner, p).as_deref() == Some(status)
    {
        return Ok((bytes.to_vec(), id));
    }
    let path: Option<Vec<String>> = path.map(|p| full(p));
    let path: Option<Vec<&str>> = path
        .as_ref()
        .map(|p| p.iter().map(String::as_str).collect());
    let layout = |e: String| Refusal::Layout(e);
    let (start, end, put) = match &path {
        Some(p) => {
            let p = p.as_slice();
            let span = locate::find(text, p, json)
                .map_err(layout)?
                .ok_or_else(|| layout(format!("cannot find `{}` in the text", p.join("."))))?;
            // A status word needs no quotes in YAML: a quoted value is
            // written plain, quotes included in what is replaced. JSON keeps
            // its quotes (and gets them where the value was `null`).
            match span.style {
                Style::Plain if json => (span.start, span.end, format!("\"{status}\"")),
                Style::Quoted if !json => (span.start - 1, span.end + 1, status.to_string()),
                Style::Plain | Style::Quoted | Style::Block => {
                    (span.start, span.end, status.to_string())
                }
                Style::Empty => (span.start, span.end, format!(" {status}")),
            }
        }
        None if !within.is_empty() => {
            return Err(layout(format!(
                "`{}` has no status key to change",
                within.join(".")
            )));
        }
        None => {
            let (at, flow) = locate::insertion_point(text).map_err(layout)?;
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let empty = text[at..].trim_start().starts_with('}');
            let key = if json {
                format!("\"status\": \"{status}\"")
            } else {
                format!("status: {status}")
            };
            // A mapping laid out one key a line gets a line of its own,
            // indented like the first key.
            let after = &text[at..];
            let next_line = after
                .strip_prefix("\r\n")
                .or_else(|| after.strip_prefix('\n'));
            let put = match (flow, empty, next_line) {
                (true, true, _) => key,
                (true, false, Some(rest)) => {
                    let indent = &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()];
                    format!("{eol}{indent}{key},")
                }
                (true, false, None) => format!("{key}, "),
                (false, _, _) => format!("{key}{eol}"),
            };
            (at, at, put)
        }
    };
    let mut out = Vec::with_capacity(bytes.len() + put.len());
    out.extend_from_slice(&bytes[..bom + start]);
    out.extend_from_slice(put.as_bytes());
    out.extend_from_slice(&bytes[bom + end..]);
    let path = path.unwrap_or_else(|| vec!["status"]);
    verify(&old, &out, json, &path, within, status).map_err(layout)?;
    Ok((out, id))
}

/// The key is there, whatever its value.
fn present(v: &Value, path: &[&str]) -> bool {
    let mut cur = doc::untag(v);
    for k in path {
        match cur.as_mapping().and_then(|m| m.get(*k)) {
            Some(next) => cur = doc::untag(next),
            None => return false,
        }
    }
    true
}

/// Parses as the reader does (BOM and CRLF accepted; JSON by its own parser).
fn parse(bytes: &[u8], json: bool) -> Result<Value, Refusal> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Refusal::Unreadable(
            "it is empty (an agent may be rewriting it)".into(),
        ));
    }
    let text = crate::read::file::decode(bytes)
        .map_err(|(l, c, m)| Refusal::Unreadable(format!("line {l}, column {c}: {m}")))?;
    if json {
        serde_json::from_str::<serde_json::Value>(&text)
            .map(yaml::from_json)
            .map_err(|e| Refusal::Unreadable(format!("invalid JSON: {e}")))
    } else {
        yaml::parse(&text).map_err(|e| {
            Refusal::Unreadable(match (e.line, e.column) {
                (Some(l), Some(c)) => format!("line {l}, column {c}: {}", e.message),
                _ => e.message,
            })
        })
    }
}

/// Sets `path` to `to`, creating the last key if needed.
fn set(v: &mut Value, path: &[&str], to: Value) -> bool {
    let mut cur = v;
    for (i, k) in path.iter().enumerate() {
        while let Value::Tagged(t) = cur {
            cur = &mut t.value;
        }
        let Value::Mapping(m) = cur else { return false };
        if i + 1 == path.len() {
            m.insert(yaml::string(k), to);
            return true;
        }
        match m.get_mut(*k) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    false
}

/// The value at `path`, null included.
fn raw<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = doc::untag(v);
    for k in path {
        cur = doc::untag(cur.as_mapping()?.get(*k)?);
    }
    Some(cur)
}

/// The edited text reads as the old document with only `path` changed, and
/// the reader now takes `status` from it.
fn verify(
    old: &Value,
    new: &[u8],
    json: bool,
    path: &[&str],
    within: &[&str],
    status: &str,
) -> Result<(), String> {
    let got = parse(new, json).map_err(|e| match e {
        Refusal::Unreadable(m) | Refusal::Layout(m) => {
            format!("the edited text would not parse ({m})")
        }
    })?;
    // The new value as written (a tag it kept, the line break a `|` block
    // keeps) must read as the status; everything else must be as it was.
    let put = raw(&got, path)
        .filter(|v| doc::text(v).as_deref() == Some(status))
        .ok_or_else(|| format!("`{}` would not read as \"{status}\"", path.join(".")))?;
    let mut want = old.clone();
    if !set(&mut want, path, put.clone()) {
        return Err(format!("`{}` is not inside mappings", path.join(".")));
    }
    // Compare the documents whole: any other difference refuses the edit.
    if got != want {
        return Err(
            "changing its bytes would change other values too (an anchor, an alias or a merge key?)"
                .into(),
        );
    }
    let inner = if within.is_empty() {
        Some(&got)
    } else {
        doc::get(&got, within)
    };
    let raw = inner.and_then(|v| doc::first_text(v, &STATUS_PATHS));
    if raw.as_deref() != Some(status) {
        return Err(format!(
            "after the edit the status would read {raw:?}, not \"{status}\""
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
