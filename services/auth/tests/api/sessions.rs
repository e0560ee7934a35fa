//! Sign-in and sessions 6–9: cookies, refresh tokens, timeouts, sign-out,
//! rotation with reuse detection.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::helpers::*;

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn development_cookies_are_http_only_lax_and_site_wide() {
    let app = spawn_app().await;
    let r = app
        .sign_in_with(|c, _| sign_rs256(c, Some(GOOGLE_KID)))
        .await;
    let lines = set_cookie_lines(&r);
    for name in ["onetip_at=", "onetip_rt="] {
        let line = lines.iter().find(|l| l.starts_with(name)).unwrap();
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(line.contains(attr), "{line} lacks {attr}");
        }
        assert!(!line.to_lowercase().contains("domain="));
    }
}

#[tokio::test]
async fn production_cookies_are_host_prefixed_and_secure() {
    let key = platform::jwt::SigningKey::generate().to_entry();
    let app = spawn_with(
        true,
        &[
            ("APP_ENV", "production"),
            ("JWT_SIGNING_KEYS", &key),
            ("PUBLIC_URL", "https://onetip.test"),
        ],
    )
    .await;
    // The flow cookie is prefixed too.
    let r = app
        .client
        .get(format!("{}/auth/google/start", app.base))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    let flow_line = set_cookie_lines(&r)
        .into_iter()
        .find(|l| l.starts_with("__Host-onetip_flow="))
        .unwrap();
    assert!(flow_line.contains("Secure"));
    let token = sign_rs256(&app.google().claims(&q["nonce"]), Some(GOOGLE_KID));
    app.google().grant("c1", &q["code_challenge"], token);
    let r = app
        .client
        .get(format!(
            "{}/auth/google/callback?code=c1&state={}",
            app.base, q["state"]
        ))
        .header("cookie", format!("__Host-onetip_flow={}", q["state"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let lines = set_cookie_lines(&r);
    for name in ["__Host-onetip_at=", "__Host-onetip_rt="] {
        let line = lines
            .iter()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {lines:?}"));
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
            assert!(line.contains(attr), "{line} lacks {attr}");
        }
        assert!(!line.to_lowercase().contains("domain="));
    }
}

#[tokio::test]
async fn two_sign_ins_get_different_random_tokens_and_none_is_all_zero() {
    let app = spawn_app().await;
    let (a, b) = (app.sign_in().await, app.sign_in().await);
    assert_ne!(a.rt, b.rt, "two sessions share a refresh token");
    assert_ne!(peek(&a.at)["sid"], peek(&b.at)["sid"]);
    let a2 = signed_refresh(&app.refresh(&a.rt).await);
    let b2 = signed_refresh(&app.refresh(&b.rt).await);
    let tokens = [&a.rt, &b.rt, &a2, &b2];
    for (i, t) in tokens.iter().enumerate() {
        let bytes = URL_SAFE_NO_PAD.decode(t).unwrap();
        assert_eq!(bytes.len(), 32);
        assert!(bytes.iter().any(|b| *b != 0), "token {i} is all zero bytes");
        // 32 random bytes almost surely have many distinct values.
        let distinct: std::collections::BTreeSet<_> = bytes.iter().collect();
        assert!(distinct.len() >= 16, "token {i} does not look random");
        for other in &tokens[..i] {
            assert_ne!(t, other, "token {i} repeats an earlier one");
        }
    }
}

#[tokio::test]
async fn refresh_tokens_carry_256_random_bits_and_only_a_hash_is_stored() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    assert_eq!(URL_SAFE_NO_PAD.decode(&s.rt).unwrap().len(), 32);
    let stored: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT token_hash, successor FROM refresh_tokens")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, s.rt);
    let r = app.refresh(&s.rt).await;
    let next = signed_refresh(&r);
    let dump: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT token_hash, successor FROM refresh_tokens")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for (hash, successor) in dump {
        for token in [&s.rt, &next] {
            assert_ne!(&hash, token);
            assert_ne!(successor.as_deref(), Some(token.as_str()));
        }
    }
}

fn signed_refresh(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), 204, "a browser gets its cookies, no body");
    set_cookies(r)
        .get("onetip_rt")
        .cloned()
        .expect("new refresh cookie")
}

#[tokio::test]
async fn an_idle_session_ends_after_the_idle_timeout() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    app.clock.advance(13 * DAY);
    let rt = signed_refresh(&app.refresh(&s.rt).await);
    // Activity moved the idle end: 13 more days are fine, 14 are not.
    app.clock.advance(14 * DAY + Duration::from_secs(1));
    assert_eq!(app.refresh(&rt).await.status(), 401);
}

#[tokio::test]
async fn an_active_session_ends_at_the_absolute_timeout() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let mut rt = s.rt;
    for _ in 0..2 {
        app.clock.advance(10 * DAY);
        rt = signed_refresh(&app.refresh(&rt).await);
    }
    app.clock.advance(10 * DAY);
    let r = app.refresh(&rt).await;
    assert_eq!(r.status(), 401);
    assert_eq!(app.revoked(0).await["revoked"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn logout_revokes_the_session_and_its_refresh_tokens_server_side() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let sid = peek(&s.at)["sid"].as_str().unwrap().to_owned();
    let before = app.revoked(0).await;
    assert!(before["revoked"].as_array().unwrap().is_empty());
    let r = app
        .client
        .post(format!("{}/auth/logout", app.base))
        .header("cookie", format!("onetip_at={}; onetip_rt={}", s.at, s.rt))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let cleared = set_cookie_lines(&r);
    assert!(
        cleared
            .iter()
            .any(|l| l.starts_with("onetip_rt=;") && l.contains("Max-Age=0"))
    );
    assert_eq!(app.refresh(&s.rt).await.status(), 401);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM refresh_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // The gateway learns the sid within one poll.
    let after = app.revoked(before["now"].as_i64().unwrap()).await;
    assert_eq!(after["revoked"][0]["sid"], sid.as_str());
}

#[tokio::test]
async fn logout_by_access_token_alone_also_ends_the_session() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let r = app
        .client
        .post(format!("{}/auth/logout", app.base))
        .header("accept", "text/html")
        .bearer_auth(&s.at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/signin");
    assert_eq!(app.refresh(&s.rt).await.status(), 401);
}

#[tokio::test]
async fn the_revoked_list_needs_the_internal_token() {
    let app = spawn_app().await;
    let url = format!("{}/internal/sessions/revoked", app.base);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // The token is checked before the query is read: a malformed query
    // without it is still 401, and with it a JSON 400.
    let malformed = format!("{url}?since=9223372036854775808");
    let outsider = app.client.get(&malformed).send().await.unwrap();
    assert_eq!(outsider.status(), 401);
    let insider = app
        .client
        .get(&malformed)
        .bearer_auth(INTERNAL_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(insider.status(), 400);
    let body: serde_json::Value = insider.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn a_replayed_refresh_token_after_the_grace_kills_the_family() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let rt2 = signed_refresh(&app.refresh(&s.rt).await);
    app.clock.advance(Duration::from_secs(11));
    assert_eq!(app.refresh(&s.rt).await.status(), 401, "RT1 replayed");
    assert_eq!(
        app.refresh(&rt2).await.status(),
        401,
        "RT2 died with the family"
    );
    assert_eq!(app.revoked(0).await["revoked"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_refreshes_within_the_grace_get_the_same_successor() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let (a, b, c) = tokio::join!(app.refresh(&s.rt), app.refresh(&s.rt), app.refresh(&s.rt));
    let (a, b, c) = (signed_refresh(&a), signed_refresh(&b), signed_refresh(&c));
    assert_eq!(a, b);
    assert_eq!(b, c);
    app.clock.advance(Duration::from_secs(5));
    assert_eq!(
        signed_refresh(&app.refresh(&s.rt).await),
        a,
        "still within the grace"
    );
    // The family lives on: the successor works.
    let rt3 = signed_refresh(&app.refresh(&a).await);
    assert_ne!(rt3, a);
    assert!(
        app.revoked(0).await["revoked"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_jwks_publishes_the_key_that_signs_access_tokens() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let jwks: platform::jwt::Jwks = app
        .client
        .get(format!("{}/auth/jwks.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = platform::jwt::Verifier::with_keys("http://localhost:8080", &jwks);
    let claims = verifier.verify(&s.at).await.unwrap();
    assert_eq!(claims.sub, USER_ID);
    let now = time_now();
    assert!(claims.exp - claims.iat == 300 && (claims.iat - now).abs() < 5);
}
