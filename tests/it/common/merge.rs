//! Repositories for the checks, readiness, forecast and merge tests, built
//! with git2 (no git binary needed), and the binary run against them with a
//! private user config directory.

use std::path::{Path, PathBuf};

use git2::{BranchType, Oid, Repository, Signature};

/// A workspace: a git repository on `main` in `<tmp>/ws`, with a private
/// `$XDG_CONFIG_HOME` in `<tmp>/cfg` so the user's own config never leaks in.
pub struct Ws {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub cfg: PathBuf,
}

fn sig() -> Signature<'static> {
    Signature::now("t", "t@example.com").expect("signature")
}

/// Writes `files` into the work tree of `dir`'s repository and commits them
/// on HEAD; returns the new commit id.
pub fn commit(dir: &Path, files: &[(&str, &str)], msg: &str) -> Oid {
    let repo = Repository::open(dir).expect("open repo");
    let mut index = repo.index().expect("index");
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        index.add_path(Path::new(rel)).expect("add");
    }
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig(), &sig(), msg, &tree, &parents)
        .expect("commit")
}

/// Ten numbered lines: a file two branches can edit apart (lines 2 and 9
/// merge cleanly) or together (the same line conflicts).
pub fn lines(edits: &[(usize, &str)]) -> String {
    (1..=10)
        .map(|i| {
            edits
                .iter()
                .find(|(n, _)| *n == i)
                .map_or(format!("line {i}\n"), |(_, t)| format!("{t}\n"))
        })
        .collect()
}

impl Ws {
    /// `main` with one commit holding `shared.txt`, `other.txt` and `x.txt`;
    /// `.milestones/` and `.worktrees/` excluded from git's status.
    pub fn new() -> Ws {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("ws");
        let cfg = tmp.path().join("cfg");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::create_dir_all(cfg.join("mdash")).expect("mkdir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        Repository::init_opts(&root, &opts).expect("init");
        std::fs::write(
            root.join(".git/info/exclude"),
            "/.milestones/\n/.worktrees/\n",
        )
        .expect("exclude");
        let base = lines(&[]);
        commit(
            &root,
            &[
                ("shared.txt", base.as_str()),
                ("other.txt", base.as_str()),
                ("x.txt", "x\n"),
            ],
            "first",
        );
        Ws { tmp, root, cfg }
    }

    pub fn repo(&self) -> Repository {
        Repository::open(&self.root).expect("open")
    }

    /// Writes a milestone file under `.milestones/active/`.
    pub fn milestone(&self, id: &str, yaml: &str) {
        let p = self.root.join(format!(".milestones/active/{id}.yaml"));
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, yaml).expect("write");
    }

    /// A milestone whose four phases are completed (progress 100) while its
    /// status still says in progress: the shape of one waiting to be merged.
    pub fn done_milestone(&self, id: &str) {
        self.milestone(
            id,
            &format!(
                "id: {id}\ntitle: M {id}\nstatus: in_progress\nphases:\n  design: {{status: completed}}\n  spec: {{status: completed}}\n  task: {{status: completed}}\n  execute: {{status: completed}}\n"
            ),
        );
    }

    /// `.worktrees/milestone-<id>` on a new `feature/milestone-<id>` from
    /// `main`'s tip.
    pub fn worktree(&self, id: &str) -> PathBuf {
        let repo = self.repo();
        let tip = repo
            .find_branch("main", BranchType::Local)
            .expect("main")
            .get()
            .peel_to_commit()
            .expect("tip");
        let branch = repo
            .branch(&format!("feature/milestone-{id}"), &tip, false)
            .expect("branch");
        let path = self.root.join(format!(".worktrees/milestone-{id}"));
        std::fs::create_dir_all(self.root.join(".worktrees")).expect("mkdir");
        let reference = branch.into_reference();
        let mut opts = git2::WorktreeAddOptions::new();
        opts.reference(Some(&reference));
        repo.worktree(&format!("milestone-{id}"), &path, Some(&opts))
            .expect("worktree");
        path
    }

    /// The user config (`$XDG_CONFIG_HOME/mdash/config.yaml`): trusted as the
    /// user's own, so `checks.command` set here runs without `mdash trust`.
    pub fn user_config(&self, yaml: &str) {
        std::fs::write(self.cfg.join("mdash/config.yaml"), yaml).expect("write");
    }

    /// `checks.command` in the user config as `sh -c SCRIPT`.
    pub fn checks(&self, script: &str) {
        let quoted = script.replace('\\', "\\\\").replace('"', "\\\"");
        self.user_config(&format!(
            "checks:\n  command: [\"sh\", \"-c\", \"{quoted}\"]\n"
        ));
    }

    /// Runs the binary in the workspace root: (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        self.run_in(&self.root, args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
        let out = super::bin()
            .args(args)
            .current_dir(dir)
            .env("XDG_CONFIG_HOME", &self.cfg)
            .env_remove("TMUX")
            .output()
            .expect("run mdash");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `mdash status --json --now NOW`, parsed.
    pub fn status(&self) -> serde_json::Value {
        self.status_at(super::NOW)
    }

    pub fn status_at(&self, now: &str) -> serde_json::Value {
        let root = self.root.display().to_string();
        let (code, out, err) = self.run(&["status", "--json", "--now", now, &root]);
        assert_eq!(code, Some(0), "status: {err}");
        serde_json::from_str(&out).expect("valid JSON")
    }

    /// The commit a local branch points at.
    pub fn tip(&self, branch: &str) -> Oid {
        self.repo()
            .find_branch(branch, BranchType::Local)
            .expect("branch")
            .get()
            .target()
            .expect("direct ref")
    }

    pub fn has_branch(&self, branch: &str) -> bool {
        self.repo().find_branch(branch, BranchType::Local).is_ok()
    }

    /// The events of `.milestones/logs/execution-<id>.jsonl`, in file order.
    pub fn events(&self, id: &str) -> Vec<serde_json::Value> {
        let p = self
            .root
            .join(format!(".milestones/logs/execution-{id}.jsonl"));
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// The names of `events(id)`.
    pub fn event_names(&self, id: &str) -> Vec<String> {
        self.events(id)
            .iter()
            .map(|e| e["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Everything a forecast or a refused merge must leave alone: every ref with
/// its target, each worktree's HEAD, index bytes and merge state files, and
/// the work tree files (paths and contents, `.git` and `.milestones` aside).
pub fn fingerprint(root: &Path) -> Vec<String> {
    let repo = Repository::open(root).expect("open");
    let mut out = Vec::new();
    for r in repo.references().expect("refs").flatten() {
        out.push(format!(
            "ref {} {:?} {:?}",
            r.name().unwrap_or("?"),
            r.target(),
            r.symbolic_target()
        ));
    }
    let mut dirs = vec![root.to_path_buf()];
    for name in repo
        .worktrees()
        .expect("worktrees")
        .iter()
        .flatten()
        .flatten()
    {
        dirs.push(repo.find_worktree(name).expect("wt").path().to_path_buf());
    }
    for d in dirs {
        let r = Repository::open(&d).expect("open wt");
        let git_dir = r.path().to_path_buf();
        out.push(format!(
            "{} HEAD {:?} state {:?}",
            d.display(),
            r.head().ok().and_then(|h| h.target()),
            r.state()
        ));
        for f in ["index", "MERGE_HEAD", "ORIG_HEAD", "AUTO_MERGE"] {
            out.push(format!(
                "{} {f} {:?}",
                d.display(),
                std::fs::read(git_dir.join(f)).ok()
            ));
        }
        let mut files = Vec::new();
        walk(&d, &d, &mut files);
        files.sort();
        out.extend(files);
    }
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if matches!(name.as_str(), ".git" | ".milestones" | ".worktrees") {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            walk(base, &p, out);
        } else {
            out.push(format!(
                "file {} {:?}",
                p.strip_prefix(base).expect("inside").display(),
                std::fs::read(&p).ok()
            ));
        }
    }
}

/// The blocker details of one kind on a milestone, in order.
pub fn blockers_of(m: &serde_json::Value, kind: &str) -> Vec<String> {
    m["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .filter(|b| b["kind"] == kind)
        .map(|b| b["detail"].as_str().expect("detail").to_string())
        .collect()
}

/// `ready.missing` as strings.
pub fn missing(m: &serde_json::Value) -> Vec<String> {
    m["ready"]["missing"]
        .as_array()
        .unwrap_or_else(|| panic!("ready.missing in {m:#}"))
        .iter()
        .map(|g| g.as_str().expect("gate").to_string())
        .collect()
}

/// `worktree.forecast` as strings.
pub fn forecast(m: &serde_json::Value) -> Vec<String> {
    m["worktree"]["forecast"]
        .as_array()
        .unwrap_or_else(|| panic!("worktree.forecast in {m:#}"))
        .iter()
        .map(|g| g.as_str().expect("id").to_string())
        .collect()
}
