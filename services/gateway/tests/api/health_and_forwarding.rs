//! The gateway as a black box: fleet health gathered from fake services and
//! dependencies, and forwarding by path.

use std::time::{Duration, Instant};

use crate::helpers::*;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SERVICES: [&str; 5] = ["auth", "profile", "integrations", "recommender", "web"];

/// Five fake services answering `/ready` with 200.
async fn healthy_upstreams() -> Vec<MockServer> {
    let mut servers = Vec::new();
    for name in SERVICES {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/ready"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"status": "ok", "service": name, "checks": []})),
            )
            .mount(&server)
            .await;
        servers.push(server);
    }
    // auth's revoked-session list, which the gateway's own readiness needs.
    Mock::given(method("GET"))
        .and(path("/internal/sessions/revoked"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"now": 0, "revoked": []})))
        .mount(&servers[0])
        .await;
    servers
}

/// An access token the gateway accepts, with auth's JWKS mounted on `auth`.
async fn signed_in(auth: &MockServer) -> String {
    let key = TestKey::default();
    key.mount_jwks(auth).await;
    key.token("u1", "s1")
}

struct Gateway {
    base: String,
    _server: TestServer,
}

async fn spawn_gateway(upstreams: &[MockServer], extra: &[(&str, String)]) -> Gateway {
    let mut pairs = Vec::new();
    for (name, server) in SERVICES.iter().zip(upstreams) {
        pairs.push((format!("{}_URL", name.to_uppercase()), server.uri()));
    }
    pairs.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    // Ready once the first poll of the revoked list has landed.
    let server = serve_ready(settings(pairs), Duration::from_secs(1)).await;
    Gateway {
        base: server.url().to_owned(),
        _server: server,
    }
}

async fn health(gateway: &Gateway) -> (u16, Value) {
    let response = reqwest::get(format!("{}/health", gateway.base))
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn component<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
}

#[tokio::test]
async fn health_lists_every_service_in_order_and_is_200_when_all_are_ready() {
    let upstreams = healthy_upstreams().await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    let names: Vec<&str> = body["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "gateway",
            "auth",
            "profile",
            "integrations",
            "recommender",
            "web"
        ],
        "the gateway itself, then every service; no dependency is configured, so none is listed"
    );
}

#[tokio::test]
async fn a_service_that_is_not_ready_turns_health_503_naming_its_failing_check() {
    let upstreams = healthy_upstreams().await;
    upstreams[1].reset().await;
    Mock::given(path("/ready"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "status": "down", "service": "profile",
            "checks": [{"name": "database", "status": "down", "latency_ms": 3,
                        "detail": "query failed: i/o error: connection refused"}]
        })))
        .mount(&upstreams[1])
        .await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "degraded");
    let profile = component(&body, "profile").unwrap();
    assert_eq!(profile["status"], "down");
    assert!(
        profile["detail"].as_str().unwrap().starts_with("database:"),
        "{profile}"
    );
    assert_eq!(component(&body, "auth").unwrap()["status"], "ok");
}

#[tokio::test]
async fn one_hanging_service_cannot_stall_the_health_page() {
    let upstreams = healthy_upstreams().await;
    upstreams[3].reset().await;
    Mock::given(path("/ready"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&upstreams[3])
        .await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let started = Instant::now();
    let (status, body) = health(&gateway).await;
    let took = started.elapsed();
    assert_eq!(status, 503);
    let recommender = component(&body, "recommender").unwrap();
    assert_eq!(recommender["status"], "down");
    assert!(
        recommender["detail"].as_str().unwrap().contains("3000 ms"),
        "{recommender}"
    );
    // The checks run at once: the page waits for one timeout, not five.
    assert!(took < Duration::from_secs(10), "health took {took:?}");
    assert_eq!(component(&body, "web").unwrap()["status"], "ok");
}

#[tokio::test]
async fn the_request_id_reaches_every_service_readiness_check() {
    let upstreams = healthy_upstreams().await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    reqwest::Client::new()
        .get(format!("{}/health", gateway.base))
        .header("x-request-id", "check-42")
        .send()
        .await
        .unwrap();
    for server in &upstreams {
        let requests = server.received_requests().await.unwrap();
        assert!(
            requests.iter().any(|r| r
                .headers
                .get("x-request-id")
                .is_some_and(|v| v == "check-42")),
            "an upstream /ready call did not carry the request id"
        );
    }
}

/// A TCP server that greets like SMTP (220) or NATS (INFO … then PONG).
async fn greeter(greeting: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(greeting).await;
        }
    });
    addr.to_string()
}

#[tokio::test]
async fn configured_dependencies_are_checked_and_unconfigured_ones_are_not_listed() {
    let upstreams = healthy_upstreams().await;
    let minio = MockServer::start().await;
    Mock::given(path("/minio/health/live"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&minio)
        .await;
    let smtp = greeter(b"220 mailhog ESMTP\r\n").await;
    let gateway = spawn_gateway(
        &upstreams,
        &[
            ("S3_ENDPOINT", minio.uri()),
            ("SMTP_URL", format!("smtp://{smtp}")),
            ("NATS_URL", "nats://127.0.0.1:4222".into()),
        ],
    )
    .await;
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 200, "{body}");
    for name in ["minio", "smtp", "nats"] {
        assert_eq!(
            component(&body, name).unwrap()["status"],
            "ok",
            "{name}: {body}"
        );
    }
    assert!(component(&body, "postgres").is_none());
}

#[tokio::test]
async fn a_dead_dependency_turns_health_503() {
    let upstreams = healthy_upstreams().await;
    let not_smtp = greeter(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    let closed = closed_addr();
    let gateway = spawn_gateway(
        &upstreams,
        &[
            ("SMTP_URL", format!("smtp://{not_smtp}")),
            ("NATS_URL", format!("nats://{closed}")),
            ("S3_ENDPOINT", format!("http://{closed}")),
            (
                "DATABASE_URL",
                format!("postgres://nobody:secret@{closed}/x"),
            ),
        ],
    )
    .await;
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 503);
    for name in ["smtp", "nats", "minio", "postgres"] {
        let c = component(&body, name).unwrap();
        assert_eq!(c["status"], "down", "{name}: {c}");
    }
    assert!(
        !body.to_string().contains("secret"),
        "a password leaked: {body}"
    );
}

#[tokio::test]
async fn requests_are_forwarded_by_path_with_path_and_query_kept() {
    let upstreams = healthy_upstreams().await;
    for (server, route) in upstreams.iter().zip([
        "/auth/google/start",
        "/api/me",
        "/api/integrations/tasks",
        "/api/recommend",
        "/status",
    ]) {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_string(format!("from {route}")))
            .mount(server)
            .await;
    }
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let token = signed_in(&upstreams[0]).await;
    for route in [
        "/auth/google/start",
        "/api/me",
        "/api/integrations/tasks",
        "/api/recommend",
        "/status",
    ] {
        let response = reqwest::Client::new()
            .get(format!("{}{route}?a=1&b=two", gateway.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{route}");
        assert_eq!(response.text().await.unwrap(), format!("from {route}"));
    }
    let forwarded = upstreams[1].received_requests().await.unwrap();
    let me = forwarded
        .iter()
        .find(|r| r.url.path() == "/api/me")
        .unwrap();
    assert_eq!(me.url.query(), Some("a=1&b=two"));
    assert!(
        me.headers.get("x-request-id").is_some(),
        "the gateway sets a request id"
    );
}

#[tokio::test]
async fn a_service_that_is_down_gives_a_502_with_a_json_error() {
    let upstreams = healthy_upstreams().await;
    let closed = closed_addr();
    let gateway = spawn_gateway(&upstreams, &[("PROFILE_URL", format!("http://{closed}"))]).await;
    let token = signed_in(&upstreams[0]).await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/me", gateway.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "bad_gateway");
    assert_eq!(body["message"], "The profile service is unavailable.");
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_before_it_reaches_a_service() {
    let upstreams = healthy_upstreams().await;
    let gateway = spawn_gateway(
        &upstreams,
        &[("PUBLIC_URL", "https://onetip.example".into())],
    )
    .await;
    let client = reqwest::Client::new();
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let response = client
            .post(format!("{}/auth/logout", gateway.base))
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}: {value}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "cross_site");
    }
    assert!(
        upstreams[0]
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| r.url.path() != "/auth/logout"),
        "a refused request reached auth"
    );
    Mock::given(method("POST"))
        .and(path("/auth/logout"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&upstreams[0])
        .await;
    let response = client
        .post(format!("{}/auth/logout", gateway.base))
        .header("sec-fetch-site", "same-origin")
        .header("origin", "https://onetip.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204, "our own page may post");
}

/// How many `/ready` calls `server` has answered.
async fn ready_calls(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/ready")
        .count()
}

#[tokio::test]
async fn two_hundred_concurrent_health_calls_reach_each_service_ready_at_most_twice() {
    let upstreams = healthy_upstreams().await;
    for server in &upstreams {
        server.reset().await;
        Mock::given(path("/ready"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"status": "ok", "service": "x", "checks": []}))
                    .set_delay(Duration::from_millis(300)),
            )
            .mount(server)
            .await;
    }
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"now": 0, "revoked": []})))
        .mount(&upstreams[0])
        .await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let client = reqwest::Client::new();
    let calls = (0..200).map(|_| {
        let client = client.clone();
        let url = format!("{}/health", gateway.base);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    for (name, server) in SERVICES.iter().zip(&upstreams) {
        let n = ready_calls(server).await;
        println!("{name}: /ready reached {n} times by 200 concurrent /health");
        assert!((1..=2).contains(&n), "{name} /ready reached {n} times");
    }
}

#[tokio::test]
async fn two_health_calls_within_one_second_share_one_check() {
    let upstreams = healthy_upstreams().await;
    let gateway = spawn_gateway(&upstreams, &[]).await;
    let (_, first) = health(&gateway).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, second) = health(&gateway).await;
    assert_eq!(first["checked_at"], second["checked_at"]);
    assert_eq!(ready_calls(&upstreams[1]).await, 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (_, third) = health(&gateway).await;
    assert_ne!(
        first["checked_at"], third["checked_at"],
        "the cache expires"
    );
}

#[tokio::test]
async fn a_database_errors_raw_text_never_appears_in_health() {
    let upstreams = healthy_upstreams().await;
    upstreams[1].reset().await;
    let raw = "query failed: error returned from database: password authentication \
               failed for user \"onetip_profile\" on host db-7.internal";
    Mock::given(path("/ready"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "status": "down", "service": "profile",
            "checks": [{"name": "database", "status": "down", "latency_ms": 3, "detail": raw}]
        })))
        .mount(&upstreams[1])
        .await;
    let closed = closed_addr();
    let gateway = spawn_gateway(
        &upstreams,
        &[(
            "DATABASE_URL",
            format!("postgres://onetip_gateway:pw@{closed}/onetip"),
        )],
    )
    .await;
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 503);
    let text = body.to_string();
    for leak in [
        "password",
        "onetip_profile",
        "db-7",
        "onetip_gateway",
        "os error",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    assert_eq!(
        component(&body, "profile").unwrap()["detail"],
        "database: unavailable"
    );
    assert_eq!(
        component(&body, "postgres").unwrap()["detail"],
        "connect: connection refused"
    );
}
