//! Finds the bytes of one scalar value in YAML or JSON text, so an edit can
//! change exactly those bytes and nothing else. Pure; no IO.
//!
//! This is deliberately not a YAML parser: it walks the block and flow
//! structure far enough to find `a.b.c`, and refuses (with the reason)
//! whatever it cannot place with certainty: multi-line quoted or plain
//! scalars, complex keys, duplicate keys, sequences on the path. Whatever
//! it returns is checked afterwards by parsing the edited text.

mod flow;
#[cfg(test)]
mod tests;

use flow::flow_find;

/// How the value is written, which decides how a new one is put in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A plain scalar, an alias or a JSON literal (`null`, a number).
    Plain,
    /// Inside `"..."` or `'...'`: the span excludes the quotes.
    Quoted,
    /// The content of a `|` or `>` block scalar.
    Block,
    /// No value at all (`status:` then nothing): `start == end` is where a
    /// space and the value go.
    Empty,
}

/// The value's bytes: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub style: Style,
}

/// Where a mapping lives in the text.
#[derive(Debug, Clone, Copy)]
pub(super) enum Container {
    /// Block mapping on lines `from..to` (line indexes).
    Block { from: usize, to: usize },
    /// Flow mapping whose `{` is at this byte.
    Flow(usize),
}

struct Text<'a> {
    s: &'a str,
    /// (start, end without the line break) of each line.
    lines: Vec<(usize, usize)>,
}

impl<'a> Text<'a> {
    fn new(s: &'a str) -> Text<'a> {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            if b == b'\n' {
                let end = if i > start && s.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push((start, end));
                start = i + 1;
            }
        }
        if start < s.len() {
            let end = if s.ends_with('\r') {
                s.len() - 1
            } else {
                s.len()
            };
            lines.push((start, end));
        }
        Text { s, lines }
    }

    fn line(&self, i: usize) -> &'a str {
        let (a, b) = self.lines[i];
        &self.s[a..b]
    }

    fn indent(&self, i: usize) -> usize {
        let l = self.line(i);
        l.len() - l.trim_start_matches(' ').len()
    }

    /// Holds something other than blanks and a comment.
    fn content(&self, i: usize) -> bool {
        let t = self.line(i).trim_start_matches([' ', '\t']);
        !t.is_empty() && !t.starts_with('#')
    }
}

pub(super) fn refuse<T>(why: impl Into<String>) -> Result<T, String> {
    Err(why.into())
}

/// The value at `path`, `Ok(None)` when a key on the path is missing.
/// `json` picks the last of duplicate keys (as JSON readers do); in YAML
/// a duplicate is refused.
pub fn find(s: &str, path: &[&str], json: bool) -> Result<Option<Span>, String> {
    let t = Text::new(s);
    let mut cur = match top(&t)? {
        Some(c) => c,
        None => return Ok(None),
    };
    for (k, key) in path.iter().enumerate() {
        let last = k + 1 == path.len();
        let found = match cur {
            Container::Block { from, to } => block_find(&t, from, to, key)?,
            Container::Flow(pos) => flow_find(s, pos, key, json)?,
        };
        let Some(v) = found else { return Ok(None) };
        match (v, last) {
            (Found::Scalar(span), true) => return Ok(Some(span)),
            (Found::Scalar(_), false) => {
                return refuse(format!("`{key}` holds a scalar, not a mapping"));
            }
            (Found::Map(_), true) => return refuse(format!("`{key}` holds a mapping, not a word")),
            (Found::Map(c), false) => cur = c,
        }
    }
    Ok(None)
}

/// Where a new top-level key goes, and the document's kind: `(byte, flow)`.
/// Block documents: the start of the first content line (after a `---`
/// line, if any). Flow documents: just after the `{`.
pub fn insertion_point(s: &str) -> Result<(usize, bool), String> {
    let t = Text::new(s);
    match top(&t)? {
        Some(Container::Flow(pos)) => Ok((pos + 1, true)),
        Some(Container::Block { from, .. }) => Ok((t.lines[from].0, false)),
        None => Ok((s.len(), false)),
    }
}

pub(super) enum Found {
    Scalar(Span),
    Map(Container),
}

/// The document's top mapping.
fn top(t: &Text) -> Result<Option<Container>, String> {
    let mut i = 0;
    // Directives and a `---` start marker.
    while i < t.lines.len() {
        let l = t.line(i);
        if !t.content(i) || l.starts_with('%') {
            i += 1;
            continue;
        }
        if l == "---" || l.starts_with("--- #") {
            i += 1;
            continue;
        }
        if l.starts_with("---") {
            return refuse("the document starts on its `---` line");
        }
        break;
    }
    if i == t.lines.len() {
        return Ok(None);
    }
    let l = t.line(i).trim_start();
    if l.starts_with('{') {
        return Ok(Some(Container::Flow(t.lines[i].1 - l.len())));
    }
    if l.starts_with('[') || l.starts_with("- ") || l == "-" {
        return refuse("the document is a list, not a mapping");
    }
    // The mapping ends at a `...` or `---` marker (a second document).
    let to = (i..t.lines.len())
        .find(|&j| {
            let l = t.line(j);
            l == "..." || l.starts_with("---")
        })
        .unwrap_or(t.lines.len());
    Ok(Some(Container::Block { from: i, to }))
}

/// A key at the start of `l` (after indentation): its text and the byte
/// offset (within `l`) just after its colon.
fn key_of(l: &str) -> Result<(String, usize), String> {
    let b = l.as_bytes();
    if l.starts_with("? ") || l == "?" {
        return refuse("a complex (`?`) key");
    }
    let (key, mut i) = match b.first() {
        Some(b'"') => {
            let end = close_double(l, 0).ok_or("a quoted key that does not close")?;
            (l[1..end].to_string(), end + 1)
        }
        Some(b'\'') => {
            let end = close_single(l, 0).ok_or("a quoted key that does not close")?;
            (l[1..end].replace("''", "'"), end + 1)
        }
        _ => {
            let mut j = 0;
            loop {
                match l[j..].find(':') {
                    None => return refuse("a line that is not `key: value`"),
                    Some(p) => {
                        let at = j + p;
                        let next = b.get(at + 1).copied();
                        if matches!(next, None | Some(b' ') | Some(b'\t')) {
                            break (l[..at].trim_end().to_string(), at);
                        }
                        j = at + 1;
                    }
                }
            }
        }
    };
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if b.get(i) != Some(&b':') {
        return refuse("a key without a colon");
    }
    i += 1;
    if !matches!(b.get(i), None | Some(b' ') | Some(b'\t')) {
        return refuse("a colon not followed by a space");
    }
    Ok((key, i))
}

/// The index of the `"` closing the one at `open`, honouring `\` escapes.
pub(super) fn close_double(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index of the `'` closing the one at `open` (`''` is an escaped quote).
pub(super) fn close_single(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = open + 1;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Skips `&anchor` and `!tag` properties and blanks from byte `i` of `s`.
pub(super) fn skip_props(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    loop {
        while matches!(b.get(i), Some(b' ') | Some(b'\t')) {
            i += 1;
        }
        if matches!(b.get(i), Some(b'&') | Some(b'!')) {
            while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
        } else {
            return i;
        }
    }
}

/// Finds `key` in the block mapping on lines `from..to`.
fn block_find(t: &Text, from: usize, to: usize, key: &str) -> Result<Option<Found>, String> {
    let Some(first) = (from..to).find(|&i| t.content(i)) else {
        return Ok(None);
    };
    let ind = t.indent(first);
    let mut hit: Option<usize> = None;
    let mut i = first;
    while i < to {
        if !t.content(i) || t.indent(i) > ind {
            i += 1;
            continue;
        }
        if t.indent(i) < ind {
            break;
        }
        let l = &t.line(i)[ind..];
        if l.starts_with('\t') {
            return refuse(format!("line {}: a tab in the indentation", i + 1));
        }
        if l.starts_with("- ") || l == "-" {
            // A list indented like its key (`tasks:\n- a`): part of the
            // previous value.
            i += 1;
            continue;
        }
        let (k, _) = key_of(l).map_err(|e| format!("line {}: {e}", i + 1))?;
        if k == key {
            if hit.is_some() {
                return refuse(format!("line {}: `{key}` appears twice", i + 1));
            }
            hit = Some(i);
        }
        i += 1;
    }
    let Some(i) = hit else { return Ok(None) };
    // The value's own lines: those indented deeper, up to the next key.
    let end = (i + 1..to)
        .find(|&j| t.content(j) && t.indent(j) <= ind && !is_seq_item(t, j, ind))
        .unwrap_or(to);
    value_at(t, i, ind, end).map(Some)
}

fn is_seq_item(t: &Text, j: usize, ind: usize) -> bool {
    t.indent(j) == ind && {
        let l = &t.line(j)[ind..];
        l.starts_with("- ") || l == "-"
    }
}

/// The value of the key on line `i` (indented `ind`), whose own lines run
/// to `end`.
fn value_at(t: &Text, i: usize, ind: usize, end: usize) -> Result<Found, String> {
    let (ls, le) = t.lines[i];
    let line = &t.s[ls..le];
    let (_, after) = key_of(&line[ind..])?;
    let col = ind + after;
    let v = skip_props(line, col);
    let rest = &line[v..];
    let more: Vec<usize> = (i + 1..end).filter(|&j| t.content(j)).collect();
    let at = |off: usize| ls + off;
    if rest.is_empty() || rest.starts_with('#') {
        // The value, if any, is on the following lines.
        let blanks = line[col..].len() - line[col..].trim_start_matches([' ', '\t']).len();
        let Some(&c) = more.first() else {
            if v > col + blanks {
                // `status: &a` alone: a null with properties; not placed.
                return refuse("a value that is only an anchor or tag");
            }
            return Ok(Found::Scalar(Span {
                start: at(col),
                end: at(col),
                style: Style::Empty,
            }));
        };
        let cl = t.line(c);
        let ci = t.indent(c);
        let body = &cl[ci..];
        if body.starts_with('{') {
            return Ok(Found::Map(Container::Flow(t.lines[c].0 + ci)));
        }
        if body.starts_with('[') || body.starts_with("- ") || body == "-" {
            return refuse("a list");
        }
        if key_of(body).is_ok() {
            return Ok(Found::Map(Container::Block { from: c, to: end }));
        }
        if more.len() > 1 {
            return refuse("a value over several lines");
        }
        return scalar_in_line(cl, ci, t.lines[c].0).map(Found::Scalar);
    }
    match rest.as_bytes()[0] {
        b'{' => Ok(Found::Map(Container::Flow(at(v)))),
        b'[' => refuse("a list"),
        b'|' | b'>' => {
            let header =
                rest[1..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
            let header = header.trim_start_matches([' ', '\t']);
            if !header.is_empty() && !header.starts_with('#') {
                return refuse("a block scalar header with text after it");
            }
            // Every line up to `end` belongs to the block, blank ones too.
            let body: Vec<usize> = (i + 1..end)
                .filter(|&j| !t.line(j).trim().is_empty())
                .collect();
            let (Some(&f), Some(&l)) = (body.first(), body.last()) else {
                return refuse("an empty block scalar");
            };
            Ok(Found::Scalar(Span {
                start: t.lines[f].0 + t.indent(f),
                end: t.lines[l].1,
                style: Style::Block,
            }))
        }
        _ => {
            if !more.is_empty() {
                // A plain scalar continued on the next lines, or a quoted
                // one; either way more than this line.
                return refuse("a value over several lines");
            }
            scalar_in_line(line, v, ls).map(Found::Scalar)
        }
    }
}

/// A one-line scalar starting at byte `v` of `line` (which starts at byte
/// `base` of the text).
fn scalar_in_line(line: &str, v: usize, base: usize) -> Result<Span, String> {
    let b = line.as_bytes();
    let tail_ok = |from: usize| {
        let r = line[from..].trim_start_matches([' ', '\t']);
        r.is_empty() || r.starts_with('#')
    };
    match b.get(v) {
        Some(b'"') => {
            let c = close_double(line, v).ok_or("a quoted value over several lines")?;
            if !tail_ok(c + 1) {
                return refuse("text after a quoted value");
            }
            Ok(Span {
                start: base + v + 1,
                end: base + c,
                style: Style::Quoted,
            })
        }
        Some(b'\'') => {
            let c = close_single(line, v).ok_or("a quoted value over several lines")?;
            if !tail_ok(c + 1) {
                return refuse("text after a quoted value");
            }
            Ok(Span {
                start: base + v + 1,
                end: base + c,
                style: Style::Quoted,
            })
        }
        Some(b'{') | Some(b'[') => refuse("a collection, not a word"),
        Some(b'|') | Some(b'>') => refuse("a block scalar"),
        Some(_) => {
            // A plain scalar ends at ` #` (the blanks before a comment
            // stay) or at the end of the line (trailing blanks go with it).
            let comment =
                (v + 1..b.len()).find(|&j| b[j] == b'#' && matches!(b[j - 1], b' ' | b'\t'));
            let end = match comment {
                Some(c) => v + line[v..c].trim_end_matches([' ', '\t']).len(),
                None => line.len(),
            };
            Ok(Span {
                start: base + v,
                end: base + end,
                style: Style::Plain,
            })
        }
        None => refuse("no value"),
    }
}
