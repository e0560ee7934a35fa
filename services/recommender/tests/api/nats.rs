//! Events over NATS JetStream into the recommender's store: the durable
//! consumer acknowledges after storing, so at-least-once delivery counts
//! each event once. Plain cases on the shared NATS (a stream each); the
//! case that stops a server on a throwaway `nats-server`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use platform::events::nats::{HandleError, consume};
use platform::events::testing::{NatsServer, SHARED_NATS, delete_streams, unique_settings};
use platform::events::{EventHandler, EventSink, NatsBus, NatsSettings, NatsSink};
use platform::testing::TestDatabase;
use recommender::bus::{StoreHandler, spawn_consumer};
use recommender::clock::Clock;
use recommender::store::Store;
use shared_types::NormalizedEvent;
use uuid::Uuid;

struct Bench {
    store: Store,
    _db: TestDatabase,
}

async fn store() -> Bench {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let pairs = [
        ("DATA_DIR", db.dir().display().to_string()),
        ("RECOMMENDER_DATABASE_URL", db.url().to_owned()),
        (
            "INTERNAL_API_TOKEN",
            "internal-token-for-tests-0123456789abcdef".into(),
        ),
    ];
    let settings = recommender::Settings::from_env(&platform::Env::from_pairs(pairs)).unwrap();
    let pool = recommender::open_database(&settings).await.unwrap();
    Bench {
        store: Store::new(pool),
        _db: db,
    }
}

fn event(n: usize) -> NormalizedEvent {
    NormalizedEvent {
        id: Uuid::now_v7(),
        user_id: Uuid::new_v4(),
        source: "todoist".into(),
        kind: "task.completed".into(),
        subject_id: format!("todoist:{n}"),
        occurred_at: "2026-12-01T10:00:00Z".into(),
        trace_id: Some(format!("trace-{n}")),
        payload: serde_json::json!({"n": n}),
    }
}

async fn stored_count(store: &Store) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

async fn until_stored(store: &Store, n: i64, within: Duration) {
    let start = std::time::Instant::now();
    while stored_count(store).await < n {
        assert!(
            start.elapsed() < within,
            "only {} of {n} stored",
            stored_count(store).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Nothing pending or unacknowledged on the durable consumer.
async fn until_drained(s: &NatsSettings) {
    let bus = NatsBus::new(s.clone());
    let js = bus.context().await.unwrap();
    let stream = js.get_stream(&s.stream).await.unwrap();
    for _ in 0..200 {
        let c: Result<platform::events::nats::async_nats::jetstream::consumer::PullConsumer, _> =
            stream.get_consumer(&s.consumer).await;
        if let Ok(mut c) = c {
            let info = c.info().await.unwrap();
            if info.num_pending == 0 && info.num_ack_pending == 0 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the consumer did not drain");
}

#[tokio::test]
async fn an_event_published_over_nats_is_stored_with_its_trace_id() {
    let b = store().await;
    let s = unique_settings(SHARED_NATS);
    let consumer = spawn_consumer(&s, b.store.clone(), Clock::system());
    let sink = NatsSink::new(NatsBus::new(s.clone()));
    let e = event(1);
    sink.emit(e.clone()).await.unwrap();
    until_stored(&b.store, 1, Duration::from_secs(10)).await;
    let trace: Option<String> = sqlx::query_scalar("SELECT trace_id FROM events WHERE id = $1")
        .bind(e.id.to_string())
        .fetch_one(b.store.pool())
        .await
        .unwrap();
    assert_eq!(trace.as_deref(), Some("trace-1"));
    until_drained(&s).await;
    consumer.abort();
    delete_streams(&s).await;
}

#[tokio::test]
async fn a_duplicate_publish_is_stored_once() {
    let b = store().await;
    let s = unique_settings(SHARED_NATS);
    let bus = NatsBus::new(s.clone());
    let e = event(1);
    bus.publish(&e).await.unwrap();
    assert!(
        bus.publish(&e).await.unwrap(),
        "JetStream saw the duplicate"
    );
    // Past the window (another stream would keep it twice), the store still
    // counts it once: publish it on the wire under another message id.
    let js = bus.context().await.unwrap();
    js.publish(s.subject(&e), serde_json::to_vec(&e).unwrap().into())
        .await
        .unwrap()
        .await
        .unwrap();
    let consumer = spawn_consumer(&s, b.store.clone(), Clock::system());
    until_drained(&s).await;
    assert_eq!(b.store.event_count(e.id).await.unwrap(), 1);
    assert_eq!(stored_count(&b.store).await, 1);
    consumer.abort();
    delete_streams(&s).await;
}

/// Stores the event, then never returns: a consumer that dies before it
/// acknowledges.
struct StoreThenHang(StoreHandler, Arc<AtomicU32>);

#[async_trait::async_trait]
impl EventHandler for StoreThenHang {
    async fn handle(&self, event: NormalizedEvent) -> Result<(), HandleError> {
        self.0.handle(event).await?;
        self.1.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

/// Counts what reaches the store handler.
struct Counting(StoreHandler, Arc<AtomicU32>);

#[async_trait::async_trait]
impl EventHandler for Counting {
    async fn handle(&self, event: NormalizedEvent) -> Result<(), HandleError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.handle(event).await
    }
}

#[tokio::test]
async fn a_consumer_that_dies_before_acknowledging_gets_the_event_again_and_it_is_stored_once() {
    let b = store().await;
    let s = unique_settings(SHARED_NATS);
    let bus = NatsBus::new(s.clone());
    let e = event(1);
    bus.publish(&e).await.unwrap();
    let first = Arc::new(AtomicU32::new(0));
    let dying = tokio::spawn(consume(
        NatsBus::new(s.clone()),
        Arc::new(StoreThenHang(
            StoreHandler::new(b.store.clone(), Clock::system()),
            first.clone(),
        )),
    ));
    until_stored(&b.store, 1, Duration::from_secs(10)).await;
    dying.abort();
    let _ = dying.await;
    assert_eq!(first.load(Ordering::SeqCst), 1);
    let second = Arc::new(AtomicU32::new(0));
    let consumer = tokio::spawn(consume(
        NatsBus::new(s.clone()),
        Arc::new(Counting(
            StoreHandler::new(b.store.clone(), Clock::system()),
            second.clone(),
        )),
    ));
    // Redelivered after the ack wait (1 s), stored again: still one row.
    until_drained(&s).await;
    assert_eq!(second.load(Ordering::SeqCst), 1, "delivered again");
    assert_eq!(b.store.event_count(e.id).await.unwrap(), 1);
    consumer.abort();
    delete_streams(&s).await;
}

#[tokio::test]
async fn a_poison_event_goes_to_the_dead_letter_subject_and_the_stream_keeps_flowing() {
    let b = store().await;
    let s = unique_settings(SHARED_NATS);
    let bus = NatsBus::new(s.clone());
    let mut poison = event(1);
    poison.kind = "k".repeat(65);
    bus.publish(&poison).await.unwrap();
    let good = event(2);
    bus.publish(&good).await.unwrap();
    let consumer = spawn_consumer(&s, b.store.clone(), Clock::system());
    until_drained(&s).await;
    assert_eq!(b.store.event_count(good.id).await.unwrap(), 1);
    assert_eq!(b.store.event_count(poison.id).await.unwrap(), 0);
    let js = bus.context().await.unwrap();
    let mut dead = js.get_stream(format!("{}_DEAD", s.stream)).await.unwrap();
    assert_eq!(dead.info().await.unwrap().state.messages, 1);
    let m = dead.get_raw_message(1).await.unwrap();
    let back: NormalizedEvent = serde_json::from_slice(&m.payload).unwrap();
    assert_eq!(back.id, poison.id);
    consumer.abort();
    delete_streams(&s).await;
}

#[tokio::test]
async fn nats_stopped_in_the_middle_of_1000_events_loses_none_and_stores_each_once() {
    let b = store().await;
    let mut server = NatsServer::start_new();
    let s = unique_settings(&server.url());
    let consumer = spawn_consumer(&s, b.store.clone(), Clock::system());
    let bus = NatsBus::new(s.clone());
    let events: Vec<NormalizedEvent> = (0..1000).map(event).collect();
    let mut retries = 0u32;
    for (n, e) in events.iter().enumerate() {
        if n == 400 {
            server.stop();
        }
        // The producer keeps each event until JetStream acknowledges it
        // (what the outbox relay does); a retry carries the same id.
        while bus.publish(e).await.is_err() {
            retries += 1;
            if n == 400 && retries == 5 {
                server.start();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(retries > 0, "the outage was felt");
    until_stored(&b.store, 1000, Duration::from_secs(60)).await;
    until_drained(&s).await;
    assert_eq!(stored_count(&b.store).await, 1000);
    for e in events.iter().step_by(97) {
        assert_eq!(b.store.event_count(e.id).await.unwrap(), 1);
    }
    consumer.abort();
}
