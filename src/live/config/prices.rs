//! `prices:` as `mdash check` judges it (the schema's `Kind::Map` judge):
//! model-name prefix to `{input, output, cache_read, cache_write}` in USD
//! per million tokens, each a number of at least 0. The agents' price
//! parser may replace `judge` in `schema::KEYS` with its own: any
//! `fn(&Value) -> Vec<(Vec<String>, String)>` (each problem with the keys
//! under `prices` that locate it, and its message).

use super::schema::shown;
use crate::read::doc;
use crate::read::yaml::Value;

/// `prices`: model-name prefix to `{input, output, cache_read, cache_write}`,
/// each a number of at least 0 (USD per million tokens).
pub fn judge(v: &Value) -> Vec<(Vec<String>, String)> {
    const FIELDS: [&str; 4] = ["input", "output", "cache_read", "cache_write"];
    let mut out = Vec::new();
    let Value::Mapping(m) = doc::untag(v) else {
        return vec![(Vec::new(), "a mapping of model-name prefixes".into())];
    };
    for (model, entry) in m {
        let Some(name) = doc::text(model) else {
            continue;
        };
        let Value::Mapping(e) = doc::untag(entry) else {
            out.push((
                vec![name.clone()],
                format!(
                    "prices.{name} is {}; expected a mapping of {}",
                    shown(entry),
                    FIELDS.join(", ")
                ),
            ));
            continue;
        };
        for (fk, fv) in e {
            let Some(f) = doc::text(fk) else { continue };
            let at = vec![name.clone(), f.clone()];
            if !FIELDS.contains(&f.as_str()) {
                out.push((
                    at,
                    crate::util::near::unknown(&format!("key in prices.{name}:"), &f, &FIELDS),
                ));
                continue;
            }
            let ok = matches!(doc::untag(fv), Value::Number(n) if n.as_f64().is_some_and(|x| x.is_finite() && x >= 0.0));
            if !ok {
                out.push((
                    at,
                    format!(
                        "prices.{name}.{f} is {}; expected a number of at least 0",
                        shown(fv)
                    ),
                ));
            }
        }
    }
    out
}
