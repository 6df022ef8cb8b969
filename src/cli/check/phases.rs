//! `mdash check`: a file with both a top-level `phases:` map and
//! `kiro_configuration.phases` (an agent writing its own phases into a
//! template that had the other) shows only the first. When the two
//! disagree, a warning names both lines and which one is read.

use crate::model::{Phase, Problem};

/// What a phase says in one map: its status and explicit progress.
fn said(map: &serde_yaml::Mapping, p: Phase) -> Option<String> {
    let ph = map.get(p.name())?;
    let text = |k: &str| match ph.get(k) {
        Some(serde_yaml::Value::String(s)) => Some(s.trim().to_lowercase()),
        Some(serde_yaml::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Some(format!(
        "{}{}",
        text("status").unwrap_or_else(|| "no status".into()),
        text("progress")
            .map(|n| format!(" {n}%"))
            .unwrap_or_default()
    ))
}

fn phase_map(v: Option<&serde_yaml::Value>) -> Option<&serde_yaml::Mapping> {
    let m = v?.as_mapping()?;
    Phase::ALL
        .iter()
        .any(|p| m.contains_key(p.name()))
        .then_some(m)
}

/// The 1-based line of `key:` at exactly `indent` columns, at or after `from`.
fn line_of(text: &str, key: &str, indent: usize, from: usize) -> Option<usize> {
    text.lines().enumerate().skip(from).find_map(|(i, l)| {
        let t = l.trim_start();
        let at = l.len() - t.len();
        (at == indent
            && (t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":"))))
        .then_some(i + 1)
    })
}

/// The warning for `source` (its text `text`), if its two phase maps disagree.
pub fn both_maps(source: &str, text: &str) -> Option<Problem> {
    let doc: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let top = phase_map(doc.get("phases"))?;
    let kiro = phase_map(doc.get("kiro_configuration").and_then(|k| k.get("phases")))?;
    let differ: Vec<String> = Phase::ALL
        .iter()
        .filter_map(|&p| {
            let (a, b) = (said(kiro, p), said(top, p));
            (a != b).then(|| {
                format!(
                    "{}: {} vs {}",
                    p.name(),
                    a.as_deref().unwrap_or("absent"),
                    b.as_deref().unwrap_or("absent")
                )
            })
        })
        .collect();
    if differ.is_empty() {
        return None;
    }
    let top_line = line_of(text, "phases", 0, 0);
    let kiro_at = line_of(text, "kiro_configuration", 0, 0).unwrap_or(1);
    let kiro_line = text
        .lines()
        .skip(kiro_at)
        .position(|l| l.trim_start().starts_with("phases:"))
        .map(|i| kiro_at + i + 1);
    let name = |l: Option<usize>| l.map_or(String::new(), |l| format!(" (line {l})"));
    Some(
        Problem::warning(
            source,
            format!(
                "two phase maps disagree: kiro_configuration.phases{} and phases{} ({}); mdash reads kiro_configuration.phases: keep one of them",
                name(kiro_line),
                name(top_line),
                differ.join("; ")
            ),
        )
        .at(kiro_line.or(top_line), Some(1)),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn disagreeing_maps_are_named_with_both_lines() {
        let t = "id: a\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: pending}\nphases:\n  design: {status: completed}\n";
        let p = super::both_maps("a.yaml", t).expect("a warning");
        assert_eq!(p.line, Some(3));
        assert!(
            p.message.contains("line 3") && p.message.contains("line 5"),
            "{}",
            p.message
        );
        assert!(
            p.message.contains("design: pending vs completed"),
            "{}",
            p.message
        );
        let same = "kiro_configuration:\n  phases:\n    design: {status: done}\nphases:\n  design: {status: done}\n";
        assert!(super::both_maps("a.yaml", same).is_none());
        assert!(super::both_maps("a.yaml", "phases:\n  design: {status: done}\n").is_none());
    }
}
