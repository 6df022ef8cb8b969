//! mdash's own settings, from `.milestones/config/mdash.yaml`.
//!
//! Read tolerantly: a wrong value is reported and its default kept.

pub mod agent;
pub mod check;
pub mod checks;
pub mod prices;
pub mod trust;

use std::path::Path;

use crate::model::Problem;
use crate::read::doc;
use crate::read::file::Fence;
use crate::read::yaml;
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

/// The workspace file as YAML, when it can be read and parsed.
pub fn workspace_yaml(root: &Path) -> Option<yaml::Value> {
    workspace_text(root)?
        .ok()
        .and_then(|t| yaml::parse(&t).ok())
}

/// Loads the workspace's config; problems are returned beside the result.
pub fn load(root: &Path) -> (Config, Vec<Problem>) {
    match workspace_text(root) {
        None => (Config::default(), Vec::new()),
        Some(Ok(text)) => parse(&text),
        Some(Err(p)) => (Config::default(), vec![p]),
    }
}

/// The config from the text of `mdash.yaml`; problems beside it.
pub fn parse(text: &str) -> (Config, Vec<Problem>) {
    let mut cfg = Config::default();
    let v = match yaml::parse(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                cfg,
                vec![
                    Problem::error(FILE, format!("invalid YAML: {}", e.message))
                        .at(e.line, e.column),
                ],
            );
        }
    };
    let mut problems = Vec::new();
    let mut num = |path: &[&str], min: f64| -> Option<f64> {
        let raw = doc::get(&v, path)?;
        match doc::number(raw).filter(|n| *n >= min) {
            Some(n) => Some(n),
            None => {
                problems.push(Problem::warning(
                    FILE,
                    format!(
                        "{} is {:?}; expected a number of at least {min}, the default is used",
                        path.join("."),
                        doc::display(raw).unwrap_or_default()
                    ),
                ));
                None
            }
        }
    };
    if let Some(n) = num(&["limits", "max_file_bytes"], 1.0) {
        cfg.max_file_bytes = n as u64;
    }
    if let Some(n) = num(&["blockers", "long_task_minutes"], 0.0) {
        cfg.rules.long_task_minutes = n as i64;
    }
    if let Some(n) = num(&["blockers", "stall_minutes"], 0.0) {
        cfg.rules.stall_minutes = n as i64;
    }
    if let Some(n) = num(&["git", "refresh_secs"], 1.0) {
        cfg.git_refresh_secs = n as u64;
    }
    if let Some(n) = num(&["notify", "cooldown_secs"], 0.0) {
        cfg.notify.cooldown_secs = n as u64;
    }
    cfg.base_branch = doc::text_at(&v, &["git", "base_branch"]);
    for (key, slot) in [
        ("bell", &mut cfg.notify.bell),
        ("tmux", &mut cfg.notify.tmux),
        ("desktop", &mut cfg.notify.desktop),
    ] {
        if let Some(b) = doc::get(&v, &["notify", key]).and_then(doc::boolean) {
            *slot = b;
        }
    }
    if let Some(keys) = doc::get(&v, &["keys"]).and_then(|k| k.as_mapping()) {
        for (action, val) in keys {
            if let Some(a) = doc::text(action) {
                cfg.keys.push((a, doc::id_list(val)));
            }
        }
    }
    (cfg, problems)
}
