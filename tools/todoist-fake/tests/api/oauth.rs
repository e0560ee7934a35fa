//! OAuth: consent page, code exchange (form and JSON, PKCE, single use),
//! refresh rotation, revocation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use todoist_fake::{FakeConfig, pkce_s256};

use crate::helpers::{REDIRECT, VERIFIER, location, query_param, spawn, spawn_with};

#[tokio::test]
async fn the_consent_page_is_labelled_todoist_sandbox_with_approve_and_deny_in_one_form() {
    let t = spawn_with(FakeConfig::sandbox()).await;
    let response = t
        .http
        .get(t.url("/oauth/authorize"))
        .query(&t.authorize_params(&[("state", "<b>st</b>")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Todoist sandbox</h1>"));
    assert!(html.contains("development run"));
    assert!(html.contains("<form method=\"post\" action=\"/oauth/authorize\">"));
    assert!(html.contains("name=\"decision\" value=\"approve\">Approve</button>"));
    assert!(html.contains("name=\"decision\" value=\"deny\" formnovalidate>Deny</button>"));
    assert!(html.contains("data:read_write"));
    // The request travels in hidden fields, escaped.
    assert!(html.contains("name=\"state\" value=\"&lt;b&gt;st&lt;/b&gt;\""));
    assert!(!html.contains("<b>st</b>"));
}

#[tokio::test]
async fn approving_redirects_with_a_code_and_the_state() {
    let t = spawn().await;
    let response = t.decide(&t.authorize_params(&[]), "approve").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with(&format!("{REDIRECT}?code=")), "{to}");
    assert_eq!(query_param(&to, "state").as_deref(), Some("st-123"));
    assert_eq!(query_param(&to, "code").unwrap().len(), 40);
}

#[tokio::test]
async fn denying_redirects_with_access_denied_and_the_state() {
    let t = spawn().await;
    let response = t.decide(&t.authorize_params(&[]), "deny").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("{REDIRECT}?error=access_denied&state=st-123")
    );
}

#[tokio::test]
async fn a_request_without_client_id_or_redirect_uri_gets_an_error_page_not_a_redirect() {
    let t = spawn().await;
    for missing in ["client_id", "redirect_uri"] {
        let mut params = t.authorize_params(&[]);
        params.retain(|(k, _)| k != missing);
        let response = t
            .http
            .get(t.url("/oauth/authorize"))
            .query(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{missing}");
        assert!(response.text().await.unwrap().contains("Todoist sandbox"));
    }
}

#[tokio::test]
async fn bad_scopes_missing_state_and_plain_pkce_are_sent_back_as_oauth_errors() {
    let t = spawn().await;
    let cases = [
        (
            vec![("scope", "data:read_write data:delete")],
            "error=invalid_scope&state=st-123",
        ),
        (
            vec![("scope", "data:everything")],
            "error=invalid_scope&state=st-123",
        ),
        (
            vec![("code_challenge_method", "plain")],
            "error=invalid_request&state=st-123",
        ),
        (
            vec![("response_type", "token")],
            "error=unsupported_response_type&state=st-123",
        ),
        (vec![("state", "")], "error=invalid_request&state="),
    ];
    for (extra, expected) in cases {
        let response = t
            .http
            .get(t.url("/oauth/authorize"))
            .query(&t.authorize_params(&extra))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{extra:?}");
        assert_eq!(location(&response), format!("{REDIRECT}?{expected}"));
    }
}

#[tokio::test]
async fn the_form_exchange_with_the_right_verifier_answers_every_contract_field() {
    let t = spawn().await;
    let code = t.code().await;
    let response = t
        .http
        .post(t.url("/oauth/access_token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "onetip"),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "state",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["state"], "st-123");
    assert_eq!(body["scope"], "data:read_write");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(t.get("/api/v1/tasks", token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_pkce_mismatch_or_a_missing_verifier_is_rejected() {
    let t = spawn().await;
    let code = t.code().await;
    let (status, body) = t
        .exchange(&code, "another-verifier-of-at-least-43-characters-xyz")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_tag"], "INVALID_GRANT");
    assert_eq!(body["http_code"], 400);
    let code = t.code().await;
    let (status, body) = t
        .post_token_form(&[("code", code.as_str()), ("client_id", "onetip")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_code_works_once_even_after_a_failed_attempt() {
    let t = spawn().await;
    let code = t.code().await;
    let (status, _) = t.exchange(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = t.exchange(&code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    let code = t.code().await;
    let _ = t
        .exchange(&code, "wrong-verifier-of-at-least-43-characters-000000")
        .await;
    assert_eq!(t.exchange(&code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_code_sent_by_another_client_or_with_another_redirect_uri_is_rejected() {
    let t = spawn().await;
    let code = t.code().await;
    let (status, body) = t
        .post_token_form(&[
            ("code", code.as_str()),
            ("client_id", "someone-else"),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let code = t.code().await;
    let (status, _) = t
        .post_token_form(&[
            ("code", code.as_str()),
            ("client_id", "onetip"),
            ("redirect_uri", "http://evil.example/cb"),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_json_exchange_of_doists_sdk_works_without_pkce() {
    let t = spawn().await;
    let mut params = t.authorize_params(&[]);
    params.retain(|(k, _)| !k.starts_with("code_challenge"));
    let response = t.decide(&params, "approve").await;
    let code = query_param(&location(&response), "code").unwrap();
    let response = t
        .http
        .post(t.url("/oauth/access_token"))
        .json(&json!({"client_id": "onetip", "client_secret": "s3cret", "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["state"], "st-123");
    assert_eq!(body["token_type"], "Bearer");
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_stops_working() {
    let t = spawn().await;
    let code = t.code().await;
    let (_, first) = t.exchange(&code, VERIFIER).await;
    let old = first["refresh_token"].as_str().unwrap();
    let refresh = |token: String| {
        let t = &t;
        async move {
            t.post_token_form(&[
                ("grant_type", "refresh_token"),
                ("client_id", "onetip"),
                ("client_secret", "s3cret"),
                ("refresh_token", token.as_str()),
            ])
            .await
        }
    };
    let (status, second) = refresh(old.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["state"], Value::Null);
    assert_eq!(second["scope"], "data:read_write");
    let (status, body) = refresh(old.to_owned()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let newer = second["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh(newer).await.0, StatusCode::OK);
    assert_eq!(t.fake.user_stats("alice").refreshes, 2);
}

#[tokio::test]
async fn an_expired_access_token_is_401_and_the_refresh_token_still_works() {
    let t = spawn().await;
    let (_, tokens) = t.exchange(&t.code().await, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap();
    t.fake.expire_access_tokens();
    assert_eq!(
        t.get("/api/v1/tasks", access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = t
        .post_token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "onetip"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_fake_with_one_client_refuses_other_clients_and_wrong_secrets() {
    let t = spawn_with(FakeConfig::default().with_client("onetip", "right")).await;
    let response = t
        .http
        .get(t.url("/oauth/authorize"))
        .query(&t.authorize_params(&[("client_id", "other")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let code = t.code().await;
    let (status, body) = t.exchange(&code, VERIFIER).await; // sends "s3cret"
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    let code = t.code().await;
    let form = [
        ("code", code.as_str()),
        ("client_id", "onetip"),
        ("client_secret", "right"),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(t.post_token_form(&form).await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoke_with_basic_credentials_ends_the_access_and_refresh_tokens() {
    let t = spawn().await;
    let (_, tokens) = t.exchange(&t.code().await, VERIFIER).await;
    let access = tokens["access_token"].as_str().unwrap();
    let response = t
        .http
        .post(t.url("/api/v1/revoke"))
        .basic_auth("onetip", Some("s3cret"))
        .form(&[("token", access), ("token_type_hint", "access_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = t.get("/api/v1/tasks", access).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error_tag"],
        "AUTH_INVALID_TOKEN"
    );
    let (status, _) = t
        .post_token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "onetip"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!t.fake.token_is_active(access));
    assert_eq!(t.fake.user_stats("alice").revocations, 1);
}

#[tokio::test]
async fn revoke_without_client_credentials_is_401_invalid_client() {
    let t = spawn().await;
    let token = t.token("alice");
    let response = t
        .http
        .post(t.url("/api/v1/revoke"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert!(t.fake.token_is_active(&token));
}

#[tokio::test]
async fn the_sdks_delete_access_tokens_also_revokes() {
    let t = spawn().await;
    let token = t.token("alice");
    let response = t
        .http
        .delete(t.url("/api/v1/access_tokens"))
        .query(&[
            ("client_id", "c"),
            ("client_secret", "s"),
            ("access_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!t.fake.token_is_active(&token));
}

#[tokio::test]
async fn approving_in_process_gives_a_code_that_exchanges() {
    let t = spawn().await;
    let challenge = pkce_s256(VERIFIER);
    let url = format!(
        "{}?client_id=onetip&scope=data%3Aread_write&state=s1&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256",
        t.fake.authorize_url(),
        "http%3A%2F%2Flocalhost%3A8080%2Fconnect%2Ftodoist%2Fcallback",
    );
    let back = t.fake.approve(&url, "bob").unwrap();
    assert_eq!(query_param(&back, "state").as_deref(), Some("s1"));
    let (status, _) = t
        .exchange(&query_param(&back, "code").unwrap(), VERIFIER)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t.fake.user_stats("bob").tokens_issued, 1);
    let denied = t.fake.deny(&url).unwrap();
    assert_eq!(
        query_param(&denied, "error").as_deref(),
        Some("access_denied")
    );
}

#[tokio::test]
async fn a_registered_redirect_uri_is_used_when_none_is_given_and_others_are_refused() {
    let config = FakeConfig {
        redirect_uri: Some(REDIRECT.to_owned()),
        ..FakeConfig::default()
    };
    let t = spawn_with(config).await;
    let mut params = t.authorize_params(&[]);
    params.retain(|(k, _)| k != "redirect_uri");
    let response = t.decide(&params, "approve").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with(&format!("{REDIRECT}?code=")));
    let other = t.authorize_params(&[("redirect_uri", "http://elsewhere.example/cb")]);
    let response = t
        .http
        .get(t.url("/oauth/authorize"))
        .query(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
