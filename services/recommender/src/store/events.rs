//! `events`: every feedback and provider event, stored once per event id,
//! tied to its decision when its payload names one.

use shared_types::NormalizedEvent;
use sqlx::Row;

use super::{Store, StoreError, json_text};

impl Store {
    /// Stores `event` unless one with its id is there already; true when it
    /// was new.
    pub async fn insert_event(
        &self,
        event: &NormalizedEvent,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self
            .db
            .acquire()
            .await
            .map_err(StoreError::db("storing an event"))?;
        insert_event_on(&mut conn, event, now).await
    }

    /// The kinds of a decision's events, oldest first.
    pub async fn event_kinds(&self, decision: uuid::Uuid) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT kind FROM events WHERE decision_id = $1 ORDER BY received_at, id")
                .bind(decision.to_string())
                .fetch_all(&self.db)
                .await
                .map_err(StoreError::db("reading events"))?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>("kind")
                    .map_err(StoreError::db("reading events"))
            })
            .collect()
    }

    /// How many events are stored with `id` (0 or 1).
    pub async fn event_count(&self, id: uuid::Uuid) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) AS n FROM events WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&self.db)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))
            .map_err(StoreError::db("counting events"))
    }
}

/// [`Store::insert_event`] on a connection (or in a transaction).
pub(super) async fn insert_event_on(
    conn: &mut sqlx::AnyConnection,
    event: &NormalizedEvent,
    now: i64,
) -> Result<bool, StoreError> {
    let decision = event
        .payload
        .get("decision_id")
        .and_then(|d| d.as_str())
        .map(str::to_owned);
    let done = sqlx::query(
        "INSERT INTO events (id, user_id, decision_id, source, kind, subject_id, \
         occurred_at, trace_id, payload, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
    )
    .bind(event.id.to_string())
    .bind(event.user_id.to_string())
    .bind(decision)
    .bind(&event.source)
    .bind(&event.kind)
    .bind(&event.subject_id)
    .bind(&event.occurred_at)
    .bind(&event.trace_id)
    .bind(json_text(&event.payload))
    .bind(now)
    .execute(conn)
    .await
    .map_err(StoreError::db("storing an event"))?;
    Ok(done.rows_affected() == 1)
}
