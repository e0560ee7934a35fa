//! The decision log for off-policy work: every resolved decision as one
//! line of Vowpal Wabbit's DSJSON (read by `vw --cb_explore_adf --dsjson`),
//! and the IPS and self-normalised IPS estimates of a policy's mean reward
//! from the same log.
//!
//! The reward of a decision is 1 when it was done and not undone, 0
//! otherwise (skipped, undone, superseded, expired); VW's cost is its
//! negative.

use serde::Serialize;
use serde_json::{Map, Value, json};
use shared_types::recommender::DecisionStatus;

use crate::clock::rfc3339;
use crate::domain::Features;
use crate::policy::{PolicyFactory, UnknownPolicy};
use crate::store::{CandidateRow, DecisionRow, Store, StoreError};

/// 1 for done (and so not undone), 0 otherwise.
pub fn reward(decision: &DecisionRow) -> f64 {
    if decision.status == DecisionStatus::Done {
        1.0
    } else {
        0.0
    }
}

/// One DSJSON line.
pub fn dsjson_line(decision: &DecisionRow, candidates: &[CandidateRow]) -> Value {
    let chosen = decision.chosen_position as usize;
    // `a` is 1-based action ids, the chosen one first; `p` in the same order.
    let mut order: Vec<usize> = vec![chosen];
    order.extend((0..candidates.len()).filter(|i| *i != chosen));
    let a: Vec<usize> = order.iter().map(|i| i + 1).collect();
    let p: Vec<f64> = order.iter().map(|i| candidates[*i].probability).collect();
    let mut shared = match vw_features(&decision.context) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    shared.insert(
        "_multi".into(),
        Value::Array(
            candidates
                .iter()
                .map(|c| vw_features(&c.features))
                .collect(),
        ),
    );
    json!({
        "_label_cost": -reward(decision),
        "_label_probability": decision.propensity,
        "_label_Action": chosen + 1,
        "_labelIndex": chosen,
        "Timestamp": rfc3339(decision.created_at),
        "Version": "1",
        "EventId": decision.id.to_string(),
        "a": a,
        "c": Value::Object(shared),
        "p": p,
    })
}

/// Features as VW's JSON reader takes them: objects (namespaces), numbers
/// and strings; booleans become 0/1, nulls and non-numeric arrays are left
/// out (the reader refuses them).
fn vw_features(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| {
                    let v = match v {
                        Value::Null => return None,
                        Value::Bool(b) => json!(u8::from(*b)),
                        Value::Array(items) if items.iter().all(Value::is_number) => v.clone(),
                        Value::Array(_) => return None,
                        Value::Object(_) => vw_features(v),
                        other => other.clone(),
                    };
                    Some((k.clone(), v))
                })
                .collect(),
        ),
        _ => Value::Object(Map::new()),
    }
}

/// Writes every resolved decision made at or after `since` (epoch ms) to
/// `out`, one DSJSON line each; answers how many.
pub async fn export_dsjson(
    store: &Store,
    since: i64,
    out: &mut dyn std::io::Write,
) -> Result<usize, ExportError> {
    let decisions = store.resolved_since(since).await?;
    for decision in &decisions {
        let candidates = store.candidates(decision.id).await?;
        let line = dsjson_line(decision, &candidates);
        writeln!(out, "{line}")?;
    }
    Ok(decisions.len())
}

/// What `evaluate` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub policy: String,
    /// Decisions whose features the policy could score.
    pub decisions: usize,
    /// Inverse propensity scoring: mean of reward × π(a)/p(a).
    pub ips: f64,
    /// Self-normalised IPS: Σ reward × w / Σ w.
    pub snips: f64,
    /// The logging policies' own mean reward on the same decisions.
    pub logged_mean: f64,
}

/// IPS and SNIPS estimates of `policy`'s mean reward from the decisions
/// made at or after `since`.
pub async fn evaluate(
    store: &Store,
    factory: &PolicyFactory,
    policy: &str,
    since: i64,
) -> Result<Estimate, ExportError> {
    let target = factory.get(policy)?;
    let (mut n, mut weighted, mut weights, mut rewards) = (0usize, 0.0, 0.0, 0.0);
    for decision in store.resolved_since(since).await? {
        let candidates = store.candidates(decision.id).await?;
        let features: Option<Vec<Features>> = candidates
            .iter()
            .map(|c| serde_json::from_value(c.features.clone()).ok())
            .collect();
        let Some(features) = features.filter(|f| !f.is_empty()) else {
            continue;
        };
        let chosen = decision.chosen_position as usize;
        let pi = target.distribution(&features, &decision.context);
        let Some(pi) = pi.get(chosen) else { continue };
        let w = pi / decision.propensity;
        let r = reward(&decision);
        n += 1;
        weighted += w * r;
        weights += w;
        rewards += r;
    }
    let mean = |x: f64, by: f64| if by > 0.0 { x / by } else { 0.0 };
    Ok(Estimate {
        policy: target.name().into(),
        decisions: n,
        ips: mean(weighted, n as f64),
        snips: mean(weighted, weights),
        logged_mean: mean(rewards, n as f64),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Policy(#[from] UnknownPolicy),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vw_features_drop_what_the_reader_refuses() {
        let v = vw_features(
            &json!({"a": 1, "b": null, "c": true, "d": [1, 2], "e": ["x"],
                                   "f": {"g": "text", "h": null}}),
        );
        assert_eq!(v, json!({"a": 1, "c": 1, "d": [1, 2], "f": {"g": "text"}}));
    }
}
