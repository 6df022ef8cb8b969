//! `prices:` in `mdash.yaml` (SPEC §8.3): a model-name prefix maps to
//! `{input, output, cache_read, cache_write}` in US dollars per million
//! tokens, over the built-in defaults (`rules::cost`): the longest
//! matching configured prefix wins, and a model no configured prefix
//! matches takes the longest matching default. One function from the YAML value to the entries
//! and their problems, so that whatever reads the config can plug it in.

use crate::model::{Price, Prices};
use crate::read::doc;
use crate::read::yaml::Value;

/// The four prices an entry must give.
pub const FIELDS: [&str; 4] = ["input", "output", "cache_read", "cache_write"];

/// A bad entry: the path of keys to it (for its line) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<String>,
    pub message: String,
}

/// The entries of a `prices:` value, in file order, and the problems of
/// the bad ones (which are left out).
pub fn from_yaml(v: &Value) -> (Vec<(String, Price)>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let bad = |path: Vec<String>, message: String| Problem { path, message };
    let map = match doc::untag(v) {
        Value::Mapping(m) => m,
        Value::Null => return (out, problems),
        _ => {
            let msg = "prices is not a mapping; expected model-name prefixes, each with \
                       input, output, cache_read and cache_write in dollars per million tokens";
            problems.push(bad(vec!["prices".into()], msg.into()));
            return (out, problems);
        }
    };
    for (k, entry) in map {
        let Some(prefix) = doc::text(k).filter(|p| !p.is_empty()) else {
            let msg = "prices: a model-name prefix must be a non-empty text".to_string();
            problems.push(bad(vec!["prices".into()], msg));
            continue;
        };
        let at = vec!["prices".to_string(), prefix.clone()];
        let Value::Mapping(fields) = doc::untag(entry) else {
            let msg = format!(
                "prices.{prefix} is not a mapping; expected {{input, output, cache_read, cache_write}}"
            );
            problems.push(bad(at, msg));
            continue;
        };
        let mut vals = [None; 4];
        let mut ok = true;
        for (fk, fv) in fields {
            let name = doc::text(fk).unwrap_or_default();
            let mut path = at.clone();
            path.push(name.clone());
            let Some(i) = FIELDS.iter().position(|f| *f == name) else {
                let msg = format!(
                    "prices.{prefix}: unknown key {name:?}; expected input, output, cache_read, cache_write"
                );
                problems.push(bad(path, msg));
                ok = false;
                continue;
            };
            match number(fv).and_then(crate::rules::cost::micros) {
                Some(m) => vals[i] = Some(m),
                None => {
                    let msg = format!(
                        "prices.{prefix}.{name} is {}; expected a number of at least 0 (dollars per million tokens)",
                        super::schema::shown(fv)
                    );
                    problems.push(bad(path, msg));
                    ok = false;
                }
            }
        }
        let missing: Vec<&str> = FIELDS
            .iter()
            .zip(vals)
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| *f)
            .collect();
        if !missing.is_empty() && ok {
            let msg = format!("prices.{prefix} lacks {}", missing.join(", "));
            problems.push(bad(at, msg));
            continue;
        }
        if let (
            true,
            [
                Some(input),
                Some(output),
                Some(cache_read),
                Some(cache_write),
            ],
        ) = (ok, vals)
        {
            let p = Price {
                input,
                output,
                cache_read,
                cache_write,
            };
            out.push((prefix, p));
        }
    }
    (out, problems)
}

/// A number written as a number (not as text: `"3"` is a mistake).
fn number(v: &Value) -> Option<f64> {
    match doc::untag(v) {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// The price table: the defaults, then the entries of a `prices:` value
/// (the layered config's, read once per reload).
pub fn of(v: Option<&Value>) -> Prices {
    let mut prices = crate::rules::cost::defaults();
    for (prefix, p) in v.map(|v| from_yaml(v).0).unwrap_or_default() {
        prices.set(&prefix, p);
    }
    prices
}

/// `prices:` as the schema's `Kind::Map` judge sees it: each problem with
/// the keys under `prices` that locate it, and its message.
pub fn judge(v: &Value) -> Vec<(Vec<String>, String)> {
    from_yaml(v)
        .1
        .into_iter()
        .map(|p| (p.path.into_iter().skip(1).collect(), p.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<(String, Price)>, Vec<Problem>) {
        let v = crate::read::yaml::parse(text).expect("yaml");
        from_yaml(doc::get(&v, &["prices"]).expect("prices"))
    }

    #[test]
    fn entries_and_their_problems() {
        let (ok, bad) = parse(
            "prices:\n  claude-opus-4-8: {input: 5, output: 25, cache_read: 0.5, cache_write: 6.25}\n  \
             x: {input: 1, output: 2}\n  y: {input: \"1\", output: 2, cache_read: 0, cache_write: 0}\n  \
             z: 3\n",
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].0, "claude-opus-4-8");
        assert_eq!(ok[0].1.cache_write, 6_250_000);
        let paths: Vec<String> = bad.iter().map(|p| p.path.join(".")).collect();
        assert_eq!(paths, ["prices.x", "prices.y.input", "prices.z"]);
        assert!(bad[0].message.contains("lacks cache_read, cache_write"));
    }
}
