//! `GET` and `PATCH /api/me`, and the forwarded JWT verified again.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_signed_in_user_gets_their_own_profile() {
    let app = spawn_app().await;
    let (id, token) = app.user().await;
    let r = app.get_me(Some(&token)).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["time_zone"], "UTC");
    assert!(me.get("google_sub").is_none());
}

#[tokio::test]
async fn no_token_is_401_json() {
    let app = spawn_app().await;
    let r = app.get_me(None).await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
}

#[tokio::test]
async fn forged_and_mutated_tokens_are_refused() {
    let app = spawn_app().await;
    let (id, token) = app.user().await;
    for (what, t) in app.auth.forgeries(&id, "s1") {
        assert_eq!(app.get_me(Some(&t)).await.status(), 401, "{what}");
    }
    assert_eq!(app.get_me(Some(&token)).await.status(), 200);
}

#[tokio::test]
async fn name_and_time_zone_can_be_changed() {
    let app = spawn_app().await;
    let (_, token) = app.user().await;
    let r = app
        .patch_me(
            &token,
            r#"{"name": "  Grace Hopper ", "time_zone": "Europe/Berlin"}"#,
        )
        .await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["name"], "Grace Hopper");
    assert_eq!(me["time_zone"], "Europe/Berlin");
    // Absent fields stay.
    let me: Value = app
        .patch_me(&token, r#"{"time_zone": "Asia/Tokyo"}"#)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Grace Hopper");
    assert_eq!(me["time_zone"], "Asia/Tokyo");
}

#[tokio::test]
async fn an_unknown_time_zone_is_a_clear_422() {
    let app = spawn_app().await;
    let (_, token) = app.user().await;
    for tz in ["Mars/Olympus_Mons", "", "+02:00"] {
        let r = app
            .patch_me(&token, &json!({"time_zone": tz}).to_string())
            .await;
        assert_eq!(r.status(), 422, "{tz}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_field");
        assert!(body["message"].as_str().unwrap().starts_with("time_zone"));
    }
}

#[tokio::test]
async fn an_empty_or_overlong_name_is_a_clear_422() {
    let app = spawn_app().await;
    let (_, token) = app.user().await;
    for name in ["   ".to_owned(), "x".repeat(81), "a\u{7}b".to_owned()] {
        let r = app
            .patch_me(&token, &json!({"name": name}).to_string())
            .await;
        assert_eq!(r.status(), 422, "{name:?}");
    }
}

#[tokio::test]
async fn a_malformed_body_is_a_clear_400() {
    let app = spawn_app().await;
    let (_, token) = app.user().await;
    for body in ["not json", r#"{"email": "x@y.z"}"#, "[]"] {
        let r = app.patch_me(&token, body).await;
        assert!(
            r.status() == 400 || r.status() == 422,
            "{body}: {}",
            r.status()
        );
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn patch_without_a_token_is_401() {
    let app = spawn_app().await;
    let r = app
        .client
        .patch(format!("{}/api/me", app.base))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
