//! The verdict on one value of a kind: usable, clamped into its bounds,
//! or rejected with why; and how a message quotes a value.

use super::Kind;
use crate::read::doc;
use crate::read::yaml::Value;

/// The verdict on one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok(Value),
    /// Out of range: this is the nearest allowed value.
    Clamped(Value),
    /// Not usable; each problem with the keys below that locate it.
    Bad(Vec<(Vec<String>, String)>),
}

/// Judges `v` as a value of `kind`.
pub fn judge(kind: Kind, v: &Value) -> Verdict {
    let v = doc::untag(v);
    let bad = |why: String| Verdict::Bad(vec![(Vec::new(), why)]);
    match kind {
        Kind::Int { min, max } => match v {
            Value::Number(n) if n.as_u64().is_some() || n.as_i64().is_some() => {
                let x = n.as_u64().unwrap_or(0);
                let c = x.clamp(min, max);
                if c == x && n.as_u64().is_some() {
                    Verdict::Ok(Value::Number(x.into()))
                } else {
                    Verdict::Clamped(Value::Number(c.into()))
                }
            }
            // Beyond u64 (YAML reads it as a float) or negative floats.
            Value::Number(n)
                if n.as_f64()
                    .is_some_and(|f| f.is_finite() && f.fract() == 0.0) =>
            {
                let f = n.as_f64().unwrap_or(0.0);
                let c = if f < min as f64 { min } else { max };
                Verdict::Clamped(Value::Number(c.into()))
            }
            // Agents write numbers as strings: a whole number in quotes counts.
            Value::String(s) if s.trim().parse::<u64>().is_ok() => {
                let x = s.trim().parse::<u64>().unwrap_or(0);
                let c = x.clamp(min, max);
                if c == x {
                    Verdict::Ok(Value::Number(x.into()))
                } else {
                    Verdict::Clamped(Value::Number(c.into()))
                }
            }
            _ => bad(kind.expected()),
        },
        Kind::Bool => match doc::boolean(v) {
            Some(b) => Verdict::Ok(Value::Bool(b)),
            None => bad(kind.expected()),
        },
        Kind::Text => match v {
            Value::String(s) if !doc::is_placeholder(s) => Verdict::Ok(v.clone()),
            _ => bad(kind.expected()),
        },
        Kind::OneOf(opts) => match v {
            Value::String(s) if opts.contains(&s.as_str()) => Verdict::Ok(v.clone()),
            _ => bad(kind.expected()),
        },
        Kind::Argv => match v {
            Value::Sequence(s)
                if !s.is_empty()
                    && s.iter().all(|x| match doc::untag(x) {
                        Value::String(w) => !w.contains('\0'),
                        Value::Number(_) => true,
                        _ => false,
                    }) =>
            {
                // A process needs a program to run: an empty one is unset.
                if doc::text(&s[0]).is_some_and(|p| !p.is_empty()) {
                    Verdict::Ok(v.clone())
                } else {
                    bad(format!("{}; its program is empty", kind.expected()))
                }
            }
            Value::Sequence(s) if !s.is_empty() => {
                bad(format!("{}, each without a NUL byte", kind.expected()))
            }
            _ => bad(kind.expected()),
        },
        Kind::Env => match v {
            Value::Mapping(m)
                if m.iter().all(|(k, x)| {
                    matches!(k, Value::String(n) if env_name(n))
                        && match doc::untag(x) {
                            Value::String(s) => !s.contains('\0'),
                            Value::Number(_) | Value::Bool(_) => true,
                            _ => false,
                        }
                }) =>
            {
                Verdict::Ok(v.clone())
            }
            Value::Mapping(_) => bad(format!(
                "{}: each name not empty and without `=` or a NUL byte, each value without a NUL byte",
                kind.expected()
            )),
            _ => bad(kind.expected()),
        },
        Kind::RelPath => match v {
            Value::String(s) if inside(s) => Verdict::Ok(v.clone()),
            _ => bad(kind.expected()),
        },
        Kind::Keys => match v {
            Value::Mapping(_) => Verdict::Ok(v.clone()),
            _ => bad(kind.expected()),
        },
        Kind::Map(f) => match v {
            Value::Mapping(_) => {
                let p = f(v);
                if p.is_empty() {
                    Verdict::Ok(v.clone())
                } else {
                    Verdict::Bad(p)
                }
            }
            _ => bad(kind.expected()),
        },
    }
}

/// A name a process environment can hold.
fn env_name(n: &str) -> bool {
    !n.is_empty() && !n.contains(['=', '\0'])
}

/// A relative path with no `..`, not empty, not absolute.
fn inside(s: &str) -> bool {
    let p = std::path::Path::new(s);
    !s.trim().is_empty()
        && !p.is_absolute()
        && p.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// A value as a message quotes it: numbers and booleans as written,
/// strings in quotes.
pub fn shown(v: &Value) -> String {
    match doc::untag(v) {
        Value::Mapping(_) => "a mapping".into(),
        Value::Sequence(_) => "a list".into(),
        Value::Null => "empty".into(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Tagged(_) => "a tagged value".into(),
    }
}
