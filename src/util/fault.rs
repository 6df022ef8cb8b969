//! Fault injection for the test suite. In debug builds,
//! `MDASH_FAULT=<point>` panics at that point every time it is reached and
//! `MDASH_FAULT=<point>:<n>` only the n-th time. Release builds compile it
//! to nothing.

/// Panics here when the environment asks for it (debug builds only).
pub fn point(name: &str) {
    #[cfg(debug_assertions)]
    {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static SPEC: OnceLock<Option<(String, Option<u64>)>> = OnceLock::new();
        static HITS: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);
        let spec = SPEC.get_or_init(|| {
            let v = std::env::var("MDASH_FAULT").ok()?;
            Some(match v.split_once(':') {
                Some((p, n)) => (p.to_string(), n.parse().ok()),
                None => (v, None),
            })
        });
        let Some((point, nth)) = spec else { return };
        if point != name {
            return;
        }
        let hit = {
            let mut hits = HITS.lock().unwrap_or_else(|p| p.into_inner());
            let n = hits
                .get_or_insert_with(HashMap::new)
                .entry(name.to_string())
                .or_insert(0);
            *n += 1;
            *n
        };
        if nth.is_none_or(|n| n == hit) {
            panic!("injected fault at {name} (hit {hit})");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
