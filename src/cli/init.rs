//! `mdash init` and `mdash new`.

use std::path::Path;

use crate::model::valid_id;
use crate::read::milestone::stage_from_id;
use crate::read::yaml::{self, Mapping, Value};

pub const DIRS: [&str; 5] = ["active", "completed", "logs", "sessions", "config"];

pub fn init(path: &Path) -> i32 {
    let base = path.join(".milestones");
    let mut created = 0;
    for d in DIRS {
        let dir = base.join(d);
        if dir.is_dir() {
            continue;
        }
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("mdash: cannot create {}: {e}", dir.display());
            return 1;
        }
        created += 1;
        println!("created {}", dir.display());
    }
    if created == 0 {
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
    let mut phases = Mapping::new();
    for p in crate::model::Phase::ALL {
        let mut ph = Mapping::new();
        ph.insert(
            s("weight"),
            Value::Number((p.default_weight() as u64).into()),
        );
        ph.insert(s("status"), s("pending"));
        phases.insert(s(p.name()), Value::Mapping(ph));
    }
    let mut kiro = Mapping::new();
    kiro.insert(s("phases"), Value::Mapping(phases));
    m.insert(s("kiro_configuration"), Value::Mapping(kiro));
    m.insert(s("tasks"), Value::Sequence(Vec::new()));
    m.insert(s("blockers"), Value::Sequence(Vec::new()));
    let mut progress = Mapping::new();
    progress.insert(s("percentage"), Value::Number(0u64.into()));
    m.insert(s("progress"), Value::Mapping(progress));
    yaml::to_string(&Value::Mapping(m)).unwrap_or_default()
}

pub fn new(root: &Path, id: &str, title: &str, requires: &[String], stage: Option<&str>) -> i32 {
    if !valid_id(id) {
        eprintln!("mdash: invalid id \"{id}\": expected 1 to 50 letters, digits, '-' or '_'");
        return super::EXIT_USAGE;
    }
    if let Some(bad) = requires.iter().find(|r| !valid_id(r)) {
        eprintln!(
            "mdash: invalid required id \"{bad}\": expected 1 to 50 letters, digits, '-' or '_'"
        );
        return super::EXIT_USAGE;
    }
    let snap = crate::live::snapshot::load(root, chrono::Utc::now());
    if let Some(m) = snap.milestones.iter().find(|m| m.milestone.id == id) {
        eprintln!(
            "mdash: a milestone \"{id}\" already exists in {}",
            m.milestone.source
        );
        return 1;
    }
    let dir = root.join(".milestones").join("active");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("mdash: cannot create {}: {e}", dir.display());
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
            0
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("mdash: {} already exists", path.display());
            1
        }
        Err(e) => {
            eprintln!("mdash: cannot write {}: {e}", path.display());
            1
        }
    }
}
