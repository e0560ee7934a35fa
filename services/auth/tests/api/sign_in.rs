//! Sign-in and sessions 1–4 and 10: state, flow records, PKCE, redirects.

use crate::helpers::*;

/// 400, no session row, no session cookie.
async fn assert_refused(app: &TestApp, r: reqwest::Response) {
    let cookies = set_cookies(&r);
    assert_eq!(r.status(), 400);
    assert!(!cookies.contains_key("onetip_at") && !cookies.contains_key("onetip_rt"));
    assert_eq!(app.sessions().await, 0);
}

#[tokio::test]
async fn a_full_sign_in_sets_the_session_cookies_and_returns_where_it_started() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    assert_eq!(s.location, "/after");
    let claims = peek(&s.at);
    assert_eq!(claims["sub"], USER_ID);
    assert_eq!(claims["aud"], "onetip");
    assert_eq!(app.sessions().await, 1);
    let upserts = app.profile.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&upserts[0].body).unwrap();
    assert_eq!(body["google_sub"], "google-sub-1234567890");
}

#[tokio::test]
async fn an_unknown_state_is_refused() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    // A code Google really granted: only the state lookup can refuse it.
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    let r = app
        .callback(Some("c1"), Some("unknown-state"), Some("unknown-state"))
        .await;
    assert_refused(&app, r).await;
    // The code was never sent to Google: it still finishes its own flow.
    let r = app
        .callback(Some("c1"), Some(&flow.state), Some(&flow.state))
        .await;
    assert_eq!(r.status(), 303, "the refused callback spent the code");
}

#[tokio::test]
async fn a_missing_state_is_refused() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    let r = app.callback(Some("c1"), None, Some(&flow.state)).await;
    assert_refused(&app, r).await;
}

#[tokio::test]
async fn a_reused_state_is_refused() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    let token = sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID));
    app.google().grant("c1", &flow.challenge, token.clone());
    assert_eq!(
        app.callback(Some("c1"), Some(&flow.state), Some(&flow.state))
            .await
            .status(),
        303
    );
    app.google().grant("c2", &flow.challenge, token);
    let r = app
        .callback(Some("c2"), Some(&flow.state), Some(&flow.state))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(app.sessions().await, 1, "only the first use made a session");
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    app.clock
        .advance(std::time::Duration::from_secs(15 * 60 + 1));
    let r = app
        .callback(Some("c1"), Some(&flow.state), Some(&flow.state))
        .await;
    assert_refused(&app, r).await;
}

#[tokio::test]
async fn a_state_from_another_browser_is_refused() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    let r = app.callback(Some("c1"), Some(&flow.state), None).await;
    assert_refused(&app, r).await;
    let r = app
        .callback(
            Some("c1"),
            Some(&flow.state),
            Some("another-browsers-state"),
        )
        .await;
    assert_refused(&app, r).await;
    // The rightful browser can still finish.
    assert_eq!(
        app.callback(Some("c1"), Some(&flow.state), Some(&flow.state))
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn flow_records_expire_within_15_minutes_and_are_deleted_on_first_use() {
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    let (created, expires, verifier): (i64, i64, String) = sqlx::query_as(
        "SELECT created_at, expires_at, pkce_verifier FROM sign_in_attempts WHERE state = $1",
    )
    .bind(&flow.state)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(expires - created <= 15 * 60 * 1000);
    assert!(verifier.len() >= 43);
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    assert_eq!(
        app.callback(Some("c1"), Some(&flow.state), Some(&flow.state))
            .await
            .status(),
        303
    );
    assert_eq!(app.attempts().await, 0);
    // Expired records are purged by the next start.
    app.start_flow(None).await;
    app.clock.advance(std::time::Duration::from_secs(15 * 60));
    app.start_flow(None).await;
    assert_eq!(app.attempts().await, 1);
}

#[tokio::test]
async fn the_authorize_url_always_uses_pkce_s256() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let flow = app.start_flow(Some("/x")).await;
        let q: std::collections::HashMap<_, _> =
            flow.authorize.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43);
        assert_eq!(q["response_type"], "code");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        assert!(q["redirect_uri"].ends_with("/auth/google/callback"));
        assert!(!flow.authorize.as_str().contains("plain"));
    }
}

#[tokio::test]
async fn a_code_replayed_with_another_flows_state_fails_pkce() {
    let app = spawn_app().await;
    let a = app.start_flow(None).await;
    let b = app.start_flow(None).await;
    // The code was issued for flow A's challenge; it arrives with B's state.
    app.google().grant(
        "code-a",
        &a.challenge,
        sign_rs256(&app.google().claims(&b.nonce), Some(GOOGLE_KID)),
    );
    let r = app
        .callback(Some("code-a"), Some(&b.state), Some(&b.state))
        .await;
    assert_refused(&app, r).await;
}

#[tokio::test]
async fn return_to_never_leaves_the_site() {
    let app = spawn_app().await;
    for evil in ["https://evil", "//evil", "/\\evil"] {
        let flow = app.start_flow(Some(evil)).await;
        let token = sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID));
        let code = format!("c-{}", flow.state);
        app.google().grant(&code, &flow.challenge, token);
        let r = app
            .callback(Some(&code), Some(&flow.state), Some(&flow.state))
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/", "{evil}");
    }
}

#[tokio::test]
async fn development_sign_in_works_only_without_google_and_says_so() {
    let app = spawn_with(false, &[]).await;
    // The form is web's /signin (under the site's CSP); GET here sends
    // browsers there, keeping only a local return_to.
    for (query, location) in [
        ("", "/signin"),
        ("?return_to=/x?y=1", "/signin?return_to=%2Fx%3Fy%3D1"),
        ("?return_to=//evil", "/signin"),
        ("?return_to=https://evil", "/signin"),
        ("?return_to=/%5Cevil", "/signin"),
    ] {
        let form = app
            .client
            .get(format!("{}/auth/dev/signin{query}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 303, "{query}");
        assert_eq!(form.headers()["location"], location, "{query}");
    }
    let start = app
        .client
        .get(format!("{}/auth/google/start?return_to=/x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.headers()["location"],
        "/auth/dev/signin?return_to=%2Fx"
    );
    let r = app
        .client
        .post(format!("{}/auth/dev/signin", app.base))
        .form(&[("email", "dev@example.com"), ("return_to", "//evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let s = signed(&r);
    assert_eq!(s.location, "/");
    // With Google configured, the development routes do not exist.
    let app = spawn_app().await;
    let r = app
        .client
        .post(format!("{}/auth/dev/signin", app.base))
        .form(&[("email", "x@y.z")])
        .send()
        .await
        .unwrap();
    assert!(r.status() == 404 || r.status() == 405, "{}", r.status());
}

#[tokio::test]
async fn a_flow_started_for_another_provider_cannot_finish_as_google_sign_in() {
    // Mix-up: every flow records the provider it was started for, and the
    // Google callback refuses a state recorded for any other provider, even
    // with a code Google would accept.
    let app = spawn_app().await;
    let flow = app.start_flow(None).await;
    sqlx::query("UPDATE sign_in_attempts SET provider = 'todoist' WHERE state = $1")
        .bind(&flow.state)
        .execute(&app.pool)
        .await
        .unwrap();
    app.google().grant(
        "c1",
        &flow.challenge,
        sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID)),
    );
    let r = app
        .callback(Some("c1"), Some(&flow.state), Some(&flow.state))
        .await;
    assert_refused(&app, r).await;
}
