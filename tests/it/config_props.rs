//! The config rules over arbitrary settings (proptest): no value panics,
//! every whole number ends within its bounds, every problem has its line,
//! and the rules' time arithmetic saturates with whatever was configured.

use milestone_dash::live::config::{self, check, schema};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        Just("1e400".to_string()),
        Just("99999999999999999999999999".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-9223372036854775809".to_string()),
        Just("-0".to_string()),
        "[a-z]{0,6}".prop_map(|s| format!("\"{s}\"")),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("[a, 1, true]".to_string()),
        Just("{x: 1}".to_string()),
        Just("~".to_string()),
        Just("[]".to_string()),
    ]
}

fn settings() -> impl Strategy<Value = Vec<(usize, String)>> {
    proptest::collection::vec((0..schema::KEYS.len(), value()), 0..12)
}

fn text(picks: &[(usize, String)]) -> String {
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut by_section: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (i, v) in picks {
        let k = &schema::KEYS[*i];
        if !seen.insert(k.name) {
            continue;
        }
        let (s, f) = (k.section(), k.field().unwrap_or(""));
        match by_section.iter_mut().find(|(n, _)| *n == s) {
            Some((_, list)) => list.push((f, v)),
            None => by_section.push((s, vec![(f, v)])),
        }
    }
    for (s, fields) in by_section {
        if fields.iter().any(|(f, _)| f.is_empty()) {
            out.push_str(&format!("{s}: {}\n", fields[0].1));
            continue;
        }
        out.push_str(&format!("{s}:\n"));
        for (f, v) in fields {
            out.push_str(&format!("  {f}: {v}\n"));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any settings at all: parsing never panics, every whole number
    /// ends within its bounds, every problem has its line, the rules
    /// run with them (their time arithmetic saturates), and a key is
    /// reported at most once.
    #[test]
    fn arbitrary_settings_are_bounded_located_and_safe(picks in settings()) {
        let t = text(&picks);
        let (cfg, problems) = config::parse(&t);
        for p in &problems {
            prop_assert!(p.line.is_some(), "{p:?} in\n{t}");
        }
        let j = check::judge(&t, "f");
        let mut names: Vec<&str> = j.values.iter().map(|a| a.key).chain(j.rejected.iter().map(|(k, _)| *k)).collect();
        let n = names.len();
        names.dedup();
        prop_assert_eq!(n, names.len());
        let l = config::layers::layer(None, Some(("f".into(), Ok(t.clone()))));
        for s in &l.settings {
            if let (schema::Kind::Int { min, max }, Some(v)) = (s.key.kind, &s.value) {
                let n = v.as_u64().expect("a whole number");
                prop_assert!(n >= min && n <= max, "{} = {n} in\n{t}", s.key.name);
            }
        }
        let agent = config::agent::Agent::from_layers(&l);
        prop_assert!((1..=64).contains(&agent.max_concurrent));
        // The rules with these settings, on a milestone with old and
        // far-future times.
        let doc = milestone_dash::read::yaml::parse(
            "id: 1a\nstatus: in_progress\nupdated_at: 2020-01-01T00:00:00Z\ntasks:\n  - id: t\n    status: in_progress\n    started_at: 9999-12-31T23:59:59Z\n  - id: u\n    status: in_progress\n    started_at: 1970-01-01T00:00:00Z\n",
        );
        if let Ok(doc) = doc {
            let m = milestone_dash::read::milestone::read(&doc, milestone_dash::model::Origin::Active, "active/1a.yaml", "1a");
            let now = chrono::Utc::now();
            let v = milestone_dash::rules::evaluate(vec![std::sync::Arc::new(m.clone())], Default::default(), Default::default(), &cfg.rules, now);
            prop_assert_eq!(v.len(), 1);
            let _ = milestone_dash::rules::next_change(&m, &[], &cfg.rules, now);
        }
    }
}

/// A whole number beyond 64 bits is that key's error (at its line, with
/// its range, clamped), not the whole file's: the other keys still apply.
#[test]
fn a_number_beyond_64_bits_is_its_keys_error_only() {
    let t = "agent:\n  max_concurrent: 99999999999999999999\n  stop_grace_secs: -9223372036854775809\n  cwd: workspace\n";
    let (problems, _) = check::check(t, "f.yaml");
    let got: Vec<(Option<usize>, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(problems.len(), 2, "{got:?}");
    assert!(
        got[0].0 == Some(2) && got[0].1.contains("allowed from 1 to 64, so 64 is used"),
        "{got:?}"
    );
    assert!(
        got[1].0 == Some(3) && got[1].1.contains("allowed from 0 to 3600, so 0 is used"),
        "{got:?}"
    );
    let l = config::layers::layer(None, Some(("f.yaml".into(), Ok(t.to_string()))));
    assert_eq!(l.int("agent.max_concurrent"), 64);
    assert_eq!(l.text("agent.cwd").as_deref(), Some("workspace"));
}

/// An argv whose program is empty, or any word or environment entry no
/// process can take (a NUL, a name empty or with `=`), is a `check` error
/// at its line and not used: `mdash config` does not show it as the file's.
#[test]
fn argv_and_env_no_process_can_take_are_errors() {
    for (t, line) in [
        ("checks:\n  command: [\"\"]\n", 2),
        ("agent:\n  command: [\"sh\\0\", -c, \"true\"]\n", 2),
        ("agent:\n  cwd: workspace\n  env: {\"A\\0B\": x}\n", 3),
        ("agent:\n  env: {\"C=D\": x}\n", 2),
        ("agent:\n  env: {\"\": x}\n", 2),
        ("agent:\n  env: {E: \"\\0\"}\n", 2),
    ] {
        let (problems, _) = check::check(t, "f.yaml");
        assert_eq!(problems.len(), 1, "{t:?}: {problems:?}");
        assert_eq!(problems[0].line, Some(line), "{t:?}: {problems:?}");
        let l = config::layers::layer(None, Some(("f.yaml".into(), Ok(t.to_string()))));
        assert!(
            l.settings
                .iter()
                .all(|s| matches!(s.origin, config::layers::Origin::Default)
                    || s.key.name == "agent.cwd"),
            "{t:?}"
        );
    }
    let (problems, _) = check::check(
        "agent:\n  command: [sh, -c, \"\"]\n  env: {A: \"\"}\n",
        "f.yaml",
    );
    assert!(problems.is_empty(), "{problems:?}");
}
