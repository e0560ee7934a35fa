//! Making a decision: the candidates (eligible tasks, or the advice cards
//! when there are none), the policy's distribution, the seeded draw, and
//! the log row with every candidate's probability and features.

use std::collections::HashSet;

use serde_json::{Value, json};
use shared_types::integrations::SourceStatus;
use shared_types::recommender::DegradedReason;
use uuid::Uuid;

use super::{Caller, Recommender, Situation, TipError, assignment, degraded_reason};
use crate::domain::Candidate;
use crate::domain::advice::CATALOGUE;
use crate::domain::describe::reason;
use crate::domain::eligibility;
use crate::policy::draw::Draw;
use crate::store::{CandidateRow, DecisionRow, NewDecision};

/// The policy name of a decision that puts an undone tip back: one
/// candidate, probability 1, no draw to speak of.
pub const RESTORE_POLICY: &str = "restore";

impl Recommender {
    /// Draws a new decision and stores it.
    pub(super) async fn decide(
        &self,
        caller: &Caller,
        context: Value,
        situation: &Situation,
    ) -> Result<DecisionRow, TipError> {
        let eligible = situation.eligible();
        let (candidates, degraded) = if eligible.is_empty() {
            (advice(&situation.acted), Some(degraded_reason(situation)))
        } else {
            let stale = situation
                .sources
                .iter()
                .any(|s| s.status == SourceStatus::Stale);
            (
                eligible.into_iter().cloned().collect(),
                stale.then_some(DegradedReason::Stale),
            )
        };
        let assigned = assignment(&self.params, &caller.user);
        let policy = self
            .params
            .factory
            .get(&assigned.policy)
            .map_err(|e| TipError::Policy(e.to_string()))?;
        let features: Vec<_> = candidates.iter().map(|c| c.features.clone()).collect();
        let context = shared_context(context, candidates.len(), self.clock.now());
        let distribution = policy.distribution(&features, &context);
        validate(&distribution, candidates.len())?;
        let scores = policy.scores(&features, &context);
        let draw = Draw::fresh(&distribution);
        let chosen = &candidates[draw.index];
        let kind = chosen.kind;
        let tip = chosen.to_tip(reason(chosen), policy.why(draw.index, &distribution, kind));
        let now = self.clock.now_millis();
        let decision = NewDecision {
            id: Uuid::now_v7(),
            user_id: caller.user,
            created_at: now,
            policy: policy.name().into(),
            policy_version: policy.version(),
            experiment: assigned.experiment,
            bucket: assigned.bucket,
            eligibility_version: eligibility::VERSION.into(),
            context,
            seed: draw.seed,
            draw: draw.u,
            chosen_position: draw.index as i64,
            chosen_id: chosen.id.clone(),
            propensity: distribution[draw.index],
            tip,
            degraded_reason: degraded,
            sources: situation.sources.clone(),
            candidates: candidates
                .iter()
                .enumerate()
                .map(|(i, c)| CandidateRow {
                    position: i as i64,
                    candidate_id: c.id.clone(),
                    probability: distribution[i],
                    score: scores.get(i).copied().unwrap_or(0.0),
                    features: serde_json::to_value(&c.features).unwrap_or(Value::Null),
                })
                .collect(),
        };
        self.store.insert_decision(&decision).await?;
        self.store
            .decision(caller.user, decision.id)
            .await?
            .ok_or(TipError::NotFound)
    }

    /// A decision that shows an undone tip again: its one candidate, with
    /// the features it had, at probability 1.
    pub(super) async fn restore(
        &self,
        caller: &Caller,
        undone: &DecisionRow,
    ) -> Result<DecisionRow, TipError> {
        let candidates = self.store.candidates(undone.id).await?;
        let features = candidates
            .iter()
            .find(|c| c.candidate_id == undone.chosen_id)
            .map(|c| c.features.clone())
            .unwrap_or(Value::Null);
        let mut tip = undone.tip.clone();
        tip.meta.why = "back after your undo".into();
        let now = self.clock.now_millis();
        let decision = NewDecision {
            id: Uuid::now_v7(),
            user_id: caller.user,
            created_at: now,
            policy: RESTORE_POLICY.into(),
            policy_version: "1".into(),
            experiment: None,
            bucket: None,
            eligibility_version: undone.eligibility_version.clone(),
            context: json!({ "restores": undone.id, "n_candidates": 1 }),
            seed: 0,
            draw: 0.0,
            chosen_position: 0,
            chosen_id: undone.chosen_id.clone(),
            propensity: 1.0,
            tip,
            degraded_reason: undone.degraded_reason,
            sources: undone.sources.clone(),
            candidates: vec![CandidateRow {
                position: 0,
                candidate_id: undone.chosen_id.clone(),
                probability: 1.0,
                score: 0.0,
                features,
            }],
        };
        self.store.insert_decision(&decision).await?;
        self.store
            .decision(caller.user, decision.id)
            .await?
            .ok_or(TipError::NotFound)
    }
}

/// The advice cards not done or skipped lately (all of them if that
/// leaves none).
fn advice(acted: &HashSet<String>) -> Vec<Candidate> {
    let all: Vec<Candidate> = CATALOGUE.iter().map(Candidate::from_advice).collect();
    let fresh: Vec<Candidate> = all
        .iter()
        .filter(|c| !acted.contains(&c.id))
        .cloned()
        .collect();
    if fresh.is_empty() { all } else { fresh }
}

/// The context a policy sees and the log keeps: the caller's context, and
/// the features every candidate shares (how many there are, the hour and
/// the weekday in UTC).
fn shared_context(context: Value, n: usize, now: time::OffsetDateTime) -> Value {
    let mut shared = json!({
        "n_candidates": n,
        "hour_utc": now.hour(),
        "weekday": now.weekday().number_days_from_monday(),
    });
    if let (Some(map), Value::Object(given)) = (shared.as_object_mut(), context)
        && !given.is_empty()
    {
        map.insert("request".into(), Value::Object(given));
    }
    shared
}

/// A distribution the log may hold: one probability per candidate, each
/// above 0, summing to 1.
fn validate(p: &[f64], n: usize) -> Result<(), TipError> {
    let sum: f64 = p.iter().sum();
    if p.len() != n || n == 0 {
        return Err(TipError::Policy(format!(
            "{} probabilities for {n} candidates",
            p.len()
        )));
    }
    if p.iter().any(|x| !(x.is_finite() && *x > 0.0)) || (sum - 1.0).abs() > 1e-9 {
        return Err(TipError::Policy(format!("probabilities summing to {sum}")));
    }
    Ok(())
}
