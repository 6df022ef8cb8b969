//! The known name nearest to a mistyped one, for messages that say "did
//! you mean".

/// `unknown key in agent: "comand"; did you mean "command"?`
pub fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    let shown = quoted(name);
    let name = shown.as_str();
    match closest(name, known) {
        Some(c) => format!("unknown {what} \"{name}\"; did you mean \"{c}\"?"),
        None => format!(
            "unknown {what} \"{name}\"; expected one of {}",
            known.join(", ")
        ),
    }
}

/// Longest name quoted whole; a longer one is cut (a 100 KB key is not
/// worth a screenful of message).
const QUOTED_MAX: usize = 64;

fn quoted(name: &str) -> String {
    if name.chars().count() <= QUOTED_MAX {
        return name.to_string();
    }
    let head: String = name.chars().take(QUOTED_MAX).collect();
    format!("{head}…")
}

/// The known name nearest to `name` by edit distance, when near enough to
/// be a typo.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_needs_to_be_near() {
        assert_eq!(closest("comand", &["command", "cwd"]), Some("command"));
        assert_eq!(
            closest("max_concurent", &["max_concurrent"]),
            Some("max_concurrent")
        );
        assert_eq!(closest("frobnicate", &["quit", "help"]), None);
    }

    #[test]
    fn a_huge_name_is_quoted_cut() {
        let name = "a".repeat(100_000);
        let m = unknown("section", &name, &["agent", "keys"]);
        assert!(m.len() < 200, "{} bytes", m.len());
        assert!(m.contains(&format!("\"{}…\"", "a".repeat(64))), "{m}");
        assert!(unknown("key", "comand", &["command"]).contains("\"command\""));
    }
}
