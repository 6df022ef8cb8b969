//! What the dashboard's reader keeps between loads so that a change costs
//! in proportion to itself: each milestone's inputs to the rules (its
//! winning copy, events, sessions), the workspace-wide graph, and the views
//! in display order. A change to one milestone file re-runs the rules for
//! that milestone only, unless it changes what others depend on (whether it
//! is completed, what it requires, its stage); then the rules run again over
//! the kept inputs, still without touching the disk.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{Event, Milestone, MilestoneView, Session, Status};
use crate::read::assemble::Assembled;
use crate::read::fast::Changes;
use crate::rules::{self, Graph, Settings, blockers, status};

/// One milestone's inputs to the rules.
struct Input {
    m: Arc<Milestone>,
    status: Status,
    events: Vec<Event>,
    /// Its earliest zoned log time (pace's start, SPEC §10).
    start: Option<DateTime<Utc>>,
    sessions: Vec<Session>,
    /// When its view goes stale with no file changing (a task becoming
    /// long-running).
    next: Option<DateTime<Utc>>,
}

pub struct Kept {
    /// By id, in the order the files layer gives them.
    inputs: Vec<Input>,
    index: HashMap<String, usize>,
    graph: Graph,
    settings: Settings,
    /// In display order, without run state (attached on every load).
    pub views: Vec<Arc<MilestoneView>>,
    pos: HashMap<String, usize>,
    pub problems: Vec<crate::model::Problem>,
    pub current: Option<String>,
}

fn ctx<'a>(
    completed: &'a HashSet<&'a str>,
    graph: &'a Graph,
    settings: &'a Settings,
    now: DateTime<Utc>,
) -> blockers::Context<'a> {
    blockers::Context {
        completed,
        cycles: &graph.cycles,
        settings,
        now,
    }
}

impl Kept {
    /// From a full read.
    pub fn new(read: Assembled, settings: &Settings, now: DateTime<Utc>) -> Kept {
        let Assembled {
            milestones,
            mut events,
            starts,
            mut sessions,
            problems,
            current,
            sole_logs: _,
        } = read;
        let inputs: Vec<Input> = milestones
            .into_iter()
            .map(|m| {
                let events = events.remove(&m.id).unwrap_or_default();
                Input {
                    status: status::of_milestone(&m),
                    next: rules::next_change(&m, &events, settings, now),
                    start: starts.get(&m.id).copied(),
                    events,
                    sessions: sessions.remove(&m.id).unwrap_or_default(),
                    m,
                }
            })
            .collect();
        let mut k = Kept {
            index: inputs
                .iter()
                .enumerate()
                .map(|(i, x)| (x.m.id.clone(), i))
                .collect(),
            inputs,
            graph: Graph::default(),
            settings: settings.clone(),
            views: Vec::new(),
            pos: HashMap::new(),
            problems,
            current,
        };
        k.evaluate_all(now);
        k
    }

    /// The rules over every kept input, and the display order.
    fn evaluate_all(&mut self, now: DateTime<Utc>) {
        let ms: Vec<Arc<Milestone>> = self.inputs.iter().map(|x| x.m.clone()).collect();
        let statuses: Vec<Status> = self.inputs.iter().map(|x| x.status).collect();
        self.graph = rules::graph(&ms, &statuses);
        let completed: HashSet<&str> = self.graph.completed.iter().map(String::as_str).collect();
        let c = ctx(&completed, &self.graph, &self.settings, now);
        let mut views: Vec<Arc<MilestoneView>> = self
            .inputs
            .iter()
            .map(|x| {
                let ss = x.sessions.clone();
                Arc::new(rules::view(
                    x.m.clone(),
                    x.status,
                    &x.events,
                    ss,
                    x.start,
                    &c,
                ))
            })
            .collect();
        views.sort_by_cached_key(|v| rules::order_key(&v.milestone));
        self.pos = views
            .iter()
            .enumerate()
            .map(|(i, v)| (v.milestone.id.clone(), i))
            .collect();
        self.views = views;
    }

    /// Applies milestones read again (same ids, same files). `false` when
    /// the kept state cannot take them (an id it does not know, other
    /// settings): the caller reads everything.
    pub fn apply(&mut self, changed: Changes, settings: &Settings, now: DateTime<Utc>) -> bool {
        if *settings != self.settings {
            return false;
        }
        let mut graph_changed = false;
        let mut redo: Vec<usize> = Vec::new();
        // Events only feed the milestone's own blockers and last event.
        for (id, events, first) in changed.events {
            let Some(&i) = self.index.get(&id) else {
                return false;
            };
            self.inputs[i].events = events;
            // The log alone feeds this milestone: its first time is the
            // milestone's log start.
            self.inputs[i].start = first;
            redo.push(i);
        }
        for c in changed.plans {
            let Some(&i) = self.index.get(&c.id) else {
                return false;
            };
            let m = Arc::make_mut(&mut self.inputs[i].m);
            m.plan = Some(c.plan);
            if let Some(t) = c.title {
                m.title = t;
            }
            redo.push(i);
        }
        for m in changed.milestones {
            let Some(&i) = self.index.get(&m.id) else {
                return false;
            };
            let x = &mut self.inputs[i];
            let st = status::of_milestone(&m);
            graph_changed |= rules::is_done(&x.m, x.status) != rules::is_done(&m, st)
                || x.m.requires != m.requires
                || x.m.stage != m.stage;
            x.next = rules::next_change(&m, &x.events, &self.settings, now);
            x.m = m;
            x.status = st;
            redo.push(i);
        }
        if graph_changed {
            self.evaluate_all(now);
            return true;
        }
        // Views computed at an earlier `now` that it has overtaken.
        redo.extend(
            self.inputs
                .iter()
                .enumerate()
                .filter(|(_, x)| x.next.is_some_and(|t| t < now))
                .map(|(i, _)| i),
        );
        let completed: HashSet<&str> = self.graph.completed.iter().map(String::as_str).collect();
        let c = ctx(&completed, &self.graph, &self.settings, now);
        for i in redo {
            let x = &mut self.inputs[i];
            x.next = rules::next_change(&x.m, &x.events, &self.settings, now);
            let ss = x.sessions.clone();
            let v = rules::view(x.m.clone(), x.status, &x.events, ss, x.start, &c);
            if let Some(&p) = self.pos.get(&x.m.id) {
                self.views[p] = Arc::new(v);
            }
        }
        true
    }

    /// When the first kept view goes stale with no file changing
    /// (`rules::next_change`: a task turning long-running, a stall, pace).
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        self.inputs.iter().filter_map(|x| x.next).min()
    }

    /// The newest `agent_state` of each milestone, from the kept events.
    pub fn hooked(&self) -> HashMap<String, crate::model::AgentStatus> {
        super::newest_agent_states(self.inputs.iter().map(|x| (&x.m.id, &x.events)))
    }
}
