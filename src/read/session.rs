//! Saved execution sessions, in both shapes of FORMATS §1.4.

use crate::model::Session;
use crate::read::doc;
use crate::read::yaml::Value;

pub fn read(v: &Value, stem: &str, source: &str) -> Session {
    Session {
        id: doc::first_text(v, &[&["session", "id"], &["session_id"], &["id"]])
            .unwrap_or_else(|| stem.to_string()),
        milestone_id: doc::first_text(
            v,
            &[
                &["session", "milestone_id"],
                &["milestone_id"],
                &["active_milestone", "id"],
            ],
        ),
        status: doc::first_text(v, &[&["session", "status"], &["status"]]),
        at: doc::first_text(
            v,
            &[
                &["session", "resumed_at"],
                &["session", "saved_at"],
                &["session", "started_at"],
                &["started_at"],
            ],
        ),
        git_branch: doc::first_text(
            v,
            &[
                &["session", "git_branch"],
                &["context", "git_branch"],
                &["environment", "current_branch"],
            ],
        ),
        source: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::yaml;

    #[test]
    fn shape_a_with_empty_milestone() {
        let v = yaml::parse(
            "session:\n  id: s1\n  git_branch: milestone/m-001\nactive_milestone:\n  id: \"\"\n",
        )
        .expect("yaml");
        let s = read(&v, "file", "x");
        assert_eq!(s.id, "s1");
        assert_eq!(s.milestone_id, None);
        assert_eq!(s.git_branch.as_deref(), Some("milestone/m-001"));
    }
}
