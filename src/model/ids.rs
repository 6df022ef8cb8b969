//! Milestone ids: which are valid, and which ids a worktree directory or a
//! branch name stands for (SPEC §6).

/// `^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}$`: ids become file names, branch
/// names and arguments of child processes, so one may not start with `-`
/// (it would read as an option).
pub fn valid_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a valid id looks like, for refusals: `invalid id "-rf": ...`.
pub const ID_RULE: &str = "expected 1 to 50 letters, digits, '-' or '_', not starting with '-'";

/// The ids a worktree directory name maps to (SPEC §6).
pub fn ids_for_dir(name: &str) -> Vec<String> {
    let mut ids = vec![name.to_string()];
    if let Some(s) = name.strip_prefix("milestone-").filter(|s| !s.is_empty()) {
        ids.push(s.to_string());
    }
    ids
}

/// The ids a branch name maps to (SPEC §6). `feature/milestone-<id>-<slug>`
/// is ambiguous, so every prefix ending before a `-` is a candidate.
pub fn ids_for_branch(branch: &str) -> Vec<String> {
    let b = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    if let Some(rest) = b.strip_prefix("feature/milestone-") {
        let mut ids = vec![rest.to_string()];
        ids.extend(rest.match_indices('-').map(|(i, _)| rest[..i].to_string()));
        return ids.into_iter().filter(|s| !s.is_empty()).collect();
    }
    [b.strip_prefix("milestone/"), b.strip_prefix("milestone-")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_not_look_like_options() {
        assert!(valid_id("2a") && valid_id("m-001") && valid_id("_x"));
        assert!(!valid_id("-rf") && !valid_id("--") && !valid_id("-"));
        assert!(!valid_id("") && !valid_id("a/b") && !valid_id(&"x".repeat(51)));
    }

    #[test]
    fn branch_names_map_to_ids() {
        assert_eq!(ids_for_branch("feature/milestone-2a"), ["2a"]);
        assert_eq!(
            ids_for_branch("feature/milestone-2a-sensor-ingest"),
            ["2a-sensor-ingest", "2a", "2a-sensor"]
        );
        assert_eq!(ids_for_branch("milestone/m-001"), ["m-001"]);
        assert_eq!(ids_for_branch("refs/heads/milestone-3b"), ["3b"]);
        assert!(ids_for_branch("main").is_empty());
        assert_eq!(ids_for_dir("milestone-2a"), ["milestone-2a", "2a"]);
    }
}
