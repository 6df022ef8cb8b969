//! `mdash fleet` in the app (SPEC §14): one snapshot made of every
//! workspace's (`combine`), rows grouped by workspace under a heading with
//! host and name (`rows`), and which group a row belongs to. Where a
//! workspace's snapshot came from (read here or a stream) is not known
//! here.

use std::sync::Arc;

use crate::app::App;
use crate::app::rows::Row;
use crate::model::Snapshot;
use crate::model::fleet::Group;

/// The fleet's snapshot: each workspace's milestones in fleet.yaml's
/// order, an id that more than one workspace has made unique as
/// `id@name`; with each row's (workspace, own id) and the groups.
pub fn combine(
    parts: &[(Group, Option<&Snapshot>)],
    now: chrono::DateTime<chrono::Utc>,
) -> (Snapshot, Vec<Group>, Vec<(usize, String)>) {
    let mut seen: crate::util::hash::FastMap<&str, usize> = Default::default();
    for (_, s) in parts {
        for m in s.iter().flat_map(|s| &s.milestones) {
            *seen.entry(m.milestone.id.as_str()).or_default() += 1;
        }
    }
    let mut milestones = Vec::new();
    let mut owners = Vec::new();
    let mut problems = Vec::new();
    let mut groups = Vec::new();
    for (w, (g, s)) in parts.iter().enumerate() {
        let mut g = g.clone();
        g.first = milestones.len();
        for m in s.iter().flat_map(|s| &s.milestones) {
            let own = m.milestone.id.clone();
            if seen.get(own.as_str()).copied().unwrap_or(0) > 1 {
                let mut v = (**m).clone();
                let id = format!("{own}@{}", g.name);
                for b in &mut v.blockers {
                    b.id.clone_from(&id);
                }
                Arc::make_mut(&mut v.milestone).id = id;
                milestones.push(Arc::new(v));
            } else {
                milestones.push(m.clone());
            }
            owners.push((w, own));
        }
        for p in s.iter().flat_map(|s| &s.problems) {
            let mut p = p.clone();
            p.path = format!("{}: {}", g.name, p.path);
            problems.push(p);
        }
        g.len = milestones.len() - g.first;
        groups.push(g);
    }
    let snap = Snapshot {
        root: std::path::PathBuf::from("fleet"),
        now,
        milestones,
        problems,
        current: None,
        failed_output: Vec::new(),
        partial: None,
        registry: Default::default(),
    };
    (snap, groups, owners)
}

/// The group row `i` of the snapshot belongs to.
pub fn group_of(app: &App, i: usize) -> Option<&Group> {
    app.fleet
        .iter()
        .find(|g| (g.first..g.first + g.len).contains(&i))
}

/// The rows of a fleet: each workspace's heading (also with no rows: an
/// unreachable host's), then its stages and milestones.
pub fn rows(app: &App, snap: &Snapshot) -> Vec<Row> {
    let mut out = Vec::new();
    for (gi, g) in app.fleet.iter().enumerate() {
        out.push(Row::Group(gi));
        let end = (g.first + g.len).min(snap.milestones.len());
        crate::app::rows::staged(app, snap, g.first.min(end)..end, &mut out);
    }
    out
}

/// A group's heading: `name · host · state`, and why or since when.
pub fn heading(g: &Group, now: chrono::DateTime<chrono::Utc>) -> String {
    use crate::model::fleet::HostState;
    let host = g.host.as_deref().unwrap_or("local");
    let mut s = format!("━━ {} · {host} · {}", g.name, g.state.name());
    match &g.state {
        HostState::Unreachable(why) | HostState::Incompatible(why) => {
            s.push_str(&format!(": {why}"));
        }
        HostState::Stale => {
            if let Some(t) = g.heard {
                s.push_str(&format!(
                    ", last heard {} ago",
                    crate::util::time::age(t, now)
                ));
            }
        }
        _ => {}
    }
    if let Some(e) = &g.error {
        s.push_str(&format!(" · {e}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::model::fleet::{Group, HostState};

    #[test]
    fn a_shared_id_is_made_unique_in_its_rows_and_its_blockers() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join(".milestones/active");
        std::fs::create_dir_all(&p).expect("mkdir");
        std::fs::write(
            p.join("a.yaml"),
            "id: a\nstatus: in_progress\nrequires: [b]\n",
        )
        .expect("w");
        std::fs::write(p.join("b.yaml"), "id: b\nstatus: planned\n").expect("w");
        let now = chrono::Utc::now();
        let mut snap = crate::live::snapshot::load(d.path(), now);
        std::sync::Arc::make_mut(&mut snap.milestones[0])
            .blockers
            .push(crate::model::Blocker {
                id: "a".into(),
                kind: crate::model::BlockerKind::Recorded,
                detail: "x".into(),
                source: crate::model::BlockerSource::Recorded,
                since: None,
            });
        let g = |name: &str| Group {
            name: name.into(),
            host: None,
            state: HostState::Live,
            heard: None,
            error: None,
            first: 0,
            len: 0,
        };
        let (fleet, groups, owners) =
            super::combine(&[(g("one"), Some(&snap)), (g("two"), Some(&snap))], now);
        let ids: Vec<&str> = fleet
            .milestones
            .iter()
            .map(|m| m.milestone.id.as_str())
            .collect();
        assert_eq!(ids, ["a@one", "b@one", "a@two", "b@two"]);
        for m in &fleet.milestones {
            assert!(
                m.blockers.iter().all(|b| b.id == m.milestone.id),
                "{:?}",
                m.blockers
            );
        }
        assert!(fleet.milestones.iter().any(|m| !m.blockers.is_empty()));
        assert_eq!(owners[2], (1, "a".to_string()));
        assert_eq!((groups[1].first, groups[1].len), (2, 2));
    }
}
