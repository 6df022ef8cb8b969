//! What the schema generates besides parsing and checking: the commented
//! `mdash.yaml` that `mdash init` writes and the README's table of keys
//! (a test keeps the README's copy equal to `readme_table`).

use super::schema::{self, Key, Kind};

/// The marker lines around the README's generated table.
pub const README_BEGIN: &str = "<!-- config-table: generated from src/live/config/schema.rs; tests/it/config.rs keeps it equal -->";
pub const README_END: &str = "<!-- /config-table -->";

/// A value to show commented out for a key that has no plain default.
fn example(k: &Key) -> String {
    match k.name {
        "agent.command" => "[my-agent, --milestone, \"{id}\", --cwd, \"{worktree}\"]".into(),
        "agent.resume_command" => "[my-agent, --resume, \"{session_id}\"]".into(),
        "agent.env" => "{MY_VAR: value}".into(),
        "agent.backend" => "process".into(),
        "agent.create_worktree" => "true".into(),
        "agent.kind" => "claude".into(),
        "checks.command" => "[cargo, test]".into(),
        "git.base_branch" => "main".into(),
        _ => k.default.to_string(),
    }
}

fn bounds(k: &Key) -> String {
    match k.kind {
        Kind::Int { min, max } => format!("; {min} to {max}"),
        Kind::OneOf(o) => format!("; {}", o.join(" or ")),
        _ => String::new(),
    }
}

/// `mdash init`'s `mdash.yaml`: every setting, commented out, so that it
/// changes nothing until edited.
pub fn sample() -> String {
    let mut out = String::from(
        "# mdash's settings for this workspace (README: Configuration).\n\
         # Everything here is commented out: the defaults apply until you edit it.\n\
         # `mdash check` checks this file; `mdash config` shows what applies.\n",
    );
    for section in schema::sections() {
        out.push_str("#\n");
        let keys = schema::KEYS.iter().filter(|k| k.section() == section);
        for (i, k) in keys.enumerate() {
            match (k.field(), k.kind) {
                (None, Kind::Keys) => out.push_str(&format!(
                    "# {section}:   # {}\n#   move_down: [j, down, ctrl-n]\n",
                    k.doc
                )),
                (None, Kind::Map(_)) => out.push_str(&format!(
                    "# {section}:   # {}\n#   claude-opus: {{input: 15, output: 75, cache_read: 1.5, cache_write: 18.75}}\n",
                    k.doc
                )),
                (None, _) => out.push_str(&format!("# {section}: {}   # {}\n", example(k), k.doc)),
                (Some(field), _) => {
                    if i == 0 {
                        out.push_str(&format!("# {section}:\n"));
                    }
                    let default = if k.shown.is_empty() {
                        String::new()
                    } else {
                        format!(" (default: {})", k.shown)
                    };
                    out.push_str(&format!(
                        "#   {field}: {}   # {}{default}{}\n",
                        example(k),
                        k.doc,
                        bounds(k)
                    ));
                }
            }
        }
    }
    out
}

fn short(kind: Kind) -> String {
    match kind {
        Kind::Int { min, max } => format!("integer, {min} to {max}"),
        Kind::Bool => "boolean".into(),
        Kind::Text => "string".into(),
        Kind::OneOf(o) => o
            .iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(" or "),
        Kind::Argv => "list of strings".into(),
        Kind::Env => "map of strings".into(),
        Kind::RelPath => "relative path".into(),
        Kind::Keys => "map of key lists".into(),
        Kind::Map(_) => "map".into(),
    }
}

/// The README's table of every key, as markdown.
pub fn readme_table() -> String {
    let mut out = String::from("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for k in schema::KEYS {
        let name = if matches!(k.kind, Kind::Keys) {
            "keys.<action>".to_string()
        } else if matches!(k.kind, Kind::Map(_)) {
            format!("{}.<prefix>", k.name)
        } else {
            k.name.to_string()
        };
        let default = match k.default_shown() {
            "" => "none".to_string(),
            d if k.shown.is_empty() => format!("`{d}`"),
            d => d.to_string(),
        };
        out.push_str(&format!(
            "| `{name}` | {} | {default} | {} |\n",
            short(k.kind),
            k.doc.replace('|', "\\|")
        ));
    }
    out
}

/// The README section as it must read: the markers around the table.
pub fn readme_section() -> String {
    format!("{README_BEGIN}\n{}{README_END}\n", readme_table())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_all_comments_and_names_every_key() {
        let s = sample();
        assert!(s.lines().all(|l| l.starts_with('#')), "{s}");
        for k in schema::KEYS {
            let last = k.field().unwrap_or(k.name);
            assert!(s.contains(&format!("{last}:")), "{} missing:\n{s}", k.name);
        }
        // Uncommented, the sample is valid config with no problem.
        let text: String = s
            .lines()
            .skip(3)
            .filter(|l| *l != "#")
            .map(|l| {
                let l = l.strip_prefix("# ").unwrap_or(l);
                format!("{}\n", l.split("   #").next().unwrap_or(l))
            })
            .collect();
        let j = super::super::check::judge(&text, "sample");
        assert!(j.problems.is_empty(), "{:?}\n{text}", j.problems);
    }
}
