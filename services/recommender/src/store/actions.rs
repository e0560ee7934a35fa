//! `tip_actions`: one row per (decision, action, Idempotency-Key). A
//! finished row holds the answer given, so a replay answers the same; a
//! pending row is what a crash between the provider call and our commit
//! leaves, and the retry with the same key finishes it.

use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError};

/// What is recorded for a key.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionState {
    Pending,
    /// The JSON answer given.
    Finished(serde_json::Value),
}

impl Store {
    /// The state recorded for (decision, action, key), if any.
    pub async fn action(
        &self,
        decision: Uuid,
        action: &str,
        key: &str,
    ) -> Result<Option<ActionState>, StoreError> {
        let row = sqlx::query(
            "SELECT state, answer FROM tip_actions \
             WHERE decision_id = $1 AND action = $2 AND idempotency_key = $3",
        )
        .bind(decision.to_string())
        .bind(action)
        .bind(key)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading an action"))?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row
            .try_get("state")
            .map_err(StoreError::db("reading an action"))?;
        let answer: Option<String> = row
            .try_get("answer")
            .map_err(StoreError::db("reading an action"))?;
        match (state.as_str(), answer) {
            ("finished", Some(answer)) => Ok(Some(ActionState::Finished(
                serde_json::from_str(&answer)
                    .map_err(|_| StoreError::Corrupt("tip_actions.answer"))?,
            ))),
            ("pending", _) => Ok(Some(ActionState::Pending)),
            _ => Err(StoreError::Corrupt("tip_actions.state")),
        }
    }

    /// Records (decision, action, key) as pending, unless a row is there.
    pub async fn begin_action(
        &self,
        decision: Uuid,
        action: &str,
        key: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tip_actions (decision_id, action, idempotency_key, state, answer, \
             created_at) VALUES ($1, $2, $3, 'pending', NULL, $4) ON CONFLICT DO NOTHING",
        )
        .bind(decision.to_string())
        .bind(action)
        .bind(key)
        .bind(now)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("recording an action"))?;
        Ok(())
    }

    /// Stores the answer of a finished action.
    pub async fn finish_action(
        &self,
        decision: Uuid,
        action: &str,
        key: &str,
        answer: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tip_actions SET state = 'finished', answer = $1 \
             WHERE decision_id = $2 AND action = $3 AND idempotency_key = $4",
        )
        .bind(answer.to_string())
        .bind(decision.to_string())
        .bind(action)
        .bind(key)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("finishing an action"))?;
        Ok(())
    }

    /// Forgets a pending action whose provider call failed: nothing
    /// happened, so a retry starts afresh.
    pub async fn drop_action(
        &self,
        decision: Uuid,
        action: &str,
        key: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM tip_actions WHERE decision_id = $1 AND action = $2 \
             AND idempotency_key = $3 AND state = 'pending'",
        )
        .bind(decision.to_string())
        .bind(action)
        .bind(key)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("dropping an action"))?;
        Ok(())
    }
}
