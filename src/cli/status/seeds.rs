//! `plan` (SPEC §11) and `registry` (SPEC §12) in `status --json`.

use serde::Serialize;

use crate::model::{Milestone, RegAgent, Registry};

#[derive(Serialize)]
pub struct PlanOut<'a> {
    path: &'a str,
    tasks: Vec<PlanTaskOut<'a>>,
}

#[derive(Serialize)]
struct PlanTaskOut<'a> {
    id: &'a str,
    status: &'static str,
    bundle: Option<&'a str>,
}

pub fn plan(m: &Milestone) -> Option<PlanOut<'_>> {
    let p = m.plan.as_deref()?;
    Some(PlanOut {
        path: &p.path,
        tasks: crate::rules::plan::tasks(m)
            .into_iter()
            .map(|(t, st)| PlanTaskOut {
                id: &t.id,
                status: st.name(),
                bundle: t.bundle.as_deref(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
pub struct AgentOut<'a> {
    agent_id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<&'a str>,
    session_id: Option<&'a str>,
    status: Option<&'a str>,
    capabilities: &'a [String],
    updated_at: Option<&'a str>,
}

pub fn registry<'a>(reg: &'a Registry, id: &str) -> Vec<AgentOut<'a>> {
    reg.agents_of(id).iter().map(agent).collect()
}

fn agent(a: &RegAgent) -> AgentOut<'_> {
    AgentOut {
        agent_id: a.agent_id.as_deref(),
        kind: a.kind.as_deref(),
        session_id: a.session_id.as_deref(),
        status: a.status.as_deref(),
        capabilities: &a.capabilities,
        updated_at: a.updated_at.as_deref(),
    }
}
