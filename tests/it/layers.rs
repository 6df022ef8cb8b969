//! The crate's layers (ARCHITECTURE.md), checked on the source text: each
//! top-level module may use only the layers below it (grouped
//! `crate::{a, b}` imports included), the pure layers touch no IO, git2,
//! tmux commands and file writes each have one home, and no source file
//! passes 500 lines. CI fails on a back-edge because `cargo test` runs this.

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

/// One home each (ARCHITECTURE.md): what may appear only under these
/// paths (prefixes under `src/`).
const HOMES: &[(Home, &[&str], &str)] = &[
    (Home::Git2, &["live/git"], "git2"),
    (Home::Tmux, &["live/tmux"], "a tmux command"),
    (
        Home::Write,
        &["live/write", "cli/demo", "cli/init", "fuzzing"],
        "a file write",
    ),
];

#[derive(Clone, Copy)]
enum Home {
    Git2,
    Tmux,
    Write,
}

fn ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `needle` where no identifier character comes right before it.
fn at_word(code: &str, needle: &str) -> Vec<usize> {
    code.match_indices(needle)
        .filter(|(i, _)| !code[..*i].chars().next_back().is_some_and(ident))
        .map(|(i, _)| i)
        .collect()
}

impl Home {
    fn found(self, code: &str) -> bool {
        match self {
            Home::Git2 => !at_word(code, "git2::").is_empty(),
            Home::Tmux => at_word(code, "Command::new(").into_iter().any(|i| {
                code[i + "Command::new(".len()..]
                    .trim_start()
                    .starts_with("\"tmux\"")
            }),
            Home::Write => {
                !at_word(code, "fs::write(").is_empty()
                    || !at_word(code, "File::create(").is_empty()
                    || at_word(code, "OpenOptions::new()").into_iter().any(|i| {
                        // Its options, up to the end of the statement.
                        let rest = &code[i + "OpenOptions::new()".len()..];
                        let stmt: String =
                            rest.chars().take(200).take_while(|c| *c != ';').collect();
                        [
                            ".write(true)",
                            ".append(true)",
                            ".create(true)",
                            ".create_new(true)",
                        ]
                        .iter()
                        .any(|o| stmt.contains(o))
                    })
            }
        }
    }
}

/// The first path segment of each item of every `crate::{...}` group
/// (`crate::{live::git, model::Run}` names `live` and `model`).
fn grouped(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for i in at_word(code, "crate::{") {
        let (mut depth, mut tok, mut start) = (1, String::new(), true);
        for c in code[i + "crate::{".len()..].chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => {
                    start = true;
                    tok.clear();
                    continue;
                }
                _ => {}
            }
            if start && depth == 1 {
                if ident(c) {
                    tok.push(c);
                } else if !tok.is_empty() {
                    out.push(std::mem::take(&mut tok));
                    start = false;
                }
            }
        }
        if !tok.is_empty() {
            out.push(tok);
        }
    }
    out
}

/// The top-level modules a file's code names: `crate::x` and grouped.
fn used(code: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = code
        .match_indices("crate::")
        .map(|(i, _)| {
            code[i + "crate::".len()..]
                .chars()
                .take_while(|c| ident(*c))
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    out.extend(grouped(code));
    out
}

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
        for name in used(&body) {
            if name != m && name != "self" && name != "super" {
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
        let path = rel.replace(std::path::MAIN_SEPARATOR, "/");
        for (home, at, what) in HOMES {
            if home.found(&body) && !at.iter().any(|h| path.starts_with(h)) {
                problems.push(format!("{path} has {what} (its home: {})", at.join(", ")));
            }
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
    // Grouped imports name their layers.
    let g = used("use crate::{\n    live::{git, runs},\n    model::Run,\n};\nuse crate::ui;");
    assert_eq!(
        g.into_iter().collect::<Vec<_>>(),
        ["live", "model", "ui"].map(String::from)
    );
    // The homes.
    assert!(Home::Git2.found("let r = git2::Repository::open(p);"));
    assert!(Home::Git2.found("use git2::{Repository, Oid};"));
    assert!(!Home::Git2.found("my_git2::x()"));
    assert!(Home::Tmux.found("Command::new( \"tmux\").arg(\"ls\")"));
    assert!(!Home::Tmux.found("Command::new(\"git\")"));
    assert!(Home::Write.found("std::fs::write(p, b)"));
    assert!(Home::Write.found("File::create(&p)?"));
    assert!(Home::Write.found("OpenOptions::new()\n    .append(true)\n    .open(p)"));
    assert!(!Home::Write.found("OpenOptions::new().read(true).open(p); x.write(true)"));
    assert!(!Home::Write.found("let b = fs::read(p)"));
}
