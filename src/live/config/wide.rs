//! Whole numbers too wide for 64 bits. The YAML parser refuses the whole
//! file for one (`integer ... as u128`), which would drop every other
//! setting and say nothing of the key's range; the config reads such a
//! number as the float it is, so only its own key is judged (and clamped).

use std::borrow::Cow;

use crate::read::yaml::{self, SyntaxError, Value};

/// At most this many too-wide numbers are widened (each costs a parse).
const MAX_WIDENED: usize = 16;

/// Parses `text`, reading each integer beyond 64 bits as a float.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut text = Cow::Borrowed(text);
    let mut first = None;
    for _ in 0..=MAX_WIDENED {
        match yaml::parse(&text) {
            Err(e) => match widen(&text, &e) {
                Some(t) => {
                    first.get_or_insert(e);
                    text = Cow::Owned(t);
                }
                None => return Err(first.unwrap_or(e)),
            },
            ok => return ok,
        }
    }
    Err(first.unwrap_or_else(|| SyntaxError {
        line: None,
        column: None,
        message: "too many numbers beyond 64 bits".into(),
    }))
}

/// `text` with the too-wide integer `e` points at made a float (`.0`
/// appended), when that is what `e` is about.
fn widen(text: &str, e: &SyntaxError) -> Option<String> {
    if !(e.message.contains("as u128") || e.message.contains("as i128")) {
        return None;
    }
    let (line, column) = (e.line?, e.column?);
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let row = text[start..].split('\n').next()?;
    let at = start + row.char_indices().nth(column.checked_sub(1)?)?.0;
    let rest = &text[at..];
    let sign = usize::from(rest.starts_with(['-', '+']));
    let digits = rest[sign..].bytes().take_while(u8::is_ascii_digit).count();
    let end = at + sign + digits;
    let after = text[end..].chars().next();
    if digits == 0 || after.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_') {
        return None;
    }
    Some(format!("{}.0{}", &text[..end], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::doc;

    #[test]
    fn a_number_beyond_64_bits_is_read_as_a_float_and_the_rest_kept() {
        let t = "agent:\n  max_concurrent: 99999999999999999999\n  stop_grace_secs: [-9223372036854775809]\n  cwd: workspace\n";
        assert!(yaml::parse(t).is_err());
        let v = parse(t).expect("parsed");
        let n = doc::get(&v, &["agent", "max_concurrent"]).expect("key");
        assert!(
            matches!(n, Value::Number(n) if n.as_f64() == Some(1e20)),
            "{n:?}"
        );
        assert_eq!(
            doc::get(&v, &["agent", "cwd"])
                .and_then(doc::text)
                .as_deref(),
            Some("workspace")
        );
        // Other errors stand as they are.
        assert!(parse("a: [\n").is_err());
        assert!(parse("a: \"99999999999999999999\"\n").is_ok());
    }
}
