//! `mdash config`: every key of the schema with its effective value and
//! where that value came from (`default`, `user FILE:LINE`, `workspace
//! FILE:LINE`). A value a file gave but that was rejected is never shown
//! as coming from that file; a clamped one says so.

use super::Loaded;
use super::layers::{Origin, Setting};
use super::schema::Kind;
use super::trust::shown_arg;
use crate::read::doc;
use crate::read::yaml::Value;

/// One row: key, value, origin (unescaped: the caller escapes).
pub fn rows(loaded: &Loaded) -> Vec<(String, String, String)> {
    loaded
        .layered
        .settings
        .iter()
        .map(|s| (s.key.name.to_string(), value(loaded, s), origin(s)))
        .collect()
}

fn at(file: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

/// Where the value came from, in words.
pub fn origin(s: &Setting) -> String {
    let mut out = match &s.origin {
        Origin::Default => "default".to_string(),
        Origin::User { file, line } => format!("user {}", at(file, *line)),
        Origin::Workspace { file, line } => format!("workspace {}", at(file, *line)),
    };
    if let Some(c) = &s.clamped_from {
        out.push_str(&format!(" (clamped from {c})"));
    }
    // A file's value that was not used: say so, never claim it.
    let ignored: Vec<String> = s.rejected.iter().map(|(f, l)| at(f, *l)).collect();
    if !ignored.is_empty() {
        out.push_str(&format!(
            " (rejected at {}: see mdash check)",
            ignored.join(", ")
        ));
    }
    out
}

fn value(loaded: &Loaded, s: &Setting) -> String {
    let agent = &loaded.agent;
    match s.key.name {
        // Decided from other keys when not set.
        "agent.backend" => return agent.backend.as_str().to_string(),
        "agent.kind" if s.value.is_none() => {
            return if agent.claude {
                "claude (from the command)".into()
            } else {
                "none".into()
            };
        }
        _ => {}
    }
    let Some(v) = &s.value else {
        return s.key.default_shown().to_string();
    };
    match (s.key.kind, doc::untag(v)) {
        (Kind::Argv, Value::Sequence(items)) => items
            .iter()
            .filter_map(doc::text)
            .map(|a| shown_arg(&a))
            .collect::<Vec<_>>()
            .join(" "),
        (Kind::Env, Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| Some(format!("{}={}", doc::text(k)?, shown_arg(&doc::text(v)?))))
            .collect::<Vec<_>>()
            .join(" "),
        (Kind::Map(_), Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, _)| doc::text(k))
            .collect::<Vec<_>>()
            .join(", "),
        (Kind::Keys, Value::Mapping(m)) => format!("{} overridden", m.len()),
        (_, other) => doc::text(other).unwrap_or_default(),
    }
}
