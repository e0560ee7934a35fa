//! Events over NATS JetStream: [`NatsSink`] publishes each event on
//! `<prefix>.<source>.<kind>` with its id as `Nats-Msg-Id` and waits for
//! JetStream's acknowledgement, so a repeat within the duplicate window is
//! stored once; [`consume`] runs a durable pull consumer that acknowledges a
//! message only after its handler stored it, and moves poison messages to
//! the dead-letter subject instead of letting them block the rest.

pub use async_nats;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer, stream};
use futures::StreamExt;
use shared_types::NormalizedEvent;
use tokio::sync::OnceCell;

use super::{EventError, EventSink, backoff};
use crate::{ConfigError, Env};

/// Where the stream is and how it keeps events; read once at start.
#[derive(Debug, Clone)]
pub struct NatsSettings {
    /// `NATS_URL`.
    pub url: String,
    /// `NATS_STREAM`: the stream holding every event.
    pub stream: String,
    /// `NATS_SUBJECT_PREFIX`: events go to `<prefix>.<source>.<kind>`.
    pub subject_prefix: String,
    /// `NATS_STREAM_MAX_AGE`: how long the stream keeps an event.
    pub max_age: Duration,
    /// `NATS_DUPLICATE_WINDOW`: within it a repeated event id is stored once.
    pub duplicate_window: Duration,
    /// `NATS_CONSUMER`: the recommender's durable consumer.
    pub consumer: String,
    /// `NATS_ACK_WAIT`: after it an unacknowledged message is delivered again.
    pub ack_wait: Duration,
    /// `NATS_MAX_DELIVER`: deliveries of a failing message before it is
    /// dead-lettered.
    pub max_deliver: i64,
    /// `NATS_DEAD_LETTER_SUBJECT`: where poison messages go (kept by the
    /// `<stream>_DEAD` stream); outside the prefix, so never consumed again.
    pub dead_letter_subject: String,
    /// How long a publish waits for JetStream's acknowledgement.
    pub publish_timeout: Duration,
}

impl NatsSettings {
    /// The defaults, pointed at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            stream: "ONETIP_EVENTS".into(),
            subject_prefix: "onetip.events".into(),
            max_age: Duration::from_secs(7 * 86_400),
            duplicate_window: Duration::from_secs(120),
            consumer: "recommender".into(),
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            dead_letter_subject: "onetip.deadletter.events".into(),
            publish_timeout: Duration::from_secs(5),
        }
    }

    pub fn from_env(env: &Env, common: &crate::CommonSettings) -> Result<Self, ConfigError> {
        let d = Self::new(common.nats_url.clone());
        let s = Self {
            stream: env.get_or("NATS_STREAM", &d.stream),
            subject_prefix: env
                .get_or("NATS_SUBJECT_PREFIX", &d.subject_prefix)
                .trim_end_matches('.')
                .to_owned(),
            max_age: env.duration("NATS_STREAM_MAX_AGE", d.max_age)?,
            duplicate_window: env.duration("NATS_DUPLICATE_WINDOW", d.duplicate_window)?,
            consumer: env.get_or("NATS_CONSUMER", &d.consumer),
            ack_wait: env.duration("NATS_ACK_WAIT", d.ack_wait)?,
            max_deliver: env.parse("NATS_MAX_DELIVER")?.unwrap_or(d.max_deliver),
            dead_letter_subject: env.get_or("NATS_DEAD_LETTER_SUBJECT", &d.dead_letter_subject),
            ..d
        };
        if s.stream.is_empty() || s.stream.contains(['.', ' ', '*', '>']) {
            return Err(ConfigError::new(
                "NATS_STREAM",
                "a name without dots, spaces or wildcards",
            ));
        }
        if s.max_deliver < 1 {
            return Err(ConfigError::new("NATS_MAX_DELIVER", "must be at least 1"));
        }
        if s.duplicate_window > s.max_age {
            return Err(ConfigError::new(
                "NATS_DUPLICATE_WINDOW",
                "must not exceed NATS_STREAM_MAX_AGE",
            ));
        }
        if s.dead_letter_subject
            .starts_with(&format!("{}.", s.subject_prefix))
        {
            return Err(ConfigError::new(
                "NATS_DEAD_LETTER_SUBJECT",
                "must lie outside NATS_SUBJECT_PREFIX",
            ));
        }
        Ok(s)
    }

    /// `<prefix>.<source>.<kind>`, with characters NATS gives a meaning to
    /// (spaces, wildcards) replaced.
    pub fn subject(&self, event: &NormalizedEvent) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_whitespace() || c == '*' || c == '>' {
                        '_'
                    } else {
                        c
                    }
                })
                .collect()
        };
        format!(
            "{}.{}.{}",
            self.subject_prefix,
            clean(&event.source),
            clean(&event.kind)
        )
    }

    fn dead_stream(&self) -> String {
        format!("{}_DEAD", self.stream)
    }
}

/// One connection to NATS, opened on first use and shared by the sink and
/// the consumer; the streams are created or updated when it opens.
pub struct NatsBus {
    settings: NatsSettings,
    js: OnceCell<jetstream::Context>,
}

impl std::fmt::Debug for NatsBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBus")
            .field("stream", &self.settings.stream)
            .field("connected", &self.js.initialized())
            .finish()
    }
}

impl NatsBus {
    pub fn new(settings: NatsSettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            js: OnceCell::new(),
        })
    }

    pub fn settings(&self) -> &NatsSettings {
        &self.settings
    }

    /// Connects and sets the streams up in the background, so that start-up
    /// neither waits for NATS nor fails without it (the first publish or the
    /// consumer connects then).
    pub fn start(self: &Arc<Self>) {
        let bus = self.clone();
        tokio::spawn(async move {
            if let Err(e) = bus.context().await {
                tracing::warn!(error = %e, "NATS not ready yet; retrying on first use");
            }
        });
    }

    /// The JetStream context, connecting and creating or updating the
    /// streams the first time.
    pub async fn context(&self) -> Result<&jetstream::Context, EventError> {
        self.js
            .get_or_try_init(|| async {
                let client = async_nats::ConnectOptions::new()
                    .connection_timeout(Duration::from_secs(2))
                    .max_reconnects(None)
                    .connect(self.settings.url.as_str())
                    .await
                    .map_err(|e| {
                        tracing::debug!(error = %e, "connecting to NATS");
                        EventError::Unreachable("NATS connection refused")
                    })?;
                let mut js = jetstream::new(client);
                js.set_timeout(self.settings.publish_timeout);
                self.ensure_streams(&js).await?;
                Ok(js)
            })
            .await
    }

    async fn ensure_streams(&self, js: &jetstream::Context) -> Result<(), EventError> {
        let s = &self.settings;
        let streams = [
            stream::Config {
                name: s.stream.clone(),
                subjects: vec![format!("{}.>", s.subject_prefix)],
                retention: stream::RetentionPolicy::Limits,
                storage: stream::StorageType::File,
                max_age: s.max_age,
                duplicate_window: s.duplicate_window,
                ..Default::default()
            },
            stream::Config {
                name: s.dead_stream(),
                subjects: vec![s.dead_letter_subject.clone()],
                retention: stream::RetentionPolicy::Limits,
                storage: stream::StorageType::File,
                max_age: s.max_age,
                duplicate_window: s.duplicate_window,
                ..Default::default()
            },
        ];
        for config in streams {
            let name = config.name.clone();
            js.create_or_update_stream(config).await.map_err(|e| {
                tracing::warn!(stream = %name, error = %e, "creating or updating a stream");
                EventError::Unreachable("NATS stream not set up")
            })?;
        }
        Ok(())
    }

    /// Publishes once and waits for the acknowledgement; true when JetStream
    /// already had this event id (a duplicate within the window).
    pub async fn publish(&self, event: &NormalizedEvent) -> Result<bool, EventError> {
        let js = self.context().await?;
        let body = serde_json::to_vec(event).expect("wire types serialize");
        let publish = jetstream::message::PublishMessage::build()
            .payload(body.into())
            .message_id(event.id.to_string());
        let ack = js
            .send_publish(self.settings.subject(event), publish)
            .await
            .map_err(|_| EventError::Unreachable("NATS publish failed"))?
            .await
            .map_err(|_| EventError::Unreachable("no JetStream acknowledgement"))?;
        Ok(ack.duplicate)
    }
}

/// The NATS sink: JetStream publish awaiting the ack, retried like the
/// HTTP sink (the same event id, so a retry is stored once).
#[derive(Debug, Clone)]
pub struct NatsSink {
    bus: Arc<NatsBus>,
}

impl NatsSink {
    pub fn new(bus: Arc<NatsBus>) -> Self {
        Self { bus }
    }
}

#[async_trait::async_trait]
impl EventSink for NatsSink {
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError> {
        let mut last = EventError::Unreachable("no attempt made");
        for attempt in 0..super::ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            match self.bus.publish(&event).await {
                Ok(_) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// Why a handler did not take an event.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// It may pass (the database is down): delivered again later, and
    /// dead-lettered after `NATS_MAX_DELIVER` deliveries.
    #[error("retry: {0}")]
    Retry(String),
    /// It never will (an invalid event): dead-lettered at once.
    #[error("poison: {0}")]
    Poison(String),
}

/// What the consumer does with each event (the recommender stores it,
/// idempotently by id).
#[async_trait::async_trait]
pub trait EventHandler: Send + Sync {
    async fn handle(&self, event: NormalizedEvent) -> Result<(), HandleError>;
}

/// Runs the durable pull consumer until the task is dropped: each message
/// is handed to `handler` and acknowledged after it returns `Ok`; a failure
/// is delivered again with a backoff; a message that cannot be parsed, is
/// poison, or failed `max_deliver` times goes to the dead-letter subject
/// (and is logged) and is acknowledged, so the stream keeps flowing. Lost
/// connections are retried for ever.
pub async fn consume(bus: Arc<NatsBus>, handler: Arc<dyn EventHandler>) {
    let mut failures = 0u32;
    loop {
        match consume_once(&bus, handler.as_ref()).await {
            Ok(()) => failures = 0,
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, "the NATS consumer stopped; restarting");
            }
        }
        tokio::time::sleep(backoff(failures.clamp(1, 8))).await;
    }
}

/// One consumer session, until its message stream fails or ends.
async fn consume_once(bus: &NatsBus, handler: &dyn EventHandler) -> anyhow::Result<()> {
    let s = bus.settings();
    let js = bus.context().await?;
    let stream = js.get_stream(&s.stream).await?;
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &s.consumer,
            consumer::pull::Config {
                durable_name: Some(s.consumer.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: s.ack_wait,
                // Unbounded on the server: the consumer dead-letters itself
                // (a server-side limit would drop a message silently).
                max_deliver: -1,
                ..Default::default()
            },
        )
        .await?;
    let mut messages = consumer.messages().await?;
    while let Some(message) = messages.next().await {
        let message = message?;
        if let Err(e) = take(bus, handler, &message).await {
            // Not acknowledged: it comes back after the ack wait.
            tracing::warn!(error = %e, "an event message was left for redelivery");
        }
    }
    Ok(())
}

async fn take(
    bus: &NatsBus,
    handler: &dyn EventHandler,
    message: &jetstream::Message,
) -> anyhow::Result<()> {
    let s = bus.settings();
    let delivered = message.info().map(|i| i.delivered).unwrap_or(1);
    let verdict = if delivered > s.max_deliver {
        // It failed (or crashed its consumer) every time already.
        Err(HandleError::Poison(format!("{delivered} deliveries")))
    } else {
        match serde_json::from_slice::<NormalizedEvent>(&message.payload) {
            Err(e) => Err(HandleError::Poison(format!("not an event: {e}"))),
            Ok(event) => handler.handle(event).await,
        }
    };
    match verdict {
        Ok(()) => message.ack().await.map_err(anyhow::Error::msg)?,
        Err(HandleError::Retry(reason)) if delivered < s.max_deliver => {
            tracing::debug!(%reason, delivered, "an event will be delivered again");
            let wait = backoff(u32::try_from(delivered).unwrap_or(8));
            message
                .ack_with(AckKind::Nak(Some(wait)))
                .await
                .map_err(anyhow::Error::msg)?;
        }
        Err(e) => {
            dead_letter(bus, message, &e.to_string()).await?;
            message.ack().await.map_err(anyhow::Error::msg)?;
        }
    }
    Ok(())
}

/// Publishes the message as it came, with why and where from in headers.
async fn dead_letter(
    bus: &NatsBus,
    message: &jetstream::Message,
    reason: &str,
) -> anyhow::Result<()> {
    let s = bus.settings();
    let id = message
        .headers
        .as_ref()
        .and_then(|h| h.get("Nats-Msg-Id"))
        .map(|v| v.as_str().to_owned());
    tracing::error!(
        subject = %message.subject,
        msg_id = id.as_deref().unwrap_or("-"),
        %reason,
        "event dead-lettered"
    );
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Onetip-Dead-Reason", reason);
    headers.insert("Onetip-Original-Subject", message.subject.as_str());
    let mut publish = jetstream::message::PublishMessage::build()
        .payload(message.payload.clone())
        .headers(headers);
    if let Some(id) = id {
        publish = publish.message_id(id);
    }
    bus.context()
        .await?
        .send_publish(s.dead_letter_subject.clone(), publish)
        .await?
        .await?;
    Ok(())
}

#[cfg(test)]
#[path = "nats_tests.rs"]
mod tests;
