//! Entry points for the fuzz targets in `fuzz/` and for the test that
//! replays their saved inputs (`tests/it/fuzz_corpus.rs`). Each one takes raw
//! bytes the way the file would arrive, runs the reader and then the rules,
//! and panics only on a broken promise.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::Origin;
use crate::read::milestone::Reading;
use crate::read::yaml;

fn text(bytes: &[u8]) -> Option<String> {
    crate::read::file::decode(bytes).ok()
}

/// The rules over whatever milestones came out of a reader.
fn rules(ms: Vec<crate::model::Milestone>) {
    let n = ms.len();
    let views = crate::rules::evaluate(
        ms.into_iter().map(Arc::new).collect(),
        HashMap::new(),
        HashMap::new(),
        &crate::rules::Settings::default(),
        chrono::Utc::now(),
    );
    assert_eq!(views.len(), n);
    for v in &views {
        assert!(
            (0.0..=100.0).contains(&v.progress),
            "progress {} out of range",
            v.progress
        );
    }
}

/// A milestone file of any dialect.
pub fn milestone_yaml(bytes: &[u8]) {
    let Some(t) = text(bytes) else { return };
    let Ok(v) = yaml::parse(&t) else { return };
    if let Ok(Reading::Milestone(m)) =
        crate::read::milestone::classify(&v, Origin::Active, "f.yaml", "f")
    {
        rules(vec![*m]);
    }
}

/// A sequential runner's `milestone_status.yaml` and a task bundle.
pub fn bundle_yaml(bytes: &[u8]) {
    let Some(t) = text(bytes) else { return };
    let Ok(v) = yaml::parse(&t) else { return };
    let task = crate::read::bundle::task(&v, "TASK-1");
    let tasks = HashMap::from([("TASK-1".to_string(), task)]);
    let m = crate::read::bundle::read(&v, "M-Bundle", "b/milestone_status.yaml", &tasks);
    rules(vec![m]);
}

/// JSONL event log text, read whole and in two appended halves.
pub fn jsonl(bytes: &[u8]) {
    let t = String::from_utf8_lossy(bytes);
    let mut whole = crate::read::log::parse_text(&t, Some(1));
    whole.compact();
    let cut = (0..=t.len() / 2)
        .rev()
        .find(|&i| t.is_char_boundary(i))
        .unwrap_or(0);
    let first = crate::read::log::parse_text(&t[..cut], Some(1));
    let _ = first.extended(crate::read::log::parse_text(&t[cut..], None));
}

/// `.milestones/config/mdash.yaml`, keys included.
pub fn config(bytes: &[u8]) {
    let Some(t) = text(bytes) else { return };
    let (cfg, _) = crate::live::config::parse(&t);
    let _ = crate::app::keymap::Keymap::default().apply(&cfg.keys);
}

/// The fast YAML subset parser agrees with the full parser on every input
/// it accepts.
pub fn yaml_subset(bytes: &[u8]) {
    let Ok(t) = std::str::from_utf8(bytes) else {
        return;
    };
    if let (Some(fast), full) = yaml::both(t) {
        assert_eq!(Ok(fast), full.map_err(|e| e.message), "{t:?}");
    }
}
