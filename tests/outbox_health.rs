//! The fleet's `/health` shows integrations' outbox backlog (issue 12):
//! with the bus down, a done's `task.completed` waits in the outbox, and
//! the gateway's `integrations` component says how many rows wait and how
//! old the oldest is; once the bus is back the backlog drains to zero and
//! `/health` says so. Runs on a throwaway `nats-server` (never the shared
//! one), on the backend `ONETIP_TEST_DB` names.

mod common;

use std::time::{Duration, Instant};

use common::{FleetProcess, Session};
use platform::events::testing::{NatsServer, env_pairs, unique_settings};
use platform::testing::TestDatabase;
use serde_json::{Value, json};

/// The `integrations` component of the gateway's `/health`, once `want`
/// holds for it (the report is cached for 2 s), or after `within`.
async fn integrations_once(
    fleet: &FleetProcess,
    within: Duration,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let report: Value = reqwest::get(format!("{}/health", fleet.gateway))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let component = report["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "integrations")
            .cloned()
            .unwrap_or_else(|| panic!("no integrations component in {report}"));
        if want(&component) || start.elapsed() > within {
            return component;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn waiting(component: &Value) -> Option<u64> {
    component["outbox"]["waiting"].as_u64()
}

#[tokio::test]
async fn health_shows_the_events_waiting_in_integrations_outbox_while_the_bus_is_down() {
    let db = TestDatabase::new().await;
    let mut server = NatsServer::start_new();
    let nats = unique_settings(&server.url());
    let mut env = env_pairs(&nats);
    if db.is_postgres() {
        env.push(("DATABASE_URL".into(), db.url().to_owned()));
    }
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let fleet = FleetProcess::start(&env).await;
    let session = Session::connected(&fleet, "backlog@example.test").await;

    // Nothing waits while the bus is up.
    let idle = integrations_once(&fleet, Duration::from_secs(10), |c| waiting(c) == Some(0)).await;
    assert_eq!(idle["outbox"]["waiting"], 0, "{idle}");
    assert_eq!(idle["outbox"]["oldest_age_ms"], 0, "{idle}");

    // NATS goes away; a done's task.completed waits in the outbox.
    server.stop();
    let rec: Value = session
        .post("/api/recommend")
        .json(&json!({"user_id": session.id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let done = session
        .post(&format!(
            "/api/tips/{}/done",
            rec["decision_id"].as_str().unwrap()
        ))
        .header("idempotency-key", "k-backlog")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let stuck = integrations_once(&fleet, Duration::from_secs(15), |c| {
        waiting(c).is_some_and(|n| n >= 1) && c["outbox"]["oldest_age_ms"].as_u64() > Some(1_000)
    })
    .await;
    assert!(waiting(&stuck) >= Some(1), "rows waiting: {stuck}");
    let age = stuck["outbox"]["oldest_age_ms"].as_u64().unwrap();
    assert!(age > 1_000, "the oldest ages: {stuck}");
    // The documented shape holds beside it.
    for field in ["name", "status", "latency_ms", "detail"] {
        assert!(stuck.get(field).is_some(), "{field} in {stuck}");
    }

    // The bus is back: the relay drains the outbox, and /health shows it.
    server.start();
    let drained =
        integrations_once(&fleet, Duration::from_secs(30), |c| waiting(c) == Some(0)).await;
    assert_eq!(waiting(&drained), Some(0), "drained: {drained}");
    assert_eq!(drained["status"], "ok", "{drained}");
    platform::events::testing::delete_streams(&nats).await;
}
