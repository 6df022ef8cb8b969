//! Typed lookups in loosely typed documents.
//!
//! Agents write numbers as strings (`"20%"`), leave template placeholders
//! (`"${MILESTONE_ID}"`, `"$(date ...)"`) and write `"null"` or `""` for
//! nothing. Every accessor here reads those as *missing* rather than failing.

use crate::read::yaml::Value;

/// Looks through YAML tags (`!foo x` reads as `x`).
pub fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => untag(&t.value),
        other => other,
    }
}

/// Follows a path of mapping keys.
pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = untag(v);
    for key in path {
        cur = untag(cur.as_mapping()?.get(*key)?);
    }
    match cur {
        Value::Null => None,
        other => Some(other),
    }
}

/// A placeholder or an explicit "nothing" written as a string.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("null")
        || t.eq_ignore_ascii_case("none")
        || t == "~"
        || t.contains("${")
        || t.starts_with("$(")
}

/// A scalar as text: strings (unless placeholders), numbers and booleans.
pub fn text(v: &Value) -> Option<String> {
    match untag(v) {
        Value::String(s) if !is_placeholder(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    get(v, path).and_then(text)
}

/// The first path that holds text.
pub fn first_text(v: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| text_at(v, p))
}

/// A number, also from strings such as `"20%"`, `" 3 "` or `"0.5"`.
pub fn number(v: &Value) -> Option<f64> {
    let n = match untag(v) {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if !is_placeholder(s) => {
            let t = s.trim().trim_end_matches('%').trim();
            t.parse::<f64>().ok()
        }
        _ => None,
    }?;
    n.is_finite().then_some(n)
}

pub fn number_at(v: &Value, path: &[&str]) -> Option<f64> {
    get(v, path).and_then(number)
}

pub fn first_number(v: &Value, paths: &[&[&str]]) -> Option<f64> {
    paths.iter().find_map(|p| number_at(v, p))
}

/// Counts beyond this are not task counts but garbage; they are capped so
/// that sums of them cannot overflow.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// A count: a non-negative number, or the length of a list.
pub fn count(v: &Value) -> Option<u64> {
    let n = match untag(v) {
        Value::Sequence(s) => s.len() as u64,
        other => number(other)?.max(0.0).round() as u64,
    };
    Some(n.min(MAX_COUNT))
}

pub fn boolean(v: &Value) -> Option<bool> {
    match untag(v) {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A list of ids: a sequence of scalars (or of mappings with an `id`), or a
/// single scalar, or a comma-separated string.
pub fn id_list(v: &Value) -> Vec<String> {
    match untag(v) {
        Value::Sequence(items) => items
            .iter()
            .filter_map(|i| text(i).or_else(|| text_at(i, &["id"])))
            .collect(),
        Value::String(s) if !is_placeholder(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !is_placeholder(s))
            .map(str::to_string)
            .collect(),
        other => text(other).into_iter().collect(),
    }
}

pub use crate::model::normalize_word;

/// One entry as a line of text, for recorded blockers and log details.
pub fn display(v: &Value) -> Option<String> {
    match untag(v) {
        Value::Null => None,
        Value::Sequence(items) => {
            let parts: Vec<String> = items.iter().filter_map(display).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Mapping(m) => {
            let parts: Vec<String> = m
                .iter()
                .filter_map(|(k, v)| Some(format!("{}: {}", text(k)?, display(v)?)))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::yaml;

    fn doc(s: &str) -> Value {
        yaml::parse(s).expect("test yaml")
    }

    #[test]
    fn placeholders_read_as_missing() {
        let v = doc("a: \"${MILESTONE_ID}\"\nb: \"$(date -u)\"\nc: \"null\"\nd: \"\"\ne: x\n");
        for k in ["a", "b", "c", "d"] {
            assert_eq!(text_at(&v, &[k]), None, "{k}");
        }
        assert_eq!(text_at(&v, &["e"]).as_deref(), Some("x"));
    }

    #[test]
    fn numbers_arrive_as_strings() {
        let v = doc("a: \"20%\"\nb: \"3\"\nc: 2.5\nd: lots\ne: .nan\n");
        assert_eq!(number_at(&v, &["a"]), Some(20.0));
        assert_eq!(number_at(&v, &["b"]), Some(3.0));
        assert_eq!(number_at(&v, &["c"]), Some(2.5));
        assert_eq!(number_at(&v, &["d"]), None);
        assert_eq!(number_at(&v, &["e"]), None);
    }

    #[test]
    fn id_lists_in_every_shape() {
        let v = doc("a: [x, 2, {id: y}, \"\"]\nb: \"p, q\"\nc: z\n");
        assert_eq!(id_list(get(&v, &["a"]).expect("a")), ["x", "2", "y"]);
        assert_eq!(id_list(get(&v, &["b"]).expect("b")), ["p", "q"]);
        assert_eq!(id_list(get(&v, &["c"]).expect("c")), ["z"]);
    }
}
