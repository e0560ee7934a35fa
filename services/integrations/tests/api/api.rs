//! The HTTP API black-box: the service on port 0 with its own database, a
//! wiremock Todoist, and access tokens signed by a test key.

use platform::jwt::{AccessClaims, SigningKey};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::app::{ISSUER, spawn_app};
use crate::helpers::*;

#[tokio::test]
async fn the_api_refuses_requests_without_a_valid_access_token() {
    let app = spawn_app().await;
    for p in ["/api/connectors", "/api/integrations/tasks"] {
        let none = app
            .http
            .get(format!("{}{p}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), 401, "{p}");
        let forged = app
            .http
            .get(format!("{}{p}", app.base))
            .bearer_auth(SigningKey::generate().sign(&AccessClaims {
                iss: ISSUER.into(),
                aud: "onetip".into(),
                sub: user().to_string(),
                sid: "s".into(),
                iat: 0,
                exp: i64::MAX / 2,
                jti: "j".into(),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "{p}");
    }
    let body: Value = app
        .http
        .post(format!("{}/api/connectors/todoist/connect", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "unauthorized");
}

#[tokio::test]
async fn a_user_connects_todoist_lists_tasks_and_disconnects() {
    let app = spawn_app().await;
    app.serve_oauth_and_tasks().await;
    let u = user();
    let list: Value = app
        .get(&u, "/api/connectors")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "todoist");
    assert_eq!(list[0]["display_name"], "Todoist");
    assert_eq!(list[0]["connected"], false);
    let tasks: Value = app
        .get(&u, "/api/integrations/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tasks["items"], json!([]));

    let state = app.connect(&u).await;
    let back = app
        .callback(Some(&u), &format!("code=good-code&state={state}"))
        .await;
    assert_eq!(back, "/connect?connected=todoist");

    let list: Value = app
        .get(&u, "/api/connectors")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["connected"], true);
    assert_eq!(list[0]["scope"], "data:read_write");
    let response = app.get(&u, "/api/integrations/tasks").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let tasks: Value = response.json().await.unwrap();
    assert_eq!(tasks["items"].as_array().unwrap().len(), 2);
    assert_eq!(tasks["items"][0]["payload"]["title"], "Water the plants");

    let gone = app
        .http
        .delete(format!("{}/api/connectors/todoist", app.base))
        .bearer_auth(app.token(&u))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(app.rows().await, 0);
    let revokes = requests_to(&app.todoist, "/api/v1/revoke").await;
    assert_eq!(
        field(&form(&revokes[0]), "token"),
        Some("tok-ACCESS-7f3a9c")
    );
    let unknown = app
        .http
        .delete(format!("{}/api/connectors/linear", app.base))
        .bearer_auth(app.token(&u))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_callback_refuses_bad_inputs_and_stores_nothing() {
    let app = spawn_app().await;
    app.serve_oauth_and_tasks().await;
    let (alice, bob) = (user(), user());
    let err = |code: &str| format!("/connect?connector=todoist&error={code}");

    assert_eq!(
        app.callback(Some(&alice), "code=good-code").await,
        err("state_missing")
    );
    assert_eq!(
        app.callback(Some(&alice), "code=good-code&state=made-up")
            .await,
        err("state_unknown")
    );
    // Another user's state; then it is spent for its owner too.
    let state = app.connect(&bob).await;
    assert_eq!(
        app.callback(Some(&alice), &format!("code=good-code&state={state}"))
            .await,
        err("state_foreign")
    );
    assert_eq!(
        app.callback(Some(&bob), &format!("code=good-code&state={state}"))
            .await,
        err("state_unknown")
    );
    // Denied at Todoist: the state cannot be used afterwards.
    let state = app.connect(&alice).await;
    assert_eq!(
        app.callback(Some(&alice), &format!("error=access_denied&state={state}"))
            .await,
        err("access_denied")
    );
    assert_eq!(
        app.callback(Some(&alice), &format!("code=good-code&state={state}"))
            .await,
        err("state_unknown")
    );
    // Expired.
    let state = app.connect(&alice).await;
    sqlx::query("UPDATE oauth_states SET expires_at = 1")
        .execute(app.db.store.pool())
        .await
        .unwrap();
    assert_eq!(
        app.callback(Some(&alice), &format!("code=good-code&state={state}"))
            .await,
        err("state_expired")
    );
    // A code Todoist refuses (reused, or Google's).
    let state = app.connect(&alice).await;
    assert_eq!(
        app.callback(Some(&alice), &format!("code=google-4/0AY0e&state={state}"))
            .await,
        err("code_rejected")
    );
    // Not signed in.
    let state = app.connect(&alice).await;
    assert_eq!(
        app.callback(None, &format!("code=good-code&state={state}"))
            .await,
        err("not_signed_in")
    );
    assert_eq!(app.rows().await, 0);
    // The good one still works, once.
    let query = format!("code=good-code&state={state}");
    assert_eq!(
        app.callback(Some(&alice), &query).await,
        "/connect?connected=todoist"
    );
    assert_eq!(
        app.callback(Some(&alice), &query).await,
        err("state_unknown")
    );
    assert_eq!(app.rows().await, 1);
}

#[tokio::test]
async fn a_rate_limited_listing_is_a_failed_source_in_a_200() {
    let app = spawn_app().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at", "token_type": "Bearer", "state": "x"
        })))
        .mount(&app.todoist)
        .await;
    Mock::given(path("/api/v1/tasks"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "42"))
        .mount(&app.todoist)
        .await;
    let u = user();
    let state = app.connect(&u).await;
    app.callback(Some(&u), &format!("code=c&state={state}"))
        .await;
    let response = app.get(&u, "/api/integrations/tasks").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["items"], json!([]));
    assert_eq!(
        body["sources"],
        json!([{"source": "todoist", "status": "failed", "as_of": null}])
    );
}

#[tokio::test]
async fn a_huge_retry_after_from_todoist_is_answered_as_503_with_an_hour() {
    let app = spawn_app().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at", "token_type": "Bearer", "state": "x"
        })))
        .mount(&app.todoist)
        .await;
    Mock::given(path("/api/v1/tasks/t1"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("Retry-After", "18446744073709551615"),
        )
        .mount(&app.todoist)
        .await;
    let u = user();
    let state = app.connect(&u).await;
    app.callback(Some(&u), &format!("code=c&state={state}"))
        .await;
    let response = app.complete(&u, "todoist", "t1", Some("key-1")).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "3600");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
}

#[test]
fn the_openapi_document_names_the_item_routes_and_the_candidate_contract() {
    let doc = serde_json::to_value(integrations::openapi()).unwrap();
    for path in [
        "/api/integrations/tasks",
        "/api/integrations/items/{connector}/{item}/complete",
        "/api/integrations/items/{connector}/{item}/reopen",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let complete = &doc["paths"]["/api/integrations/items/{connector}/{item}/complete"];
    assert!(complete["get"].is_null());
    let params = complete["post"]["parameters"].to_string();
    assert!(params.contains("Idempotency-Key") && params.contains("X-Decision-Id"));
    for schema in [
        "Candidates",
        "SourceReport",
        "SourceStatus",
        "CompleteOutcome",
        "ReopenRequest",
        "ReopenOutcome",
        "TaskDue",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
