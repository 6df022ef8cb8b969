//! `fleet.yaml` (SPEC §14): the workspaces of the fleet, local (`path:`)
//! and remote (`host:` and `path:`), with an optional `name` and, for a
//! remote, the remote `mdash` to run.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// How it is shown: `name`, else the directory's name.
    pub name: String,
    /// The ssh destination, as ssh resolves it; `None` for a local one.
    pub host: Option<String>,
    /// Local: `~` expanded. Remote: as written (the remote resolves it).
    pub path: String,
    /// The remote mdash (default `mdash`).
    pub mdash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    workspaces: Vec<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    path: String,
    name: Option<String>,
    host: Option<String>,
    mdash: Option<String>,
}

/// The default file: `fleet.yaml` in mdash's user config directory.
pub fn default_file() -> Option<PathBuf> {
    Some(crate::live::config::agent::user_dir()?.join("fleet.yaml"))
}

fn home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(h)) => Path::new(&h).join(rest).display().to_string(),
        _ if p == "~" => std::env::var("HOME").unwrap_or_else(|_| p.to_string()),
        _ => p.to_string(),
    }
}

/// Reads and checks the file: a message naming file, line and what was
/// expected when it is wrong.
pub fn load(file: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    parse(&text).map_err(|e| format!("{}:{e}", file.display()))
}

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let f: File = serde_yaml::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map_or(String::new(), |l| format!("{}:{}:", l.line(), l.column()));
        format!("{at} expected `workspaces:` a list of {{path, name?, host?, mdash?}}: {e}")
    })?;
    let mut out: Vec<Entry> = Vec::new();
    for (i, w) in f.workspaces.into_iter().enumerate() {
        let bad = |what: &str| format!(" workspaces[{i}]: {what}");
        if w.path.trim().is_empty() {
            return Err(bad("`path` is empty"));
        }
        if w.host
            .as_deref()
            .is_some_and(|h| h.is_empty() || h.starts_with('-') || h.contains(char::is_whitespace))
        {
            return Err(bad(
                "`host` must be an ssh destination (no spaces, not starting with `-`)",
            ));
        }
        let path = if w.host.is_some() {
            w.path.clone()
        } else {
            home(&w.path)
        };
        let name = w.name.unwrap_or_else(|| {
            Path::new(path.trim_end_matches('/'))
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into_owned())
        });
        let e = Entry {
            name,
            host: w.host,
            path,
            mdash: w.mdash.unwrap_or_else(|| "mdash".to_string()),
        };
        if out.iter().any(|o| o.host == e.host && o.path == e.path) {
            return Err(bad("listed twice (same host and path)"));
        }
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_local_and_remote() {
        let f = "workspaces:\n  - path: /src/api\n  - path: /src/web\n    name: web\n  - host: box\n    path: /srv/a b\n    mdash: ~/.cargo/bin/mdash\n";
        let e = parse(f).expect("parses");
        assert_eq!(e[0].name, "api");
        assert_eq!(e[0].host, None);
        assert_eq!(e[1].name, "web");
        assert_eq!(e[2].host.as_deref(), Some("box"));
        assert_eq!(e[2].mdash, "~/.cargo/bin/mdash");
        assert_eq!(e[2].name, "a b");
    }

    #[test]
    fn mistakes_name_line_and_what_was_expected() {
        let e = parse("workspaces:\n  - pth: /x\n").expect_err("unknown key");
        assert!(e.starts_with("2:"), "{e}");
        let e =
            parse("workspaces:\n  - host: -oProxyCommand=x\n    path: /x\n").expect_err("option");
        assert!(e.contains("host"), "{e}");
    }
}
