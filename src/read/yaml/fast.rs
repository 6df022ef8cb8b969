//! A fast reader for the plain subset of YAML that milestone files are
//! written in: block mappings and sequences, one-line flow collections,
//! plain and one-line quoted scalars, literal and folded block scalars.
//!
//! It gives the same value the full parser gives, or `None` ("not mine")
//! as soon as it meets anything outside the subset: anchors, tags, aliases,
//! complex keys, multi-line plain or quoted scalars, tabs, odd indentation,
//! duplicate keys, or anything the full parser would reject. The full parser
//! then reads the file and reports any error with its position. It never
//! guesses; `tests` check it against the full parser.

use super::{Mapping, Value};

mod flow;
mod scalar;

use flow::*;
use scalar::*;

/// Deeper documents go to the full parser, which bounds recursion itself.
const MAX_DEPTH: usize = 48;

/// "Not in the subset": the caller falls back to the full parser.
struct Bail;

type R<T> = Result<T, Bail>;

/// Parses `text` when it lies inside the subset.
pub fn parse(text: &str) -> Option<Value> {
    if !acceptable_chars(text) {
        return None;
    }
    let (body, final_newline) = match text.strip_suffix('\n') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let mut p = Parser {
        lines: body
            .split('\n')
            .map(|l| {
                let content = l.trim_start_matches(' ');
                (l.len() - content.len(), content)
            })
            .collect(),
        at: 0,
        started: false,
        final_newline,
    };
    let (indent, _) = p.peek().ok()??;
    let v = p.block(indent, 0).ok()?;
    match p.peek() {
        Ok(None) => Some(v),
        _ => None,
    }
}

/// No tabs, carriage returns, control characters or the characters YAML
/// treats as line breaks or forbids.
fn acceptable_chars(text: &str) -> bool {
    let ascii_ok = text
        .bytes()
        .all(|b| b == b'\n' || (0x20..0x7f).contains(&b) || b >= 0x80);
    ascii_ok
        && (text.is_ascii()
            || text.chars().all(|c| {
                !matches!(
                    c,
                    '\u{7f}'
                        ..='\u{9f}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{feff}'
                            | '\u{fffe}'
                            | '\u{ffff}'
                )
            }))
}

struct Parser<'a> {
    /// Each line as (indentation in spaces, the rest).
    lines: Vec<(usize, &'a str)>,
    at: usize,
    /// A content line was seen (so `---` now ends the document).
    started: bool,
    /// The text ends with a line break.
    final_newline: bool,
}

fn is_blank_or_comment(content: &str) -> bool {
    content.is_empty() || content.starts_with('#')
}

fn is_seq_entry(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

impl<'a> Parser<'a> {
    /// The next line with content, not consumed; `None` at the end of the
    /// (first) document.
    fn peek(&mut self) -> R<Option<(usize, &'a str)>> {
        while let Some(&(indent, content)) = self.lines.get(self.at) {
            if is_blank_or_comment(content) {
                self.at += 1;
                continue;
            }
            if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
                let rest = &content[3..];
                if !(rest.is_empty() || rest.starts_with(" #")) || content.starts_with("...") {
                    return Err(Bail);
                }
                if self.started {
                    // The reader takes the first document only.
                    self.lines.truncate(self.at);
                    return Ok(None);
                }
                // A document has begun, even if it turns out empty.
                self.started = true;
                self.at += 1;
                continue;
            }
            if indent == 0 && content.starts_with('%') {
                return Err(Bail);
            }
            self.started = true;
            return Ok(Some((indent, content)));
        }
        Ok(None)
    }

    /// A block node whose first line is the next line, at `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> R<Value> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        match self.peek()? {
            Some((_, c)) if is_seq_entry(c) => self.sequence(indent, depth),
            Some(_) => self.mapping(indent, depth),
            None => Err(Bail),
        }
    }

    fn mapping(&mut self, n: usize, depth: usize) -> R<Value> {
        let mut m = Mapping::new();
        while let Some((indent, content)) = self.peek()? {
            if indent < n {
                break;
            }
            if indent > n || is_seq_entry(content) {
                return Err(Bail);
            }
            self.at += 1;
            let (key, rest) = split_key(content)?;
            let value = self.value(rest, n, depth, true)?;
            if m.insert(key, value).is_some() {
                // Duplicate keys are an error for the full parser.
                return Err(Bail);
            }
        }
        if m.is_empty() {
            return Err(Bail);
        }
        Ok(Value::Mapping(m))
    }

    fn sequence(&mut self, m: usize, depth: usize) -> R<Value> {
        let mut items = Vec::new();
        while let Some((indent, content)) = self.peek()? {
            if indent < m || (indent == m && !is_seq_entry(content)) {
                break;
            }
            if indent > m {
                return Err(Bail);
            }
            let rest = content[1..].trim_start_matches(' ');
            let col = m + (content.len() - rest.len());
            if !rest.is_empty() && !rest.starts_with('#') && looks_like_key(rest) {
                // `- key: value` opens a mapping at the key's column.
                self.lines[self.at] = (col, rest);
                items.push(self.mapping(col, depth + 1)?);
                continue;
            }
            self.at += 1;
            if is_seq_entry(rest) {
                return Err(Bail);
            }
            items.push(self.value(rest, m, depth, false)?);
        }
        Ok(Value::Sequence(items))
    }

    /// The value after `key:` or `- ` (`rest`, already past the spaces) in
    /// a collection at indentation `n`.
    fn value(&mut self, rest: &'a str, n: usize, depth: usize, in_mapping: bool) -> R<Value> {
        if rest.is_empty() || rest.starts_with('#') {
            return match self.peek()? {
                // A scalar alone on the next line: `key:` then `  text`.
                Some((indent, c))
                    if indent > n
                        && !is_seq_entry(c)
                        && !looks_like_key(c)
                        && !rest.starts_with('#') =>
                {
                    self.at += 1;
                    self.value(c, n, depth, false)
                }
                Some((indent, _)) if indent > n => self.block(indent, depth + 1),
                Some((indent, c)) if indent == n && in_mapping && is_seq_entry(c) => {
                    self.sequence(n, depth + 1)
                }
                _ => Ok(Value::Null),
            };
        }
        let v = match rest.as_bytes()[0] {
            b'|' | b'>' => return self.block_scalar(rest, n),
            b'"' | b'\'' => return self.quoted_lines(rest, n),
            b'[' | b'{' => {
                let mut f = Flow { s: rest, at: 0 };
                let v = f.node(depth + 1)?;
                end_of_value(&rest[f.at..])?;
                v
            }
            _ => {
                let (text, comment) = match rest.find(" #") {
                    Some(i) => (&rest[..i], true),
                    None => (rest, false),
                };
                let text = text.trim_end_matches(' ');
                if comment {
                    plain(text, false)?
                } else {
                    self.plain_lines(text, n)?
                }
            }
        };
        self.ends_here(n)?;
        Ok(v)
    }

    /// A node in a collection at indentation `n` ended on its line: a more
    /// indented line next would continue it (not in the subset).
    fn ends_here(&mut self, n: usize) -> R<()> {
        match self.peek()? {
            Some((indent, _)) if indent > n => Err(Bail),
            _ => Ok(()),
        }
    }

    /// A plain scalar that may go on over more indented lines (as PyYAML
    /// wraps long strings): lines joined by a space, empty lines kept as
    /// line breaks.
    fn plain_lines(&mut self, first: &str, n: usize) -> R<Value> {
        let mut folded: Option<String> = None;
        let mut blanks = 0;
        let mut at = self.at;
        while let Some(&(indent, content)) = self.lines.get(at) {
            if content.is_empty() {
                blanks += 1;
                at += 1;
                continue;
            }
            if indent <= n || content.starts_with('#') {
                break;
            }
            let text = content.trim_end_matches(' ');
            // Only a scalar's first character can be an indicator; a line
            // that goes on is text (`#` lines ended it above).
            if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
                return Err(Bail);
            }
            let out = folded.get_or_insert_with(|| first.to_string());
            fold(out, blanks);
            out.push_str(text);
            blanks = 0;
            at += 1;
            self.at = at;
        }
        match folded {
            None => plain(first, false),
            // Checked like a one-line scalar, then resolved (a folded
            // `1 2` is a string).
            Some(text) => {
                plain(first, false)?;
                resolve(&text)
            }
        }
    }

    /// A single- or double-quoted scalar, on one line or folded over more
    /// indented lines.
    fn quoted_lines(&mut self, first: &str, n: usize) -> R<Value> {
        let quote = first.as_bytes()[0];
        let mut out = String::new();
        let body = &first[1..];
        if let Some(after) = quoted_segment(body, quote, &mut out)? {
            end_of_value(after)?;
            self.ends_here(n)?;
            return Ok(Value::String(out));
        }
        // The first line's trailing spaces fold away; so do each later
        // line's leading and trailing ones.
        out.clear();
        if quoted_segment(body.trim_end_matches(' '), quote, &mut out)?.is_some() {
            return Err(Bail);
        }
        let mut blanks = 0;
        while let Some(&(indent, content)) = self.lines.get(self.at) {
            self.at += 1;
            if content.is_empty() {
                blanks += 1;
                continue;
            }
            if indent <= n {
                return Err(Bail);
            }
            fold(&mut out, blanks);
            blanks = 0;
            let closed = quoted_segment(content, quote, &mut out)?;
            if let Some(after) = closed {
                end_of_value(after)?;
                self.ends_here(n)?;
                return Ok(Value::String(out));
            }
            // Not closed: this line's trailing spaces fold away too.
            let kept = out.trim_end_matches(' ').len();
            out.truncate(kept);
        }
        Err(Bail)
    }

    /// `|` or `>` with optional chomping, then the indented lines below.
    fn block_scalar(&mut self, header: &str, n: usize) -> R<Value> {
        let literal = header.starts_with('|');
        let keep = match header[1..].trim_end_matches(' ') {
            "" => None,
            "-" => Some(false),
            "+" => Some(true),
            _ => return Err(Bail),
        };
        let Some(k) = self.lines[self.at..]
            .iter()
            .find(|(_, c)| !c.is_empty())
            .map(|&(i, _)| i)
        else {
            return Err(Bail);
        };
        if k <= n {
            return Err(Bail);
        }
        // (spaces past the indentation, text); empty text for empty lines.
        let mut body: Vec<(usize, &str)> = Vec::new();
        while let Some(&(indent, content)) = self.lines.get(self.at) {
            if content.is_empty() {
                // An all-space line longer than the indentation holds spaces.
                if indent > k {
                    return Err(Bail);
                }
                body.push((0, ""));
            } else if indent < k {
                break;
            } else if indent > k && !literal {
                // More indented lines fold differently; rare.
                return Err(Bail);
            } else {
                // Spaces past the block's indentation are content.
                body.push((indent - k, content));
            }
            self.at += 1;
        }
        if self.at == self.lines.len()
            && (!self.final_newline || body.last().is_some_and(|l| l.1.is_empty()))
        {
            // Line breaks at the very end of the file: the full parser's
            // business.
            return Err(Bail);
        }
        let last = body.iter().rposition(|l| !l.1.is_empty()).ok_or(Bail)?;
        let trailing = body.len() - 1 - last;
        let mut out = String::new();
        if literal {
            for (i, &(extra, l)) in body[..=last].iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.extend(std::iter::repeat_n(' ', extra));
                out.push_str(l);
            }
        } else {
            let mut blanks = 0usize;
            let mut seen = false;
            for &(_, l) in &body[..=last] {
                if l.is_empty() {
                    blanks += 1;
                    continue;
                }
                if seen {
                    if blanks == 0 {
                        out.push(' ');
                    }
                } else {
                    // Leading empty lines are line breaks.
                }
                for _ in 0..blanks {
                    out.push('\n');
                }
                blanks = 0;
                seen = true;
                out.push_str(l);
            }
        }
        match keep {
            None => out.push('\n'),
            Some(false) => {}
            Some(true) => {
                for _ in 0..=trailing {
                    out.push('\n');
                }
            }
        }
        Ok(Value::String(out))
    }
}

#[cfg(test)]
mod tests;
