//! Errors to Sentry through the whole fleet: a done that fails because
//! Todoist does is a 5xx in integrations, the recommender and the gateway,
//! and each reaches a local stand-in for Sentry's ingest as one envelope
//! naming its service, the user (the token's `sub`) and the request's
//! trace id, with none of the browser's cookies or its email.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{FleetProcess, Session};
use platform::testing::TestServer;
use serde_json::{Value, json};

/// A local stand-in for Sentry: keeps every envelope's event.
/// The ingest lives as long as the returned server.
async fn ingest() -> (String, Arc<Mutex<Vec<(String, Value)>>>, TestServer) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let kept = events.clone();
    let app = axum::Router::new().route(
        "/api/{project}/envelope/",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let text = String::from_utf8_lossy(&body).into_owned();
                let mut lines = text.lines().skip(1);
                while let (Some(item), Some(payload)) = (lines.next(), lines.next()) {
                    let item: Value = serde_json::from_str(item).unwrap_or_default();
                    if item["type"] == "event" {
                        let event = serde_json::from_str(payload).unwrap_or_default();
                        kept.lock().unwrap().push((text.clone(), event));
                    }
                }
                "{}"
            }
        }),
    );
    let server = TestServer::router(app).await;
    let addr = server.addr();
    (format!("http://public-key@{addr}/7"), events, server)
}

#[tokio::test]
async fn a_done_failing_at_todoist_is_reported_once_per_service_with_trace_and_user_and_no_cookie()
{
    let (dsn, events, _ingest) = ingest().await;
    let fleet = FleetProcess::start(&[("SENTRY_DSN", dsn)]).await;
    let email = "reported@example.test";
    let session = Session::connected(&fleet, email).await;
    let rec: Value = session
        .post("/api/recommend")
        .json(&json!({"user_id": session.id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fault = reqwest::Client::new()
        .post(format!("{}/__fake/faults", fleet.sandbox))
        .json(&json!({"route": "close", "status": 503, "times": 20}))
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), 201);
    let trace = "6e0c63257de34c92bf9efcd03927272e";
    let done = session
        .post(&format!(
            "/api/tips/{}/done",
            rec["decision_id"].as_str().unwrap()
        ))
        .header("idempotency-key", "reported-1")
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 503);

    let want = ["gateway", "recommender", "integrations"];
    let deadline = Instant::now() + Duration::from_secs(10);
    let ours = loop {
        let ours: Vec<(String, Value)> = events
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, e)| e["tags"]["trace_id"] == trace)
            .cloned()
            .collect();
        let complete = want
            .iter()
            .all(|s| ours.iter().any(|(_, e)| e["tags"]["service"] == *s));
        if complete || Instant::now() > deadline {
            break ours;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let secrets: Vec<&str> = session
        .cookies
        .split("; ")
        .filter_map(|c| c.split_once('=').map(|(_, v)| v))
        .filter(|v| v.len() > 8)
        .chain([email])
        .collect();
    for service in want {
        let reports: Vec<&(String, Value)> = ours
            .iter()
            .filter(|(_, e)| e["tags"]["service"] == service)
            .collect();
        assert_eq!(reports.len(), 1, "{service}: {ours:#?}");
        let (envelope, event) = reports[0];
        eprintln!("{service} reported: {}", event["message"]);
        assert_eq!(
            event["user"]["id"],
            session.id.as_str(),
            "{service}: {event:#}"
        );
        assert_eq!(event["contexts"]["trace"]["trace_id"], trace, "{service}");
        assert_eq!(event["environment"], "development", "{service}");
        assert!(event["release"].as_str().unwrap().starts_with("onetip@"));
        for secret in &secrets {
            assert!(
                !envelope.contains(secret),
                "{service} sent {secret}: {envelope}"
            );
        }
    }
}
