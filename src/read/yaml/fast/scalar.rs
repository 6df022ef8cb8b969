//! Scalars of the fast path: plain words resolved as YAML 1.1 core types
//! the way serde_yaml does, quoted strings, and line folding.

use super::*;

/// Where a scalar goes on to its next line: a space, or one line break per
/// empty line between.
pub(super) fn fold(out: &mut String, blanks: usize) {
    if blanks == 0 {
        out.push(' ');
    }
    out.extend(std::iter::repeat_n('\n', blanks));
}

/// After a quoted or flow value: nothing but spaces and a comment.
pub(super) fn end_of_value(after: &str) -> R<()> {
    let t = after.trim_start_matches(' ');
    if t.is_empty() || (t.starts_with('#') && t.len() < after.len()) {
        Ok(())
    } else {
        Err(Bail)
    }
}

/// Whether `s` starts with `key: ` (or ends with `key:`), a plain or quoted key.
pub(super) fn looks_like_key(s: &str) -> bool {
    split_key(s).is_ok()
}

/// Splits `key: rest` into the key's value and the rest past the spaces.
pub(super) fn split_key(content: &str) -> R<(Value, &str)> {
    let (key, after) = if content.starts_with(['"', '\'']) {
        let (s, after) = quoted(content)?;
        (Value::String(s), after.trim_start_matches(' '))
    } else {
        let bytes = content.as_bytes();
        let colon = (0..bytes.len())
            .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|&b| b == b' '))
            .ok_or(Bail)?;
        let text = content[..colon].trim_end_matches(' ');
        if text.contains([':', '#', '[', ']', '{', '}', ',', '"', '\'']) {
            return Err(Bail);
        }
        (plain(text, false)?, &content[colon..])
    };
    let rest = after.strip_prefix(':').ok_or(Bail)?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(Bail);
    }
    Ok((key, rest.trim_start_matches(' ')))
}

/// A plain scalar, already cut at its end, resolved like the full parser:
/// null, booleans, integers, floats, else a string.
pub(super) fn plain(text: &str, flow: bool) -> R<Value> {
    let Some(&first) = text.as_bytes().first() else {
        return Err(Bail);
    };
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) {
        // Indicators; `-1`, `-.5` and `-x` are fine.
        let ok = first == b'-'
            && text
                .as_bytes()
                .get(1)
                .is_some_and(|&b| b != b' ' && b != b'-');
        if !ok {
            return Err(Bail);
        }
    }
    if text.contains(": ") || text.ends_with(':') || text.contains(" #") {
        return Err(Bail);
    }
    if flow && text.contains([':', '#', ',', '[', ']', '{', '}']) {
        return Err(Bail);
    }
    resolve(text)
}

pub(super) fn resolve(s: &str) -> R<Value> {
    Ok(match s {
        "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            let b = s.as_bytes()[0];
            if !(b.is_ascii_digit() || b == b'+' || b == b'-' || b == b'.') {
                return Ok(Value::String(s.to_string()));
            }
            if let Some(v) = unsigned(s) {
                return u64::try_from(v)
                    .map(|v| Value::Number(v.into()))
                    .map_err(|_| Bail);
            }
            if let Some(v) = negative(s) {
                return i64::try_from(v)
                    .map(|v| Value::Number(v.into()))
                    .map_err(|_| Bail);
            }
            if !digits_but_not_number(s)
                && let Some(f) = float(s)
            {
                return Ok(Value::Number(f.into()));
            }
            Value::String(s.to_string())
        }
    })
}

pub(super) const RADIX: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

pub(super) fn unsigned(s: &str) -> Option<u128> {
    let up = s.strip_prefix('+').unwrap_or(s);
    for (prefix, radix) in RADIX {
        if let Some(rest) = up.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(v) = u128::from_str_radix(rest, radix) {
                return Some(v);
            }
        }
    }
    if up.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    up.parse::<u128>().ok()
}

pub(super) fn negative(s: &str) -> Option<i128> {
    if let Some(rest) = s.strip_prefix('-') {
        for (prefix, radix) in RADIX {
            if let Some(digits) = rest.strip_prefix(prefix)
                && let Ok(v) = i128::from_str_radix(&format!("-{digits}"), radix)
            {
                return Some(v);
            }
        }
    }
    if digits_but_not_number(s) {
        return None;
    }
    s.parse::<i128>().ok()
}

pub(super) fn float(s: &str) -> Option<f64> {
    let up = match s.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => s,
    };
    if matches!(up, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(s, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    up.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A leading zero followed by digits is a string in YAML 1.2 (`007`).
pub(super) fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A quoted scalar at the start of `s`, closed on the same line; returns
/// the text and what follows the closing quote.
pub(super) fn quoted(s: &str) -> R<(String, &str)> {
    let mut out = String::new();
    match quoted_segment(&s[1..], s.as_bytes()[0], &mut out)? {
        Some(after) => Ok((out, after)),
        // Not closed on this line: a multi-line scalar.
        None => Err(Bail),
    }
}

/// Scans one line's part of a quoted scalar (`quote` is `"` or `'`) into
/// `out`, unescaping; returns what follows the closing quote, or `None`
/// when the line ends first.
pub(super) fn quoted_segment<'s>(seg: &'s str, quote: u8, out: &mut String) -> R<Option<&'s str>> {
    let mut chars = seg.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if quote == b'\'' => {
                if seg[i + 1..].starts_with('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Ok(Some(&seg[i + 1..]));
                }
            }
            '"' if quote == b'"' => return Ok(Some(&seg[i + 1..])),
            '\\' if quote == b'"' => {
                let (_, e) = chars.next().ok_or(Bail)?;
                match e {
                    '\\' | '"' | '/' => out.push(e),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let mut code = 0u32;
                        for _ in 0..4 {
                            let (_, h) = chars.next().ok_or(Bail)?;
                            code = code * 16 + h.to_digit(16).ok_or(Bail)?;
                        }
                        out.push(char::from_u32(code).ok_or(Bail)?);
                    }
                    _ => return Err(Bail),
                }
            }
            _ => out.push(c),
        }
    }
    Ok(None)
}
