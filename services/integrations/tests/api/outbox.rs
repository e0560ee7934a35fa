//! The outbox in integrations' own database: events written in a
//! transaction are relayed in order over NATS (a stream of the test's own)
//! or HTTP, retried while the bus is down, and never lost to a crash.

use std::time::Duration;

use platform::events::nats::async_nats;
use platform::events::outbox::{Outbox, OutboxSink, enqueue_in};
use platform::events::testing::{NatsServer, SHARED_NATS, delete_streams, unique_settings};
use platform::events::{EventSink, HttpSink, NatsBus, NatsSettings, NatsSink};
use secrecy::SecretString;
use shared_types::NormalizedEvent;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::database;

fn event(n: usize) -> NormalizedEvent {
    NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: uuid::Uuid::new_v4(),
        source: "todoist".into(),
        kind: "task.completed".into(),
        subject_id: format!("{n}"),
        occurred_at: "2026-12-01T10:00:00Z".into(),
        trace_id: Some(format!("trace-{n}")),
        payload: serde_json::json!({"n": n}),
    }
}

async fn until_drained(outbox: &Outbox, within: Duration) {
    let start = std::time::Instant::now();
    loop {
        let backlog = outbox.backlog().await.unwrap();
        if backlog.waiting == 0 {
            return;
        }
        assert!(start.elapsed() < within, "still waiting: {backlog:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The events in the stream, in its order.
async fn stream_events(s: &NatsSettings) -> Vec<NormalizedEvent> {
    let client = async_nats::connect(s.url.as_str()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream(&s.stream).await.unwrap();
    let last = stream.info().await.unwrap().state.last_sequence;
    let mut out = Vec::new();
    for seq in 1..=last {
        let m = stream.get_raw_message(seq).await.unwrap();
        out.push(serde_json::from_slice(&m.payload).unwrap());
    }
    out
}

#[tokio::test]
async fn an_event_committed_before_a_crash_is_sent_by_the_relay_after_the_restart() {
    let db = database().await;
    let pool = db.store.pool().clone();
    let s = unique_settings(SHARED_NATS);
    // The change and its event commit together; the process then dies
    // before any relay ran (none was started).
    let e = event(1);
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE write_receipts SET answer = answer WHERE request_id = $1")
        .bind("the-change")
        .execute(&mut *tx)
        .await
        .unwrap();
    enqueue_in(&mut tx, &e, 1).await.unwrap();
    tx.commit().await.unwrap();
    // A rolled-back change leaves no event behind.
    let mut tx = pool.begin().await.unwrap();
    enqueue_in(&mut tx, &event(2), 2).await.unwrap();
    tx.rollback().await.unwrap();
    let restarted = Outbox::new(pool.clone());
    let backlog = restarted.backlog().await.unwrap();
    assert_eq!(backlog.waiting, 1);
    assert!(backlog.oldest_age_ms > 0);
    let relay = restarted.spawn_relay(std::sync::Arc::new(NatsSink::new(NatsBus::new(s.clone()))));
    until_drained(&restarted, Duration::from_secs(10)).await;
    assert_eq!(stream_events(&s).await, [e]);
    relay.abort();
    delete_streams(&s).await;
}

#[tokio::test]
async fn with_nats_down_the_relay_retries_and_sends_every_event_in_order_once_it_is_back() {
    let db = database().await;
    let mut server = NatsServer::start_new();
    let s = unique_settings(&server.url());
    let outbox = Outbox::new(db.store.pool().clone());
    let relay = outbox.spawn_relay(std::sync::Arc::new(NatsSink::new(NatsBus::new(s.clone()))));
    let sink = OutboxSink::new(outbox.clone());
    let events: Vec<NormalizedEvent> = (0..300).map(event).collect();
    for (n, e) in events.iter().enumerate() {
        if n == 100 {
            server.stop();
        }
        // Handing over never waits for the bus.
        tokio::time::timeout(Duration::from_millis(500), sink.emit(e.clone()))
            .await
            .expect("emit is a local write")
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        outbox.backlog().await.unwrap().waiting > 0,
        "held while NATS is down"
    );
    server.start();
    until_drained(&outbox, Duration::from_secs(60)).await;
    relay.abort();
    let sent = stream_events(&s).await;
    let ids: Vec<_> = sent.iter().map(|e| e.id).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no event twice in the stream");
    assert_eq!(
        ids,
        events.iter().map(|e| e.id).collect::<Vec<_>>(),
        "in order"
    );
}

#[tokio::test]
async fn the_http_sink_goes_through_the_same_outbox_and_waits_out_a_failing_receiver() {
    let db = database().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(6)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&receiver)
        .await;
    let outbox = Outbox::new(db.store.pool().clone());
    let http = HttpSink::new(&receiver.uri(), SecretString::from("token"));
    let relay = outbox.spawn_relay(std::sync::Arc::new(http));
    let sink = OutboxSink::new(outbox.clone());
    let events: Vec<NormalizedEvent> = (0..5).map(event).collect();
    for e in &events {
        sink.emit(e.clone()).await.unwrap();
    }
    until_drained(&outbox, Duration::from_secs(30)).await;
    relay.abort();
    let mut delivered: Vec<uuid::Uuid> = Vec::new();
    for r in receiver.received_requests().await.unwrap() {
        let e: NormalizedEvent = serde_json::from_slice(&r.body).unwrap();
        if delivered.last() != Some(&e.id) {
            delivered.push(e.id);
        }
    }
    assert_eq!(delivered, events.iter().map(|e| e.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn readiness_reports_the_outbox_down_with_its_backlog_once_the_oldest_waits_too_long() {
    use platform::events::outbox::OutboxProbe;
    use platform::health::{PROBE_TIMEOUT, Probe, ProbeContext, run_probe};
    let db = database().await;
    let outbox = Outbox::new(db.store.pool().clone());
    let probe = OutboxProbe::new(outbox.clone(), Duration::from_secs(300));
    assert_eq!(probe.check(&ProbeContext::default()).await, Ok(()));
    let idle = run_probe(&probe, &ProbeContext::default(), PROBE_TIMEOUT).await;
    assert_eq!(idle.outbox.map(|b| b.waiting), Some(0), "{idle:?}");
    // Two events, the oldest written ten minutes ago, none relayed.
    let mut conn = db.store.pool().acquire().await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    enqueue_in(&mut conn, &event(1), now - 600_000)
        .await
        .unwrap();
    enqueue_in(&mut conn, &event(2), now).await.unwrap();
    let backlog = outbox.backlog().await.unwrap();
    assert_eq!(backlog.waiting, 2);
    assert!(backlog.oldest_age_ms >= 600_000, "{backlog:?}");
    let down = probe.check(&ProbeContext::default()).await.unwrap_err();
    assert!(down.starts_with("2 events waiting, the oldest 6"), "{down}");
    // The check, as `/ready` answers it, carries the backlog while down.
    let check = run_probe(&probe, &ProbeContext::default(), PROBE_TIMEOUT).await;
    assert!(!check.status.is_ok());
    let carried = check.outbox.expect("the backlog on the check");
    assert_eq!(carried.waiting, 2);
    assert!(carried.oldest_age_ms >= 600_000, "{carried:?}");
}
