//! The Todoist client against wiremock: pagination, errors, retries,
//! `Retry-After`, timeouts, OAuth and revocation.

use std::time::{Duration, Instant as StdInstant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use integrations::todoist::{BudgetConfig, RateLimiter, TodoistClient, TodoistError, request_id};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::Digest;
use wiremock::matchers::{bearer_token, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const TASKS: &str = "/api/v1/tasks";

#[tokio::test]
async fn listing_follows_next_cursor_until_it_is_null() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .and(query_param_is_missing("cursor"))
        .and(query_param("limit", "200"))
        .and(bearer_token("at-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(vec![task("t1", "one"), task("t2", "two")], Some("c1"))),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .and(query_param("cursor", "c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![task("t3", "three")], Some("c2"))),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .and(query_param("cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![task("t4", "four")], None)),
        )
        .mount(&server)
        .await;
    let tasks = client(&server)
        .list_active_tasks(&user(), &secret("at-1"), deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    let ids: Vec<_> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t1", "t2", "t3", "t4"]);
    assert_eq!(tasks[0].priority, 2);
    assert_eq!(tasks[0].due.as_ref().unwrap().date, "2026-11-27");
    assert_eq!(requests_to(&server, TASKS).await.len(), 3);
}

async fn one_error(status: u16, body: serde_json::Value) -> (MockServer, TodoistError) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let error = client(&server)
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
        .await
        .unwrap_err();
    (server, error)
}

#[tokio::test]
async fn a_401_means_the_token_is_refused_and_is_not_retried() {
    let (server, error) = one_error(
        401,
        json!({"error": "Unauthorized", "error_code": 401, "http_code": 401, "error_extra": {}, "error_tag": "AUTH_INVALID_TOKEN"}),
    )
    .await;
    assert_eq!(error, TodoistError::Unauthorized);
    assert_eq!(requests_to(&server, TASKS).await.len(), 1);
}

#[tokio::test]
async fn a_403_names_the_missing_scope() {
    let (server, error) = one_error(
        403,
        json!({"error": "Insufficient token scope", "error_code": 403, "http_code": 403, "error_extra": {}, "error_tag": "AUTH_INSUFFICIENT_TOKEN_SCOPE"}),
    )
    .await;
    assert_eq!(
        error,
        TodoistError::Forbidden("AUTH_INSUFFICIENT_TOKEN_SCOPE".into())
    );
    assert_eq!(requests_to(&server, TASKS).await.len(), 1);
}

#[tokio::test]
async fn closing_an_unknown_task_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/tasks/nope123/close"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": "Task not found", "error_code": 478, "http_code": 404, "error_extra": {}, "error_tag": "NOT_FOUND"}),
        ))
        .mount(&server)
        .await;
    let u = user();
    let error = client(&server)
        .close_task(
            &u,
            &secret("at"),
            "nope123",
            request_id(&u, "nope123", "close", "d1"),
            deadline(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert_eq!(error, TodoistError::NotFound);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

fn limits_reached(retry_after: u64) -> serde_json::Value {
    json!({"error": "Too many requests", "error_code": 35, "http_code": 429,
           "error_extra": {"retry_after": retry_after}, "error_tag": "LIMITS_REACHED"})
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let server = MockServer::start().await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![task("t1", "a")], None)))
        .mount(&server)
        .await;
    let started = StdInstant::now();
    let tasks = client(&server)
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests_to(&server, TASKS).await.len(), 2);
}

#[tokio::test]
async fn a_429_with_error_extra_retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(429).set_body_json(limits_reached(1)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .mount(&server)
        .await;
    let started = StdInstant::now();
    client(&server)
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(requests_to(&server, TASKS).await.len(), 2);
}

#[tokio::test]
async fn a_wait_longer_than_the_deadline_answers_rate_limited_at_once() {
    for response in [
        ResponseTemplate::new(429).insert_header("Retry-After", "120"),
        ResponseTemplate::new(429).set_body_json(limits_reached(120)),
        ResponseTemplate::new(503).insert_header("Retry-After", "120"),
        ResponseTemplate::new(429).insert_header(
            "Retry-After",
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(121))
                .as_str(),
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(path(TASKS))
            .respond_with(response)
            .mount(&server)
            .await;
        let started = StdInstant::now();
        let error = client(&server)
            .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        let TodoistError::RateLimited { retry_after, by } = error else {
            panic!("expected a rate limit, got {error:?}");
        };
        assert_eq!(by, RateLimiter::Todoist);
        assert!(
            (119..=121).contains(&retry_after.as_secs()),
            "{retry_after:?}"
        );
        assert_eq!(requests_to(&server, TASKS).await.len(), 1);
    }
}

#[tokio::test]
async fn a_5xx_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![task("t1", "a")], None)))
        .mount(&server)
        .await;
    let tasks = client(&server)
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(requests_to(&server, TASKS).await.len(), 3);
}

#[tokio::test]
async fn a_5xx_that_persists_gives_up_after_three_attempts() {
    let (server, error) = one_error(500, json!({"error": "boom"})).await;
    assert_eq!(error, TodoistError::Upstream { status: 500 });
    assert_eq!(requests_to(&server, TASKS).await.len(), 3);
}

#[tokio::test]
async fn a_slow_answer_times_out_after_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(path(TASKS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(vec![], None))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    let started = StdInstant::now();
    let error = TodoistClient::new(config)
        .unwrap()
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(error, TodoistError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(requests_to(&server, TASKS).await.len(), 3);
}

#[tokio::test]
async fn a_close_retried_after_a_timeout_sends_the_same_request_id() {
    let server = MockServer::start().await;
    let close = "/api/v1/tasks/6X7rM8997g3RQmvh/close";
    Mock::given(method("POST"))
        .and(path(close))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(close))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    let u = user();
    let id = request_id(&u, "6X7rM8997g3RQmvh", "close", "rec-42");
    TodoistClient::new(config)
        .unwrap()
        .close_task(
            &u,
            &secret("at"),
            "6X7rM8997g3RQmvh",
            id,
            deadline(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    let requests = requests_to(&server, close).await;
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(
            r.headers.get("x-request-id").unwrap().to_str().unwrap(),
            id.to_string()
        );
    }
}

#[tokio::test]
async fn the_authorize_url_carries_pkce_s256_state_and_the_comma_joined_scope() {
    let server = MockServer::start().await;
    let client = client(&server);
    let request = client.authorize();
    let url = oauth2::url::Url::parse(&request.url).unwrap();
    assert_eq!(url.path(), "/oauth/authorize");
    let q = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("response_type").as_deref(), Some("code"));
    assert_eq!(q("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(q("redirect_uri").as_deref(), Some(REDIRECT));
    assert_eq!(q("scope").as_deref(), Some("data:read_write"));
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(
        request.pkce_verifier.expose_secret().as_bytes(),
    ));
    assert_eq!(q("code_challenge").as_deref(), Some(challenge.as_str()));
    assert_eq!(q("state").as_deref(), Some(request.state.as_str()));
    assert!(
        request.state.len() >= 22,
        "state too short to be unguessable"
    );
    assert_ne!(client.authorize().state, request.state);
    assert!(q("client_secret").is_none());
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "token_type": "Bearer", "refresh_token": refresh,
        "expires_in": 3600, "scope": "data:read_write", "state": "ignored"
    }))
}

#[tokio::test]
async fn a_refresh_rotates_the_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(token_answer("at-2", "rt-2"))
        .mount(&server)
        .await;
    let grant = client(&server).refresh(&secret("rt-1")).await.unwrap();
    assert_eq!(grant.access.expose_secret(), "at-2");
    assert_eq!(grant.refresh.unwrap().expose_secret(), "rt-2");
    assert_eq!(grant.expires_in, Some(Duration::from_secs(3600)));
    assert_eq!(grant.scope.as_deref(), Some("data:read_write"));
    let requests = requests_to(&server, "/oauth/access_token").await;
    let form = form(&requests[0]);
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "refresh_token"), Some("rt-1"));
    assert_eq!(field(&form, "client_id"), Some(CLIENT_ID));
    assert_eq!(field(&form, "client_secret"), Some(CLIENT_SECRET));
}

#[tokio::test]
async fn the_code_exchange_sends_pkce_and_credentials_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(token_answer("at-1", "rt-1"))
        .mount(&server)
        .await;
    let grant = client(&server)
        .exchange_code("code-1", &secret("verifier-1"))
        .await
        .unwrap();
    assert_eq!(grant.access.expose_secret(), "at-1");
    let requests = requests_to(&server, "/oauth/access_token").await;
    assert!(requests[0].headers.get("authorization").is_none());
    let form = form(&requests[0]);
    assert_eq!(field(&form, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&form, "code"), Some("code-1"));
    assert_eq!(field(&form, "code_verifier"), Some("verifier-1"));
    assert_eq!(field(&form, "redirect_uri"), Some(REDIRECT));
    assert_eq!(field(&form, "client_id"), Some(CLIENT_ID));
    assert_eq!(field(&form, "client_secret"), Some(CLIENT_SECRET));
}

#[tokio::test]
async fn the_code_exchange_is_never_retried() {
    for answer in [
        ResponseTemplate::new(503),
        ResponseTemplate::new(500).set_body_json(json!({"error": "server_error"})),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/access_token"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let mut config = config(&server);
        config.timeout = Duration::from_millis(300);
        let result = TodoistClient::new(config)
            .unwrap()
            .exchange_code("code-1", &secret("v"))
            .await;
        assert!(result.is_err());
        assert_eq!(requests_to(&server, "/oauth/access_token").await.len(), 1);
    }
}

#[tokio::test]
async fn a_refused_grant_is_named_without_echoing_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": "code used"})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .exchange_code("code-1", &secret("v"))
        .await
        .unwrap_err();
    assert_eq!(error, TodoistError::GrantRefused("invalid_grant".into()));
}

#[tokio::test]
async fn revoking_uses_basic_auth_and_the_rfc7009_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    client(&server)
        .revoke(&secret("at-9"), deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    let requests = requests_to(&server, "/api/v1/revoke").await;
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    assert_eq!(
        requests[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        basic
    );
    let form = form(&requests[0]);
    assert_eq!(field(&form, "token"), Some("at-9"));
    assert_eq!(field(&form, "token_type_hint"), Some("access_token"));
}

#[tokio::test]
async fn a_burst_never_exceeds_the_per_user_budget() {
    let server = MockServer::start().await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .mount(&server)
        .await;
    let mut config = config(&server);
    config.budget = BudgetConfig {
        per_window: 5,
        window: Duration::from_secs(15 * 60),
        burst: 5,
    };
    let client = std::sync::Arc::new(TodoistClient::new(config).unwrap());
    let busy = user();
    let mut calls = Vec::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            client
                .list_active_tasks(&busy, &secret("at"), deadline(Duration::from_secs(1)))
                .await
        }));
    }
    let mut limited = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => {}
            Err(TodoistError::RateLimited { by, retry_after }) => {
                assert_eq!(by, RateLimiter::OurBudget);
                assert!(retry_after > Duration::from_secs(60));
                limited += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(limited, 15);
    assert_eq!(requests_to(&server, TASKS).await.len(), 5);
    // Another user's budget is their own.
    client
        .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(1)))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_huge_retry_after_is_a_rate_limit_capped_at_an_hour_not_a_panic() {
    for response in [
        ResponseTemplate::new(429).insert_header("Retry-After", "18446744073709551615"),
        ResponseTemplate::new(503).insert_header("Retry-After", "18446744073709551615"),
        ResponseTemplate::new(429).set_body_json(json!({
            "error": "Too many requests", "error_code": 35, "error_tag": "LIMITS_REACHED",
            "http_code": 429, "error_extra": {"retry_after": 1.0e300}
        })),
    ] {
        let server = MockServer::start().await;
        Mock::given(path(TASKS))
            .respond_with(response)
            .mount(&server)
            .await;
        let error = client(&server)
            .list_active_tasks(&user(), &secret("at"), deadline(Duration::from_secs(5)))
            .await
            .unwrap_err();
        let TodoistError::RateLimited { retry_after, by } = error else {
            panic!("expected a rate limit, got {error:?}");
        };
        assert_eq!(by, RateLimiter::Todoist);
        assert_eq!(retry_after, Duration::from_secs(3600));
    }
}
