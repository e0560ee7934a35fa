//! The fleet on `EVENT_BUS=nats` (issue 12): the tip journey with
//! integrations' events travelling through its outbox and JetStream into
//! the recommender, and a fleet killed before its relay could publish
//! losing nothing. Each fleet has a stream, subjects and consumer of its
//! own; the crash case runs on a throwaway `nats-server`.

mod common;

use std::time::Duration;

use common::{FleetProcess, Session};
use platform::events::NatsSettings;
use platform::events::testing::{NatsServer, SHARED_NATS, env_pairs, unique_settings};
use platform::testing::TestDatabase;
use serde_json::{Value, json};

fn fleet_env(
    db: &TestDatabase,
    nats: &NatsSettings,
    data_dir: Option<&std::path::Path>,
) -> Vec<(String, String)> {
    let mut extra = env_pairs(nats);
    if db.is_postgres() {
        extra.push(("DATABASE_URL".into(), db.url().to_owned()));
    }
    if let Some(dir) = data_dir {
        extra.push(("DATA_DIR".into(), dir.display().to_string()));
    }
    extra
}

async fn start(extra: &[(String, String)]) -> FleetProcess {
    let extra: Vec<(&str, String)> = extra.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    FleetProcess::start(&extra).await
}

/// A service's own database, as the fleet opened it.
async fn database_of(
    db: &TestDatabase,
    data_dir: &std::path::Path,
    service: &'static str,
) -> sqlx::AnyPool {
    let url = if db.is_postgres() {
        db.url().to_owned()
    } else {
        format!("sqlite://{}/{service}.db", data_dir.display())
    };
    platform::db::connect(&url, &platform::db::DbOptions::new(service))
        .await
        .unwrap()
}

async fn recommender_store(
    db: &TestDatabase,
    data_dir: &std::path::Path,
) -> recommender::store::Store {
    recommender::store::Store::new(database_of(db, data_dir, "recommender").await)
}

async fn recommend(session: &Session) -> Value {
    let response = session
        .post("/api/recommend")
        .json(&json!({"user_id": session.id}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn act(session: &Session, decision: &Value, action: &str, key: &str) -> u16 {
    session
        .post(&format!(
            "/api/tips/{}/{action}",
            decision.as_str().unwrap()
        ))
        .header("idempotency-key", key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The decision's event kinds once `want` are all there (or after `within`).
async fn kinds_once(
    store: &recommender::store::Store,
    decision: &Value,
    want: &[&str],
    within: Duration,
) -> Vec<String> {
    let decision = uuid::Uuid::parse_str(decision.as_str().unwrap()).unwrap();
    let start = std::time::Instant::now();
    loop {
        let kinds = store.event_kinds(decision).await.unwrap();
        if want.iter().all(|w| kinds.iter().any(|k| k == w)) || start.elapsed() > within {
            return kinds;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_tip_journey_runs_over_nats_and_each_event_reaches_the_recommender_once() {
    let db = TestDatabase::new().await;
    let nats = unique_settings(SHARED_NATS);
    let fleet = start(&fleet_env(&db, &nats, None)).await;
    let ready = reqwest::get(format!("{}/ready", fleet.recommender))
        .await
        .unwrap();
    let body: Value = ready.json().await.unwrap();
    assert!(
        body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "nats" && c["status"] == "ok"),
        "{body}"
    );
    let session = Session::connected(&fleet, "nats@example.test").await;
    let rec = recommend(&session).await;
    assert_eq!(rec["tip"]["kind"], "todo", "{rec}");
    assert_eq!(
        act(&session, &rec["decision_id"], "done", "k-done").await,
        200
    );
    // A double tap: the same write again, the same event id.
    assert_eq!(
        act(&session, &rec["decision_id"], "done", "k-done").await,
        200
    );
    assert_eq!(
        act(&session, &rec["decision_id"], "undo", "k-undo").await,
        200
    );
    let store = recommender_store(&db, fleet.data_dir()).await;
    let kinds = kinds_once(
        &store,
        &rec["decision_id"],
        &["tip.done", "task.completed", "task.reopened", "tip.undone"],
        Duration::from_secs(15),
    )
    .await;
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    for kind in ["tip.done", "task.completed", "task.reopened", "tip.undone"] {
        assert_eq!(count(kind), 1, "{kind} in {kinds:?}");
    }
    platform::events::testing::delete_streams(&nats).await;
}

#[tokio::test]
async fn a_fleet_killed_before_its_relay_published_sends_the_event_after_the_restart() {
    let db = TestDatabase::new().await;
    let mut server = NatsServer::start_new();
    let nats = unique_settings(&server.url());
    let data_dir = tempfile::tempdir().unwrap();
    let env = fleet_env(&db, &nats, Some(data_dir.path()));
    // NATS is down: the done is recorded and its task.completed waits in
    // integrations' outbox.
    server.stop();
    let mut fleet = start(&env).await;
    let session = Session::connected(&fleet, "crash@example.test").await;
    let rec = recommend(&session).await;
    assert_eq!(
        act(&session, &rec["decision_id"], "done", "k-done").await,
        200
    );
    let store = recommender_store(&db, data_dir.path()).await;
    let kinds = kinds_once(
        &store,
        &rec["decision_id"],
        &["tip.done"],
        Duration::from_secs(5),
    )
    .await;
    assert!(kinds.contains(&"tip.done".to_owned()), "{kinds:?}");
    assert!(
        !kinds.contains(&"task.completed".to_owned()),
        "NATS is down: {kinds:?}"
    );
    let outbox =
        platform::events::Outbox::new(database_of(&db, data_dir.path(), "integrations").await);
    assert_eq!(
        outbox.backlog().await.unwrap().waiting,
        1,
        "waiting in integrations' outbox"
    );
    // Killed (SIGKILL: no shutdown path runs) with the event unsent.
    fleet.child.kill().unwrap();
    fleet.child.wait().unwrap();
    server.start();
    let _restarted = start(&env).await;
    let kinds = kinds_once(
        &store,
        &rec["decision_id"],
        &["task.completed"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "task.completed").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        outbox.backlog().await.unwrap().waiting,
        0,
        "the outbox drained"
    );
}
