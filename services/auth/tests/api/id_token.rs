//! ID token checks (the OpenID RP conformance catalogue): each bad token
//! is refused with 400 and no session; the good variants sign in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::*;

async fn refused(edit: impl FnOnce(&mut Value, &Flow) -> String) {
    let app = spawn_app().await;
    let r = app.sign_in_with(edit).await;
    assert_eq!(r.status(), 400);
    assert!(!set_cookies(&r).contains_key("onetip_at"));
    assert_eq!(app.sessions().await, 0);
}

fn remove(c: &mut Value, field: &str) {
    c.as_object_mut().unwrap().remove(field);
}

fn good(c: &Value) -> String {
    sign_rs256(c, Some(GOOGLE_KID))
}

#[tokio::test]
async fn a_nonce_mismatch_is_refused() {
    refused(|c, _| {
        c["nonce"] = json!("another-flows-nonce");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_nonce_is_refused() {
    refused(|c, _| {
        remove(c, "nonce");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    refused(|c, _| {
        let token = good(c);
        let (head, sig) = token.rsplit_once('.').unwrap();
        let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        sig[10] ^= 0x01;
        format!("{head}.{}", URL_SAFE_NO_PAD.encode(sig))
    })
    .await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    refused(|c, _| {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        format!("{header}.{}.", URL_SAFE_NO_PAD.encode(c.to_string()))
    })
    .await;
}

#[tokio::test]
async fn an_algorithm_not_advertised_is_refused_even_signed_with_our_client_secret() {
    refused(|c, _| sign_hs256(c, CLIENT_SECRET.as_bytes())).await;
}

#[tokio::test]
async fn a_wrong_issuer_is_refused() {
    refused(|c, _| {
        c["iss"] = json!("https://accounts.evil.example");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_issuer_is_refused() {
    refused(|c, _| {
        remove(c, "iss");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    refused(|c, _| {
        c["aud"] = json!("someone-elses-client");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_audience_is_refused() {
    refused(|c, _| {
        remove(c, "aud");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn an_untrusted_extra_audience_is_refused() {
    refused(|c, _| {
        c["aud"] = json!([CLIENT_ID, "untrusted-other-client"]);
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_subject_is_refused() {
    refused(|c, _| {
        remove(c, "sub");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_issued_at_is_refused() {
    refused(|c, _| {
        remove(c, "iat");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn a_missing_expiry_is_refused() {
    refused(|c, _| {
        remove(c, "exp");
        good(c)
    })
    .await;
}

#[tokio::test]
async fn an_expiry_past_the_60_second_leeway_is_refused() {
    refused(|c, _| {
        c["iat"] = json!(time_now() - 3600);
        c["exp"] = json!(time_now() - 61);
        good(c)
    })
    .await;
}

#[tokio::test]
async fn an_unverified_email_does_not_sign_in() {
    refused(|c, _| {
        c["email_verified"] = json!(false);
        good(c)
    })
    .await;
}

#[tokio::test]
async fn discovery_naming_another_issuer_is_refused() {
    let app = spawn_app().await;
    let jwks = json!({"keys": [rsa_jwk(Some(GOOGLE_KID))]});
    app.google()
        .remount("https://accounts.evil.example", jwks, None)
        .await;
    let r = app
        .client
        .get(format!("{}/auth/google/start", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(app.attempts().await, 0);
}

#[tokio::test]
async fn a_token_without_kid_is_accepted_when_the_jwks_has_one_key() {
    let app = spawn_app().await;
    let r = app.sign_in_with(|c, _| sign_rs256(c, None)).await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.sessions().await, 1);
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_jwks_once_then_is_refused() {
    let app = spawn_app().await;
    let issuer = app.google().issuer();
    // Discovery's fetch, then exactly one refetch for the unknown kid.
    app.google()
        .remount(
            &issuer,
            json!({"keys": [rsa_jwk(Some(GOOGLE_KID))]}),
            Some(2),
        )
        .await;
    let r = app
        .sign_in_with(|c, _| sign_rs256(c, Some("rotated-away")))
        .await;
    assert_eq!(r.status(), 400);
    // A second one within the rate limit does not fetch again.
    let r = app
        .sign_in_with(|c, _| sign_rs256(c, Some("rotated-away-too")))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(app.sessions().await, 0);
    app.google().server.verify().await;
}

#[tokio::test]
async fn a_rotated_google_key_is_found_by_one_refetch() {
    let app = spawn_app().await;
    let issuer = app.google().issuer();
    // Discovery sees only an old key; the refetch finds the new one.
    app.google()
        .remount(&issuer, json!({"keys": [rsa_jwk(Some("old"))]}), None)
        .await;
    let flow = app.start_flow(None).await;
    app.google().server.reset().await;
    app.google()
        .remount(&issuer, json!({"keys": [rsa_jwk(Some(GOOGLE_KID))]}), None)
        .await;
    let token = sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID));
    app.google().grant("c1", &flow.challenge, token);
    let r = app
        .callback(Some("c1"), Some(&flow.state), Some(&flow.state))
        .await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn an_issued_at_in_the_future_past_the_60_second_leeway_is_refused() {
    refused(|c, _| {
        c["iat"] = json!(time_now() + 120);
        c["exp"] = json!(time_now() + 3600);
        good(c)
    })
    .await;
    // Within the leeway (a slightly fast clock at Google) it still signs in.
    let app = spawn_app().await;
    let r = app
        .sign_in_with(|c, _| {
            c["iat"] = json!(time_now() + 30);
            good(c)
        })
        .await;
    assert_eq!(r.status(), 303);
}

/// The fake Google's key without an `alg` of its own, so only discovery's
/// list decides which algorithms are allowed.
async fn advertising(app: &TestApp, algs: &[&str]) {
    let mut jwk = rsa_jwk(Some(GOOGLE_KID));
    jwk.as_object_mut().unwrap().remove("alg");
    let issuer = app.google().issuer();
    app.google()
        .remount_advertising(&issuer, json!({"keys": [jwk]}), None, algs)
        .await;
}

#[tokio::test]
async fn an_algorithm_not_advertised_is_refused_rs384_while_discovery_says_rs256() {
    use jsonwebtoken::Algorithm::RS384;
    let app = spawn_app().await;
    advertising(&app, &["RS256"]).await;
    let r = app
        .sign_in_with(|c, _| sign_rsa(RS384, c, Some(GOOGLE_KID)))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(app.sessions().await, 0);
    // The same token is fine where discovery advertises RS384: the refusal
    // above was the advertised list, not the key or the signature.
    let app = spawn_app().await;
    advertising(&app, &["RS256", "RS384"]).await;
    let r = app
        .sign_in_with(|c, _| sign_rsa(RS384, c, Some(GOOGLE_KID)))
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
}
