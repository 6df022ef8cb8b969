//! `mdash check`: every problem, one line each, `path:line:col: severity: message`.

mod phases;

use std::collections::HashMap;
use std::path::Path;

use crate::model::{Problem, Severity, Snapshot, Status};
use crate::rules::status;
use crate::ui::text::{escape, plural};

pub fn problems(snap: &Snapshot) -> Vec<Problem> {
    let mut out = snap.problems.clone();
    // The coordination database (SPEC §12): there, but not readable.
    if let Some(e) = &snap.registry.error {
        let why = e
            .strip_prefix(&format!("{}: ", snap.registry.path))
            .unwrap_or(e);
        let msg = format!("coordination database cannot be opened: {why}");
        out.push(Problem::error(&snap.registry.path, msg));
    }
    let known: HashMap<&str, ()> = snap
        .milestones
        .iter()
        .map(|m| (m.milestone.id.as_str(), ()))
        .collect();
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut text_of = |src: &str| -> String {
        texts
            .entry(src.to_string())
            .or_insert_with(|| std::fs::read_to_string(snap.root.join(src)).unwrap_or_default())
            .clone()
    };
    for v in &snap.milestones {
        let m = &v.milestone;
        let text = text_of(&m.source);
        if let Some(raw) = &m.raw_status
            && status::normalize(raw) == Status::Unknown
        {
            let (l, c) = locate(&text, &["status"], None);
            out.push(
                Problem::warning(
                    &m.source,
                    format!("unknown status \"{raw}\"; expected one of {} or a synonym listed in the README", status::NORMAL),
                )
                .at(l, c),
            );
        }
        for r in &m.requires {
            let (l, c) = locate(&text, &["requires", "depends_on", "dependencies"], Some(r));
            if r == &m.id {
                out.push(Problem::error(&m.source, format!("\"{r}\" requires itself")).at(l, c));
            } else if !known.contains_key(r.as_str()) {
                out.push(
                    Problem::error(
                        &m.source,
                        format!("requires unknown milestone \"{r}\"; expected the id of a milestone in this workspace"),
                    )
                    .at(l, c),
                );
            }
        }
        for b in v
            .blockers
            .iter()
            .filter(|b| b.kind == crate::model::BlockerKind::DependencyCycle)
        {
            let (l, c) = locate(&text, &["requires", "depends_on", "dependencies"], None);
            out.push(Problem::error(&m.source, format!("dependency cycle: {}", b.detail)).at(l, c));
        }
        out.extend(phases::both_maps(&m.source, &text));
        let sum: f64 = m.weights.iter().sum();
        if (sum - 100.0).abs() > 1e-6 {
            let (l, c) = locate(&text, &["phase_weights", "weight"], None);
            out.push(
                Problem::warning(
                    &m.source,
                    format!("phase weights sum to {sum}; expected 100 (design 15, spec 25, task 20, execute 40 by default)"),
                )
                .at(l, c),
            );
        }
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out.dedup();
    out
}

/// The line and column of the first `key:` (any of `keys`), or with
/// `value`, of the first occurrence of that value at or after the key.
pub fn locate(text: &str, keys: &[&str], value: Option<&str>) -> (Option<usize>, Option<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    let key_line = lines.iter().position(|l| {
        let t = l
            .trim_start()
            .trim_start_matches("- ")
            .trim_start_matches('"');
        keys.iter()
            .any(|k| t.starts_with(&format!("{k}:")) || t.starts_with(&format!("{k}\":")))
    });
    let Some(k) = key_line else {
        return (None, None);
    };
    match value {
        None => {
            let col = lines[k].len() - lines[k].trim_start().len() + 1;
            (Some(k + 1), Some(col))
        }
        Some(v) => lines
            .iter()
            .enumerate()
            .skip(k)
            .find_map(|(i, l)| l.find(v).map(|c| (Some(i + 1), Some(c + 1))))
            .unwrap_or((Some(k + 1), Some(1))),
    }
}

pub fn run(root: &Path, snap: &Snapshot) -> i32 {
    // The config files' own problems are in the snapshot's (each once, at
    // its line); the keymap judges the `keys:` entries.
    let mut list = problems(snap);
    let loaded = crate::live::config::read(root);
    list.extend(loaded.user_problems());
    list.extend(crate::live::config::check::key_problems(
        &loaded.layered,
        crate::app::keymap::Keymap::entry_problems,
    ));
    list.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    list.dedup();
    let mut errors = 0;
    for p in &list {
        let sev = match p.severity {
            Severity::Error => {
                errors += 1;
                "error"
            }
            Severity::Warning => "warning",
        };
        // File names and messages quote file text: escaped, one line each.
        println!(
            "{}:{}:{}: {sev}: {}",
            escape(&p.path),
            p.line.unwrap_or(1),
            p.column.unwrap_or(1),
            escape(&p.message)
        );
    }
    let warnings = list.len() - errors;
    eprintln!(
        "{} checked: {}, {}",
        plural(snap.milestones.len(), "milestone"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    i32::from(errors > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_keys_and_values() {
        let t = "id: a\nstatus: doin\ndependencies:\n  requires: [x, ghost]\n";
        assert_eq!(locate(t, &["status"], None), (Some(2), Some(1)));
        assert_eq!(locate(t, &["requires"], Some("ghost")), (Some(4), Some(17)));
        assert_eq!(locate(t, &["nothing"], None), (None, None));
    }
}
