//! Events through the outbox (issue 12): events per second and
//! publish-to-stored latency (p50, p99) of integrations' outbox relayed
//! over NATS JetStream into the recommender's durable consumer, beside the
//! same outbox relayed over the HTTP sink to `/internal/events`, in the
//! same run against the same recommender and store.
//!
//! Run with `cargo bench --bench events` (the shared NATS on
//! 127.0.0.1:4222, a stream of the run's own; SQLite unless
//! `ONETIP_TEST_DB=postgres`). "Published" is the moment `emit` is called
//! (the outbox row is written); "stored" is the recommender's
//! `received_at` (milliseconds). Two runs per bus: a burst of
//! `BURST` events (throughput: first emit to last stored), and `PACED`
//! events at `RATE` per second (latency without a queue).

use std::sync::Arc;
use std::time::{Duration, Instant};

use platform::events::outbox::through_outbox;
use platform::events::testing::{SHARED_NATS, delete_streams, env_pairs, unique_settings};
use platform::events::{EventSink, HttpSink, NatsBus, NatsSink};
use platform::testing::TestDatabase;
use platform::{Env, Shutdown};
use secrecy::SecretString;
use shared_types::NormalizedEvent;
use sqlx::Row;

const BURST: usize = 5_000;
const PACED: usize = 1_000;
const RATE: u64 = 200;
const TOKEN: &str = "internal-token-for-bench-0123456789abcdef";

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

fn event(source: &str, n: usize) -> NormalizedEvent {
    NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: uuid::Uuid::nil(),
        source: source.into(),
        kind: "task.completed".into(),
        subject_id: n.to_string(),
        occurred_at: "2026-12-01T10:00:00Z".into(),
        trace_id: Some(format!("bench-{n}")),
        payload: serde_json::json!({"sent_ms": now_ms()}),
    }
}

async fn stored(pool: &sqlx::AnyPool, source: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM events WHERE source = $1")
        .bind(source)
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

struct Figures {
    per_second: f64,
    p50_ms: i64,
    p99_ms: i64,
}

/// Emits `n` events (paced at `rate` per second when given) through a
/// fresh outbox relayed by `bus`, and waits until the store has them all.
async fn run(
    bus: Arc<dyn EventSink>,
    store: &sqlx::AnyPool,
    source: &str,
    n: usize,
    rate: Option<u64>,
) -> Figures {
    let db = TestDatabase::new().await;
    let env = Env::from_pairs([
        ("DATA_DIR", db.dir().display().to_string()),
        ("INTEGRATIONS_DATABASE_URL", db.url().to_owned()),
    ]);
    let settings = integrations::Settings::from_env(&env).unwrap();
    let pool = integrations::open_database(&settings).await.unwrap();
    let (sink, _outbox) = through_outbox(pool, bus);
    let started = now_ms();
    let clock = Instant::now();
    for i in 0..n {
        if let Some(rate) = rate {
            let due = Duration::from_micros(i as u64 * 1_000_000 / rate);
            if let Some(wait) = due.checked_sub(clock.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        sink.emit(event(source, i)).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    while stored(store, source).await < n as i64 {
        assert!(
            Instant::now() < deadline,
            "{source}: not all stored in 5 min"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rows = sqlx::query("SELECT payload, received_at FROM events WHERE source = $1")
        .bind(source)
        .fetch_all(store)
        .await
        .unwrap();
    let mut latencies = Vec::with_capacity(rows.len());
    let mut last = started;
    for row in rows {
        let payload: String = row.try_get("payload").unwrap();
        let received: i64 = row.try_get("received_at").unwrap();
        let sent = serde_json::from_str::<serde_json::Value>(&payload).unwrap()["sent_ms"]
            .as_i64()
            .unwrap();
        latencies.push(received - sent);
        last = last.max(received);
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    Figures {
        per_second: n as f64 * 1000.0 / ((last - started).max(1) as f64),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

#[tokio::main]
async fn main() {
    let nats = unique_settings(SHARED_NATS);
    let rdb = TestDatabase::new().await;
    let mut pairs = env_pairs(&nats);
    pairs.extend([
        ("DATA_DIR".to_owned(), rdb.dir().display().to_string()),
        ("RECOMMENDER_DATABASE_URL".to_owned(), rdb.url().to_owned()),
        ("INTERNAL_API_TOKEN".to_owned(), TOKEN.to_owned()),
        ("RECOMMENDER_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
        ("RUST_LOG".to_owned(), "warn".to_owned()),
    ]);
    let settings = recommender::Settings::from_env(&Env::from_pairs(pairs)).unwrap();
    // The recommender with its HTTP receiver and (EVENT_BUS=nats) its
    // durable consumer, on one store.
    let server = recommender::build(settings).await.unwrap();
    let url = format!("http://{}", server.local_addr());
    let shutdown = Shutdown::new();
    tokio::spawn(server.serve(shutdown.clone()));
    let store = platform::db::connect(rdb.url(), &platform::db::DbOptions::new("recommender"))
        .await
        .unwrap();
    let nats_bus: Arc<dyn EventSink> = Arc::new(NatsSink::new(NatsBus::new(nats.clone())));
    let http_bus: Arc<dyn EventSink> = Arc::new(HttpSink::new(&url, SecretString::from(TOKEN)));
    println!(
        "events through the outbox into the recommender's store ({} backend)",
        if rdb.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    println!(
        "{:<8} {:<24} {:>10} {:>8} {:>8}",
        "bus", "run", "events/s", "p50 ms", "p99 ms"
    );
    for (name, bus) in [("nats", &nats_bus), ("http", &http_bus)] {
        for (run_name, n, rate) in [
            (format!("burst of {BURST}"), BURST, None),
            (format!("{PACED} at {RATE}/s"), PACED, Some(RATE)),
        ] {
            let source = format!("bench-{name}-{}", n);
            let f = run(bus.clone(), &store, &source, n, rate).await;
            println!(
                "{name:<8} {run_name:<24} {:>10.0} {:>8} {:>8}",
                f.per_second, f.p50_ms, f.p99_ms
            );
        }
    }
    shutdown.trigger();
    delete_streams(&nats).await;
}
