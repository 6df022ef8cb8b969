//! mdash's own settings, from `.milestones/config/mdash.yaml`.
//!
//! One table (`schema`) says every key; `layers` reads both files once
//! and layers them; a wrong value is reported and its default kept, a value
//! out of range is reported and clamped.

pub mod agent;
pub mod check;
pub mod checks;
pub mod layers;
pub mod prices;
pub mod sample;
pub mod schema;
pub mod shown;
pub mod trust;
mod wide;

use std::path::Path;

use crate::model::Problem;
use crate::read::file::Fence;
use crate::rules::Settings;

pub const FILE: &str = ".milestones/config/mdash.yaml";
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub max_file_bytes: u64,
    pub rules: Settings,
    pub base_branch: Option<String>,
    pub git_refresh_secs: u64,
    /// `keys:` overrides: action name to keys.
    pub keys: Vec<(String, Vec<String>)>,
    pub notify: Notify,
    /// `coordination.path`: the coordination registry, relative to the
    /// workspace (the schema refuses an absolute path or `..`).
    pub coordination_path: String,
}

/// How the dashboard tells about a new blocker or a finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Notify {
    pub bell: bool,
    pub tmux: bool,
    pub desktop: bool,
    pub cooldown_secs: u64,
}

impl Default for Notify {
    fn default() -> Self {
        Notify {
            bell: true,
            tmux: true,
            desktop: false,
            cooldown_secs: 10,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            rules: Settings::default(),
            base_branch: None,
            git_refresh_secs: 10,
            keys: Vec::new(),
            notify: Notify::default(),
            coordination_path: ".milestones/coordination.db".into(),
        }
    }
}

/// The workspace file's text, read through the fence like every workspace
/// file (a symlink that leaves the workspace is not read), or why not;
/// `None` when there is no such file.
pub fn workspace_text(root: &Path) -> Option<Result<String, Problem>> {
    let path = root.join(FILE);
    std::fs::symlink_metadata(&path).ok()?;
    Some(Fence::new(root, DEFAULT_MAX_FILE_BYTES).read_text(&path))
}

/// Everything both config files say, read once: the settings, the agent,
/// the checks, and every problem of both files (once each, at its line).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub agent: agent::Agent,
    pub checks: checks::Checks,
    pub layered: layers::Layered,
}

impl Loaded {
    /// Every problem of both files.
    pub fn problems(&self) -> &[Problem] {
        &self.layered.problems
    }

    /// The problems of the workspace's own file (what a snapshot of the
    /// workspace reports: the user's file is not the workspace's).
    pub fn workspace_problems(&self) -> Vec<Problem> {
        self.problems_where(|p| p == FILE)
    }

    /// The problems of the user's file.
    pub fn user_problems(&self) -> Vec<Problem> {
        self.problems_where(|p| p != FILE)
    }

    fn problems_where(&self, keep: impl Fn(&str) -> bool) -> Vec<Problem> {
        self.layered
            .problems
            .iter()
            .filter(|p| keep(&p.path))
            .cloned()
            .collect()
    }
}

/// Reads both config files once and derives every setting from them.
pub fn read(root: &Path) -> Loaded {
    of(layers::read(root))
}

/// The settings from layered files.
pub fn of(layered: layers::Layered) -> Loaded {
    Loaded {
        config: Config::from_layers(&layered),
        agent: agent::Agent::from_layers(&layered),
        checks: checks::Checks::from_layers(&layered),
        layered,
    }
}

/// Loads the workspace's config; problems are returned beside the result.
pub fn load(root: &Path) -> (Config, Vec<Problem>) {
    let l = read(root);
    (l.config, l.layered.problems)
}

/// The config from the text of `mdash.yaml` alone; problems beside it.
pub fn parse(text: &str) -> (Config, Vec<Problem>) {
    let l = layers::layer(None, Some((FILE.to_string(), Ok(text.to_string()))));
    (Config::from_layers(&l), l.problems)
}

impl Config {
    /// Every value within its bounds (the schema clamps), so no
    /// arithmetic on them can overflow.
    pub fn from_layers(l: &layers::Layered) -> Config {
        let rules = Settings {
            long_task_minutes: l.int("blockers.long_task_minutes") as i64,
            stall_minutes: l.int("blockers.stall_minutes") as i64,
            ..Settings::default()
        };
        Config {
            max_file_bytes: l.int("limits.max_file_bytes"),
            rules,
            base_branch: l.text("git.base_branch"),
            git_refresh_secs: l.int("git.refresh_secs"),
            keys: l.keys(),
            notify: Notify {
                bell: l.boolean("notify.bell").unwrap_or(true),
                tmux: l.boolean("notify.tmux").unwrap_or(true),
                desktop: l.boolean("notify.desktop").unwrap_or(false),
                cooldown_secs: l.int("notify.cooldown_secs"),
            },
            coordination_path: l
                .text("coordination.path")
                .unwrap_or_else(|| ".milestones/coordination.db".into()),
        }
    }
}
