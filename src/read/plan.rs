//! Plan documents (SPEC §11): where a milestone's plan is, and the ordered,
//! de-duplicated `TASK-NNN` list of its plan sections.
//!
//! A plan is found by name in four places (`PLACES`), or named by a bundle
//! (`milestone_plan_document`). Parsing is pure (`parse`); `discover` lists
//! the four places, `resolve` confines a bundle's path to the workspace.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::model::{Plan, PlanTask, Problem};
use crate::read::file::{self, Fence};

pub mod attach;
pub mod fast;
pub mod watched;

/// The directories the four places are in, relative to a workspace.
pub const DIRS: [&str; 3] = ["project_sdd_on_claude", "specs/milestones", "specs"];

const SUFFIX: &str = "_Milestone_Plan.md";
const KEYWORDS: [&str; 3] = ["implementation plan", "task sequence", "task breakdown"];

/// What a plan document says: its first `#` heading and its tasks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub title: Option<String>,
    pub tasks: Vec<String>,
}

/// An ATX heading's level and text (`## Text ##` → (2, "Text")).
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.strip_prefix("   ").or_else(|| line.strip_prefix("  "));
    let t = t.or_else(|| line.strip_prefix(' ')).unwrap_or(line);
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// Every `TASK-[0-9]+` in `text`, in order.
fn task_ids(text: &str, out: &mut Vec<String>) {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("TASK-") {
        let start = i + at;
        let digits = b[start + 5..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            out.push(text[start..start + 5 + digits].to_string());
        }
        i = start + 5 + digits;
    }
}

/// The title and tasks of a plan document's text.
pub fn parse(md: &str) -> Doc {
    let mut title = None;
    // Inside a plan section: the level of its heading.
    let mut section: Option<usize> = None;
    let mut fence: Option<&str> = None;
    let (mut inside, mut all) = (Vec::new(), Vec::new());
    let mut any_section = false;
    for line in md.lines() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
        } else if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
        } else if let Some((level, text)) = heading(line) {
            if level == 1 && title.is_none() && !text.is_empty() {
                title = Some(text.to_string());
            }
            if section.is_some_and(|s| level <= s) {
                section = None;
            }
            let lower = text.to_lowercase();
            if section.is_none() && KEYWORDS.iter().any(|k| lower.contains(k)) {
                section = Some(level);
                any_section = true;
            }
        }
        task_ids(line, &mut all);
        if section.is_some() {
            task_ids(line, &mut inside);
        }
    }
    let mut tasks = if any_section { inside } else { all };
    let mut seen = std::collections::HashSet::new();
    tasks.retain(|t| seen.insert(t.clone()));
    Doc { title, tasks }
}

/// The milestone name a file in one of the four places gives, with its
/// precedence (lower first): `dir` is the place's directory (one of `DIRS`).
pub fn name_of(dir: &str, file_name: &str) -> Option<(String, (u8, u64))> {
    match dir {
        "project_sdd_on_claude" => {
            let stem = file_name.strip_suffix(SUFFIX)?;
            if let Some((n, name)) = stem.split_once('_')
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty()
            {
                return Some((name.to_string(), (0, n.parse().unwrap_or(u64::MAX))));
            }
            (!stem.is_empty()).then(|| (stem.to_string(), (1, 0)))
        }
        "specs/milestones" => {
            let stem = file_name.strip_suffix(".md")?;
            (!stem.is_empty()).then(|| (stem.to_string(), (2, 0)))
        }
        "specs" => {
            let stem = file_name.strip_suffix(SUFFIX)?;
            (!stem.is_empty()).then(|| (stem.to_string(), (3, 0)))
        }
        _ => None,
    }
}

/// The plan documents in the four places under `base`: by name, the first
/// that exists (workspace paths).
pub fn discover(base: &Path) -> BTreeMap<String, PathBuf> {
    let mut best: BTreeMap<String, ((u8, u64), String, PathBuf)> = BTreeMap::new();
    for dir in DIRS {
        for p in file::list(&base.join(dir)).unwrap_or_default() {
            let fname = file::name(&p);
            let Some((name, rank)) = name_of(dir, &fname) else {
                continue;
            };
            if p.is_dir() || !crate::model::valid_id(&name) {
                continue;
            }
            let key = (rank, fname.clone(), p);
            match best.get(&name) {
                Some(old) if (old.0, &old.1) <= (key.0, &key.1) => {}
                _ => {
                    best.insert(name, key);
                }
            }
        }
    }
    best.into_iter().map(|(n, (_, _, p))| (n, p)).collect()
}

/// A bundle's `milestone_plan_document`, relative to `base` and inside it
/// (`..` is resolved without the disk first), or why not.
pub fn resolve(base: &Path, named: &str, rel_of: &str) -> Result<PathBuf, Problem> {
    let p = Path::new(named);
    let mut out = base.to_path_buf();
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let mut depth_ok = true;
    out.clear();
    for c in joined.components() {
        match c {
            Component::ParentDir => depth_ok &= out.pop(),
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    if !depth_ok || !out.starts_with(base) || out == base {
        return Err(Problem::error(
            rel_of,
            format!(
                "milestone_plan_document \"{named}\" is outside the workspace; expected a path inside it"
            ),
        ));
    }
    Ok(out)
}

/// The directories of the plan documents the root's bundles name (to watch).
pub fn bundle_dirs(root: &Path) -> Vec<PathBuf> {
    let fence = Fence::new(root, 1024 * 1024);
    let dir = root.join(crate::read::workspace::BUNDLES);
    file::list(&dir)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| {
            let text = fence.read_text(&d.join("milestone_status.yaml")).ok()?;
            let v = crate::read::yaml::parse(&text).ok()?;
            let named = crate::read::doc::text_at(&v, &["milestone_plan_document"])?;
            let p = resolve(root, &named, "").ok()?;
            Some(p.parent()?.to_path_buf())
        })
        .collect()
}

/// Reads a plan document through the fence, or why it could not be read.
pub fn read(fence: &Fence, path: &Path) -> Result<Doc, Problem> {
    fence.read_text(path).map(|t| parse(&t)).map_err(|mut p| {
        p.message = format!("plan document cannot be read: {}", p.message);
        p
    })
}

/// The plan as a milestone carries it: each task with its task bundle's
/// status (`bundles`: task id → status).
pub fn plan(rel: String, doc: &Doc, bundles: &dyn Fn(&str) -> Option<String>) -> Plan {
    Plan {
        path: rel,
        tasks: doc
            .tasks
            .iter()
            .map(|id| PlanTask {
                id: id.clone(),
                bundle: bundles(id),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_nesting_and_duplicates() {
        let md = "# M4: Payments\nIntro mentions TASK-900.\n## Implementation Plan\n\
                  1. TASK-003 first\n### Details\nTASK-001 and TASK-003 again\n\
                  ## Risks\nTASK-777 is not in the plan\n# Other\n\
                  #### task breakdown (later)\n- TASK-002\n```\n# not a heading\nTASK-004\n```\n";
        let d = parse(md);
        assert_eq!(d.title.as_deref(), Some("M4: Payments"));
        assert_eq!(d.tasks, ["TASK-003", "TASK-001", "TASK-002", "TASK-004"]);
    }

    #[test]
    fn whole_document_without_a_plan_section() {
        let d = parse("## Notes\nTASK-2 then TASK-10, TASK-2, TASK-x\n#hashtag TASK-3\n");
        assert_eq!(d.title, None);
        assert_eq!(d.tasks, ["TASK-2", "TASK-10", "TASK-3"]);
    }

    #[test]
    fn names_of_the_four_places() {
        let n = |d, f| name_of(d, f).map(|(n, r)| (n, r.0));
        assert_eq!(
            n("project_sdd_on_claude", "04_m4_Milestone_Plan.md"),
            Some(("m4".into(), 0))
        );
        assert_eq!(
            n("project_sdd_on_claude", "m4_Milestone_Plan.md"),
            Some(("m4".into(), 1))
        );
        assert_eq!(n("specs/milestones", "m4.md"), Some(("m4".into(), 2)));
        assert_eq!(n("specs", "m4_Milestone_Plan.md"), Some(("m4".into(), 3)));
        assert_eq!(n("specs", "m4.md"), None);
    }

    #[test]
    fn a_bundle_path_stays_inside() {
        let b = Path::new("/w");
        assert!(resolve(b, "../etc/passwd", "x").is_err());
        assert!(resolve(b, "/etc/passwd", "x").is_err());
        assert_eq!(
            resolve(b, "./specs/../plans/m4.md", "x").ok(),
            Some(PathBuf::from("/w/plans/m4.md"))
        );
    }
}
