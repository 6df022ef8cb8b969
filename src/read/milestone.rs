//! One milestone document to a `Milestone`, in any dialect.
//!
//! Field sources and their order are SPEC §2. Wrappers (`metadata:`,
//! `milestone:`, `milestone_state:`) are looked through.

use crate::model::{Counters, Milestone, Origin, Phase, PhaseMap, PhaseState, Task};
use crate::read::doc::{self, get, number, text};
use crate::read::yaml::Value;

/// What a file in `active/` turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    Milestone(Box<Milestone>),
    /// A dependency-graph file: its edges are merged into the milestones.
    Graph(Vec<GraphEntry>),
    /// A mapping with no milestone keys (configuration, notes, ...).
    Ignored,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphEntry {
    pub id: String,
    pub requires: Vec<String>,
    pub enables: Vec<String>,
}

const MILESTONE_KEYS: [&str; 9] = [
    "id",
    "title",
    "status",
    "tasks",
    "phases",
    "metadata",
    "milestone",
    "milestone_state",
    "milestone_id",
];

/// Classifies a parsed document. `Err` carries what was expected.
pub fn classify(v: &Value, origin: Origin, source: &str, stem: &str) -> Result<Reading, String> {
    let v = doc::untag(v);
    let Some(map) = v.as_mapping() else {
        return Err(format!(
            "expected a mapping of milestone fields, found {}",
            kind_of(v)
        ));
    };
    if let Some(Value::Sequence(list)) = map.get("milestones").map(doc::untag) {
        return Ok(Reading::Graph(
            list.iter().filter_map(graph_entry).collect(),
        ));
    }
    if !MILESTONE_KEYS.iter().any(|k| map.contains_key(*k)) {
        return Ok(Reading::Ignored);
    }
    Ok(Reading::Milestone(Box::new(read(v, origin, source, stem))))
}

pub fn kind_of(v: &Value) -> &'static str {
    match doc::untag(v) {
        Value::Null => "an empty document",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn graph_entry(v: &Value) -> Option<GraphEntry> {
    Some(GraphEntry {
        id: doc::first_text(v, &[&["id"], &["milestone_id"]])?,
        requires: requires(v),
        enables: enables(v),
    })
}

/// Looks a path up at the top level, then inside the `milestone:` and
/// `milestone_state:` wrappers.
fn layered<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    get(v, path).or_else(|| {
        ["milestone", "milestone_state"].iter().find_map(|w| {
            let mut p = vec![*w];
            p.extend_from_slice(path);
            get(v, &p)
        })
    })
}

fn layered_text(v: &Value, path: &[&str]) -> Option<String> {
    layered(v, path).and_then(text)
}

fn first_layered<'a>(v: &'a Value, paths: &[&[&str]]) -> Option<&'a Value> {
    paths.iter().find_map(|p| layered(v, p))
}

pub fn id_of(v: &Value) -> Option<String> {
    doc::first_text(
        v,
        &[
            &["id"],
            &["milestone_id"],
            &["metadata", "milestone_id"],
            &["metadata", "id"],
            &["milestone", "id"],
            &["milestone_state", "metadata", "id"],
            &["milestone_name"],
        ],
    )
}

fn requires(v: &Value) -> Vec<String> {
    if let Some(r) = first_layered(v, &[&["dependencies", "requires"], &["depends_on"]]) {
        return doc::id_list(r);
    }
    match layered(v, &["dependencies"]).map(doc::untag) {
        Some(list @ Value::Sequence(_)) => doc::id_list(list),
        _ => Vec::new(),
    }
}

fn enables(v: &Value) -> Vec<String> {
    first_layered(
        v,
        &[
            &["dependencies", "enables"],
            &["dependencies", "blocks"],
            &["blocks"],
            &["enables"],
        ],
    )
    .map(doc::id_list)
    .unwrap_or_default()
}

/// Reads a milestone document. `stem` is the fallback id.
pub fn read(v: &Value, origin: Origin, source: &str, stem: &str) -> Milestone {
    let id = id_of(v).unwrap_or_else(|| stem.to_string());
    let title = doc::first_text(
        v,
        &[
            &["title"],
            &["name"],
            &["metadata", "title"],
            &["metadata", "name"],
            &["milestone", "title"],
        ],
    )
    .unwrap_or_else(|| id.clone());
    let raw_status = doc::first_text(
        v,
        &[
            &["status"],
            &["metadata", "status"],
            &["milestone", "status"],
            &["milestone_state", "metadata", "status"],
        ],
    );
    let stage = layered_text(v, &["stage"]).or_else(|| stage_from_id(&id));
    let weights = weights(v);
    Milestone {
        stage,
        title,
        raw_status,
        requires: sorted(requires(v)),
        enables: sorted(enables(v)),
        weights,
        phases: milestone_phases(v).map(Box::new),
        tasks: tasks(v),
        counters: counters(v),
        bundle: None,
        plan: None,
        declared_progress: declared_progress(v),
        recorded_blockers: layered(v, &["blockers"]).map(recorded).unwrap_or_default(),
        description: doc::first_text(
            v,
            &[
                &["description"],
                &["metadata", "description"],
                &["milestone", "description"],
            ],
        ),
        origin,
        source: source.to_string(),
        worktree_dir: None,
        id,
    }
}

/// Dependency lists are kept sorted and without repeats.
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids.dedup();
    ids
}

/// `2a` and `milestone-3b` are in stages 2 and 3.
pub fn stage_from_id(id: &str) -> Option<String> {
    let s = id.strip_prefix("milestone-").unwrap_or(id);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &s[digits..];
    (digits > 0 && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| s[..digits].to_string())
}

fn weights(v: &Value) -> [f64; 4] {
    Phase::ALL.map(|p| {
        let n = p.name();
        doc::first_number(
            v,
            &[
                &["kiro_configuration", "phase_weights", n],
                &["kiro_configuration", "phases", n, "weight"],
                &["phases", n, "weight"],
                &["milestone", "kiro_configuration", "phase_weights", n],
                &["milestone", "phases", n, "weight"],
            ],
        )
        .map(clamp_weight)
        .unwrap_or_else(|| p.default_weight())
    })
}

/// A phase map from a mapping keyed by phase, or from a list whose entries
/// name their phase (`kiro_phase:` or `name:`).
pub fn phase_map(v: &Value) -> Option<PhaseMap> {
    let mut map = PhaseMap::default();
    match doc::untag(v) {
        Value::Mapping(m) => {
            for (k, entry) in m {
                if let Some(p) = text(k).as_deref().and_then(Phase::from_name) {
                    map.0[p.index()] = Some(phase_state(entry));
                }
            }
        }
        Value::Sequence(items) => {
            for entry in items {
                let named = doc::first_text(entry, &[&["kiro_phase"], &["phase"], &["name"]]);
                if let Some(p) = named.as_deref().and_then(Phase::from_name)
                    && map.0[p.index()].is_none()
                {
                    map.0[p.index()] = Some(phase_state(entry));
                }
            }
        }
        _ => {}
    }
    (!map.is_empty()).then_some(map)
}

fn phase_state(v: &Value) -> PhaseState {
    let v = doc::untag(v);
    if v.is_mapping() {
        return PhaseState {
            status: doc::text_at(v, &["status"]).map(|s| doc::normalize_word(&s)),
            progress: doc::first_number(v, &[&["progress"], &["percentage"]]).map(clamp_pct),
            blocked_reason: doc::text_at(v, &["blocked_reason"]),
            started_at: doc::text_at(v, &["started_at"]),
            completed_at: doc::text_at(v, &["completed_at"]),
        };
    }
    match (number(v), text(v)) {
        (Some(n), _) => PhaseState {
            progress: Some(clamp_pct(n)),
            ..PhaseState::default()
        },
        (None, Some(s)) => PhaseState {
            status: Some(doc::normalize_word(&s)),
            ..PhaseState::default()
        },
        _ => PhaseState::default(),
    }
}

/// Weights are relative; bounding them keeps sums finite.
pub fn clamp_weight(w: f64) -> f64 {
    w.clamp(0.0, 1e6)
}

pub fn clamp_pct(n: f64) -> f64 {
    n.clamp(0.0, 100.0)
}

fn milestone_phases(v: &Value) -> Option<PhaseMap> {
    let listed = [&["kiro_configuration", "phases"][..], &["phases"]]
        .iter()
        .find_map(|p| layered(v, p).and_then(phase_map));
    let explicit: Vec<Option<PhaseMap>> = [
        &["progress", "phase_progress"][..],
        &["progress", "by_phase"],
    ]
    .iter()
    .map(|p| layered(v, p).and_then(phase_map))
    .collect();
    if listed.is_none() && explicit.iter().all(Option::is_none) {
        return None;
    }
    let mut map = listed.unwrap_or_default();
    for p in Phase::ALL {
        let slot = &mut map.0[p.index()];
        if slot.as_ref().is_some_and(|s| s.progress.is_some()) {
            continue;
        }
        let number = explicit
            .iter()
            .flatten()
            .find_map(|m| m.get(p).and_then(|s| s.progress));
        if let Some(n) = number {
            slot.get_or_insert_with(PhaseState::default).progress = Some(n);
        }
    }
    Some(map)
}

fn tasks(v: &Value) -> Vec<Task> {
    match layered(v, &["tasks"]).map(doc::untag) {
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, t)| task(t, None, i))
            .collect(),
        Some(Value::Mapping(m)) => m
            .iter()
            .enumerate()
            .filter_map(|(i, (k, t))| task(t, text(k), i))
            .collect(),
        _ => Vec::new(),
    }
}

fn task(v: &Value, key: Option<String>, index: usize) -> Option<Task> {
    let v = doc::untag(v);
    if !v.is_mapping() {
        let t = text(v)?;
        return Some(Task {
            id: key.unwrap_or_else(|| t.clone()),
            title: Some(t),
            weight: 1.0,
            ..Task::default()
        });
    }
    let enabled = doc::get(v, &["kiro_workflow", "enabled"]).and_then(doc::boolean) != Some(false);
    let phases = if enabled {
        [&["kiro_workflow", "phases"][..], &["phases"]]
            .iter()
            .find_map(|p| get(v, p).and_then(phase_map))
    } else {
        None
    };
    Some(Task {
        id: doc::first_text(v, &[&["id"], &["task_id"]])
            .or(key)
            .unwrap_or_else(|| format!("task-{}", index + 1)),
        title: doc::first_text(v, &[&["title"], &["name"]]),
        raw_status: doc::text_at(v, &["status"]),
        weight: doc::number_at(v, &["weight"]).map_or(1.0, clamp_weight),
        started_at: doc::text_at(v, &["started_at"]),
        completed_at: doc::text_at(v, &["completed_at"]),
        phases: phases.map(Box::new),
    })
}

fn counters(v: &Value) -> Counters {
    let at = |k: &str| {
        layered(v, &[k])
            .or_else(|| layered(v, &["progress", k]))
            .and_then(doc::count)
    };
    Counters {
        total: at("total_tasks"),
        completed: at("completed_tasks"),
        in_progress: at("in_progress_tasks"),
    }
}

fn declared_progress(v: &Value) -> Option<f64> {
    let found = [
        &["progress", "percentage"][..],
        &["progress", "overall"],
        &["progress", "overall_percentage"],
        &["progress"],
        &["progress_percentage"],
        &["completion_percentage"],
        &["progress", "completion_percentage"],
    ]
    .iter()
    .find_map(|p| layered(v, p).and_then(number));
    found.map(clamp_pct)
}

fn recorded(v: &Value) -> Vec<String> {
    match doc::untag(v) {
        Value::Sequence(items) => items.iter().filter_map(doc::display).collect(),
        other => doc::display(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::yaml;

    fn ms(src: &str) -> Milestone {
        let v = yaml::parse(src).expect("yaml");
        match classify(&v, Origin::Active, "x.yaml", "stem").expect("classify") {
            Reading::Milestone(m) => *m,
            other => panic!("not a milestone: {other:?}"),
        }
    }

    #[test]
    fn stage_comes_from_digits_then_letters() {
        assert_eq!(stage_from_id("2a").as_deref(), Some("2"));
        assert_eq!(stage_from_id("milestone-13bc").as_deref(), Some("13"));
        assert_eq!(stage_from_id("milestone-001"), None);
        assert_eq!(stage_from_id("M5"), None);
        assert_eq!(stage_from_id("2"), None);
        assert_eq!(ms("id: 2a\nstage: alpha\n").stage.as_deref(), Some("alpha"));
    }

    #[test]
    fn metadata_wrapper_with_template_id_falls_back_to_the_stem() {
        let m =
            ms("metadata:\n  milestone_id: \"${MILESTONE_ID}\"\n  name: New\n  status: planning\n");
        assert_eq!((m.id.as_str(), m.title.as_str()), ("stem", "New"));
        assert_eq!(m.raw_status.as_deref(), Some("planning"));
    }

    #[test]
    fn milestone_wrapper_and_phase_list() {
        let m = ms(
            "milestone:\n  id: q1\n  title: T\n  phases:\n    - {name: Foundation, kiro_phase: design, status: complete}\n    - {name: Core, kiro_phase: spec}\n",
        );
        assert_eq!(m.id, "q1");
        let phases = m.phases.expect("phases");
        assert_eq!(
            phases.get(Phase::Design).and_then(|s| s.status.as_deref()),
            Some("complete")
        );
        assert!(phases.get(Phase::Spec).is_some());
        assert!(phases.get(Phase::Execute).is_none());
    }

    #[test]
    fn dependencies_in_every_shape() {
        let m = ms("id: a\ndependencies:\n  requires: [b, c]\n  blocks: [d]\n");
        assert_eq!(
            (m.requires, m.enables),
            (vec!["b".into(), "c".into()], vec!["d".to_string()])
        );
        let m = ms("id: a\ndependencies: [x]\n");
        assert_eq!(m.requires, ["x"]);
        let m = ms("id: a\ndepends_on: y\n");
        assert_eq!(m.requires, ["y"]);
    }

    #[test]
    fn declared_progress_sources() {
        assert_eq!(
            ms("id: a\nprogress: \"40%\"\n").declared_progress,
            Some(40.0)
        );
        assert_eq!(
            ms("id: a\nprogress: {overall_percentage: 58}\n").declared_progress,
            Some(58.0)
        );
        assert_eq!(
            ms("id: a\nprogress_percentage: 120\n").declared_progress,
            Some(100.0)
        );
        assert_eq!(
            ms("id: a\nprogress: {phase: spec}\n").declared_progress,
            None
        );
    }

    #[test]
    fn phase_progress_numbers_fill_phases() {
        let m = ms("id: a\nprogress:\n  phase_progress: {design: 100, spec: \"50\"}\n");
        let p = m.phases.expect("phases");
        assert_eq!(p.get(Phase::Spec).and_then(|s| s.progress), Some(50.0));
    }

    #[test]
    fn non_milestones_are_classified() {
        let v = yaml::parse("ui: {level: auto}\n").expect("yaml");
        assert_eq!(
            classify(&v, Origin::Active, "c.yaml", "c"),
            Ok(Reading::Ignored)
        );
        let v = yaml::parse("milestones:\n  - {id: a, depends_on: [b]}\n").expect("yaml");
        let Ok(Reading::Graph(g)) = classify(&v, Origin::Active, "d.yaml", "d") else {
            panic!("graph expected")
        };
        assert_eq!(g[0].requires, ["b"]);
        let v = yaml::parse("- a\n- b\n").expect("yaml");
        assert!(classify(&v, Origin::Active, "l.yaml", "l").is_err());
    }

    #[test]
    fn tasks_as_strings_and_mappings() {
        let m = ms("id: a\ntasks:\n  - plain\n  - {id: t2, status: done, weight: \"2\"}\n");
        assert_eq!(m.tasks.len(), 2);
        assert_eq!(m.tasks[0].id, "plain");
        assert_eq!(m.tasks[1].weight, 2.0);
        let m = ms("id: a\ntasks:\n  setup: {status: complete}\n");
        assert_eq!(m.tasks[0].id, "setup");
    }

    #[test]
    fn disabled_or_empty_task_phases_are_not_phases() {
        let m = ms(
            "id: a\ntasks:\n  - id: t\n    kiro_workflow: {enabled: false, phases: {design: {status: completed}}}\n  - id: u\n    kiro_workflow: {phases: {}}\n",
        );
        assert!(m.tasks.iter().all(|t| t.phases.is_none()));
    }
}
