//! `/status`: the health dashboard over the gateway's `/health`.

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{closed_port_url, gateway_answering, report, row, spawn_app, tag_with};

#[tokio::test]
async fn the_status_page_shows_one_row_per_component_with_its_status_and_latency() {
    let gateway = gateway_answering(
        200,
        report(
            "ok",
            json!([
                {"name": "auth", "status": "ok", "latency_ms": 12, "detail": null},
                {"name": "profile", "status": "ok", "latency_ms": 7, "detail": null},
                {"name": "web", "status": "ok", "latency_ms": 3, "detail": null},
            ]),
        ),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get("/status").await;

    assert_eq!(page.status, 200);
    let html = &page.body;
    assert_eq!(html.matches("data-component=").count(), 3);
    for (name, latency) in [("auth", "12 ms"), ("profile", "7 ms"), ("web", "3 ms")] {
        assert!(
            tag_with(html, &format!("data-component=\"{name}\"")).contains("data-status=\"ok\"")
        );
        assert!(row(html, name).contains(latency), "{name} shows {latency}");
    }
    assert!(tag_with(html, "id=\"overall\"").contains("data-status=\"ok\""));
    assert!(
        html.contains("2025-06-01 12:34:56 UTC"),
        "the time of the check"
    );
}

#[tokio::test]
async fn a_degraded_report_shows_red_rows_with_their_detail() {
    let gateway = gateway_answering(
        503,
        report(
            "degraded",
            json!([
                {"name": "auth", "status": "ok", "latency_ms": 5, "detail": null},
                {"name": "recommender", "status": "down", "latency_ms": 2001,
                 "detail": "database: query failed"},
            ]),
        ),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get("/status").await.body;

    assert!(tag_with(&html, "data-component=\"auth\"").contains("data-status=\"ok\""));
    let down = row(&html, "recommender");
    assert!(down.contains("data-status=\"down\""));
    assert!(down.contains("database: query failed"));
    assert!(down.contains("2001 ms"));
    assert!(tag_with(&html, "id=\"overall\"").contains("data-status=\"degraded\""));
}

#[tokio::test]
async fn an_unreachable_gateway_still_renders_a_degraded_page_that_says_so() {
    let app = spawn_app(&closed_port_url()).await;

    let page = app.get("/status").await;

    assert_eq!(page.status, 200);
    assert!(page.body.contains("gateway is unreachable"));
    assert!(tag_with(&page.body, "id=\"overall\"").contains("data-status=\"degraded\""));
    assert!(!page.body.contains("data-component="));
}

#[tokio::test]
async fn a_gateway_answering_garbage_counts_as_unreachable() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not json</html>"))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get("/status").await.body;

    assert!(html.contains("gateway is unreachable"));
    assert!(tag_with(&html, "id=\"overall\"").contains("data-status=\"degraded\""));
}

#[tokio::test]
async fn the_request_id_sent_to_status_reaches_the_gateway_health_call() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .and(header("x-request-id", "status-test-42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(report("ok", json!([]))))
        .expect(1)
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app
        .send(
            app.client
                .get(format!("{}/status", app.address))
                .header("x-request-id", "status-test-42"),
        )
        .await;

    assert!(tag_with(&page.body, "id=\"overall\"").contains("data-status=\"ok\""));
    gateway.verify().await;
}

#[tokio::test]
async fn text_from_the_gateway_is_escaped() {
    let gateway = gateway_answering(
        503,
        report(
            "degraded",
            json!([{"name": "auth\"><b>x", "status": "down", "latency_ms": 1,
                    "detail": "<script>alert(1)</script>"}]),
        ),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get("/status").await.body;

    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>x"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn the_status_page_refreshes_itself_pausably_and_fits_a_phone() {
    let gateway = gateway_answering(200, report("ok", json!([]))).await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get("/status").await.body;

    // A script reloads it, with a pause button; no meta refresh that
    // could not be paused.
    assert!(!html.contains("http-equiv=\"refresh\""), "{html}");
    assert!(html.contains(r#"data-refresh-secs="5""#), "{html}");
    assert!(html.contains(r#"id="refresh-toggle""#));
    assert!(html.contains(r#"<script src="/static/status.js?v="#));
    let js = app.get("/static/status.js").await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("location.reload"));
    assert!(html.contains(r#"name="viewport""#));
    assert!(html.contains("<title>Onetip status</title>"));
}

#[tokio::test]
async fn a_component_with_events_waiting_in_its_outbox_shows_how_many_and_the_oldest_age() {
    let gateway = gateway_answering(
        503,
        report(
            "degraded",
            json!([
                {"name": "auth", "status": "ok", "latency_ms": 5, "detail": null},
                {"name": "integrations", "status": "ok", "latency_ms": 4, "detail": null,
                 "outbox": {"waiting": 3, "oldest_age_ms": 42_000}},
                {"name": "nats", "status": "down", "latency_ms": 1,
                 "detail": "connect: connection refused"},
            ]),
        ),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get("/status").await.body;

    let integrations = row(&html, "integrations");
    assert!(
        integrations.contains("data-waiting=\"3\""),
        "{integrations}"
    );
    assert!(
        integrations.contains("Events: 3 waiting to be sent, the oldest for 42 s"),
        "{integrations}"
    );
    assert!(!row(&html, "auth").contains("class=\"outbox\""));
}
