//! Checks mdash's own config files against what mdash knows: unknown keys
//! (with the closest known one), wrong types and bad values, each with its
//! file and line. Pure: text in, problems out (SPEC §7 `check` lines).

use std::path::Path;

use crate::model::Problem;
use crate::read::doc;
use crate::read::yaml::{self, Value};
use crate::util::near::unknown;

/// Every problem of the config files, the `keys:` entries judged by
/// `judge` (the keymap's own rules), each with file and line.
pub fn problems(root: &Path, judge: impl Fn(&str, &[String]) -> Vec<String>) -> Vec<Problem> {
    let (mut out, keys) = files(root);
    for (file, k) in keys {
        for msg in judge(&k.action, &k.keys) {
            out.push(Problem::warning(file.clone(), msg).at(k.line, k.column));
        }
    }
    out
}

/// Every config file mdash reads for this workspace, checked: the
/// workspace's `mdash.yaml` (through the fence) and the user's
/// `config.yaml`. `keys:` entries come back for the keymap to judge, with
/// the file they are in.
pub fn files(root: &Path) -> (Vec<Problem>, Vec<(String, KeyEntry)>) {
    let mut problems = Vec::new();
    let mut keys = Vec::new();
    let mut one = |name: String, text: Result<String, Problem>| match text {
        Ok(t) => {
            let (p, k) = check(&t, &name);
            problems.extend(p);
            keys.extend(k.into_iter().map(|k| (name.clone(), k)));
        }
        Err(p) => problems.push(p),
    };
    if let Some(t) = super::workspace_text(root) {
        one(super::FILE.to_string(), t);
    }
    if let Some(f) = super::agent::user_file().filter(|f| f.exists()) {
        let name = f.display().to_string();
        let text = crate::read::file::read_regular(&f)
            .map_err(|e| Problem::error(name.clone(), format!("cannot read: {e}")));
        one(name, text);
    }
    (problems, keys)
}

/// What a value must be.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A whole number in `min..=max`.
    Int(u64, u64),
    Bool,
    Text,
    OneOf(&'static [&'static str]),
    /// A list of strings (an argv).
    Argv,
    /// A mapping of names to strings.
    Env,
}

/// Every section and key mdash reads. Keys of other tools (`checks`,
/// `agent.kind`) are listed so that they are not reported.
const SCHEMA: &[(&str, &[(&str, Kind)])] = &[
    ("limits", &[("max_file_bytes", Kind::Int(1, u64::MAX))]),
    ("blockers", &[("long_task_minutes", Kind::Int(0, u64::MAX))]),
    (
        "git",
        &[
            ("base_branch", Kind::Text),
            ("refresh_secs", Kind::Int(1, u64::MAX)),
        ],
    ),
    (
        "notify",
        &[
            ("bell", Kind::Bool),
            ("tmux", Kind::Bool),
            ("desktop", Kind::Bool),
            ("cooldown_secs", Kind::Int(0, u64::MAX)),
        ],
    ),
    ("keys", &[]),
    (
        "agent",
        &[
            ("command", Kind::Argv),
            ("resume_command", Kind::Argv),
            ("cwd", Kind::OneOf(&["worktree", "workspace"])),
            ("env", Kind::Env),
            ("backend", Kind::OneOf(&["process", "tmux"])),
            ("max_concurrent", Kind::Int(1, 64)),
            ("stop_grace_secs", Kind::Int(0, 3600)),
            ("create_worktree", Kind::Bool),
            ("kind", Kind::OneOf(&["claude"])),
            ("ended_after_minutes", Kind::Int(1, u64::MAX)),
        ],
    ),
    ("checks", &[("command", Kind::Argv)]),
    ("prices", &[]),
];

/// Problems of a config file's text; `file` names it in each problem.
/// `keys:` entries come back in `keys` for the keymap to judge, each with
/// its line.
pub fn check(text: &str, file: &str) -> (Vec<Problem>, Vec<KeyEntry>) {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let v = match yaml::parse(text) {
        Ok(v) => v,
        Err(e) => {
            out.push(
                Problem::error(file, format!("invalid YAML: {}", e.message)).at(e.line, e.column),
            );
            return (out, keys);
        }
    };
    let top = match doc::untag(&v) {
        Value::Mapping(m) => m,
        Value::Null => return (out, keys),
        _ => {
            out.push(
                Problem::error(
                    file,
                    "expected a mapping of sections (agent:, keys:, git:, ...)",
                )
                .at(Some(1), Some(1)),
            );
            return (out, keys);
        }
    };
    let names: Vec<&str> = SCHEMA.iter().map(|(s, _)| *s).collect();
    for (k, val) in top {
        let Some(section) = doc::text(k) else {
            continue;
        };
        let at = locate(text, &[&section]);
        let Some((_, fields)) = SCHEMA.iter().find(|(s, _)| *s == section) else {
            out.push(Problem::warning(file, unknown("section", &section, &names)).at(at.0, at.1));
            continue;
        };
        let Value::Mapping(m) = doc::untag(val) else {
            if !matches!(doc::untag(val), Value::Null) {
                out.push(
                    Problem::error(
                        file,
                        format!("{section} is {}; expected a mapping", shown(val)),
                    )
                    .at(at.0, at.1),
                );
            }
            continue;
        };
        if section == "prices" {
            // Its own rules (SPEC §8.3), each bad entry at its line.
            for p in super::prices::from_yaml(val).1 {
                let path: Vec<&str> = p.path.iter().map(String::as_str).collect();
                let (l, c) = locate(text, &path);
                out.push(Problem::error(file, p.message).at(l, c));
            }
            continue;
        }
        if section == "keys" {
            for (a, kv) in m {
                let Some(action) = doc::text(a) else { continue };
                let (l, c) = locate(text, &["keys", &action]);
                keys.push(KeyEntry {
                    action,
                    keys: key_list(kv),
                    line: l,
                    column: c,
                });
            }
            continue;
        }
        let known: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
        for (fk, fv) in m {
            let Some(field) = doc::text(fk) else { continue };
            let (l, c) = locate(text, &[&section, &field]);
            let Some((_, kind)) = fields.iter().find(|(f, _)| *f == field) else {
                out.push(
                    Problem::warning(file, unknown(&format!("key in {section}:"), &field, &known))
                        .at(l, c),
                );
                continue;
            };
            if let Some(why) = bad_value(*kind, fv) {
                out.push(
                    Problem::error(
                        file,
                        format!("{section}.{field} is {}; expected {why}", shown(fv)),
                    )
                    .at(l, c),
                );
            }
        }
    }
    (out, keys)
}

/// One `keys:` entry as written, for the keymap to check.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyEntry {
    pub action: String,
    pub keys: Vec<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

fn key_list(v: &Value) -> Vec<String> {
    match doc::untag(v) {
        Value::Sequence(s) => s.iter().filter_map(doc::text).collect(),
        other => doc::text(other).into_iter().collect(),
    }
}

fn shown(v: &Value) -> String {
    match doc::untag(v) {
        Value::Mapping(_) => "a mapping".into(),
        Value::Sequence(_) => "a list".into(),
        Value::Null => "empty".into(),
        other => format!("{:?}", doc::display(other).unwrap_or_default()),
    }
}

/// Why `v` is not a `kind`, or None when it is.
fn bad_value(kind: Kind, v: &Value) -> Option<String> {
    let v = doc::untag(v);
    match kind {
        Kind::Int(min, max) => {
            let ok = doc::number(v)
                .is_some_and(|f| f.fract() == 0.0 && f >= min as f64 && f <= max as f64);
            (!ok).then(|| {
                if max == u64::MAX {
                    format!("a whole number of at least {min}")
                } else {
                    format!("a whole number from {min} to {max}")
                }
            })
        }
        Kind::Bool => doc::boolean(v).is_none().then(|| "true or false".into()),
        Kind::Text => (!matches!(v, Value::String(_))).then(|| "a string".into()),
        Kind::OneOf(opts) => {
            let ok = matches!(v, Value::String(s) if opts.contains(&s.as_str()));
            (!ok).then(|| format!("one of {}", opts.join(", ")))
        }
        Kind::Argv => {
            let ok = matches!(v, Value::Sequence(s) if !s.is_empty() && s.iter().all(|x| matches!(doc::untag(x), Value::String(_) | Value::Number(_))));
            (!ok).then(|| "a non-empty list of strings, e.g. [my-agent, \"{id}\"]".into())
        }
        Kind::Env => {
            let ok = matches!(v, Value::Mapping(m) if m.iter().all(|(k, x)| matches!(k, Value::String(_)) && matches!(doc::untag(x), Value::String(_) | Value::Number(_) | Value::Bool(_))));
            (!ok).then(|| "a mapping of names to strings".into())
        }
    }
}

/// The 1-based line and column of the key at `path` (block style; for a
/// flow mapping, the first `key:` after its parent's line).
pub fn locate(text: &str, path: &[&str]) -> (Option<usize>, Option<usize>) {
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut parent_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.is_empty() || t.starts_with('#') || t.starts_with("- ") || t == "-" {
            continue;
        }
        let indent = raw.len() - t.len();
        let Some(key) = key_of(t) else { continue };
        while stack.last().is_some_and(|(d, _)| *d >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        let here: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
        if here == path {
            return (Some(i + 1), Some(indent + 1));
        }
        if path.len() > 1 && here == path[..path.len() - 1] {
            parent_line = i;
        }
    }
    let Some(last) = path.last() else {
        return (None, None);
    };
    // A flow mapping (`agent: {comand: [echo]}`): search after the parent.
    for (i, l) in text.lines().enumerate().skip(parent_line) {
        for pat in [
            format!("{last}:"),
            format!("\"{last}\":"),
            format!("'{last}':"),
        ] {
            if let Some(c) = l.find(&pat).filter(|&c| {
                c == 0 || !l[..c].ends_with(|ch: char| ch.is_alphanumeric() || ch == '_')
            }) {
                return (Some(i + 1), Some(c + 1));
            }
        }
    }
    (None, None)
}

fn key_of(t: &str) -> Option<String> {
    let (k, _) = if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find('"')?;
        return rest[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| rest[..end].to_string());
    } else if let Some(rest) = t.strip_prefix('\'') {
        let end = rest.find('\'')?;
        return rest[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| rest[..end].to_string());
    } else {
        t.split_once(':')?
    };
    let k = k.trim();
    (!k.is_empty() && !k.contains(['{', '[', ' '])).then(|| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_types_and_values_with_lines() {
        let t = "agent:\n  comand: [echo]\n  max_concurrent: \"lots\"\n  backend: screen\nkeys:\n  frobnicate: [z]\n";
        let (p, keys) = check(t, "f.yaml");
        let lines: Vec<(Option<usize>, &str)> =
            p.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(2) && m.contains("\"command\"")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(3) && m.contains("max_concurrent")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(4) && m.contains("process, tmux")),
            "{lines:?}"
        );
        assert_eq!(keys[0].action, "frobnicate");
        assert_eq!(keys[0].line, Some(6));
    }

    #[test]
    fn flow_style_is_located() {
        let t = "agent: {comand: [echo], backend: screen}\n";
        let (p, _) = check(t, "f.yaml");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|p| p.line == Some(1)));
        assert_eq!(p[0].column, Some(9));
    }
}
