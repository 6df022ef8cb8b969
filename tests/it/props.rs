//! Property tests: arbitrary bytes and arbitrary YAML values through every
//! reader and the rules. Nothing panics, and the numbers stay in range.

use std::collections::HashMap;

use milestone_dash::model::{Milestone, Origin};
use milestone_dash::read::milestone::{Reading, classify};
use milestone_dash::read::yaml::{self, Mapping, Value};
use milestone_dash::read::{bundle, file, log, session};
use milestone_dash::rules::{self, Settings};
use proptest::prelude::*;

const KEYS: &[&str] = &[
    "id",
    "milestone_id",
    "title",
    "name",
    "status",
    "stage",
    "metadata",
    "milestone",
    "milestone_state",
    "tasks",
    "phases",
    "kiro_configuration",
    "phase_weights",
    "kiro_workflow",
    "enabled",
    "design",
    "spec",
    "task",
    "execute",
    "weight",
    "progress",
    "percentage",
    "phase_progress",
    "by_phase",
    "overall",
    "dependencies",
    "requires",
    "enables",
    "blocks",
    "depends_on",
    "blockers",
    "started_at",
    "blocked_reason",
    "total_tasks",
    "completed_tasks",
    "failed_task",
    "current_task",
    "task_sequence",
    "milestones",
];
const WORDS: &[&str] = &[
    "done",
    "in_progress",
    "waiting_approval",
    "blocked",
    "in_review",
    "planned",
    "failed",
    "${X}",
    "$(date)",
    "null",
    "",
    "20%",
    "-5",
    "1e309",
    "a",
    "b",
    "2a",
    "2026-01-01T00:00:00Z",
    "approved",
    "NaN",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_map(|f| Value::Number(f.into())),
        prop::sample::select(WORDS).prop_map(yaml::string),
        ".{0,12}".prop_map(|s: String| Value::String(s)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                let mut m = Mapping::new();
                for (k, v) in kv {
                    m.insert(yaml::string(k), v);
                }
                Value::Mapping(m)
            }),
        ]
    })
}

fn check_rules(ms: Vec<Milestone>) {
    let now = chrono::Utc::now();
    let views = rules::evaluate(
        ms.into_iter().map(std::sync::Arc::new).collect(),
        HashMap::new(),
        HashMap::new(),
        &Settings::default(),
        now,
    );
    for v in views {
        assert!(
            (0.0..=100.0).contains(&v.progress),
            "progress {}",
            v.progress
        );
        assert!(v.phases.is_empty() || v.phases.len() == 4);
        for p in &v.phases {
            assert!((0.0..=1.0).contains(&p.fraction), "fraction {}", p.fraction);
        }
        assert!(
            v.tasks
                .completed
                .saturating_add(v.tasks.in_progress)
                .saturating_add(v.tasks.failed)
                <= v.tasks.total
                || v.milestone.bundle.is_some()
                || v.milestone.tasks.is_empty()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(text) = file::decode(&bytes) {
            if let Ok(v) = yaml::parse(&text) {
                let mut ms = Vec::new();
                if let Ok(Reading::Milestone(m)) = classify(&v, Origin::Active, "p.yaml", "p") {
                    ms.push(*m);
                }
                ms.push(bundle::read(&v, "b", "b.yaml", &HashMap::new()));
                let _ = session::read(&v, "s", "s.yaml");
                check_rules(ms);
            }
            let _ = log::parse_text(&text, Some(1));
        }
        let _ = log::parse_text(&String::from_utf8_lossy(&bytes), None);
    }

    #[test]
    fn arbitrary_yaml_values_never_panic(vals in prop::collection::vec(value(), 1..6)) {
        let mut ms = Vec::new();
        for (i, v) in vals.iter().enumerate() {
            if let Ok(Reading::Milestone(m)) = classify(v, Origin::Active, "p.yaml", &format!("m{i}")) {
                ms.push(*m);
            }
            ms.push(bundle::read(v, &format!("b{i}"), "b.yaml", &HashMap::new()));
            let _ = session::read(v, "s", "s.yaml");
            // Round trip through text too: what we can write, we can read.
            if let Ok(text) = yaml::to_string(v) {
                prop_assert!(yaml::parse(&text).is_ok());
            }
        }
        check_rules(ms);
    }

    #[test]
    fn arbitrary_jsonl_lines_are_counted_not_fatal(lines in prop::collection::vec("[{}\\[\\]\":,a-z0-9 \\\\]{0,40}", 0..40)) {
        let text = lines.join("\n");
        let r = log::parse_text(&text, Some(1));
        prop_assert!(r.events.len() + r.invalid <= lines.len());
    }
}
