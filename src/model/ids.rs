//! Milestone ids: which are valid, and which ids a worktree directory or a
//! branch name stands for (SPEC §6).

/// `^[A-Za-z0-9_-]{1,50}$`.
pub fn valid_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

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
