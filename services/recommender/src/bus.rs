//! Events arriving over NATS (`EVENT_BUS=nats`): the durable consumer hands
//! each one to [`StoreHandler`], which stores it once per id, like
//! `POST /internal/events` does for the HTTP sink.

use std::sync::Arc;

use platform::events::{EventHandler, HandleError, NatsBus, NatsSettings};
use shared_types::NormalizedEvent;

use crate::clock::Clock;
use crate::store::Store;

/// Stores each consumed event (idempotent by id). An invalid event is
/// poison; a database failure may pass and is retried.
pub struct StoreHandler {
    store: Store,
    clock: Clock,
}

impl StoreHandler {
    pub fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }
}

/// The check `/internal/events` applies too.
pub fn valid(event: &NormalizedEvent) -> bool {
    !(event.kind.is_empty()
        || event.kind.len() > 64
        || event.source.is_empty()
        || event.source.len() > 64)
}

#[async_trait::async_trait]
impl EventHandler for StoreHandler {
    async fn handle(&self, event: NormalizedEvent) -> Result<(), HandleError> {
        if !valid(&event) {
            return Err(HandleError::Poison(
                "`kind` and `source` must be 1 to 64 characters".into(),
            ));
        }
        self.store
            .insert_event(&event, self.clock.now_millis())
            .await
            .map(|_| ())
            .map_err(|e| HandleError::Retry(e.to_string()))
    }
}

/// Starts the consumer in the background; it runs until the task is
/// aborted (or the process ends), reconnecting while NATS is away.
pub fn spawn_consumer(
    settings: &NatsSettings,
    store: Store,
    clock: Clock,
) -> tokio::task::JoinHandle<()> {
    let bus = NatsBus::new(settings.clone());
    let handler = Arc::new(StoreHandler::new(store, clock));
    tokio::spawn(platform::events::nats::consume(bus, handler))
}
