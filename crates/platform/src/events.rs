//! The event seam: `EventSink::emit(event)`. Producers hold an
//! `Arc<dyn EventSink>` and never know which transport carries it: HTTP to
//! the recommender's `/internal/events` (`EVENT_BUS=http`, the default),
//! NATS JetStream ([`nats`], `EVENT_BUS=nats`), an in-memory sink in tests.

pub mod nats;
pub mod outbox;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;

pub use nats::{EventHandler, HandleError, NatsBus, NatsSettings, NatsSink};
pub use outbox::{Outbox, OutboxSink};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use shared_types::NormalizedEvent;

/// Why an event could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the event receiver did not answer: {0}")]
    Unreachable(&'static str),
    #[error("the event receiver answered {0}")]
    Refused(u16),
}

/// Where events go.
#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Hands `event` over. Receivers store an event once per id, so a
    /// sink may send the same event again after a lost answer.
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError>;
}

/// POSTs each event to `{recommender}/internal/events` with the internal
/// token; retried (three attempts, capped backoff with jitter) on failures
/// that may pass, which is safe because the receiver is idempotent by id.
pub struct HttpSink {
    url: String,
    token: SecretString,
    http: reqwest::Client,
}

impl std::fmt::Debug for HttpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSink").field("url", &self.url).finish()
    }
}

const ATTEMPTS: u32 = 3;

impl HttpSink {
    pub fn new(recommender_url: &str, token: SecretString) -> Self {
        Self {
            url: format!("{}/internal/events", recommender_url.trim_end_matches('/')),
            token,
            http: crate::client::http_client(Duration::from_secs(3)),
        }
    }
}

#[async_trait::async_trait]
impl EventSink for HttpSink {
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError> {
        let mut last = EventError::Unreachable("no attempt made");
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let sent = self
                .http
                .post(&self.url)
                .bearer_auth(self.token.expose_secret())
                .headers(crate::trace::headers_or(event.trace_id.as_deref()))
                .json(&event)
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return Ok(()),
                // A refusal that cannot pass (bad token, bad event): stop.
                Ok(r) if r.status().is_client_error() && r.status() != 429 => {
                    return Err(EventError::Refused(r.status().as_u16()));
                }
                Ok(r) => last = EventError::Refused(r.status().as_u16()),
                Err(e) => {
                    last = EventError::Unreachable(if e.is_timeout() {
                        "timed out"
                    } else if e.is_connect() {
                        "connection refused"
                    } else {
                        "request failed"
                    })
                }
            }
        }
        Err(last)
    }
}

/// 100 ms, 200 ms… capped at 1 s, each with up to half again of jitter.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(100 * 2u64.pow(attempt.saturating_sub(1)))
        .min(Duration::from_secs(1));
    let jitter = u64::from(crate::secrets::random_bytes::<1>()[0]) * base.as_millis() as u64 / 512;
    base + Duration::from_millis(jitter)
}

/// Keeps every event in memory, in order (tests, and a fleet without a
/// receiver).
#[derive(Debug, Default)]
pub struct MemorySink {
    events: Mutex<Vec<NormalizedEvent>>,
}

impl MemorySink {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Every event emitted so far.
    pub fn events(&self) -> Vec<NormalizedEvent> {
        self.events.lock().expect("memory sink lock").clone()
    }

    /// The kinds emitted so far, in order.
    pub fn kinds(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.kind).collect()
    }
}

#[async_trait::async_trait]
impl EventSink for MemorySink {
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError> {
        self.events.lock().expect("memory sink lock").push(event);
        Ok(())
    }
}

/// The sink `EVENT_BUS` names: HTTP to the recommender, or JetStream (its
/// connection and streams set up in the background, so start-up does not
/// wait for NATS).
pub fn from_settings(
    common: &crate::CommonSettings,
    nats: &NatsSettings,
    recommender_url: &str,
    token: SecretString,
) -> Arc<dyn EventSink> {
    match common.event_bus {
        crate::config::EventBus::Http => Arc::new(HttpSink::new(recommender_url, token)),
        crate::config::EventBus::Nats => {
            let bus = NatsBus::new(nats.clone());
            bus.start();
            Arc::new(NatsSink::new(bus))
        }
    }
}

/// Emits `event`, logging instead of failing when it cannot be handed over:
/// feedback must never fail the user's action.
pub async fn emit_logged(sink: &dyn EventSink, event: NormalizedEvent) {
    let kind = event.kind.clone();
    if let Err(e) = sink.emit(event).await {
        tracing::warn!(kind = %kind, error = %e, "event not delivered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> NormalizedEvent {
        NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::new_v4(),
            source: "onetip".into(),
            kind: "tip.done".into(),
            subject_id: "todoist:1".into(),
            occurred_at: "2026-12-01T10:00:00Z".into(),
            trace_id: Some("req-1".into()),
            payload: serde_json::json!({"decision_id": "d"}),
        }
    }

    #[tokio::test]
    async fn the_http_sink_retries_a_5xx_and_sends_the_same_event_with_the_token() {
        use wiremock::matchers::{header, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/internal/events"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/internal/events"))
            .and(header("authorization", "Bearer secret-token"))
            .respond_with(ResponseTemplate::new(202))
            .mount(&server)
            .await;
        let sink = HttpSink::new(&server.uri(), SecretString::from("secret-token"));
        let sent = event();
        sink.emit(sent.clone()).await.unwrap();
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 2);
        for r in &received {
            let body: NormalizedEvent = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(body, sent);
        }
    }

    #[tokio::test]
    async fn the_http_sink_stops_at_a_refusal_that_cannot_pass() {
        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401))
            .mount(&server)
            .await;
        let sink = HttpSink::new(&server.uri(), SecretString::from("wrong"));
        let err = sink.emit(event()).await.unwrap_err();
        assert!(matches!(err, EventError::Refused(401)));
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_memory_sink_keeps_events_in_order() {
        let sink = MemorySink::new();
        let mut second = event();
        second.kind = "tip.undone".into();
        sink.emit(event()).await.unwrap();
        sink.emit(second).await.unwrap();
        assert_eq!(sink.kinds(), ["tip.done", "tip.undone"]);
    }
}
