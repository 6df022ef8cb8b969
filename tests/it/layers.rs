//! The crate's layers (ARCHITECTURE.md), checked on the source text: each
//! top-level module may use only the layers below it, the pure layers touch
//! no IO, git2 has one home, and no source file passes 500 lines. CI fails
//! on a back-edge because `cargo test` runs this.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may use the modules before it in this list.
const LAYERS: &[&str] = &[
    "util", "model", "read", "rules", "live", "app", "ui", "runtime", "cli",
];
/// Leaves outside the stack, used by no layer: what they may use.
const LEAVES: &[(&str, &[&str])] = &[(
    "fuzzing",
    &["util", "model", "read", "rules", "live", "app"],
)];

/// What each layer must not name (crates and std modules that do IO).
const BANNED: &[(&str, &[&str])] = &[
    ("model", IO),
    ("rules", IO),
    (
        "read",
        &[
            "git2",
            "tokio",
            "notify",
            "ratatui",
            "crossterm",
            "std::process",
            "std::net",
        ],
    ),
    (
        "app",
        &["git2", "notify", "tokio", "std::process", "std::fs", "libc"],
    ),
    (
        "ui",
        &["git2", "notify", "tokio", "std::process", "std::fs", "libc"],
    ),
];
const IO: &[&str] = &[
    "git2",
    "tokio",
    "notify",
    "ratatui",
    "crossterm",
    "std::process",
    "std::net",
    "libc",
    "std::fs",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its trailing `#[cfg(test)] mod tests` and
/// without line comments.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn top(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let s = first.as_os_str().to_string_lossy();
    s.strip_suffix(".rs").unwrap_or(&s).to_string()
}

/// Whole-word occurrence of `needle` (word = identifier characters and `:`).
fn names(code: &str, needle: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    code.match_indices(needle).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + needle.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn layers_hold() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut git2_homes = BTreeSet::new();
    for f in &files {
        let m = top(&src, f);
        if m == "lib" || m == "main" {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        let body = code(&text);
        let rel = f
            .strip_prefix(&src)
            .expect("under src")
            .display()
            .to_string();
        for (i, _) in body.match_indices("crate::") {
            let rest = &body[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != m && !name.is_empty() {
                uses.entry(m.clone()).or_default().insert(name.clone());
                let allowed = match LAYERS.iter().position(|l| *l == m) {
                    Some(at) => LAYERS[..at].contains(&name.as_str()),
                    None => LEAVES
                        .iter()
                        .find(|(l, _)| *l == m)
                        .is_some_and(|(_, may)| may.contains(&name.as_str())),
                };
                if !allowed {
                    problems.push(format!("{rel}: layer {m} uses crate::{name}"));
                }
            }
        }
        if names(&body, "git2") {
            git2_homes.insert(m.clone());
        }
        for (layer, banned) in BANNED {
            if *layer == m {
                for b in *banned {
                    if names(&body, b) {
                        problems.push(format!("{rel}: layer {m} names {b}"));
                    }
                }
            }
        }
        let lines = body.lines().count();
        if lines > 500 && !rel.ends_with("tests.rs") {
            problems.push(format!("{rel}: {lines} lines (at most 500)"));
        }
    }
    if git2_homes.len() > 1 {
        problems.push(format!(
            "git2 is used in {git2_homes:?}; its one home is live"
        ));
    }
    for m in uses.keys() {
        assert!(
            LAYERS.contains(&m.as_str()) || LEAVES.iter().any(|(l, _)| l == m),
            "top-level module {m} is in no layer: add it to LAYERS or LEAVES and ARCHITECTURE.md"
        );
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "layering problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_a_back_edge() {
    // The checker's own parts, on text that breaks the rules.
    let text = "use crate::cli::args;\nfn f() { std::fs::read(\"x\"); }\n#[cfg(test)]\nmod tests { use crate::ui; }\n";
    let body = code(text);
    assert!(body.contains("crate::cli"));
    assert!(!body.contains("crate::ui"), "the test tail is ignored");
    assert!(names(&body, "std::fs"));
    assert!(!names("my_git2_thing", "git2"));
    assert!(names("use git2::Repository;", "git2"));
}
