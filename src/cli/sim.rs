//! `mdash sim ID`: a simulated agent for demos and tests. It advances the
//! milestone's phases and tasks in its file (atomic writes that keep
//! concurrent changes), appends realistic events, commits in its worktree,
//! now and then raises a blocker or waits for an approval. An ordinary
//! process: SIGSTOP freezes it.

use std::path::Path;
use std::time::Duration;

use crate::live::runs::records;
use crate::model::{Phase, Status};
use crate::read::doc;
use crate::read::yaml::{self, Mapping, Value};

use crate::util::rng::Rng;

fn s(x: &str) -> Value {
    yaml::string(x)
}

fn status_of(v: &Value) -> String {
    doc::text_at(v, &["status"])
        .map(|s| doc::normalize_word(&s))
        .unwrap_or_default()
}

/// One step of work on the document. Returns the events it implies and
/// whether the milestone is finished.
fn advance(
    v: &mut Value,
    rng: &mut Rng,
    blocked: &mut bool,
) -> (Vec<(String, serde_json::Value)>, bool) {
    let mut events = Vec::new();
    let Some(top) = v.as_mapping_mut() else {
        return (events, false);
    };
    if *blocked {
        if rng.chance(0.5) {
            *blocked = false;
            events.push((
                "blocker_resolved".into(),
                serde_json::json!({"type": "flaky_test"}),
            ));
        }
        return (events, false);
    }
    if rng.chance(0.05) {
        *blocked = true;
        events.push((
            "blocker_detected".into(),
            serde_json::json!({"type": "flaky_test"}),
        ));
        return (events, false);
    }
    // Milestone-level phases: kiro_configuration.phases, else phases (made if missing).
    let in_kiro = top
        .get("kiro_configuration")
        .and_then(|k| k.get("phases"))
        .is_some_and(Value::is_mapping);
    let phases: &mut Mapping = if in_kiro {
        match top
            .get_mut("kiro_configuration")
            .and_then(|k| k.get_mut("phases"))
            .and_then(Value::as_mapping_mut)
        {
            Some(p) => p,
            None => return (events, false),
        }
    } else {
        if !top.get("phases").is_some_and(Value::is_mapping) {
            let mut p = Mapping::new();
            for ph in Phase::ALL {
                let mut e = Mapping::new();
                e.insert(s("status"), s("pending"));
                p.insert(s(ph.name()), Value::Mapping(e));
            }
            top.insert(s("phases"), Value::Mapping(p));
        }
        match top.get_mut("phases").and_then(Value::as_mapping_mut) {
            Some(p) => p,
            None => return (events, false),
        }
    };
    let mut finished = true;
    for ph in Phase::ALL {
        let entry = phases
            .entry(s(ph.name()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if !entry.is_mapping() {
            *entry = Value::Mapping(Mapping::new());
        }
        let st = status_of(entry);
        if matches!(st.as_str(), "completed" | "approved" | "complete" | "done") {
            continue;
        }
        finished = false;
        let Some(e) = entry.as_mapping_mut() else {
            break;
        };
        if st == "waiting_approval" {
            if rng.chance(0.4) {
                e.insert(s("status"), s("approved"));
                events.push((
                    "kiro_approval_granted".into(),
                    serde_json::json!({"phase": ph.name()}),
                ));
            }
            break;
        }
        let progress = e.get("progress").and_then(doc::number).unwrap_or(0.0);
        let next = (progress + rng.range(8, 22) as f64).min(100.0);
        e.insert(s("progress"), Value::Number((next as u64).into()));
        if next >= 100.0 {
            if ph == Phase::Spec && rng.chance(0.6) {
                e.insert(s("status"), s("waiting_approval"));
                events.push((
                    "kiro_approval_requested".into(),
                    serde_json::json!({"phase": ph.name()}),
                ));
            } else {
                e.insert(s("status"), s("completed"));
                events.push((
                    "kiro_phase_updated".into(),
                    serde_json::json!({"phase": ph.name(), "status": "completed"}),
                ));
            }
        } else {
            if st != "in_progress" {
                events.push((
                    "kiro_phase_updated".into(),
                    serde_json::json!({"phase": ph.name(), "status": "in_progress"}),
                ));
            }
            e.insert(s("status"), s("in_progress"));
        }
        break;
    }
    // Tasks move along with the phases.
    if let Some(Value::Sequence(tasks)) = top.get_mut("tasks") {
        if let Some(t) = tasks.iter_mut().find(|t| status_of(t) == "in_progress") {
            if rng.chance(0.3)
                && let Some(m) = t.as_mapping_mut()
            {
                m.insert(s("status"), s("completed"));
                m.insert(
                    s("completed_at"),
                    s(&crate::util::time::format(chrono::Utc::now())),
                );
                events.push((
                    "task_completed".into(),
                    serde_json::json!({"task_id": doc::text_at(t, &["id"])}),
                ));
            }
        } else if let Some(t) = tasks
            .iter_mut()
            .find(|t| matches!(status_of(t).as_str(), "pending" | "todo" | "planned" | ""))
            && let Some(m) = t.as_mapping_mut()
        {
            m.insert(s("status"), s("in_progress"));
            m.insert(
                s("started_at"),
                s(&crate::util::time::format(chrono::Utc::now())),
            );
            events.push((
                "task_started".into(),
                serde_json::json!({"task_id": doc::text_at(t, &["id"])}),
            ));
        }
    }
    if finished {
        top.insert(s("status"), s("completed"));
        if let Some(Value::Sequence(tasks)) = top.get_mut("tasks") {
            for t in tasks.iter_mut().filter_map(Value::as_mapping_mut) {
                t.insert(s("status"), s("completed"));
            }
        }
        events.push(("milestone_completed".into(), serde_json::json!({})));
    } else if matches!(
        top.get("status").map(status_of).as_deref(),
        None | Some("planned" | "pending" | "planning" | "")
    ) {
        top.insert(s("status"), s("in_progress"));
    }
    (events, finished)
}

fn commit(worktree: &Path, id: &str, step: u64) {
    if !worktree.join(".git").exists() {
        return;
    }
    let file = format!(".sim-{id}.txt");
    let fence = crate::live::write::Fence::new(worktree);
    let text = format!("step {step}\n");
    if crate::live::write::replace(&fence, &worktree.join(&file), text.as_bytes()).is_err() {
        return;
    }
    // A failed commit (say, a lock held by the user's git) only skips a step.
    let _ = crate::live::git::commit_files(
        worktree,
        &[&file],
        ("mdash sim", "sim@mdash.invalid"),
        &format!("feat(milestone-{id}): simulated step {step}"),
    );
}

/// Back to the start: every phase and task pending, the milestone in
/// progress again. For `--loop`, which keeps the demo's agents busy.
fn reset(v: &mut Value) {
    let Some(top) = v.as_mapping_mut() else {
        return;
    };
    top.insert(s("status"), s("in_progress"));
    let pending = |m: &mut Mapping| {
        for (_, p) in m.iter_mut() {
            if let Some(p) = p.as_mapping_mut() {
                p.insert(s("status"), s("pending"));
                p.remove("progress");
            }
        }
    };
    if let Some(p) = top
        .get_mut("kiro_configuration")
        .and_then(|k| k.get_mut("phases"))
        .and_then(Value::as_mapping_mut)
    {
        pending(p);
    }
    if let Some(p) = top.get_mut("phases").and_then(Value::as_mapping_mut) {
        pending(p);
    }
    if let Some(Value::Sequence(tasks)) = top.get_mut("tasks") {
        for t in tasks.iter_mut().filter_map(Value::as_mapping_mut) {
            t.insert(s("status"), s("pending"));
            t.remove("started_at");
            t.remove("completed_at");
            if let Some(p) = t
                .get_mut("kiro_workflow")
                .and_then(|k| k.get_mut("phases"))
                .and_then(Value::as_mapping_mut)
            {
                pending(p);
            }
        }
    }
    if let Some(p) = top.get_mut("progress").and_then(Value::as_mapping_mut) {
        p.insert(s("percentage"), Value::Number(0u64.into()));
    }
}

/// Rewrites the milestone file through `f`, keeping changes made meanwhile
/// (the write only lands when the file is as read).
fn rewrite(path: &Path, f: impl Fn(&mut Value)) -> bool {
    for _ in 0..100 {
        let Ok(before) = std::fs::read(path) else {
            return false;
        };
        let Ok(mut v) = yaml::parse(&String::from_utf8_lossy(&before)) else {
            return false;
        };
        f(&mut v);
        let Ok(text) = yaml::to_string(&v) else {
            return false;
        };
        if crate::live::write::replace_if_unchanged(path, &before, text.as_bytes()).unwrap_or(false)
        {
            return true;
        }
    }
    false
}

/// Where the simulated milestone lives, and its status now.
#[derive(Clone)]
struct Located {
    path: std::path::PathBuf,
    origin: crate::model::Origin,
    worktree_dir: Option<String>,
    status: Status,
    /// The configuration's size limit for files read.
    max_file_bytes: u64,
}

/// The milestone `id`: its file read again alone when it was found before
/// (a step costs one file, not the workspace: a hundred of these run at
/// once in `benches/agents100.rs`), else found in a whole load.
fn locate(root: &Path, id: &str, known: &mut Option<Located>) -> Option<Located> {
    if let Some(k) = known.take() {
        let fence = crate::read::file::Fence::new(root, k.max_file_bytes);
        let stem = crate::read::file::stem(&k.path);
        if let crate::read::scan::Found::Milestone(m) =
            crate::read::scan::read_document(&fence, &k.path, k.origin, &stem)
            && m.id == id
        {
            let status = crate::rules::status::of_milestone(&m);
            *known = Some(Located { status, ..k });
            return known.clone();
        }
    }
    let snap = crate::live::snapshot::load(root, chrono::Utc::now());
    let m = snap.milestones.iter().find(|m| m.milestone.id == id)?;
    *known = Some(Located {
        path: root.join(&m.milestone.source),
        origin: m.milestone.origin,
        worktree_dir: m.milestone.worktree_dir.clone(),
        status: m.status,
        max_file_bytes: crate::live::config::load(root).0.max_file_bytes,
    });
    known.clone()
}

pub fn run(start: &Path, id: &str, pace: Duration, looping: bool) -> i32 {
    let root = match crate::live::git::discover::discover(start) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mdash sim: {e}");
            return 2;
        }
    };
    let seed =
        u64::from(std::process::id()) ^ chrono::Utc::now().timestamp_subsec_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    let mut blocked = false;
    println!("mdash sim: working on {id}");
    let mut known: Option<Located> = None;
    for step in 0u64.. {
        if step % 20 == 19 {
            // Now and then the whole workspace: a worktree added meanwhile
            // may hold the copy that wins now.
            known = None;
        }
        let Some(m) = locate(&root, id, &mut known) else {
            eprintln!("mdash sim: no milestone \"{id}\"");
            return 1;
        };
        let path = m.path.clone();
        if m.status == Status::Completed {
            if !looping {
                println!("mdash sim: {id} is completed");
                return 0;
            }
            if rewrite(&path, reset) {
                println!("mdash sim: {id}: starting over");
                let _ = records::event(&root, id, "milestone_activated", serde_json::json!({}));
            }
            std::thread::sleep(pace);
            continue;
        }
        let mut outcome = None;
        for _ in 0..100 {
            let Ok(before) = std::fs::read(&path) else {
                break;
            };
            let Ok(mut v) = yaml::parse(&String::from_utf8_lossy(&before)) else {
                eprintln!(
                    "mdash sim: {} is not valid YAML; waiting",
                    m.path.strip_prefix(&root).unwrap_or(&m.path).display()
                );
                break;
            };
            let mut b = blocked;
            let (events, done) = advance(&mut v, &mut rng, &mut b);
            let Ok(text) = yaml::to_string(&v) else { break };
            if crate::live::write::replace_if_unchanged(&path, &before, text.as_bytes())
                .unwrap_or(false)
            {
                blocked = b;
                outcome = Some((events, done));
                break;
            }
        }
        if let Some((events, done)) = outcome {
            for (name, details) in events {
                println!("mdash sim: {id}: {name}");
                let _ = records::event(&root, id, &name, details);
            }
            if step % 3 == 2 {
                if let Some(w) = m.worktree_dir.as_ref().map(|w| root.join(w)) {
                    commit(&w, id, step);
                } else if let Ok(cwd) = std::env::current_dir()
                    && cwd != root
                {
                    commit(&cwd, id, step);
                }
            }
            if done {
                println!("mdash sim: {id} done");
                if !looping {
                    return 0;
                }
            }
        }
        std::thread::sleep(pace);
    }
    0
}
