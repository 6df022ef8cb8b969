//! Binding a run record to processes the workspace cannot forge. The
//! record under `.milestones/` is workspace data: anyone who can write a
//! file there can name any pid, group and start time (all public in
//! /proc). So a record is believed only when
//!
//! - its group leader is this mdash binary, started with the supervisor's
//!   own command line for this workspace and this id (`mdash supervise ID
//!   --root ROOT ...`), at the recorded start time, in this boot; or
//! - that supervisor is gone, and the processes are listed, with their
//!   start times, in mdash's private registry outside the workspace
//!   (`$XDG_STATE_HOME/mdash/runs/<workspace hash>/<id>.yaml`), which the
//!   supervisor and `pause` write.
//!
//! Nothing else is ever signalled, and descendants are only walked below a
//! leader proven to be ours.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::procs;
use crate::model::Run;
use crate::read::{doc, yaml};

/// What of a run mdash may signal.
#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    /// The supervisor lives and is ours: its group and its descendants.
    Group,
    /// The supervisor is gone (killed outright); these processes, recorded
    /// by mdash, still have their recorded start times.
    Orphans(Vec<(i32, u64)>),
}

fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Whether `pid` is this mdash running `supervise` for `id` (and for the
/// workspace `root`, when given).
fn is_supervisor(pid: i32, id: &str, root: Option<&Path>) -> bool {
    let args = procs::cmdline(pid);
    let shape = args.len() >= 5 && args[1] == "supervise" && args[2] == id && args[3] == "--root";
    let same_root =
        root.is_none_or(|r| args.get(4).is_some_and(|a| canon(Path::new(a)) == canon(r)));
    shape && same_root && procs::exe(pid).is_some() && procs::exe(pid) == procs::this_exe()
}

/// The leader is alive, started when recorded, in this boot, and is the
/// supervisor of this run: of `root` when given.
pub fn leader_is_ours(run: &Run, root: Option<&Path>) -> bool {
    run.pgid > 1
        && run.boot_id == super::boot_id()
        && procs::stat(run.pgid).is_some_and(|s| s.start == run.start_ticks && s.alive())
        && proven_supervisor(run.pgid, run.start_ticks, &run.id, root)
}

/// Supervisors already proven, by (pid, start time, id, workspace): a pid
/// with the same start time in the same boot is the same process, and a
/// supervisor never executes anything else, so the proof holds for its
/// life. A hundred live runs are then one `stat` each per reload instead
/// of a command line, two paths and three executables.
type Proven = std::collections::HashSet<(i32, u64, String, Option<PathBuf>)>;
static PROVEN: std::sync::Mutex<Option<Proven>> = std::sync::Mutex::new(None);

fn proven_supervisor(pid: i32, start: u64, id: &str, root: Option<&Path>) -> bool {
    let key = (pid, start, id.to_string(), root.map(Path::to_path_buf));
    let mut proven = PROVEN.lock().unwrap_or_else(|p| p.into_inner());
    let set = proven.get_or_insert_with(Default::default);
    if set.contains(&key) {
        return true;
    }
    let ok = is_supervisor(pid, id, root);
    if ok {
        if set.len() > 4096 {
            set.clear();
        }
        set.insert(key);
    }
    ok
}

/// What mdash may signal of `run`, recorded in workspace `root`; `None`
/// when nothing of it can be proven to be mdash's.
pub fn reach(root: &Path, run: &Run) -> Option<Reach> {
    // 0 and negative groups mean "every process" to kill(2); 1 is init's.
    if run.pgid <= 1 {
        return None;
    }
    if leader_is_ours(run, Some(root)) {
        return Some(Reach::Group);
    }
    let private = Private::read(root, &run.id)?;
    if private.pgid != run.pgid
        || private.start_ticks != run.start_ticks
        || private.boot_id != super::boot_id()
    {
        return None;
    }
    // The leader's pid may be reused now: only a live leader with the
    // recorded start time would be ours, and that case is handled above.
    let left: Vec<(i32, u64)> = private
        .members
        .iter()
        .copied()
        .filter(|&(pid, start)| {
            pid != run.pgid
                && procs::stat(pid).is_some_and(|s| {
                    s.alive() && s.start == start && (s.pgid == run.pgid || s.sid == run.pgid)
                })
        })
        .collect();
    (!left.is_empty()).then_some(Reach::Orphans(left))
}

/// A private record's text: a regular file of at most 64 KiB (a members
/// list of a few hundred processes), read without blocking.
pub(crate) fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    const MAX: u64 = 64 * 1024;
    let mut s = String::new();
    crate::read::file::open_regular(path)
        .ok()?
        .take(MAX + 1)
        .read_to_string(&mut s)
        .ok()?;
    (s.len() as u64 <= MAX).then_some(s)
}

/// mdash's own record of a run, outside the workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Private {
    pub pgid: i32,
    pub start_ticks: u64,
    pub boot_id: String,
    /// (pid, start time) of the processes mdash saw in the run.
    pub members: Vec<(i32, u64)>,
}

/// `$XDG_STATE_HOME/mdash`, else `~/.local/state/mdash`.
pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .map(|d| d.join("mdash"))
}

fn private_path(root: &Path, id: &str) -> Option<PathBuf> {
    private_file(root, id, "yaml")
}

/// `<state>/runs/<workspace hash>/<id>.<ext>`: one of mdash's own files
/// about milestone `id` of workspace `root`, outside the workspace.
pub(crate) fn private_file(root: &Path, id: &str, ext: &str) -> Option<PathBuf> {
    if !crate::model::valid_id(id) {
        return None;
    }
    let digest = Sha256::digest(canon(root).to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Some(
        state_dir()?
            .join("runs")
            .join(hex)
            .join(format!("{id}.{ext}")),
    )
}

impl Private {
    pub fn read(root: &Path, id: &str) -> Option<Private> {
        // Bounded and never blocking, though it is the user's own file.
        let text = read_small(&private_path(root, id)?)?;
        let v = yaml::parse(&text).ok()?;
        let n = |k: &str| doc::number_at(&v, &[k]);
        let members = match doc::get(&v, &["members"]).map(doc::untag) {
            Some(yaml::Value::Sequence(items)) => items
                .iter()
                .filter_map(|m| {
                    let pid = doc::number_at(m, &["pid"])?;
                    let start = doc::number_at(m, &["start"])?;
                    Some((pid as i32, start as u64))
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(Private {
            pgid: n("pgid")? as i32,
            start_ticks: n("start_ticks")? as u64,
            boot_id: doc::text_at(&v, &["boot_id"]).unwrap_or_default(),
            members,
        })
    }

    /// Saves it (atomically, private to the user). The workspace does not
    /// depend on it: a failure only loses the recovery of a run whose
    /// supervisor is killed.
    pub fn save(&self, root: &Path, id: &str) -> std::io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        let path = private_path(root, id).ok_or_else(|| {
            std::io::Error::other("no state directory ($XDG_STATE_HOME or $HOME)")
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mut text = format!(
            "# mdash's own record of run {id} of {}; not workspace data.\npgid: {}\nstart_ticks: {}\nboot_id: \"{}\"\nmembers:\n",
            canon(root).display().to_string().replace(['\n', '\r'], " "),
            self.pgid,
            self.start_ticks,
            self.boot_id
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
        );
        for (pid, start) in &self.members {
            text.push_str(&format!("  - {{pid: {pid}, start: {start}}}\n"));
        }
        // Through the one write path: a new random temp file, synced, renamed.
        crate::live::write::replace_mode(
            &crate::live::write::Fence::new(dir),
            &path,
            text.as_bytes(),
            0o600,
        )
    }

    /// Forgets the run (it ended): nothing of it is left to reach.
    pub fn remove(root: &Path, run: &Run) {
        if let Some(p) = private_path(root, &run.id)
            && Private::read(root, &run.id).is_some_and(|p| p.pgid == run.pgid)
        {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Adds processes seen in the run (keeping those already listed).
    pub fn add(root: &Path, run: &Run, seen: &[(i32, u64)]) -> std::io::Result<()> {
        let mut p = Private::read(root, &run.id)
            .filter(|p| p.pgid == run.pgid && p.start_ticks == run.start_ticks)
            .unwrap_or(Private {
                pgid: run.pgid,
                start_ticks: run.start_ticks,
                boot_id: run.boot_id.clone(),
                members: Vec::new(),
            });
        // Those that ended are of no use and their pids may come back.
        p.members.retain(|&(pid, start)| {
            procs::stat(pid).is_some_and(|s| s.start == start && s.alive())
        });
        for m in seen {
            if !p.members.contains(m) {
                p.members.push(*m);
            }
        }
        p.save(root, &run.id)
    }
}
