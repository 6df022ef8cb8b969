//! The long property test of status edits (issue 16): random milestone
//! files in every layout FORMATS.md lists, random concurrent writers (rename
//! and in place: truncate, wait, write), random pause / resume / stop edits.
//! After each step every file is byte for byte what its writer last wrote,
//! or that with exactly the status value changed.
//!
//! `cargo test` runs a short version; `MDASH_EDIT_CASES=N` runs N steps and
//! `MDASH_EDIT_SEED=S` replays a seed.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The edit under test: what `run pause` / `run resume` call.
fn edit(path: &Path, status: &str) -> Result<(), String> {
    milestone_dash::live::runs::records::set_status(path, status).map_err(|e| e.to_string())
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// A generated file: `pre + value + post` is its text; an edit may only
/// replace `value` (the status word; in YAML with its quotes, in JSON
/// inside them).
#[derive(Clone, Debug)]
struct Gen {
    pre: String,
    value: String,
    post: String,
}

impl Gen {
    fn text(&self) -> String {
        format!("{}{}{}", self.pre, self.value, self.post)
    }
    fn with(&self, value: &str) -> String {
        format!("{}{}{}", self.pre, value, self.post)
    }
}

const STATUSES: &[&str] = &["planned", "in_progress", "paused", "active", "executing"];
const TITLES: &[&str] = &[
    "Sensor ingest",
    "Alerting: v2",
    "センサー",
    "A # not a comment",
];

fn extras(r: &mut Rng) -> String {
    let mut s = String::new();
    if r.chance(50) {
        s.push_str("tasks:\n  - {id: t1, status: done, hours: 6}\n  - id: t2\n    status: in_progress  # busy\n");
    }
    if r.chance(40) {
        s.push_str("progress:\n  percentage: 40\n  last_update: 2025-08-17\n");
    }
    if r.chance(30) {
        s.push_str("description: >-\n  status: not this one\n  nor this\n");
    }
    if r.chance(30) {
        s.push_str("# status: a comment, not a key\n");
    }
    if r.chance(30) {
        s.push_str("dependencies: {requires: [], enables: [0a]}\n");
    }
    s
}

/// Where a milestone file lives, which fixes its dialect (SPEC §1).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `.milestones/active/<id>.yaml`, in any YAML layout.
    Active,
    /// `.milestones/active/<id>.json`.
    Json,
    /// `.milestones/state/active/<id>.json`: `{milestone_id, state: {...}}`.
    Store,
    /// `.milestone_bundles/<name>/milestone_status.yaml`.
    Bundle,
    /// `.milestones/current.yaml`, the legacy single milestone.
    Legacy,
    /// `.milestones/<name>/milestone.yaml`, the quickstart's.
    Quickstart,
}

const KINDS: [Kind; 8] = [
    Kind::Active,
    Kind::Active,
    Kind::Json,
    Kind::Store,
    Kind::Bundle,
    Kind::Legacy,
    Kind::Quickstart,
    Kind::Active,
];

fn place(root: &Path, kind: Kind, id: &str) -> PathBuf {
    root.join(match kind {
        Kind::Active => format!(".milestones/active/{id}.yaml"),
        Kind::Json => format!(".milestones/active/{id}.json"),
        Kind::Store => format!(".milestones/state/active/{id}.json"),
        Kind::Bundle => format!(".milestone_bundles/{id}/milestone_status.yaml"),
        Kind::Legacy => ".milestones/current.yaml".to_string(),
        Kind::Quickstart => format!(".milestones/personal-{id}/milestone.yaml"),
    })
}

/// One milestone file with id `id` of that kind, in a random layout.
fn generate(r: &mut Rng, id: &str, kind: Kind) -> Gen {
    let v = r.pick(STATUSES).to_string();
    let title = r.pick(TITLES);
    let json = matches!(kind, Kind::Json | Kind::Store);
    let g = if kind == Kind::Store {
        let sep = if r.chance(50) { "\n  " } else { " " };
        Gen {
            pre: format!(
                "{{{sep}\"timestamp\": \"2025-07-20T10:00:00Z\",{sep}\"milestone_id\": \"{id}\",{sep}\"version\": \"1.0\",{sep}\"state\": {{\"title\": \"{title}\", \"progress\": 0.10, \"status\": \""
            ),
            value: v,
            post: "\", \"tasks\": [{\"id\": \"t\", \"status\": \"done\"}]}\n}\n".to_string(),
        }
    } else if kind == Kind::Bundle {
        Gen {
            pre: format!("milestone_name: {id}\nstatus: "),
            value: v,
            post: "\ntotal_tasks: 4\ncompleted_tasks: [TASK-001]\ncurrent_task_index: 1\n"
                .to_string(),
        }
    } else if kind == Kind::Legacy {
        Gen {
            pre: format!(
                "milestone_id: \"{id}\"\ntitle: \"{title}\"\ncreated: \"2025-07-01\"\nstatus: "
            ),
            value: v,
            post: "\ntotal_tasks: 5\ncompleted_tasks: 2\ncompletion_percentage: 40\n".to_string(),
        }
    } else if kind == Kind::Quickstart {
        Gen {
            pre: format!("milestone:\n  id: {id}\n  title: \"{title}\"\n  status: "),
            value: v,
            post: "\n  phases:\n    - name: foundation\n      kiro_phase: design\n      duration: 2 days\n      tasks: [a, b]\n  current_phase: 1\n".to_string(),
        }
    } else if json {
        let pretty = r.chance(50);
        let (sep, ind, end) = if pretty {
            ("\n", "  ", "\n")
        } else {
            ("", "", "")
        };
        let colon = if r.chance(50) { ": " } else { ":" };
        Gen {
            pre: format!(
                "{{{sep}{ind}\"id\"{colon}\"{id}\",{sep}{ind}\"title\"{colon}\"{title}\",{sep}{ind}\"big\"{colon}12345678901234567890,{sep}{ind}\"ratio\"{colon}0.10,{sep}{ind}\"dup\"{colon}1,{sep}{ind}\"dup\"{colon}2,{sep}{ind}\"tasks\"{colon}[{{\"id\": \"t\", \"status\": \"done\"}}],{sep}{ind}\"status\"{colon}\""
            ),
            value: v,
            post: format!("\"{sep}}}{end}"),
        }
    } else {
        let q = r.pick(&["", "", "\"", "'"]);
        // A quoted YAML value may be written plain: the quotes belong to
        // the value an edit replaces.
        let v = format!("{q}{v}{q}");
        let q = "";
        let cmt = if r.chance(30) {
            "   # set by the agent"
        } else {
            ""
        };
        let head = if r.chance(30) {
            "# milestone file\n"
        } else {
            ""
        };
        let ex = extras(r);
        match r.below(8) {
            // Canonical, status before or after the id.
            0 | 1 => {
                if r.chance(50) {
                    Gen {
                        pre: format!("{head}id: {id}\ntitle: \"{title}\"\nstatus: {q}"),
                        value: v,
                        post: format!("{q}{cmt}\n{ex}"),
                    }
                } else {
                    Gen {
                        pre: format!("{head}status: {q}"),
                        value: v,
                        post: format!("{q}{cmt}\nid: {id}\ntitle: \"{title}\"\n{ex}"),
                    }
                }
            }
            // The mqtt dialect's `metadata:` wrapper.
            2 => Gen {
                pre: format!(
                    "{head}metadata:{cmt}\n  milestone_id: {id}\n  name: \"{title}\"\n  status: {q}"
                ),
                value: v,
                post: format!(
                    "{q}\nkiro_configuration:\n  phases:\n    design: {{weight: 15, status: completed}}\n{ex}"
                ),
            },
            // Quickstart `milestone:` wrapper, 4-space indent.
            3 => Gen {
                pre: format!("milestone:\n    id: {id}\n    title: \"{title}\"\n    status: {q}"),
                value: v,
                post: format!(
                    "{q}\n    phases:\n      - {{name: a, kiro_phase: design, status: active}}\n"
                ),
            },
            // `milestone_state.metadata`.
            4 => Gen {
                pre: format!("milestone_state:\n  metadata:\n    id: {id}\n    status: {q}"),
                value: v,
                post: format!("{q}\n  other: 1\n{ex}"),
            },
            // A flow mapping.
            5 => Gen {
                pre: format!("{{id: {id}, title: \"{title}\", status: {q}"),
                value: v,
                post: format!("{q}, tasks: [{{id: t, status: done}}]}}\n"),
            },
            // The value on the next line.
            6 => Gen {
                pre: format!("id: {id}\nstatus:\n  "),
                value: v,
                post: format!("\ntitle: \"{title}\"\n{ex}"),
            },
            // A folded block.
            _ => Gen {
                pre: format!("id: {id}\nstatus: >-\n  "),
                value: v,
                post: format!("\ntitle: \"{title}\"\n{ex}"),
            },
        }
    };
    let mut g = g;
    if r.chance(25) {
        g.pre = g.pre.replace('\n', "\r\n");
        g.post = g.post.replace('\n', "\r\n");
    }
    if r.chance(20) {
        g.pre = format!("\u{feff}{}", g.pre);
    }
    g
}

/// A rename writer (temp file beside, then rename) or an in-place one
/// (truncate, wait up to 3 ms, write in one call).
fn writer(path: PathBuf, text: String, in_place: bool, wait_us: u64) {
    if in_place {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .expect("open");
        std::thread::sleep(Duration::from_micros(wait_us));
        f.write_all(text.as_bytes()).expect("write");
    } else {
        let tmp = path.with_extension(format!("agent{wait_us}.tmp"));
        std::fs::write(&tmp, &text).expect("tmp");
        std::thread::sleep(Duration::from_micros(wait_us / 2));
        std::fs::rename(&tmp, &path).expect("rename");
    }
}

/// The statuses an edit may write: pause and resume set these two; a stop
/// of a paused run puts back the status the pause replaced (one of
/// `STATUSES`, which the writers use).
const WRITTEN: &[&str] = &["paused", "in_progress", "planned", "active", "executing"];

fn check(files: &[(PathBuf, Gen)], written: &[&str], step: u64, seed: u64) {
    for (p, g) in files {
        let got = std::fs::read(p).expect("read");
        let ok = got == g.text().as_bytes() || written.iter().any(|s| got == g.with(s).as_bytes());
        assert!(
            ok,
            "step {step} (MDASH_EDIT_SEED={seed}): {} is neither what its writer last wrote nor that with only the status changed\nwrote: {:?}\n  got: {:?}",
            p.display(),
            g.text(),
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn status_edits_change_only_the_status_value_under_concurrent_writers() {
    let cases: u64 = std::env::var("MDASH_EDIT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let seed: u64 = std::env::var("MDASH_EDIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    let mut r = Rng(seed);
    let d = tempfile::tempdir().expect("tmp");
    let mut files: Vec<(PathBuf, Gen)> = KINDS
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let p = place(d.path(), kind, &format!("{i}a"));
            std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
            let g = generate(&mut r, &format!("{i}a"), kind);
            std::fs::write(&p, g.text()).expect("write");
            (p, g)
        })
        .collect();
    let (mut edits, mut landed) = (0u64, 0u64);
    for step in 0..cases {
        let i = r.below(files.len() as u64) as usize;
        let (path, _) = files[i].clone();
        let id = format!("{i}a");
        let next = generate(&mut r, &id, KINDS[i]);
        let write_too = r.chance(70);
        let in_place = r.chance(50);
        let wait_us = r.below(3000);
        let lead_us = r.below(2500);
        let action = r.pick(&["pause", "resume", "stop"]);
        let handle = write_too.then(|| {
            let (p, t) = (path.clone(), next.text());
            std::thread::spawn(move || writer(p, t, in_place, wait_us))
        });
        std::thread::sleep(Duration::from_micros(lead_us));
        // A stop leaves the status alone; pause and resume set it.
        let status = match action {
            "pause" => Some("paused"),
            "resume" => Some("in_progress"),
            _ => None,
        };
        if let Some(s) = status {
            edits += 1;
            if edit(&path, s).is_ok() {
                landed += 1;
            }
        }
        if let Some(h) = handle {
            h.join().expect("writer");
            files[i].1 = next;
        }
        check(&files, &["paused", "in_progress"], step, seed);
        // What the file holds now is what the next step's writer replaces;
        // the oracle is always the writer's last text.
    }
    eprintln!(
        "edit property: {cases} steps, {edits} edits, {landed} landed (MDASH_EDIT_SEED={seed})"
    );
    assert!(
        landed > 0 || cases < 10,
        "no edit ever landed: {edits} tried"
    );
}

/// The same property through the real binary: real runs (a trusted
/// `agent.command`), random `run pause` / `resume` / `stop` / `start`,
/// racing real child-process writers (in place: `> file`, wait, write; or
/// a copy renamed over it). `MDASH_EDIT_CLI_CASES=N` runs N steps.
#[test]
fn pause_resume_stop_through_the_binary_change_only_the_status_value() {
    let cases: u64 = std::env::var("MDASH_EDIT_CLI_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let seed: u64 = std::env::var("MDASH_EDIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()) << 20 | 1);
    let mut r = Rng(seed);
    let w = common::edits::runs();
    let kinds = [Kind::Active, Kind::Json, Kind::Quickstart, Kind::Store];
    let mut files: Vec<(PathBuf, Gen)> = kinds
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let id = format!("{i}a");
            let p = place(&w.root, kind, &id);
            std::fs::create_dir_all(p.parent().expect("dir")).expect("mkdir");
            let mut g = generate(&mut r, &id, kind);
            // Started in progress, so the start itself edits nothing.
            g.value = if kind == Kind::Active {
                "in_progress".into()
            } else {
                g.value
                    .replace(g.value.trim_matches(['"', '\'']), "in_progress")
            };
            std::fs::write(&p, g.text()).expect("write");
            w.start(&id);
            (p, g)
        })
        .collect();
    let src = w.dir.path().join("next.txt");
    let mut landed = 0;
    for step in 0..cases {
        let i = r.below(files.len() as u64) as usize;
        let id = format!("{i}a");
        let path = files[i].0.clone();
        let next = generate(&mut r, &id, kinds[i]);
        let write_too = r.chance(70);
        let writer = write_too.then(|| {
            std::fs::write(&src, next.text()).expect("src");
            let wait = r.below(30);
            let script = if r.chance(50) {
                format!(
                    "sleep 0.0{wait:02}; {{ sleep 0.002; cat '{}'; }} > '{}'",
                    src.display(),
                    path.display()
                )
            } else {
                format!(
                    "sleep 0.0{wait:02}; cp '{0}' '{1}.agent' && mv '{1}.agent' '{1}'",
                    src.display(),
                    path.display()
                )
            };
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .spawn()
                .expect("writer")
        });
        let verb = r.pick(&["pause", "resume", "stop", "start", "pause", "resume"]);
        let (code, out) = w.mdash(&["run", verb, &id]);
        if code != 0 && std::env::var_os("MDASH_EDIT_VERBOSE").is_some() {
            eprintln!("step {step}: run {verb} {id}: {}", out.trim());
        }
        if let Some(mut c) = writer {
            assert!(c.wait().expect("writer").success());
            files[i].1 = next;
        }
        if code == 0 {
            landed += 1;
        }
        check(&files, WRITTEN, step, seed);
    }
    eprintln!(
        "edit property through the binary: {cases} steps, {landed} run commands succeeded (MDASH_EDIT_SEED={seed})"
    );
    assert!(landed > 0 || cases < 8, "no run command succeeded");
    for i in 0..files.len() {
        let _ = w.mdash(&["run", "stop", &format!("{i}a")]);
    }
}
