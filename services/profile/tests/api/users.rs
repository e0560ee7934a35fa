//! `POST /internal/users`: guarded by the internal token, idempotent by
//! Google `sub`.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn the_upsert_needs_the_internal_token() {
    let app = spawn_app().await;
    let url = format!("{}/internal/users", app.base);
    let body = json!({"google_sub": "g-1", "email": "a@b.c"});
    let none = app.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = app
        .client
        .post(&url)
        .bearer_auth("internal-token-for-tests-0123456789abcdeX")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn the_same_google_sub_gives_the_same_user() {
    let app = spawn_app().await;
    let first: Value = app
        .upsert(json!({"google_sub": "g-1", "email": "a@b.c", "name": "Ada"}))
        .await
        .json()
        .await
        .unwrap();
    let again: Value = app
        .upsert(json!({"google_sub": "g-1", "email": "new@b.c", "name": "Other"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["id"], again["id"]);
    let other: Value = app
        .upsert(json!({"google_sub": "g-2", "email": "a@b.c"}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(first["id"], other["id"]);
    // The email follows Google; a name the user has is kept.
    let token = app.token_for(first["id"].as_str().unwrap());
    let me: Value = app.get_me(Some(&token)).await.json().await.unwrap();
    assert_eq!(me["email"], "new@b.c");
    assert_eq!(me["name"], "Ada");
}

#[tokio::test]
async fn concurrent_first_sign_ins_make_one_user() {
    let app = spawn_app().await;
    let body = json!({"google_sub": "g-race", "email": "a@b.c"});
    let (a, b) = tokio::join!(app.upsert(body.clone()), app.upsert(body.clone()));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
}

#[tokio::test]
async fn a_malformed_upsert_is_a_clear_client_error() {
    let app = spawn_app().await;
    let r = app
        .upsert(json!({"google_sub": "", "email": "a@b.c"}))
        .await;
    assert_eq!(r.status(), 422);
    let r = app.upsert(json!({"email": "a@b.c"})).await;
    assert!(r.status().is_client_error());
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].is_string() && body["message"].is_string());
}

#[tokio::test]
async fn state_changing_routes_answer_other_methods_with_405_and_change_nothing() {
    let app = spawn_app().await;
    let (id, _) = app.user().await;
    let token = app.token_for(&id);
    let internal = format!("{}/internal/users", app.base);
    let r = app
        .client
        .get(&internal)
        .bearer_auth(INTERNAL_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "GET /internal/users");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let r = app
            .client
            .request(method.clone(), format!("{}/api/me", app.base))
            .bearer_auth(&token)
            .body(r#"{"name":"Mallory"}"#)
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} /api/me");
    }
    let me: Value = app.get_me(Some(&token)).await.json().await.unwrap();
    assert_ne!(me["name"], "Mallory");
}
