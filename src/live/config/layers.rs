//! The layering of mdash's settings: each key from the workspace's file
//! (`.milestones/config/mdash.yaml`), else the user's
//! (`$XDG_CONFIG_HOME/mdash/config.yaml`), else its default, with where
//! it came from. Both files are read once per `read`, each through a read
//! fence: the workspace's refuses a file symlinked out of the workspace.

use std::cell::Cell;
use std::path::Path;

use super::check::{self, Accepted, KeyEntry};
use super::schema::{self, Key};
use crate::model::Problem;
use crate::read::doc;
use crate::read::file::Fence;
use crate::read::yaml::Value;

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Default,
    User { file: String, line: Option<usize> },
    Workspace { file: String, line: Option<usize> },
}

impl Origin {
    pub fn is_workspace(&self) -> bool {
        matches!(self, Origin::Workspace { .. })
    }
}

/// One key's effective value.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: &'static Key,
    /// `None`: not set and no plain default (the code decides).
    pub value: Option<Value>,
    pub origin: Origin,
    /// As written, when the file's value was out of range and clamped.
    pub clamped_from: Option<String>,
    /// Files whose value for this key was rejected (so not used).
    pub rejected: Vec<(String, Option<usize>)>,
}

/// Both files, judged and layered.
#[derive(Debug, Clone)]
pub struct Layered {
    /// One per `schema::KEYS` entry, in its order.
    pub settings: Vec<Setting>,
    /// Every problem of both files, once each, at its line.
    pub problems: Vec<Problem>,
    /// `keys:` entries, the user's first (the workspace's win).
    pub key_entries: Vec<(String, KeyEntry)>,
}

thread_local! {
    static READS: Cell<usize> = const { Cell::new(0) };
}

/// How many times this thread read the config files (for the test that
/// a reload reads them once).
#[doc(hidden)]
pub fn reads_on_this_thread() -> usize {
    READS.with(Cell::get)
}

/// The user's file as `(name, text)`, when there is one.
fn user_text() -> Option<(String, Result<String, Problem>)> {
    let path = super::agent::user_file()?;
    std::fs::symlink_metadata(&path).ok()?;
    let name = path.display().to_string();
    let dir = path.parent()?;
    // The user's own file: a symlink into their dotfiles is followed, but
    // it is still read as a bounded, regular, UTF-8 file.
    let mut fence = Fence::new(dir, super::DEFAULT_MAX_FILE_BYTES);
    if let Some(target) = std::fs::canonicalize(&path)
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        fence.allow(target);
    }
    let text = fence.read_text(&path).map_err(|mut p| {
        p.path = name.clone();
        p
    });
    Some((name, text))
}

/// Reads and layers both files.
pub fn read(root: &Path) -> Layered {
    READS.with(|r| r.set(r.get() + 1));
    let ws = super::workspace_text(root).map(|t| (super::FILE.to_string(), t));
    if let Some((_, Err(p))) = &ws {
        crate::util::log::decided!("config: {} not read: {}", super::FILE, p.message);
    }
    layer(user_text(), ws)
}

/// Layers the two files' texts (`(name, text)` each).
pub fn layer(
    user: Option<(String, Result<String, Problem>)>,
    workspace: Option<(String, Result<String, Problem>)>,
) -> Layered {
    let mut problems = Vec::new();
    let mut judged = |f: Option<(String, Result<String, Problem>)>| {
        let (name, text) = f?;
        match text {
            Ok(t) => {
                let j = check::judge(&t, &name);
                problems.extend(j.problems.iter().cloned());
                Some((name, j))
            }
            Err(p) => {
                problems.push(p);
                None
            }
        }
    };
    let user = judged(user);
    let ws = judged(workspace);
    let find = |f: &Option<(String, check::Judged)>, key: &str| -> Option<(String, Accepted)> {
        let (name, j) = f.as_ref()?;
        j.values
            .iter()
            .find(|a| a.key == key)
            .map(|a| (name.clone(), a.clone()))
    };
    let rejected =
        |f: &Option<(String, check::Judged)>, key: &str| -> Vec<(String, Option<usize>)> {
            f.iter()
                .flat_map(|(name, j)| {
                    j.rejected
                        .iter()
                        .filter(|(k, _)| *k == key)
                        .map(|(_, l)| (name.clone(), *l))
                })
                .collect()
        };
    let settings = schema::KEYS
        .iter()
        .map(|key| {
            let mut rej = rejected(&user, key.name);
            rej.extend(rejected(&ws, key.name));
            let (value, origin, clamped_from) = if let Some((file, a)) = find(&ws, key.name) {
                (
                    Some(a.value),
                    Origin::Workspace { file, line: a.line },
                    a.clamped_from,
                )
            } else if let Some((file, a)) = find(&user, key.name) {
                (
                    Some(a.value),
                    Origin::User { file, line: a.line },
                    a.clamped_from,
                )
            } else {
                (key.default_value(), Origin::Default, None)
            };
            Setting {
                key,
                value,
                origin,
                clamped_from,
                rejected: rej,
            }
        })
        .collect();
    let mut key_entries = Vec::new();
    for (name, j) in user.iter().chain(ws.iter()) {
        key_entries.extend(j.keys.iter().map(|k| (name.clone(), k.clone())));
    }
    Layered {
        settings,
        problems,
        key_entries,
    }
}

impl Layered {
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key.name == name)
    }

    /// The value of `name`, when set (or defaulted to a plain value).
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.setting(name)?.value.as_ref()
    }

    pub fn origin(&self, name: &str) -> Origin {
        self.setting(name)
            .map_or(Origin::Default, |s| s.origin.clone())
    }

    /// A whole number (already within its bounds).
    pub fn int(&self, name: &str) -> u64 {
        self.value(name)
            .and_then(|v| match v {
                Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .unwrap_or(0)
    }

    pub fn boolean(&self, name: &str) -> Option<bool> {
        self.value(name).and_then(doc::boolean)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.value(name).and_then(doc::text)
    }

    pub fn argv(&self, name: &str) -> Vec<String> {
        match self.value(name).map(doc::untag) {
            Some(Value::Sequence(items)) => items.iter().filter_map(doc::text).collect(),
            _ => Vec::new(),
        }
    }

    /// The `keys:` overrides in the order they apply.
    pub fn keys(&self) -> Vec<(String, Vec<String>)> {
        self.key_entries
            .iter()
            .map(|(_, k)| (k.action.clone(), k.keys.clone()))
            .collect()
    }
}
