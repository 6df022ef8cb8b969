//! The lines of `mdash watch --json` (SPEC §13): what the writer remembers
//! of what it sent (`Sent`, to say only what changed), and what a reader
//! does with a `change` line (`apply`). Both sides of the stream use this
//! one definition.

use std::collections::HashMap;

use serde_json::{Value as J, json};

/// The stream's schema: a reader refuses another.
pub const SCHEMA: u64 = 1;

/// What was last sent of one workspace: its milestones by id, and the two
/// whole lists.
#[derive(Debug, Default, Clone)]
pub struct Sent {
    milestones: HashMap<String, J>,
    blockers: J,
    errors: J,
}

/// A change line's body, or a whole snapshot when the change is too large
/// to send as one (or ids are not unique, so a change cannot name one).
pub enum Update {
    Nothing,
    Change(J),
    Snapshot,
}

fn id_of(m: &J) -> Option<&str> {
    m.get("id").and_then(J::as_str)
}

/// More changed milestones than this (and than half of them) are sent as
/// a new snapshot.
const SMALL: usize = 64;

impl Sent {
    /// Remembers `doc` (a §7 document) as sent whole.
    pub fn of(doc: &J) -> Sent {
        let list = doc["milestones"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        Sent {
            milestones: list
                .iter()
                .filter_map(|m| Some((id_of(m)?.to_string(), m.clone())))
                .collect(),
            blockers: doc["blockers"].clone(),
            errors: doc["errors"].clone(),
        }
    }

    /// What to send so a reader holding what was sent holds `doc`; the
    /// new state is remembered.
    pub fn update(&mut self, doc: &J) -> Update {
        let list = doc["milestones"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut ids = std::collections::HashSet::with_capacity(list.len());
        let unique = list
            .iter()
            .all(|m| id_of(m).is_some_and(|id| ids.insert(id)));
        if !unique {
            *self = Sent::of(doc);
            return Update::Snapshot;
        }
        let changed: Vec<&J> = list
            .iter()
            .filter(|m| id_of(m).is_none_or(|id| self.milestones.get(id) != Some(*m)))
            .collect();
        let mut removed: Vec<&str> = self
            .milestones
            .keys()
            .map(String::as_str)
            .filter(|id| !ids.contains(id))
            .collect();
        removed.sort_unstable();
        let same_lists = self.blockers == doc["blockers"] && self.errors == doc["errors"];
        if changed.is_empty() && removed.is_empty() && same_lists {
            return Update::Nothing;
        }
        let n = changed.len() + removed.len();
        if n > SMALL && n * 2 > list.len() {
            *self = Sent::of(doc);
            return Update::Snapshot;
        }
        let body = json!({
            "milestones": changed,
            "removed": removed,
            "blockers": doc["blockers"],
            "errors": doc["errors"],
        });
        *self = Sent::of(doc);
        Update::Change(body)
    }
}

/// The order of §7's milestones: no stage first, then numeric stages by
/// number, then other stages, then id: `rules::order_key` over the JSON.
fn order(m: &J) -> (Option<(u64, String)>, String) {
    let stage = m["stage"]
        .as_str()
        .map(|s| (s.parse::<u64>().unwrap_or(u64::MAX), s.to_string()));
    (stage, id_of(m).unwrap_or_default().to_string())
}

/// Applies a `change` line to a §7 document: the milestones it names
/// replace or join those with their ids, `removed` go, the two lists are
/// replaced. The result is what `status --json` prints.
pub fn apply(doc: &mut J, change: &J) {
    let mut list: Vec<J> = doc["milestones"].as_array().cloned().unwrap_or_default();
    let removed: Vec<&str> = change["removed"]
        .as_array()
        .map(|r| r.iter().filter_map(J::as_str).collect())
        .unwrap_or_default();
    let new: &[J] = change["milestones"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let new_ids: std::collections::HashSet<&str> = new.iter().filter_map(id_of).collect();
    list.retain(|m| id_of(m).is_some_and(|id| !removed.contains(&id) && !new_ids.contains(id)));
    list.extend(new.iter().cloned());
    list.sort_by_cached_key(order);
    doc["milestones"] = J::Array(list);
    doc["blockers"] = change["blockers"].clone();
    doc["errors"] = change["errors"].clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(ms: &[(&str, Option<&str>, &str)]) -> J {
        json!({
            "schema": 1, "root": "/w", "now": "x",
            "milestones": ms.iter().map(|(id, st, s)| json!({"id": id, "stage": st, "status": s})).collect::<Vec<_>>(),
            "blockers": [], "errors": [],
        })
    }

    #[test]
    fn only_what_changed_is_sent_and_applies_back() {
        let a = doc(&[
            ("1a", Some("1"), "planned"),
            ("2a", Some("2"), "planned"),
            ("x", None, "planned"),
        ]);
        let mut sent = Sent::of(&a);
        // No stage first, then by stage number (`rules::order_key`).
        let b = doc(&[
            ("x", None, "planned"),
            ("1a", Some("1"), "completed"),
            ("10a", Some("10"), "planned"),
        ]);
        let Update::Change(c) = sent.update(&b) else {
            panic!("a change")
        };
        assert_eq!(c["milestones"].as_array().map(Vec::len), Some(2));
        assert_eq!(c["removed"], json!(["2a"]));
        let mut got = a.clone();
        apply(&mut got, &c);
        assert_eq!(got["milestones"], b["milestones"]);
        assert!(matches!(sent.update(&b), Update::Nothing));
    }

    #[test]
    fn duplicate_ids_send_a_snapshot() {
        let a = doc(&[("a", None, "planned")]);
        let mut sent = Sent::of(&a);
        let b = doc(&[("a", None, "planned"), ("a", None, "blocked")]);
        assert!(matches!(sent.update(&b), Update::Snapshot));
    }
}
