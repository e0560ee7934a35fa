//! `decisions` and `decision_candidates`: what was offered, with what
//! probability, chosen by which draw, and what became of it.

use serde_json::Value;
use shared_types::Tip;
use shared_types::integrations::{CompleteOutcome, SourceReport};
use shared_types::recommender::{DecisionStatus, DegradedReason};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Store, StoreError, from_json, json_text};

/// One candidate of a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    /// 0-based: the order the policy saw.
    pub position: i64,
    pub candidate_id: String,
    pub probability: f64,
    pub score: f64,
    /// The features as they were at that moment.
    pub features: Value,
}

/// A decision to store.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
    pub policy: String,
    pub policy_version: String,
    pub experiment: Option<String>,
    pub bucket: Option<String>,
    pub eligibility_version: String,
    pub context: Value,
    pub seed: u64,
    pub draw: f64,
    pub chosen_position: i64,
    pub chosen_id: String,
    pub propensity: f64,
    pub tip: Tip,
    pub degraded_reason: Option<DegradedReason>,
    pub sources: Vec<SourceReport>,
    pub candidates: Vec<CandidateRow>,
}

/// A stored decision (without its candidates).
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
    pub policy: String,
    pub policy_version: String,
    pub experiment: Option<String>,
    pub bucket: Option<String>,
    pub eligibility_version: String,
    pub context: Value,
    pub seed: u64,
    pub draw: f64,
    pub chosen_position: i64,
    pub chosen_id: String,
    pub propensity: f64,
    pub tip: Tip,
    pub degraded_reason: Option<DegradedReason>,
    pub sources: Vec<SourceReport>,
    pub status: DecisionStatus,
    pub status_at: i64,
    pub skip_reason: Option<String>,
    pub undo_until: Option<i64>,
    pub completion: Option<CompleteOutcome>,
}

const COLUMNS: &str = "id, user_id, created_at, policy, policy_version, experiment, bucket, \
    eligibility_version, context, seed, draw, chosen_position, chosen_id, propensity, tip, \
    degraded, degraded_reason, sources, status, status_at, skip_reason, undo_until, completion";

fn uuid(text: &str, what: &'static str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|_| StoreError::Corrupt(what))
}

fn from_row(row: &AnyRow) -> Result<DecisionRow, StoreError> {
    let get = |e: sqlx::Error| StoreError::Database {
        context: "reading a decision",
        message: platform::db::describe(&e),
    };
    let text = |name: &str| row.try_get::<String, _>(name).map_err(get);
    let opt = |name: &str| row.try_get::<Option<String>, _>(name).map_err(get);
    let reason = opt("degraded_reason")?
        .map(|r| from_json::<DegradedReason>(&format!("\"{r}\""), "decisions.degraded_reason"))
        .transpose()?;
    Ok(DecisionRow {
        id: uuid(&text("id")?, "decisions.id")?,
        user_id: uuid(&text("user_id")?, "decisions.user_id")?,
        created_at: row.try_get("created_at").map_err(get)?,
        policy: text("policy")?,
        policy_version: text("policy_version")?,
        experiment: opt("experiment")?,
        bucket: opt("bucket")?,
        eligibility_version: text("eligibility_version")?,
        context: from_json(&text("context")?, "decisions.context")?,
        seed: u64::from_str_radix(&text("seed")?, 16)
            .map_err(|_| StoreError::Corrupt("decisions.seed"))?,
        draw: row.try_get("draw").map_err(get)?,
        chosen_position: row.try_get("chosen_position").map_err(get)?,
        chosen_id: text("chosen_id")?,
        propensity: row.try_get("propensity").map_err(get)?,
        tip: from_json(&text("tip")?, "decisions.tip")?,
        degraded_reason: reason,
        sources: from_json(&text("sources")?, "decisions.sources")?,
        status: DecisionStatus::parse(&text("status")?)
            .ok_or(StoreError::Corrupt("decisions.status"))?,
        status_at: row.try_get("status_at").map_err(get)?,
        skip_reason: opt("skip_reason")?,
        undo_until: row.try_get("undo_until").map_err(get)?,
        completion: opt("completion")?
            .map(|c| from_json(&c, "decisions.completion"))
            .transpose()?,
    })
}

/// `degraded_reason` as its wire word.
fn reason_text(reason: Option<DegradedReason>) -> Option<String> {
    reason.map(|r| json_text(&r).trim_matches('"').to_owned())
}

impl Store {
    /// Stores a decision and its candidates, all or nothing.
    pub async fn insert_decision(&self, d: &NewDecision) -> Result<(), StoreError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(StoreError::db("starting a decision"))?;
        sqlx::query(&format!(
            "INSERT INTO decisions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, NULL, NULL, NULL)"
        ))
        .bind(d.id.to_string())
        .bind(d.user_id.to_string())
        .bind(d.created_at)
        .bind(&d.policy)
        .bind(&d.policy_version)
        .bind(&d.experiment)
        .bind(&d.bucket)
        .bind(&d.eligibility_version)
        .bind(json_text(&d.context))
        .bind(format!("{:016x}", d.seed))
        .bind(d.draw)
        .bind(d.chosen_position)
        .bind(&d.chosen_id)
        .bind(d.propensity)
        .bind(json_text(&d.tip))
        .bind(i64::from(d.degraded_reason.is_some()))
        .bind(reason_text(d.degraded_reason))
        .bind(json_text(&d.sources))
        .bind(DecisionStatus::Open.as_str())
        .bind(d.created_at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("storing a decision"))?;
        for c in &d.candidates {
            sqlx::query(
                "INSERT INTO decision_candidates (decision_id, position, candidate_id, \
                 probability, score, features) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(d.id.to_string())
            .bind(c.position)
            .bind(&c.candidate_id)
            .bind(c.probability)
            .bind(c.score)
            .bind(json_text(&c.features))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("storing a candidate"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::db("committing a decision"))
    }

    /// The decision `id` if it is `user`'s.
    pub async fn decision(&self, user: Uuid, id: Uuid) -> Result<Option<DecisionRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE id = $1 AND user_id = $2"
        ))
        .bind(id.to_string())
        .bind(user.to_string())
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading a decision"))?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// The user's newest decision that is still open (or pending).
    pub async fn open_decision(&self, user: Uuid) -> Result<Option<DecisionRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE user_id = $1 \
             AND status IN ('open', 'pending') ORDER BY created_at DESC, id DESC LIMIT 1"
        ))
        .bind(user.to_string())
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading the open decision"))?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// The user's decisions that matter now, newest first, in one query:
    /// the open (or pending) ones, those acted on at or after `since`, and
    /// those whose undo window is still open at `now`.
    pub async fn recent(
        &self,
        user: Uuid,
        since: i64,
        now: i64,
    ) -> Result<Vec<DecisionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE user_id = $1 \
             AND (status IN ('open', 'pending') OR status_at >= $2 OR undo_until > $3) \
             ORDER BY created_at DESC, id DESC LIMIT 500"
        ))
        .bind(user.to_string())
        .bind(since)
        .bind(now)
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("reading recent decisions"))?;
        rows.iter().map(from_row).collect()
    }

    /// The user's newest done decision whose undo window is still open.
    pub async fn undoable(&self, user: Uuid, now: i64) -> Result<Option<DecisionRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE user_id = $1 AND status = 'done' \
             AND undo_until > $2 ORDER BY status_at DESC LIMIT 1"
        ))
        .bind(user.to_string())
        .bind(now)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading the undoable decision"))?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Moves a decision from one of `from` to `to`; false when it was in
    /// none of them (someone else moved it first).
    pub async fn set_status(
        &self,
        id: Uuid,
        from: &[shared_types::recommender::DecisionStatus],
        to: DecisionStatus,
        at: i64,
    ) -> Result<bool, StoreError> {
        let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let done = sqlx::query(&format!(
            "UPDATE decisions SET status = $1, status_at = $2 WHERE id = $3 AND status IN ({})",
            from.join(", ")
        ))
        .bind(to.as_str())
        .bind(at)
        .bind(id.to_string())
        .execute(&self.db)
        .await
        .map_err(StoreError::db("changing a decision's status"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a decision done, with its undo window and what the provider
    /// answered.
    pub async fn mark_done(
        &self,
        id: Uuid,
        at: i64,
        undo_until: i64,
        completion: Option<&CompleteOutcome>,
    ) -> Result<(), StoreError> {
        self.mark_done_with(id, at, undo_until, completion, None)
            .await
    }

    /// [`Store::mark_done`], storing `event` (its `tip.done`) in the same
    /// transaction: the decision is done exactly when its event exists, so
    /// a crash between the two cannot lose the event.
    pub async fn mark_done_with(
        &self,
        id: Uuid,
        at: i64,
        undo_until: i64,
        completion: Option<&CompleteOutcome>,
        event: Option<&shared_types::NormalizedEvent>,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(StoreError::db("marking a decision done"))?;
        sqlx::query(
            "UPDATE decisions SET status = 'done', status_at = $1, undo_until = $2, \
             completion = $3 WHERE id = $4",
        )
        .bind(at)
        .bind(undo_until)
        .bind(completion.map(json_text))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("marking a decision done"))?;
        if let Some(event) = event {
            super::events::insert_event_on(&mut tx, event, at).await?;
        }
        tx.commit()
            .await
            .map_err(StoreError::db("marking a decision done"))?;
        Ok(())
    }

    /// Marks an open decision skipped, with the reason.
    pub async fn mark_skipped(
        &self,
        id: Uuid,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE decisions SET status = 'skipped', status_at = $1, skip_reason = $2 \
             WHERE id = $3 AND status = 'open'",
        )
        .bind(at)
        .bind(reason)
        .bind(id.to_string())
        .execute(&self.db)
        .await
        .map_err(StoreError::db("marking a decision skipped"))?;
        Ok(done.rows_affected() == 1)
    }

    /// A decision's candidates, in position order.
    pub async fn candidates(&self, id: Uuid) -> Result<Vec<CandidateRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT position, candidate_id, probability, score, features \
             FROM decision_candidates WHERE decision_id = $1 ORDER BY position",
        )
        .bind(id.to_string())
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("reading candidates"))?;
        rows.iter()
            .map(|r| {
                let get = StoreError::db("reading a candidate");
                let features: String = r.try_get("features").map_err(get)?;
                Ok(CandidateRow {
                    position: r
                        .try_get("position")
                        .map_err(StoreError::db("reading a candidate"))?,
                    candidate_id: r
                        .try_get("candidate_id")
                        .map_err(StoreError::db("reading a candidate"))?,
                    probability: r
                        .try_get("probability")
                        .map_err(StoreError::db("reading a candidate"))?,
                    score: r
                        .try_get("score")
                        .map_err(StoreError::db("reading a candidate"))?,
                    features: from_json(&features, "decision_candidates.features")?,
                })
            })
            .collect()
    }

    /// Resolved decisions (neither open nor pending) made at or after
    /// `since`, oldest first: what the export and the evaluation read.
    pub async fn resolved_since(&self, since: i64) -> Result<Vec<DecisionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE created_at >= $1 \
             AND status NOT IN ('open', 'pending') ORDER BY created_at, id"
        ))
        .bind(since)
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("reading resolved decisions"))?;
        rows.iter().map(from_row).collect()
    }

    /// Every decision of a user, newest first (tests and operators).
    pub async fn decisions_of(&self, user: Uuid) -> Result<Vec<DecisionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM decisions WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(user.to_string())
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("reading decisions"))?;
        rows.iter().map(from_row).collect()
    }
}
