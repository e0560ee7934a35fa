//! The transactional outbox: an event is written to the service's own
//! `outbox` table (in the transaction of the change that caused it, with
//! [`enqueue_in`], or on its own through [`OutboxSink`]), and a relay
//! publishes the waiting rows in order through the real sink (HTTP or
//! NATS), marking each sent, and retrying with backoff while the bus is
//! down. So a crash or an outage loses nothing: what is in the table is
//! sent after the restart or the outage, and receivers store it once by id.
//!
//! Each service that uses it has the table in its migrations (portable):
//!
//! ```sql
//! CREATE TABLE outbox (seq <autoincrement> PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,
//!     event TEXT NOT NULL, created_at BIGINT NOT NULL, sent_at BIGINT, attempts BIGINT NOT NULL DEFAULT 0);
//! CREATE INDEX outbox_waiting ON outbox (seq) WHERE sent_at IS NULL;
//! ```

use std::sync::Arc;
use std::time::Duration;

use shared_types::NormalizedEvent;
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::Notify;

use super::{EventError, EventSink};

/// How many waiting rows one relay pass reads.
const BATCH: i64 = 200;
/// Sent rows are kept this long (for an operator's look), then purged.
const KEEP_SENT: Duration = Duration::from_secs(24 * 3600);
/// The relay's longest wait between attempts while the bus is down.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

fn now_millis() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// Writes `event` into the outbox on `conn` — inside the caller's
/// transaction, so the event exists exactly when the change does. A repeat
/// of an event id is kept once.
pub async fn enqueue_in(
    conn: &mut AnyConnection,
    event: &NormalizedEvent,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (event_id, event, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event.id.to_string())
    .bind(serde_json::to_string(event).expect("wire types serialize"))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The rows waiting to be sent, and the age of the oldest: what `/ready`'s
/// `outbox` check and the fleet's `/health` show.
pub type Backlog = shared_types::health::OutboxBacklog;

/// A service's outbox table and the relay's wake-up call.
#[derive(Debug, Clone)]
pub struct Outbox {
    db: AnyPool,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(db: AnyPool) -> Self {
        Self {
            db,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Writes `event` on its own (no surrounding change) and wakes the relay.
    pub async fn enqueue(&self, event: &NormalizedEvent) -> Result<(), sqlx::Error> {
        let mut conn = self.db.acquire().await?;
        enqueue_in(&mut conn, event, now_millis()).await?;
        self.wake();
        Ok(())
    }

    /// Tells the relay that rows are waiting (after a commit with
    /// [`enqueue_in`]); it also looks every second on its own.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// How many rows wait, and how old the oldest is.
    pub async fn backlog(&self) -> Result<Backlog, sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MIN(created_at), 0) AS oldest \
             FROM outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&self.db)
        .await?;
        let waiting: i64 = row.try_get("n")?;
        let oldest: i64 = row.try_get("oldest")?;
        Ok(Backlog {
            waiting: waiting.max(0) as u64,
            oldest_age_ms: if waiting == 0 {
                0
            } else {
                (now_millis() - oldest).max(0) as u64
            },
        })
    }

    /// One pass: sends waiting rows oldest first through `sink`, marking
    /// each sent; stops at the first failure so the order holds. Returns how
    /// many were sent.
    pub async fn relay_once(&self, sink: &dyn EventSink) -> Result<usize, RelayError> {
        let rows = sqlx::query(
            "SELECT seq, event FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(&self.db)
        .await?;
        let mut sent = 0;
        for row in rows {
            let seq: i64 = row.try_get("seq")?;
            let text: String = row.try_get("event")?;
            let Ok(event) = serde_json::from_str::<NormalizedEvent>(&text) else {
                // Cannot happen for rows we wrote; never block the rest on it.
                tracing::error!(seq, "an outbox row is not an event; marked sent");
                self.mark_sent(seq).await?;
                continue;
            };
            match sink.emit(event).await {
                Ok(()) => {
                    self.mark_sent(seq).await?;
                    sent += 1;
                }
                Err(e) => {
                    sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE seq = $1")
                        .bind(seq)
                        .execute(&self.db)
                        .await?;
                    return Err(RelayError::Sink(e));
                }
            }
        }
        Ok(sent)
    }

    async fn mark_sent(&self, seq: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE outbox SET sent_at = $2 WHERE seq = $1")
            .bind(seq)
            .bind(now_millis())
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes rows sent more than a day ago.
    pub async fn purge_sent(&self) -> Result<u64, sqlx::Error> {
        let before = now_millis() - KEEP_SENT.as_millis() as i64;
        let done = sqlx::query("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1")
            .bind(before)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }

    /// Runs the relay until the task is aborted: a pass whenever woken (or
    /// every second), backing off from 100 ms to 5 s while sending fails.
    pub fn spawn_relay(&self, sink: Arc<dyn EventSink>) -> tokio::task::JoinHandle<()> {
        let outbox = self.clone();
        tokio::spawn(async move { outbox.relay(sink).await })
    }

    async fn relay(&self, sink: Arc<dyn EventSink>) {
        let mut failures = 0u32;
        let mut passes = 0u64;
        loop {
            passes += 1;
            if passes % 600 == 1
                && let Err(e) = self.purge_sent().await
            {
                tracing::warn!(error = %crate::db::describe(&e), "purging the outbox");
            }
            match self.relay_once(sink.as_ref()).await {
                Ok(n) if n > 0 => {
                    failures = 0;
                    continue;
                }
                Ok(_) => {
                    failures = 0;
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait =
                        Duration::from_millis(100 * 2u64.pow(failures.min(6) - 1)).min(MAX_BACKOFF);
                    if failures == 1 || failures.is_multiple_of(20) {
                        tracing::warn!(error = %e, failures, "the outbox relay could not send; retrying");
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// Why a relay pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the outbox table: {}", crate::db::describe(.0))]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Sink(EventError),
}

/// An `EventSink` that writes into the outbox and lets the relay send:
/// callers keep calling `emit`, and an event handed over is one that
/// survives a crash and an outage of the bus.
#[derive(Debug, Clone)]
pub struct OutboxSink {
    outbox: Outbox,
}

impl OutboxSink {
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

#[async_trait::async_trait]
impl EventSink for OutboxSink {
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError> {
        self.outbox.enqueue(&event).await.map_err(|e| {
            tracing::warn!(error = %crate::db::describe(&e), "writing an event to the outbox");
            EventError::Unreachable("the outbox table")
        })
    }
}

/// The sink `EVENT_BUS` names behind this service's outbox: `emit` writes
/// the row, a relay (started here) sends it. Returns the sink callers hold
/// and the outbox (for `enqueue_in` and the backlog).
pub fn through_outbox(db: AnyPool, bus: Arc<dyn EventSink>) -> (Arc<dyn EventSink>, Outbox) {
    let outbox = Outbox::new(db);
    outbox.spawn_relay(bus);
    (Arc::new(OutboxSink::new(outbox.clone())), outbox)
}

/// `/ready`'s view of the outbox: it always carries the backlog (rows
/// waiting, the age of the oldest), and is down, saying so in words, once
/// the oldest has waited longer than `max_age` (events are not flowing: the
/// bus or the receiver is away).
pub struct OutboxProbe {
    outbox: Outbox,
    max_age: Duration,
}

impl OutboxProbe {
    pub fn new(outbox: Outbox, max_age: Duration) -> Self {
        Self { outbox, max_age }
    }
}

impl crate::health::Probe for OutboxProbe {
    fn name(&self) -> &str {
        "outbox"
    }

    fn check(
        &self,
        ctx: &crate::health::ProbeContext,
    ) -> futures::future::BoxFuture<'static, Result<(), String>> {
        let seen = self.observe(ctx);
        Box::pin(async move { seen.await.outcome })
    }

    fn observe(
        &self,
        _: &crate::health::ProbeContext,
    ) -> futures::future::BoxFuture<'static, crate::health::Observation> {
        let outbox = self.outbox.clone();
        let max_age = self.max_age.as_millis() as u64;
        Box::pin(async move {
            let b = match outbox.backlog().await {
                Ok(b) => b,
                Err(e) => {
                    return crate::health::Observation::from(Err(format!(
                        "query failed: {}",
                        crate::db::describe(&e)
                    )));
                }
            };
            let outcome = if b.oldest_age_ms > max_age {
                Err(format!(
                    "{} events waiting, the oldest {} s old",
                    b.waiting,
                    b.oldest_age_ms / 1000
                ))
            } else {
                Ok(())
            };
            crate::health::Observation {
                outcome,
                outbox: Some(b),
            }
        })
    }
}
