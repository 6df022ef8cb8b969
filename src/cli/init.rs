//! `mdash init` and `mdash new`.

use std::path::Path;

use crate::model::valid_id;
use crate::read::milestone::stage_from_id;
use crate::read::yaml::{self, Mapping, Value};

pub const DIRS: [&str; 5] = ["active", "completed", "logs", "sessions", "config"];

/// Where `mdash init` makes the workspace: where every other command
/// would look for it (SPEC §1: the nearest directory holding
/// `.milestones/`, else the git root), so `init` in a subdirectory of a
/// repository does not make a second workspace there; else `path` itself.
pub fn root_for(path: &Path) -> std::path::PathBuf {
    let Ok(root) = crate::live::git::discover::discover(path) else {
        return path.to_path_buf();
    };
    let given = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if root != given {
        eprintln!(
            "mdash: using the workspace root {} (what every mdash command in {} uses)",
            crate::ui::text::escape(&root.display().to_string()),
            crate::ui::text::escape(&path.display().to_string())
        );
    }
    root
}

pub fn init(path: &Path) -> i32 {
    let base = path.join(".milestones");
    // Fenced like every write: a `.milestones` (or one of its directories)
    // symlinked out of the workspace gets nothing made in it.
    let fence = crate::live::write::Fence::new(path);
    let mut created = 0;
    for d in DIRS {
        let dir = base.join(d);
        if dir.is_dir() {
            continue;
        }
        if let Err(e) = fence.create_dirs(&dir) {
            eprintln!(
                "mdash: cannot create {}: {}",
                dir.display(),
                crate::ui::text::escape(&e.to_string())
            );
            return 1;
        }
        created += 1;
        println!("created {}", dir.display());
    }
    let sample = base.join("config").join("mdash.yaml");
    if std::fs::symlink_metadata(&sample).is_err() {
        match fence.resolve(&sample).and_then(|_| {
            crate::live::write::create_new(
                &sample,
                crate::live::config::sample::sample().as_bytes(),
            )
        }) {
            Ok(()) => println!("created {} (a commented sample)", sample.display()),
            Err(e) => eprintln!(
                "mdash: cannot write {}: {}",
                sample.display(),
                crate::ui::text::escape(&e.to_string())
            ),
        }
    } else if created == 0 {
        println!("{} already holds a workspace", path.display());
    }
    0
}

/// The canonical milestone document for `mdash new`.
pub fn document(
    id: &str,
    title: &str,
    requires: &[String],
    stage: Option<&str>,
    now: &str,
) -> String {
    let mut m = Mapping::new();
    let s = yaml::string;
    m.insert(s("id"), s(id));
    m.insert(s("title"), s(title));
    m.insert(s("status"), s("planned"));
    if let Some(st) = stage {
        m.insert(s("stage"), s(st));
    }
    m.insert(s("created_at"), s(now));
    let mut deps = Mapping::new();
    deps.insert(
        s("requires"),
        Value::Sequence(requires.iter().map(|r| s(r)).collect()),
    );
    deps.insert(s("enables"), Value::Sequence(Vec::new()));
    m.insert(s("dependencies"), Value::Mapping(deps));
    // The seeds' canonical template (FORMATS.md §1.2): weights only, so
    // the phases an agent writes (`phases:` or `kiro_configuration.phases`)
    // are the only ones, never shadowed by a template's 0 %.
    let mut weights = Mapping::new();
    for p in crate::model::Phase::ALL {
        weights.insert(
            s(p.name()),
            Value::Number((p.default_weight() as u64).into()),
        );
    }
    let mut kiro = Mapping::new();
    kiro.insert(s("enabled"), Value::Bool(true));
    kiro.insert(s("phase_weights"), Value::Mapping(weights));
    m.insert(s("kiro_configuration"), Value::Mapping(kiro));
    m.insert(s("tasks"), Value::Sequence(Vec::new()));
    m.insert(s("blockers"), Value::Sequence(Vec::new()));
    let mut progress = Mapping::new();
    progress.insert(s("percentage"), Value::Number(0u64.into()));
    m.insert(s("progress"), Value::Mapping(progress));
    yaml::to_string(&Value::Mapping(m)).unwrap_or_default()
}

/// A title as one line: each run of control characters (a tab, a line
/// break) becomes one space.
pub fn one_line(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.trim().chars() {
        if crate::ui::text::unsafe_char(c) {
            gap = true;
            continue;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(c);
    }
    out
}

pub fn new(root: &Path, id: &str, title: &str, requires: &[String], stage: Option<&str>) -> i32 {
    use crate::ui::text::escape;
    if !valid_id(id) {
        eprintln!(
            "mdash: invalid id \"{}\": {}",
            escape(id),
            crate::model::ID_RULE
        );
        return super::EXIT_USAGE;
    }
    if let Some(bad) = requires.iter().find(|r| !valid_id(r)) {
        eprintln!(
            "mdash: invalid required id \"{}\": {}",
            escape(bad),
            crate::model::ID_RULE
        );
        return super::EXIT_USAGE;
    }
    let clean = one_line(title);
    if clean != title {
        eprintln!("mdash: note: the title is one line: \"{}\"", escape(&clean));
    }
    let title = clean.as_str();
    let snap = crate::live::snapshot::load(root, chrono::Utc::now());
    if let Some(m) = snap.milestones.iter().find(|m| m.milestone.id == id) {
        eprintln!(
            "mdash: a milestone \"{id}\" already exists in {}",
            m.milestone.source
        );
        return 1;
    }
    let dir = root.join(".milestones").join("active");
    // Fenced: a `.milestones` symlinked out of the workspace gets nothing.
    if let Err(e) = crate::live::write::Fence::new(root).create_dirs(&dir) {
        eprintln!(
            "mdash: cannot create {}: {}",
            dir.display(),
            crate::ui::text::escape(&e.to_string())
        );
        return 1;
    }
    let path = dir.join(format!("{id}.yaml"));
    let stage = stage
        .map(str::to_string)
        .filter(|s| stage_from_id(id).as_deref() != Some(s.as_str()));
    let text = document(
        id,
        title,
        requires,
        stage.as_deref(),
        &crate::util::time::format(chrono::Utc::now()),
    );
    match crate::live::write::create_new(&path, text.as_bytes()) {
        Ok(()) => {
            println!(
                "created {}",
                path.strip_prefix(root).unwrap_or(&path).display()
            );
            let unknown: Vec<&str> = requires
                .iter()
                .filter(|r| !snap.milestones.iter().any(|m| &m.milestone.id == *r))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                eprintln!(
                    "mdash: warning: requires unknown milestone{} {} (not in this workspace yet; `mdash check` reports it until it exists)",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", ")
                );
            }
            0
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("mdash: {} already exists", path.display());
            1
        }
        Err(e) => {
            eprintln!(
                "mdash: cannot write {}: {}",
                path.display(),
                crate::ui::text::escape(&e.to_string())
            );
            1
        }
    }
}
