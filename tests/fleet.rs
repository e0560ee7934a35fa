//! The whole fleet as an operator runs it: the `onetip` binary, on the
//! backend the suite was asked for (`ONETIP_TEST_DB`).

mod common;

use common::FleetProcess;
use platform::testing::TestDatabase;
use serde_json::Value;

/// Starts the fleet on a fresh database of the configured backend.
async fn start_fleet(db: &TestDatabase) -> FleetProcess {
    let mut extra = Vec::new();
    if db.is_postgres() {
        // One database, a schema per service: how the launcher runs on PostgreSQL.
        extra.push(("DATABASE_URL", db.url().to_owned()));
    }
    FleetProcess::start(&extra).await
}

#[tokio::test]
async fn health_is_ok_with_every_service_as_a_component() {
    let db = TestDatabase::new().await;
    let fleet = start_fleet(&db).await;
    let response = reqwest::get(format!("{}/health", fleet.gateway))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["checked_at"].as_str().unwrap().ends_with('Z'));
    let components = body["components"].as_array().unwrap();
    for name in ["auth", "profile", "integrations", "recommender", "web"] {
        let c = components
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no component {name} in {body}"));
        assert_eq!(c["status"], "ok", "{c}");
        assert!(c["latency_ms"].is_u64());
    }
    if db.is_postgres() {
        let pg = components.iter().find(|c| c["name"] == "postgres").unwrap();
        assert_eq!(pg["status"], "ok");
    }
}

#[tokio::test]
async fn one_request_id_follows_the_health_check_into_every_service_log() {
    let db = TestDatabase::new().await;
    let fleet = start_fleet(&db).await;
    let id = format!("trace-{}", uuid::Uuid::new_v4());
    let response = reqwest::Client::new()
        .get(format!("{}/health", fleet.gateway))
        .header("x-request-id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], id.as_str());
    // Log lines are written as requests finish; give the pipe a moment.
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = fleet
            .json_logs()
            .into_iter()
            .filter(|l| l["span"]["request_id"] == id.as_str())
            .filter_map(|l| l["span"]["service"].as_str().map(str::to_owned))
            .collect();
        if seen.len() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for service in [
        "gateway",
        "auth",
        "profile",
        "integrations",
        "recommender",
        "web",
    ] {
        assert!(
            seen.iter().any(|s| s == service),
            "no {service} log line with request id {id}; saw {seen:?}"
        );
    }
}

#[tokio::test]
async fn a_malformed_request_id_is_replaced_not_logged() {
    let db = TestDatabase::new().await;
    let fleet = start_fleet(&db).await;
    let response = reqwest::Client::new()
        .get(format!("{}/health", fleet.gateway))
        .header("x-request-id", "evil id with spaces")
        .send()
        .await
        .unwrap();
    let echoed = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(echoed, "evil id with spaces");
    assert!(platform::http::is_well_formed(&echoed));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!fleet.logs().iter().any(|l| l.contains("evil id")));
}

#[tokio::test]
async fn internal_paths_are_never_forwarded_from_outside() {
    let db = TestDatabase::new().await;
    let fleet = start_fleet(&db).await;
    for path in ["/internal/users", "/internal/", "/internal"] {
        let response = reqwest::get(format!("{}{path}", fleet.gateway))
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
    }
    // The services' own routes are reachable only through their public paths.
    let response = reqwest::get(format!("{}/api/unknown", fleet.gateway))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_gateway_forwards_pages_to_web_keeping_the_path() {
    let db = TestDatabase::new().await;
    let fleet = start_fleet(&db).await;
    let direct = reqwest::get(format!("{}/health", fleet.web)).await.unwrap();
    assert_eq!(direct.status(), 200);
    let via_gateway = reqwest::get(format!("{}/status", fleet.gateway))
        .await
        .unwrap();
    assert_eq!(via_gateway.status(), 200);
    let html = via_gateway.text().await.unwrap();
    assert!(html.contains("data-component=\"auth\""), "{html}");
}

#[tokio::test]
async fn sigterm_stops_the_fleet_cleanly() {
    let db = TestDatabase::new().await;
    let mut fleet = start_fleet(&db).await;
    let status = fleet.terminate();
    assert!(status.success(), "exit status {status:?}");
    let logs = fleet.logs().join("\n");
    assert!(logs.contains("shutdown signal received"), "{logs}");
    for service in [
        "gateway",
        "auth",
        "profile",
        "integrations",
        "recommender",
        "web",
    ] {
        assert!(
            fleet
                .json_logs()
                .iter()
                .any(|l| l["fields"]["message"] == "stopped" && l["fields"]["service"] == service),
            "{service} did not report a clean stop"
        );
    }
}
