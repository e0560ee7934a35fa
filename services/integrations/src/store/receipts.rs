//! `write_receipts`: one row per write sent to a provider, by its request
//! id: pending (no answer) before the call, answered after it, together
//! with the event the write caused (in the outbox, one transaction).

use platform::events::outbox::enqueue_in;
use shared_types::NormalizedEvent;
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::UserId;

/// A write, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReceipt {
    /// The `X-Request-Id` (a UUID) sent with the write.
    pub request_id: String,
    pub user: UserId,
    pub provider: String,
    pub item_id: String,
    /// `close` or `reopen`.
    pub action: String,
    /// The item's due object before the write, as JSON.
    pub previous_due: Option<String>,
    /// The answer given, as JSON; `None` while pending.
    pub answer: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "request_id, user_id, provider, item_id, action, previous_due, answer, created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<WriteReceipt, StoreError> {
    let get = || StoreError::db("reading a write receipt");
    let user: String = row.try_get("user_id").map_err(get())?;
    Ok(WriteReceipt {
        request_id: row.try_get("request_id").map_err(get())?,
        user: UserId::parse(&user).map_err(|_| StoreError::Corrupt("write_receipts.user_id"))?,
        provider: row.try_get("provider").map_err(get())?,
        item_id: row.try_get("item_id").map_err(get())?,
        action: row.try_get("action").map_err(get())?,
        previous_due: row.try_get("previous_due").map_err(get())?,
        answer: row.try_get("answer").map_err(get())?,
        created_at: row.try_get("created_at").map_err(get())?,
    })
}

impl Store {
    pub async fn get_receipt(&self, request_id: &str) -> Result<Option<WriteReceipt>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM write_receipts WHERE request_id = $1"
        ))
        .bind(request_id)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading a write receipt"))?;
        row.as_ref().map(from_row).transpose()
    }

    /// Records a write about to be sent; a receipt already there (a retry)
    /// is kept as it is.
    pub async fn begin_receipt(&self, receipt: &WriteReceipt) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO write_receipts (request_id, user_id, provider, item_id, action, \
             previous_due, answer, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (request_id) DO NOTHING",
        )
        .bind(&receipt.request_id)
        .bind(receipt.user.to_string())
        .bind(&receipt.provider)
        .bind(&receipt.item_id)
        .bind(&receipt.action)
        .bind(receipt.previous_due.as_deref())
        .bind(receipt.answer.as_deref())
        .bind(receipt.created_at)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("recording a write"))?;
        Ok(())
    }

    /// Records the answer of a write the provider took and, in the same
    /// transaction, `event` (what the write caused) in the outbox: the
    /// answer and its event exist together or not at all, so a crash or a
    /// failed insert leaves the receipt pending, and the retry with the same
    /// key records both. Only the first answer counts: a receipt answered
    /// already (by a concurrent try) is left as it is and its event is not
    /// written again. True when this answer was recorded.
    pub async fn finish_receipt(
        &self,
        request_id: &str,
        answer: &str,
        now: i64,
        event: Option<&NormalizedEvent>,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(StoreError::db("recording a write's answer"))?;
        let recorded = sqlx::query(
            "UPDATE write_receipts SET answer = $2, updated_at = $3 \
             WHERE request_id = $1 AND answer IS NULL",
        )
        .bind(request_id)
        .bind(answer)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("recording a write's answer"))?
        .rows_affected()
            == 1;
        if recorded && let Some(event) = event {
            enqueue_in(&mut tx, event, now)
                .await
                .map_err(StoreError::db("writing a write's event to the outbox"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::db("recording a write's answer"))?;
        Ok(recorded)
    }

    /// The user's last answered `action` on `item` at `provider`.
    pub async fn last_receipt(
        &self,
        user: &UserId,
        provider: &str,
        item_id: &str,
        action: &str,
    ) -> Result<Option<WriteReceipt>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM write_receipts WHERE user_id = $1 AND provider = $2 \
             AND item_id = $3 AND action = $4 AND answer IS NOT NULL \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(user.to_string())
        .bind(provider)
        .bind(item_id)
        .bind(action)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading a write receipt"))?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deletes receipts made before `before`; returns how many.
    pub async fn purge_receipts(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM write_receipts WHERE created_at < $1")
            .bind(before)
            .execute(&self.db)
            .await
            .map_err(StoreError::db("purging write receipts"))?;
        Ok(done.rows_affected())
    }
}
