//! `mdash demo`: a realistic workspace, built fresh, with simulated agents
//! running on it, opened in the dashboard.

use std::path::{Path, PathBuf};

use crate::live::runs::control;

const README: &str = "# peak-iot\n\nSensor ingest and alerting for a fleet of field devices.\n";

fn w(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let fence = crate::live::write::Fence::new(root);
    crate::live::write::replace(&fence, &root.join(rel), text.as_bytes())
}

fn ago(hours: i64) -> String {
    crate::util::time::format(chrono::Utc::now() - chrono::Duration::hours(hours))
}

fn commit(repo: &Path, files: &[&str], msg: &str) -> Result<(), String> {
    crate::live::git::commit_files(repo, files, ("Demo Dev", "dev@peak-iot.invalid"), msg)
}

/// Writes the demo workspace into `root`.
pub fn build(root: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    std::fs::create_dir_all(root).map_err(io)?;
    crate::live::git::init_repo(root, "main")?;
    w(
        root,
        ".git/info/exclude",
        "/.worktrees/\n/.milestones/logs/\n/.milestones/sessions/\n",
    )
    .map_err(io)?;
    w(root, "README.md", README).map_err(io)?;
    commit(root, &["README.md"], "Initial commit")?;
    w(
        root,
        "src/ingest.rs",
        "// sensor ingest\npub fn ingest() {}\n",
    )
    .map_err(io)?;
    commit(
        root,
        &["src/ingest.rs"],
        "feat(milestone-1a): wire protocol decoder",
    )?;
    w(root, "src/alerts.rs", "// alerting\n").map_err(io)?;
    commit(
        root,
        &["src/alerts.rs"],
        "feat(milestone-1b): device registry",
    )?;

    let m = ".milestones";
    // Stage 1, finished: a canonical file in completed/, and a metadata-wrapped one.
    w(root, &format!("{m}/completed/1a.yaml"), "id: \"1a\"\ntitle: \"Wire protocol decoder\"\nstatus: completed\ntasks:\n  - {id: t1, title: Frame parser, status: completed}\n  - {id: t2, title: CRC check, status: completed}\n").map_err(io)?;
    w(root, &format!("{m}/active/1b.yaml"), "metadata:\n  milestone_id: \"1b\"\n  name: \"Device registry\"\n  status: \"completed\"\nkiro_configuration:\n  phases:\n    design: {weight: 15, status: completed}\n    spec: {weight: 25, status: completed}\n    task: {weight: 20, status: completed}\n    execute: {weight: 40, status: completed}\n").map_err(io)?;
    // Stage 2: two ready milestones the simulated agents will work on.
    w(root, &format!("{m}/active/2a.yaml"), &format!("id: \"2a\"\ntitle: \"Sensor ingest\"\nstatus: planned\ncreated_at: \"{}\"\ndependencies:\n  requires: [\"1a\", \"1b\"]\n  enables: [\"3a\"]\nkiro_configuration:\n  phases:\n    design: {{weight: 15, status: pending}}\n    spec: {{weight: 25, status: pending}}\n    task: {{weight: 20, status: pending}}\n    execute: {{weight: 40, status: pending}}\ntasks:\n  - {{id: t1, title: MQTT listener, status: pending}}\n  - {{id: t2, title: Batch writer, status: pending}}\n  - {{id: t3, title: Backpressure, status: pending}}\nblockers: []\nprogress:\n  percentage: 0\n", ago(30))).map_err(io)?;
    w(root, &format!("{m}/active/2d.yaml"), "id: \"2d\"\ntitle: \"Firmware telemetry\"\nstatus: planned\ndependencies:\n  requires: [\"1b\"]\nphases:\n  design: {status: pending}\n  spec: {status: pending}\n  task: {status: pending}\n  execute: {status: pending}\n").map_err(io)?;
    // Per-task KIRO phases with approvals, a blocked phase and a long task.
    w(root, &format!("{m}/active/2b.yaml"), &format!("id: \"2b\"\ntitle: \"Alerting rules\"\nstatus: \"blocked\"\ndependencies:\n  requires: [\"1a\"]\nkiro_configuration:\n  phase_weights: {{design: 15, spec: 25, task: 20, execute: 40}}\nprogress:\n  percentage: 20\ntasks:\n  - id: task-001\n    title: Threshold rules\n    status: in_progress\n    started_at: \"{}\"\n    kiro_workflow:\n      enabled: true\n      phases:\n        design: {{status: approved}}\n        spec: {{status: waiting_approval}}\n        task: {{status: pending}}\n        execute: {{status: pending}}\n  - id: task-002\n    title: Escalation policy\n    status: pending\n    kiro_workflow:\n      enabled: true\n      phases:\n        design: {{status: in_review}}\n        spec: {{status: blocked, blocked_reason: waiting_for_design_approval}}\n", ago(3))).map_err(io)?;
    w(root, &format!("{m}/logs/execution-2b.jsonl"), &format!("{{\"timestamp\":\"{}\",\"event\":\"milestone_activated\",\"milestone_id\":\"2b\"}}\n{{\"timestamp\":\"{}\",\"event\":\"blocker_detected\",\"milestone_id\":\"2b\",\"details\":{{\"type\":\"test_failures\"}}}}\n", ago(4), ago(1))).map_err(io)?;
    // A sequential bundle that failed on its second task.
    w(root, ".milestone_bundles/2c-Retention/milestone_status.yaml", &format!("milestone_id: 2c\nmilestone_name: 2c-Retention\ntitle: Data retention\nstatus: failed\nstarted_at: \"{}\"\ntotal_tasks: 4\ncurrent_task_index: 1\ncompleted_tasks: [\"TASK-031\"]\nfailed_task: \"TASK-032\"\n", ago(6))).map_err(io)?;
    w(root, ".milestone_bundles/2c-Retention/failure_context.md", "# Milestone Execution Failure\n\n**Failed Task**: TASK-032\n**Task Position**: 2/4\n**Failure Type**: validation_failure\n").map_err(io)?;
    w(root, ".task_bundles/TASK-032/bundle_status.yaml", "task_id: TASK-032\nstatus: validation_failed\nfailure_reason: \"3 of 14 retention tests failed\"\n").map_err(io)?;
    // Stage 3: waiting on stage 2, one with a recorded blocker, one broken file.
    w(root, &format!("{m}/active/3a.yaml"), "id: \"3a\"\ntitle: \"Dashboards\"\nstatus: planned\ndependencies:\n  requires: [\"2a\", \"2b\"]\n").map_err(io)?;
    w(root, &format!("{m}/active/3b.yaml"), "id: \"3b\"\ntitle: \"On-call rotation\"\nstatus: planned\ndependencies: {requires: [\"2b\"]}\nblockers:\n  - \"needs a PagerDuty account\"\n").map_err(io)?;
    w(
        root,
        &format!("{m}/active/3c.yaml"),
        "Notes from the planning call - paste below\nid: \"3c\"\ntitle: \"Fleet map\"\n",
    )
    .map_err(io)?;
    w(root, &format!("{m}/active/current.txt"), "2a\n").map_err(io)?;
    w(
        root,
        &format!("{m}/config/mdash.yaml"),
        "# The demo's agent is mdash's own simulator ({mdash} is the mdash that starts it),\n# looping until the demo ends; point agent.command at a real agent.\nagent:\n  command: [\"{mdash}\", \"sim\", \"--pace-ms\", \"1500\", \"--loop\", \"--\", \"{id}\"]\n  max_concurrent: 3\n  stop_grace_secs: 2\n  create_worktree: true\nnotify:\n  bell: false\n",
    )
    .map_err(io)?;
    commit(
        root,
        &[".milestones/active/2a.yaml", ".milestones/active/2b.yaml"],
        "docs: plan stage 2",
    )?;
    Ok(())
}

pub fn run(dir: Option<PathBuf>) -> color_eyre::Result<i32> {
    let temp = dir.is_none();
    let root = match dir {
        Some(d) => {
            if d.exists()
                && std::fs::read_dir(&d)
                    .map(|mut r| r.next().is_some())
                    .unwrap_or(false)
            {
                eprintln!(
                    "mdash: {} is not empty; give an empty or new directory",
                    d.display()
                );
                return Ok(crate::cli::EXIT_USAGE);
            }
            d
        }
        None => tempfile_dir()?,
    };
    let built = build(&root).and_then(|()| {
        // git's init leaves the directory as the umask says; a temporary
        // demo's is the user's alone.
        use std::os::unix::fs::PermissionsExt;
        if !temp {
            return Ok(());
        }
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| e.to_string())
    });
    if let Err(e) = built {
        eprintln!("mdash: cannot build the demo in {}: {e}", root.display());
        return Ok(1);
    }
    let root = std::fs::canonicalize(&root)?;
    let agent = crate::live::config::agent::load(&root);
    if let Err(e) = agent.trust(&root) {
        eprintln!("mdash: {e}");
    }
    let snap = crate::live::snapshot::load_with_git(&root, chrono::Utc::now());
    let mut started = Vec::new();
    for id in ["2a", "2d"] {
        match control::Target::of(&snap, id).and_then(|t| control::start(&root, &t, false, false)) {
            Ok(_) => started.push(id),
            Err(e) => eprintln!("mdash: demo run {id}: {e}"),
        }
    }
    let code = crate::runtime::run(root.clone(), crate::runtime::Options { poll: false })?;
    // Leave nothing running behind the demo: every live run of its
    // workspace, the ones started with `s` or `S` too, stopped at once.
    let _ = started;
    let live: Vec<String> = crate::live::runs::all(&root)
        .into_iter()
        .filter(|r| r.state.is_live() && crate::live::runs::is_ours(r))
        .map(|r| r.id)
        .collect();
    std::thread::scope(|s| {
        for id in &live {
            let root = &root;
            s.spawn(move || control::stop(root, id, control::Target::read(root, id).ok().as_ref()));
        }
    });
    println!("demo workspace kept at {}", root.display());
    Ok(code)
}

/// A new directory with a random name, made with a `mkdir` that fails when
/// the name exists (no directory someone else prepared is ever reused),
/// private to the user, and kept after the demo.
fn tempfile_dir() -> std::io::Result<PathBuf> {
    let dir = tempfile::Builder::new()
        .prefix("mdash-demo-")
        .tempdir()?
        .keep();
    Ok(dir)
}
