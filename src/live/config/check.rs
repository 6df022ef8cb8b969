//! Judges one config file against the schema (`schema::KEYS`): unknown
//! keys (with the closest known one), wrong types, values out of range
//! (clamped), each once with its file and line; what is usable comes back
//! beside the problems for the layering (`layers`). Pure: text in.

use std::path::Path;

use super::schema::{self, Key, Kind, Verdict};
use crate::model::Problem;
use crate::read::doc;
use crate::read::yaml::Value;
use crate::util::near::unknown;

/// Every problem of the config files, the `keys:` entries judged by
/// `judge` (the keymap's own rules), each with file and line.
pub fn problems(root: &Path, judge: impl Fn(&str, &[String]) -> Vec<String>) -> Vec<Problem> {
    let loaded = super::layers::read(root);
    let mut out = loaded.problems.clone();
    out.extend(key_problems(&loaded, judge));
    out
}

/// The problems of the `keys:` entries alone, judged by `judge`.
pub fn key_problems(
    loaded: &super::layers::Layered,
    judge: impl Fn(&str, &[String]) -> Vec<String>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (file, k) in &loaded.key_entries {
        for msg in judge(&k.action, &k.keys) {
            out.push(Problem::warning(file.clone(), msg).at(k.line, k.column));
        }
    }
    out
}

/// Every config file mdash reads for this workspace, checked: its
/// problems, and the `keys:` entries with the file they are in.
pub fn files(root: &Path) -> (Vec<Problem>, Vec<(String, KeyEntry)>) {
    let l = super::layers::read(root);
    (l.problems, l.key_entries)
}

/// A value a file gives that can be used (clamped when out of range).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub key: &'static str,
    pub value: Value,
    pub line: Option<usize>,
    /// The value as written, when it was clamped.
    pub clamped_from: Option<String>,
}

/// One file judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Judged {
    pub problems: Vec<Problem>,
    pub values: Vec<Accepted>,
    /// Keys given a value that was not usable (a lower layer applies).
    pub rejected: Vec<(&'static str, Option<usize>)>,
    pub keys: Vec<KeyEntry>,
}

/// Problems of a config file's text; `file` names it in each problem.
/// `keys:` entries come back in `keys` for the keymap to judge.
pub fn check(text: &str, file: &str) -> (Vec<Problem>, Vec<KeyEntry>) {
    let j = judge(text, file);
    (j.problems, j.keys)
}

/// Judges a config file's text against the schema.
pub fn judge(text: &str, file: &str) -> Judged {
    let mut out = Judged::default();
    let v = match super::wide::parse(text) {
        Ok(v) => v,
        Err(e) => {
            out.problems.push(
                Problem::error(file, format!("invalid YAML: {}", e.message)).at(e.line, e.column),
            );
            return out;
        }
    };
    let top = match doc::untag(&v) {
        Value::Mapping(m) => m,
        Value::Null => return out,
        _ => {
            out.problems.push(
                Problem::error(
                    file,
                    "expected a mapping of sections (agent:, keys:, git:, ...)",
                )
                .at(Some(1), Some(1)),
            );
            return out;
        }
    };
    let names = schema::sections();
    for (k, val) in top {
        let Some(section) = doc::text(k) else {
            continue;
        };
        let at = locate(text, &[&section]);
        if !names.contains(&section.as_str()) {
            out.problems
                .push(Problem::warning(file, unknown("section", &section, &names)).at(at.0, at.1));
            continue;
        }
        if let Some(key) = schema::find(&section) {
            one(&mut out, text, file, key, &[&section], val);
            continue;
        }
        let Value::Mapping(m) = doc::untag(val) else {
            if !matches!(doc::untag(val), Value::Null) {
                out.problems.push(
                    Problem::error(
                        file,
                        format!("{section} is {}; expected a mapping", schema::shown(val)),
                    )
                    .at(at.0, at.1),
                );
            }
            continue;
        };
        let known: Vec<&str> = schema::KEYS
            .iter()
            .filter(|k| k.section() == section)
            .filter_map(Key::field)
            .collect();
        for (fk, fv) in m {
            let Some(field) = doc::text(fk) else { continue };
            let Some(key) = schema::find(&format!("{section}.{field}")) else {
                let (l, c) = locate(text, &[&section, &field]);
                out.problems.push(
                    Problem::warning(file, unknown(&format!("key in {section}:"), &field, &known))
                        .at(l, c),
                );
                continue;
            };
            one(&mut out, text, file, key, &[&section, &field], fv);
        }
    }
    out
}

/// Judges one key's value: accepted, clamped (an error, the nearest
/// allowed value used) or rejected (an error per problem, at its line).
fn one(out: &mut Judged, text: &str, file: &str, key: &'static Key, path: &[&str], v: &Value) {
    let (l, c) = locate(text, path);
    if matches!(doc::untag(v), Value::Null) {
        return;
    }
    if let Kind::Keys = key.kind {
        match doc::untag(v) {
            Value::Mapping(m) => {
                for (a, kv) in m {
                    let Some(action) = doc::text(a) else { continue };
                    let (l, c) = locate(text, &["keys", &action]);
                    out.keys.push(KeyEntry {
                        action,
                        keys: key_list(kv),
                        line: l,
                        column: c,
                    });
                }
            }
            _ => out.problems.push(
                Problem::error(
                    file,
                    format!(
                        "keys is {}; expected {}",
                        schema::shown(v),
                        key.kind.expected()
                    ),
                )
                .at(l, c),
            ),
        }
        return;
    }
    match schema::judge(key.kind, v) {
        Verdict::Ok(value) => out.values.push(Accepted {
            key: key.name,
            value,
            line: l,
            clamped_from: None,
        }),
        Verdict::Clamped(value) => {
            let (Kind::Int { min, max }, Value::Number(n)) = (key.kind, &value) else {
                return;
            };
            out.problems.push(
                Problem::error(
                    file,
                    format!(
                        "{} is {}; allowed from {min} to {max}, so {n} is used",
                        key.name,
                        schema::shown(v)
                    ),
                )
                .at(l, c),
            );
            out.values.push(Accepted {
                key: key.name,
                value,
                line: l,
                clamped_from: Some(schema::shown(v)),
            });
        }
        Verdict::Bad(list) => {
            for (below, msg) in list {
                let (l, c) = if below.is_empty() {
                    (l, c)
                } else {
                    let mut p: Vec<&str> = path.to_vec();
                    p.extend(below.iter().map(String::as_str));
                    let at = locate(text, &p);
                    if at.0.is_some() { at } else { (l, c) }
                };
                // A judge's message about a key below this one stands as
                // written; about the value itself, it says what was expected.
                let msg = if !below.is_empty() || msg.starts_with(key.name) {
                    msg
                } else {
                    format!("{} is {}; expected {msg}", key.name, schema::shown(v))
                };
                out.problems.push(Problem::error(file, msg).at(l, c));
            }
            out.rejected.push((key.name, l));
        }
    }
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
    fn map_keys_are_judged_by_their_function_at_their_lines() {
        let t = "prices:\n  claude-opus:\n    input: -1\n    outptu: 3\n  gpt: 7\ncoordination:\n  path: ../../etc/x\n";
        let (p, _) = check(t, "f.yaml");
        let at: Vec<(Option<usize>, &str)> =
            p.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(p.len(), 4, "{at:?}");
        assert!(
            at.contains(&(
                Some(3),
                "prices.claude-opus.input is -1; expected a number of at least 0 (dollars per million tokens)"
            )),
            "{at:?}"
        );
        assert!(
            at.iter().any(|(l, m)| *l == Some(4)
                && m.contains("prices.claude-opus")
                && m.contains("\"outptu\"")),
            "{at:?}"
        );
        assert!(
            at.iter()
                .any(|(l, m)| *l == Some(5) && m.starts_with("prices.gpt is not a mapping")),
            "{at:?}"
        );
        assert!(
            at.iter()
                .any(|(l, m)| *l == Some(7) && m.contains("relative path inside")),
            "{at:?}"
        );
        let (cfg, _) = crate::live::config::parse(t);
        assert_eq!(cfg.coordination_path, ".milestones/coordination.db");
        let (cfg, p) = crate::live::config::parse(
            "coordination:\n  path: state/reg.db\nprices:\n  claude: {input: 3, output: 15, cache_read: 0.3, cache_write: 3.75}\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(cfg.coordination_path, "state/reg.db");
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
