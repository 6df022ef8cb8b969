//! A whole snapshot of the workspace: the readers turn files into model,
//! the rules compute from it, and the worktree list, the run registry and
//! (for the commands that show it) each worktree's git state are passed in
//! here. The dashboard's workers and every subcommand load through this.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::live::{config, git, runs};
use crate::model::{RunView, Snapshot};
use crate::read::workspace::Reader as Files;

/// Loads a workspace again and again, re-parsing only the files that
/// changed.
pub struct Reader {
    files: Files,
    transcripts: crate::live::agent::Transcripts,
    /// Run records, read again when they change.
    records: runs::Records,
    /// The live runs of the last load, for watching their ends.
    leaders: Vec<Leader>,
    /// The dashboard's state between loads (none for a one-shot read).
    kept: Option<kept::Kept>,
    /// The worktrees of the last full read.
    worktrees: Vec<crate::model::Worktree>,
    one_shot: bool,
    /// The dashboard's reader: it may log screen corrections (`writing`).
    /// Every other reader writes nothing.
    writes: bool,
    /// The coordination database's last read (SPEC §12).
    registry: crate::live::registry::Cache,
}

mod kept;

/// A live run's supervisor (its process group leader), as recorded: the
/// dashboard learns of its end from the kernel instead of a timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub id: String,
    pub pgid: i32,
    pub start_ticks: u64,
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            files: Files::new(root),
            transcripts: Default::default(),
            records: Default::default(),
            leaders: Vec::new(),
            kept: None,
            worktrees: Vec::new(),
            one_shot: false,
            writes: false,
            registry: Default::default(),
        }
    }

    /// The dashboard's reader: it logs the screen corrections of agents'
    /// states (SPEC §8), which read commands only show.
    pub fn writing(mut self) -> Reader {
        self.writes = true;
        self
    }

    /// A reader for one load: it keeps no cache, so it clones nothing.
    pub fn once(root: &Path) -> Reader {
        Reader {
            files: Files::once(root),
            transcripts: Default::default(),
            records: Default::default(),
            leaders: Vec::new(),
            kept: None,
            worktrees: Vec::new(),
            one_shot: true,
            writes: false,
            registry: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        self.files.root()
    }

    /// The live runs the last load saw.
    pub fn leaders(&self) -> &[Leader] {
        &self.leaders
    }

    /// Marks paths as changed (a watcher saw them), whatever their stamp says.
    pub fn invalidate(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        self.files.invalidate(paths);
    }

    /// Forgets everything: the next load re-reads every file.
    pub fn invalidate_all(&mut self) {
        self.files.invalidate_all();
        self.kept = None;
    }

    /// Reads what changed: `paths` are every path the watcher reported
    /// since the last load, and `trusted` says the watcher is live and lost
    /// nothing. Then only those files are read and only their milestones'
    /// rules run again, when the change allows (`read::fast`); otherwise,
    /// and whenever `trusted` is false, this is `invalidate` and `load`.
    pub fn load_changed(
        &mut self,
        paths: Vec<PathBuf>,
        trusted: bool,
        now: DateTime<Utc>,
    ) -> Snapshot {
        // Both config files, read once for this reload whichever way it goes.
        let loaded = config::read(self.root());
        if trusted && let Some(snap) = self.load_fast(&paths, &loaded, now) {
            return snap;
        }
        self.invalidate(paths);
        self.load_with(loaded, now)
    }

    /// When the last snapshot stops being true with no file changing (a
    /// reload then gives the new one); `None` when nothing waits on time.
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        self.kept.as_ref()?.next_change()
    }

    fn load_fast(
        &mut self,
        paths: &[PathBuf],
        loaded: &config::Loaded,
        now: DateTime<Utc>,
    ) -> Option<Snapshot> {
        let root = self.root().to_path_buf();
        let kept = self.kept.as_mut()?;
        if !loaded.workspace_problems().is_empty() || git::worktrees(&root) != self.worktrees {
            crate::util::log::decided!("reload: full read (config problems or worktrees changed)");
            return None;
        }
        let cfg = &loaded.config;
        // The database's own files: the registry is read below anyway.
        let paths = crate::live::registry::without_db(&root, paths);
        let changed = self.files.read_fast(&paths, cfg.max_file_bytes)?;
        let settings = settings_of(loaded);
        if !kept.apply(changed, &settings, now) {
            self.kept = None;
            return None;
        }
        let views = kept.views.clone();
        let (problems, current) = (kept.problems.clone(), kept.current.clone());
        let hooked = kept.hooked();
        let worktrees = self.worktrees.clone();
        Some(self.finish(
            root,
            (views, problems, current),
            &hooked,
            &worktrees,
            &loaded.agent,
            now,
        ))
    }

    /// Before the first full read of a large workspace: a first screenful
    /// (`read_first`), its milestones evaluated alone, to show at once
    /// while the full read goes on. `None` when there is nothing to gain.
    pub fn first_screen(&mut self, n: usize, now: DateTime<Utc>) -> Option<Snapshot> {
        if self.kept.is_some() {
            return None;
        }
        let root = self.root().to_path_buf();
        let loaded = config::read(&root);
        let (ms, total) = self.files.read_first(n, loaded.config.max_file_bytes)?;
        let settings = settings_of(&loaded);
        let mut views =
            crate::rules::evaluate(ms, Default::default(), Default::default(), &settings, now);
        views.sort_by_key(|v| crate::rules::order_key(&v.milestone));
        // What depends on milestones not read yet is not known yet: no
        // unmet dependencies or cycles among a partial set.
        for v in &mut views {
            v.blockers.retain(|b| {
                !matches!(
                    b.kind,
                    crate::model::BlockerKind::UnmetDependency
                        | crate::model::BlockerKind::DependencyCycle
                )
            });
            crate::rules::ready::refresh(v);
        }
        Some(Snapshot {
            root,
            now,
            milestones: views.into_iter().map(std::sync::Arc::new).collect(),
            problems: Vec::new(),
            current: None,
            failed_output: Vec::new(),
            partial: Some(total),
            registry: Default::default(),
        })
    }

    /// Reads the workspace as of `now`, without per-worktree git state
    /// (that is a separate, slower read: `with_git`).
    pub fn load(&mut self, now: DateTime<Utc>) -> Snapshot {
        let loaded = config::read(self.root());
        self.load_with(loaded, now)
    }

    /// `load` with the config already read.
    fn load_with(&mut self, loaded: config::Loaded, now: DateTime<Utc>) -> Snapshot {
        let root = self.root().to_path_buf();
        let (cfg, problems) = (&loaded.config, loaded.workspace_problems());
        let worktrees = git::worktrees(&root);
        if !self.one_shot {
            self.worktrees = worktrees.clone();
        }
        let read = self
            .files
            .read(worktrees.clone(), cfg.max_file_bytes, problems);
        let hooked = newest_agent_states(read.events.iter());
        let settings = settings_of(&loaded);
        let (views, problems, current) = if self.one_shot {
            let mut views = crate::rules::evaluate_with(
                read.milestones,
                read.events,
                read.sessions,
                &read.starts,
                &settings,
                now,
            );
            views.sort_by_key(|v| crate::rules::order_key(&v.milestone));
            let views = views.into_iter().map(std::sync::Arc::new).collect();
            (views, read.problems, read.current)
        } else {
            let kept = kept::Kept::new(read, &settings, now);
            let out = (
                kept.views.clone(),
                kept.problems.clone(),
                kept.current.clone(),
            );
            self.kept = Some(kept);
            out
        };
        let read = (views, problems, current);
        self.finish(root, read, &hooked, &worktrees, &loaded.agent, now)
    }
}

/// The rules' settings: the config's, and whether checks are configured.
fn settings_of(loaded: &config::Loaded) -> crate::rules::Settings {
    let mut settings = loaded.config.rules.clone();
    settings.checks_configured = loaded.checks.configured();
    settings
}

/// What a read gives `finish`: the views, the problems, the current id.
type Read = (
    Vec<std::sync::Arc<crate::model::MilestoneView>>,
    Vec<crate::model::Problem>,
    Option<String>,
);

impl Reader {
    /// What every load ends with: each view's run (the registry is read on
    /// every load: a few small files) and agent, readiness again (an agent
    /// that waits is a blocker), the live runs' supervisors noted.
    fn finish(
        &mut self,
        root: PathBuf,
        (mut views, problems, current): Read,
        hooked: &std::collections::HashMap<String, crate::model::AgentStatus>,
        worktrees: &[crate::model::Worktree],
        agent_cfg: &crate::live::config::agent::Agent,
        now: DateTime<Utc>,
    ) -> Snapshot {
        let records = self.records.all(&root);
        let runs: Vec<(String, RunView)> = records
            .iter()
            .map(|r| (r.id.clone(), runs::observe(&root, r)))
            .collect();
        self.leaders = records
            .iter()
            .zip(&runs)
            .filter(|(_, (_, v))| v.state.is_live())
            .map(|(r, _)| Leader {
                id: r.id.clone(),
                pgid: r.pgid,
                start_ticks: r.start_ticks,
            })
            .collect();
        crate::rules::attach_runs(&mut views, &runs);
        let ids: Vec<String> = views.iter().map(|v| v.milestone.id.clone()).collect();
        let mut agents = crate::live::agent::observe(
            &mut self.transcripts,
            &crate::live::agent::Inputs {
                root: &root,
                ids: &ids,
                worktrees,
                hooked,
                runs: &records,
                claude_kind: agent_cfg.claude,
                ended_after_minutes: agent_cfg.ended_after_minutes,
                prices: &agent_cfg.prices,
                now,
                log_corrections: self.writes,
            },
        );
        crate::live::agent::request::attach(&root, &mut agents);
        crate::rules::agent::attach_agents(&mut views, &agents);
        views
            .iter_mut()
            .for_each(crate::rules::ready::refresh_shared);
        let failed_output = runs
            .iter()
            .filter(|(_, r)| r.state == crate::model::RunState::Failed)
            .filter_map(|(id, _)| Some((id.clone(), last_line(&root, id)?)))
            .collect();
        let registry = crate::live::registry::load(&root, &mut self.registry);
        Snapshot {
            root,
            now,
            milestones: views,
            problems,
            current,
            failed_output,
            partial: None,
            registry,
        }
    }
}

/// The last non-empty line of a run's output (`logs/agent-<id>.log`), from
/// its last 4 KiB; not through a symlink.
fn last_line(root: &Path, id: &str) -> Option<String> {
    let path = root
        .join(".milestones/logs")
        .join(format!("agent-{id}.log"));
    // The whole path through the read fence: a symlinked `logs/` that
    // leads out of the workspace is not read.
    let fence = crate::read::file::Fence::new(root, u64::MAX);
    let (text, _) = crate::read::file::tail_text(&fence, &path, 4096).ok()?;
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}

/// The newest `agent_state` of each milestone (SPEC §8).
pub(crate) fn newest_agent_states<'a>(
    events: impl Iterator<Item = (&'a String, &'a Vec<crate::model::Event>)>,
) -> std::collections::HashMap<String, crate::model::AgentStatus> {
    events
        .filter_map(|(id, evs)| {
            let newest = evs
                .iter()
                .enumerate()
                .filter(|(_, e)| e.name == crate::read::agent::EVENT)
                .max_by_key(|(i, e)| (e.time, *i))?;
            let mut status = crate::read::agent::of_event(newest.1)?;
            status.subagents = crate::read::agent::subagents(evs, &status.session_id);
            Some((id.clone(), status))
        })
        .collect()
}

/// Reads the workspace at `root` (already discovered) once, without git state.
pub fn load(root: &Path, now: DateTime<Utc>) -> Snapshot {
    Reader::once(root).load(now)
}

/// Reads the workspace and its worktrees' git state, as `mdash status` shows it.
/// The config files are read once for both.
pub fn load_with_git(root: &Path, now: DateTime<Utc>) -> Snapshot {
    let loaded = config::read(root);
    let base = loaded.config.base_branch.clone();
    let mut snap = Reader::once(root).load_with(loaded, now);
    with_git_on(root, &mut snap, base.as_deref());
    snap
}

/// Attaches each milestone's worktree state.
pub fn with_git(root: &Path, snap: &mut Snapshot) {
    let (cfg, _) = config::load(root);
    with_git_on(root, snap, cfg.base_branch.as_deref());
}

/// `with_git` against the configured base branch `base`.
fn with_git_on(root: &Path, snap: &mut Snapshot, base: Option<&str>) {
    let ids: Vec<String> = snap
        .milestones
        .iter()
        .map(|m| m.milestone.id.clone())
        .collect();
    let mut cache = git::forecast::Cache::default();
    let states = git::states_with_forecast(root, &ids, base, &mut cache);
    // A worktree whose state cannot be read is an error on that worktree.
    for (_, st) in &states {
        if let Some(e) = &st.error {
            snap.problems
                .push(crate::model::Problem::error(&st.path, e.clone()));
        }
    }
    snap.problems
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    crate::rules::attach_worktrees(&mut snap.milestones, &states);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    #[test]
    fn reload_sees_changes_appends_and_removals() {
        let d = tempfile::tempdir().expect("tmp");
        let r = d.path();
        write(r, ".milestones/active/a.yaml", "id: a\nstatus: planned\n");
        write(r, ".milestones/active/b.yaml", "id: b\nstatus: planned\n");
        write(
            r,
            ".milestones/logs/execution-a.jsonl",
            "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"event\":\"one\"}\n",
        );
        let mut reader = Reader::new(r);
        let now = Utc::now();
        let s1 = reader.load(now);
        assert_eq!(s1.milestones.len(), 2);

        // Same length, new content: the stamp (mtime) still differs, and the
        // watcher's report makes it certain.
        write(r, ".milestones/active/a.yaml", "id: a\nstatus: blocked\n");
        reader.invalidate([r.join(".milestones/active/a.yaml")]);
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(r.join(".milestones/logs/execution-a.jsonl"))
            .expect("open");
        std::io::Write::write_all(
            &mut log,
            b"{\"timestamp\":\"2026-01-02T00:00:00Z\",\"event\":\"two\"}\n{\"partial\":",
        )
        .expect("append");
        std::fs::remove_file(r.join(".milestones/active/b.yaml")).expect("rm");
        let s2 = reader.load(now);
        assert_eq!(s2.milestones.len(), 1);
        let a = &s2.milestones[0];
        assert_eq!(a.status, crate::model::Status::Blocked);
        assert_eq!(a.last_event.as_ref().map(|e| e.name.as_str()), Some("two"));

        // The partial line completes later.
        std::io::Write::write_all(
            &mut log,
            b"1,\"timestamp\":\"2026-01-03T00:00:00Z\",\"event\":\"three\"}\n",
        )
        .expect("append");
        let s3 = reader.load(now);
        assert_eq!(
            s3.milestones[0]
                .last_event
                .as_ref()
                .map(|e| e.name.as_str()),
            Some("three")
        );
        assert!(s3.problems.is_empty(), "{:?}", s3.problems);
    }
}
