//! Faults on demand, the natural rate limit, and the `/__fake/` control API.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use todoist_fake::{FakeConfig, FaultSpec, RateLimit, RetryAfterIn, Stats};

use crate::helpers::{error_body, spawn, spawn_with};

#[tokio::test]
async fn each_injected_status_answers_with_its_exact_body_and_headers() {
    let t = spawn().await;
    let token = t.token("alice");
    let cases = [
        (
            401,
            error_body("Invalid token", 401, "AUTH_INVALID_TOKEN", json!({}), 401),
        ),
        (
            403,
            error_body(
                "Insufficient token scope",
                403,
                "AUTH_INSUFFICIENT_TOKEN_SCOPE",
                json!({}),
                403,
            ),
        ),
        (
            404,
            error_body("Task not found", 478, "NOT_FOUND", json!({}), 404),
        ),
        (
            429,
            error_body(
                "Too many requests. Limits reached. Try again later",
                35,
                "LIMITS_REACHED",
                json!({"retry_after": 1}),
                429,
            ),
        ),
        (
            500,
            error_body(
                "Internal server error",
                500,
                "INTERNAL_SERVER_ERROR",
                json!({}),
                500,
            ),
        ),
        (
            503,
            error_body(
                "Service unavailable",
                503,
                "SERVICE_UNAVAILABLE",
                json!({}),
                503,
            ),
        ),
    ];
    for (status, body) in cases {
        t.fake
            .queue_fault(FaultSpec::status("tasks", status))
            .unwrap();
        let response = t.get("/api/v1/tasks", &token).await;
        assert_eq!(response.status().as_u16(), status);
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            retry_after.as_deref(),
            (status == 429).then_some("1"),
            "{status}"
        );
        assert_eq!(response.json::<Value>().await.unwrap(), body, "{status}");
    }
    assert_eq!(
        t.get("/api/v1/tasks", &token).await.status(),
        StatusCode::OK
    );
    let stats = t.fake.stats();
    assert_eq!(stats.faults_served, 6);
    assert_eq!(stats.requests["tasks"], 7);
    assert_eq!(stats.users["alice"].task_listings, 1);
}

#[tokio::test]
async fn a_429_gives_retry_after_in_the_header_the_body_or_both() {
    let t = spawn().await;
    let token = t.token("alice");
    for (given_in, header, extra) in [
        (RetryAfterIn::Both, Some("7"), json!({"retry_after": 7})),
        (RetryAfterIn::Header, Some("7"), json!({})),
        (RetryAfterIn::Body, None, json!({"retry_after": 7})),
    ] {
        t.fake
            .queue_fault(FaultSpec::rate_limited("tasks", 7, given_in))
            .unwrap();
        let response = t.get("/api/v1/tasks", &token).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let got = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), header);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            (body["error_code"].clone(), body["error_extra"].clone()),
            (json!(35), extra)
        );
    }
}

#[tokio::test]
async fn a_503_can_carry_retry_after_too() {
    let t = spawn().await;
    let token = t.token("alice");
    let fault = FaultSpec {
        retry_after: Some(3),
        ..FaultSpec::status("tasks", 503)
    };
    t.fake.queue_fault(fault).unwrap();
    let response = t.get("/api/v1/tasks", &token).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "3");
}

#[tokio::test]
async fn a_fault_lasts_its_number_of_answers_on_its_route_only() {
    let t = spawn().await;
    let token = t.token("alice");
    t.fake
        .queue_fault(FaultSpec::status("close", 500).times(2))
        .unwrap();
    let id = t.fake.active_tasks("alice")[0].id.clone();
    let path = format!("/api/v1/tasks/{id}/close");
    assert_eq!(
        t.get("/api/v1/tasks", &token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        t.post(&path, &token, Some("r1")).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        t.post(&path, &token, Some("r1")).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // The faulted tries did not use up the request id: the retry closes.
    assert_eq!(
        t.post(&path, &token, Some("r1")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.fake.user_stats("alice").closes, 1);
    assert!(t.fake.pending_faults().is_empty());
}

#[tokio::test]
async fn a_delay_fault_slows_one_answer_then_the_route_is_quick_again() {
    let t = spawn().await;
    let token = t.token("alice");
    t.fake.queue_fault(FaultSpec::delay("tasks", 400)).unwrap();
    let started = Instant::now();
    assert_eq!(
        t.get("/api/v1/tasks", &token).await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(400));
    // A client that gives up early sees a timeout.
    t.fake
        .queue_fault(FaultSpec::delay("tasks", 2_000))
        .unwrap();
    let timed_out = t
        .http
        .get(t.url("/api/v1/tasks"))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    let started = Instant::now();
    t.get("/api/v1/tasks", &token).await;
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "the fault was used up"
    );
}

#[tokio::test]
async fn a_wildcard_fault_hits_the_token_endpoint_too() {
    let t = spawn().await;
    t.fake.queue_fault(FaultSpec::status("*", 503)).unwrap();
    let (status, body) = t
        .post_token_form(&[("code", "x"), ("client_id", "c")])
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error_tag"], "SERVICE_UNAVAILABLE");
}

#[tokio::test]
async fn the_natural_rate_limit_answers_429_limits_reached() {
    let limit = RateLimit {
        requests: 3,
        window: Duration::from_secs(60),
    };
    let t = spawn_with(FakeConfig {
        rate_limit: Some(limit),
        ..FakeConfig::default()
    })
    .await;
    let token = t.token("alice");
    for _ in 0..3 {
        assert_eq!(
            t.get("/api/v1/tasks", &token).await.status(),
            StatusCode::OK
        );
    }
    let response = t.get("/api/v1/tasks", &token).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let header: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&header));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_tag"], "LIMITS_REACHED");
    assert_eq!(body["error_extra"]["retry_after"], header);
    // Another account has its own budget.
    assert_eq!(
        t.get("/api/v1/tasks", &t.token("bob")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_control_api_queues_faults_reports_stats_and_resets() {
    let t = spawn().await;
    let token = t.token("alice");
    let queued = t
        .http
        .post(t.url("/__fake/faults"))
        .json(&json!({"route": "tasks", "status": 429, "retry_after": 5, "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::CREATED);
    let pending: Value = t
        .http
        .get(t.url("/__fake/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending["pending"][0]["remaining"], 2);
    for _ in 0..2 {
        let response = t.get("/api/v1/tasks", &token).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "5");
    }
    let id = t.fake.active_tasks("alice")[0].id.clone();
    t.get("/api/v1/tasks", &token).await;
    t.post(&format!("/api/v1/tasks/{id}/close"), &token, Some("rid-1"))
        .await;
    let stats: Stats = t
        .http
        .get(t.url("/__fake/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alice = &stats.users["alice"];
    assert_eq!(
        (alice.task_listings, alice.closes, alice.close_requests),
        (1, 1, 1)
    );
    assert_eq!(alice.request_ids, ["rid-1"]);
    assert_eq!(alice.closed_task_ids, vec![id.clone()]);
    assert_eq!(stats.requests["tasks"], 3);
    let reset = t.http.post(t.url("/__fake/reset")).send().await.unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(t.fake.stats(), Stats::default());
    assert!(t.fake.active_tasks("alice").iter().any(|t| t.id == id));
    assert_eq!(
        t.get("/api/v1/tasks", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_control_api_refuses_an_unknown_route_and_mints_tokens() {
    let t = spawn().await;
    let response = t
        .http
        .post(t.url("/__fake/faults"))
        .json(&json!({"route": "everything", "status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let tokens: Value = t
        .http
        .post(t.url("/__fake/tokens"))
        .json(&json!({"account": "carol"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(t.get("/api/v1/tasks", token).await.status(), StatusCode::OK);
    let expired = t
        .http
        .post(t.url("/__fake/expire-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/api/v1/tasks", token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let tasks: Value = t
        .http
        .get(t.url("/__fake/tasks?account=carol"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tasks.as_array().unwrap().len() > 50);
}

#[tokio::test]
async fn health_answers_and_the_client_request_id_is_echoed() {
    let t = spawn().await;
    let response = t
        .http
        .get(t.url("/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    assert_eq!(
        response.json::<Value>().await.unwrap()["service"],
        "todoist-fake"
    );
}
