//! The flow side of the locator: `{key: value, ...}` mappings and JSON
//! objects, possibly over several lines.

use super::{Container, Found, Span, Style, close_double, close_single, refuse, skip_props};

/// Skips blanks, line breaks and comments in flow context.
fn flow_ws(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
    i
}

/// The end (one past) of the flow collection opening at `open`.
fn skip_collection(s: &str, open: usize) -> Result<usize, String> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            b'"' => i = close_double(s, i).ok_or("a quote that does not close")?,
            b'\'' => i = close_single(s, i).ok_or("a quote that does not close")?,
            b'#' if matches!(
                b.get(i.wrapping_sub(1)),
                Some(b' ') | Some(b'\t') | Some(b'\n')
            ) =>
            {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    refuse("a flow collection that does not close")
}

/// A flow scalar at `i`: its span and the byte after it.
fn flow_scalar(s: &str, i: usize) -> Result<(Span, usize), String> {
    let b = s.as_bytes();
    match b.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let close = if q == b'"' {
                close_double
            } else {
                close_single
            };
            let c = close(s, i).ok_or("a quote that does not close")?;
            if s[i..c].contains('\n') {
                return refuse("a quoted value over several lines");
            }
            Ok((
                Span {
                    start: i + 1,
                    end: c,
                    style: Style::Quoted,
                },
                c + 1,
            ))
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b'\n' | b'\r') {
                if b[j] == b'#' && j > i && matches!(b[j - 1], b' ' | b'\t') {
                    break;
                }
                if b[j] == b':' && matches!(b.get(j + 1), Some(b' ') | Some(b'\t')) {
                    return refuse("a `:` inside a flow value");
                }
                j += 1;
            }
            let value = s[i..j].trim_end_matches([' ', '\t']);
            let after = flow_ws(s, j);
            if !matches!(b.get(after), Some(b',') | Some(b'}')) {
                return refuse("a flow value over several lines");
            }
            Ok((
                Span {
                    start: i,
                    end: i + value.len(),
                    style: Style::Plain,
                },
                j,
            ))
        }
    }
}

/// Finds `key` in the flow mapping opening at `open`.
pub(super) fn flow_find(
    s: &str,
    open: usize,
    key: &str,
    json: bool,
) -> Result<Option<Found>, String> {
    let b = s.as_bytes();
    let mut i = open + 1;
    let mut hit: Option<Found> = None;
    loop {
        i = flow_ws(s, i);
        match b.get(i) {
            None => return refuse("a flow mapping that does not close"),
            Some(b'}') => return Ok(hit),
            _ => {}
        }
        // The key.
        let (k, after) = match b[i] {
            b'"' => {
                let c = close_double(s, i).ok_or("a quoted key that does not close")?;
                (s[i + 1..c].to_string(), c + 1)
            }
            b'\'' => {
                let c = close_single(s, i).ok_or("a quoted key that does not close")?;
                (s[i + 1..c].replace("''", "'"), c + 1)
            }
            b'{' | b'[' | b'?' => return refuse("a complex key in a flow mapping"),
            _ => {
                let mut j = i;
                while j < b.len()
                    && !(b[j] == b':'
                        && matches!(
                            b.get(j + 1),
                            Some(b' ')
                                | Some(b'\t')
                                | Some(b'\n')
                                | Some(b'\r')
                                | Some(b',')
                                | Some(b'}')
                        ))
                {
                    if matches!(b[j], b',' | b'}' | b'\n' | b'{' | b'[' | b']') {
                        return refuse("a flow mapping entry without `key: value`");
                    }
                    j += 1;
                }
                (s[i..j].trim_end().to_string(), j)
            }
        };
        i = flow_ws(s, after);
        if b.get(i) != Some(&b':') {
            return refuse("a flow mapping entry without `key: value`");
        }
        i = skip_props(s, i + 1);
        i = flow_ws(s, i);
        let found;
        match b.get(i) {
            Some(b'{') => {
                found = Found::Map(Container::Flow(i));
                i = skip_collection(s, i)?;
            }
            Some(b'[') => {
                i = skip_collection(s, i)?;
                found = Found::Scalar(Span {
                    start: i,
                    end: i,
                    style: Style::Empty,
                });
                if k == key {
                    return refuse("a list");
                }
            }
            Some(b',') | Some(b'}') => {
                if k == key {
                    return refuse("an empty value in a flow mapping");
                }
                found = Found::Scalar(Span {
                    start: i,
                    end: i,
                    style: Style::Empty,
                });
            }
            _ => {
                let (span, next) = flow_scalar(s, i)?;
                found = Found::Scalar(span);
                i = next;
            }
        }
        if k == key {
            if hit.is_some() && !json {
                return refuse(format!("`{key}` appears twice"));
            }
            hit = Some(found);
        }
        i = flow_ws(s, i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {}
            _ => return refuse("a flow mapping entry not followed by `,` or `}`"),
        }
    }
}
