//! Identity at the edge: the access JWT verified on `/api/*` and pages,
//! transparent refresh, cookies stripped, revoked sessions refused, and the
//! JWT mutations of security.md refused.

use std::time::Duration;

use platform::jwt::AccessClaims;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

struct Edge {
    base: String,
    auth: FakeAuth,
    profile: MockServer,
    /// Kept alive: a dropped MockServer goes back to wiremock's pool, reset.
    _web: MockServer,
    client: reqwest::Client,
    _server: TestServer,
}

fn token(sid: &str, exp_in: i64) -> String {
    token_from(platform::testing::DEV_ISSUER, sid, exp_in)
}

fn token_from(issuer: &str, sid: &str, exp_in: i64) -> String {
    let key = TestKey::default();
    key.sign(&AccessClaims {
        iss: issuer.into(),
        iat: now() - 600,
        exp: now() + exp_in,
        ..key.claims("u1", sid)
    })
}

async fn spawn(revoked: Value) -> Edge {
    spawn_in(revoked, &[]).await
}

/// A strong internal token, as production wants one.
const STRONG: &str = "q3Xb8YfN1vLr0TzK7mWc5HsJ2dPa9GuE4iOeR6kVyBw";

/// A production gateway: https PUBLIC_URL, a strong internal token.
async fn spawn_production() -> Edge {
    spawn_in(
        json!([]),
        &[
            ("APP_ENV", "production"),
            ("PUBLIC_URL", "https://onetip.test"),
            ("INTERNAL_API_TOKEN", STRONG),
        ],
    )
    .await
}

async fn spawn_in(revoked: Value, extra: &[(&str, &str)]) -> Edge {
    let internal = extra
        .iter()
        .find(|(k, _)| *k == "INTERNAL_API_TOKEN")
        .map_or(internal_token(), |(_, v)| (*v).to_owned());
    let auth = FakeAuth::start().await;
    let profile = MockServer::start().await;
    let web = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/internal/sessions/revoked"))
        .and(header(
            "authorization",
            format!("Bearer {internal}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"now": now() * 1000, "revoked": revoked})),
        )
        .mount(auth.server())
        .await;
    for server in [&profile, &web] {
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
            .mount(server)
            .await;
    }
    let pairs = [
        ("INTERNAL_API_TOKEN", internal.clone()),
        ("AUTH_URL", auth.url()),
        ("PROFILE_URL", profile.uri()),
        ("WEB_URL", web.uri()),
    ]
    .into_iter()
    .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    // Ready once the first poll of the revoked list has landed (before it,
    // each session would be checked with auth one by one).
    let server = serve_ready(settings(pairs), Duration::from_secs(2)).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Edge {
        base: server.url().to_owned(),
        auth,
        profile,
        _web: web,
        client,
        _server: server,
    }
}

impl Edge {
    async fn get(&self, p: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{p}", self.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.unwrap()
    }

    async fn forwarded_to_profile(&self) -> Vec<wiremock::Request> {
        self.profile.received_requests().await.unwrap()
    }
}

#[tokio::test]
async fn the_api_without_a_session_is_401_json() {
    let edge = spawn(json!([])).await;
    let r = edge.get("/api/me", None).await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert!(edge.forwarded_to_profile().await.is_empty());
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_signin() {
    let edge = spawn(json!([])).await;
    for (page, to) in [
        ("/", "/signin?return_to=/"),
        ("/connect", "/signin?return_to=/connect"),
    ] {
        let r = edge.get(page, None).await;
        assert_eq!(r.status(), 303, "{page}");
        assert_eq!(r.headers()["location"], to);
    }
    for public in ["/signin", "/status", "/static/app.css"] {
        let r = edge.get(public, None).await;
        let status = r.status();
        assert_eq!(status, 200, "{public}: {}", r.text().await.unwrap());
    }
}

#[tokio::test]
async fn a_valid_cookie_is_forwarded_as_bearer_and_the_session_cookies_are_stripped() {
    let edge = spawn(json!([])).await;
    let at = token("s1", 300);
    let r = edge
        .get(
            "/api/me",
            Some(&format!("onetip_at={at}; theme=dark; onetip_rt=secret-rt")),
        )
        .await;
    assert_eq!(r.status(), 200);
    let seen = &edge.forwarded_to_profile().await[0];
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {at}").as_str()
    );
    assert_eq!(seen.headers["cookie"], "theme=dark");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_transparently() {
    let edge = spawn(json!([])).await;
    let fresh = token("s1", 300);
    Mock::given(method("POST"))
        .and(path("/auth/refresh"))
        .and(header("cookie", "onetip_rt=rt-1"))
        // The gateway is an internal caller: auth answers it the token.
        .and(header(
            "authorization",
            format!("Bearer {}", internal_token()).as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header(
                    "set-cookie",
                    format!("onetip_at={fresh}; Path=/; HttpOnly; SameSite=Lax").as_str(),
                )
                .append_header(
                    "set-cookie",
                    "onetip_rt=rt-2; Path=/; HttpOnly; SameSite=Lax",
                )
                .set_body_json(json!({"access_token": fresh, "expires_in": 300})),
        )
        .expect(1)
        .mount(edge.auth.server())
        .await;
    let expired = token("s1", -120);
    let r = edge
        .get(
            "/api/me",
            Some(&format!("onetip_at={expired}; onetip_rt=rt-1")),
        )
        .await;
    assert_eq!(r.status(), 200);
    let cookies = cookies::set_cookie_lines(r.headers());
    assert!(cookies.iter().any(|c| c.starts_with("onetip_rt=rt-2")));
    let seen = &edge.forwarded_to_profile().await[0];
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {fresh}").as_str()
    );
    assert!(seen.headers.get("cookie").is_none());
}

#[tokio::test]
async fn a_refused_refresh_is_401_and_clears_the_cookies() {
    let edge = spawn(json!([])).await;
    Mock::given(method("POST"))
        .and(path("/auth/refresh"))
        .respond_with(
            ResponseTemplate::new(401)
                .append_header("set-cookie", "onetip_rt=; Path=/; Max-Age=0")
                .set_body_json(json!({"error": "unauthorized", "message": "Not signed in."})),
        )
        .mount(edge.auth.server())
        .await;
    let r = edge.get("/api/me", Some("onetip_rt=stale")).await;
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Max-Age=0"))
    );
}

#[tokio::test]
async fn a_revoked_session_is_refused_within_seconds() {
    let edge = spawn(json!([{"sid": "dead", "revoked_at": now() * 1000}])).await;
    let live = token("alive", 300);
    let dead = token("dead", 300);
    let mut refused = false;
    for _ in 0..40 {
        if edge
            .get("/api/me", Some(&format!("onetip_at={dead}")))
            .await
            .status()
            == 401
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "the revoked sid still works");
    assert_eq!(
        edge.get("/api/me", Some(&format!("onetip_at={live}")))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn every_jwt_mutation_is_refused_at_the_edge() {
    let edge = spawn(json!([])).await;
    let good = edge.auth.token("u1", "s1");
    let mutations = edge.auth.forgeries("u1", "s1");
    for (what, t) in mutations {
        assert_eq!(
            edge.get("/api/me", Some(&format!("onetip_at={t}")))
                .await
                .status(),
            401,
            "{what}"
        );
        let r = edge
            .client
            .get(format!("{}/api/me", edge.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{what} as Bearer");
    }
    assert_eq!(
        edge.get("/api/me", Some(&format!("onetip_at={good}")))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn production_reads_and_strips_the_host_prefixed_cookies_only() {
    let edge = spawn_production().await;
    let at = token_from("https://onetip.test", "s1", 300);
    let r = edge
        .get(
            "/api/me",
            Some(&format!(
                "__Host-onetip_at={at}; theme=dark; __Host-onetip_rt=rt; __Host-onetip_flow=f"
            )),
        )
        .await;
    assert_eq!(r.status(), 200);
    let seen = &edge.forwarded_to_profile().await[0];
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {at}").as_str()
    );
    assert_eq!(
        seen.headers["cookie"], "theme=dark",
        "the __Host- cookies are stripped"
    );
    // The development names mean nothing in production.
    let r = edge.get("/api/me", Some(&format!("onetip_at={at}"))).await;
    assert_eq!(r.status(), 401);
    // A refresh presents the prefixed refresh cookie to auth.
    let fresh = token_from("https://onetip.test", "s1", 300);
    Mock::given(method("POST"))
        .and(path("/auth/refresh"))
        .and(header("cookie", "__Host-onetip_rt=rt-1"))
        .and(header("authorization", format!("Bearer {STRONG}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": fresh, "expires_in": 300})),
        )
        .expect(1)
        .mount(edge.auth.server())
        .await;
    let r = edge.get("/api/me", Some("__Host-onetip_rt=rt-1")).await;
    assert_eq!(r.status(), 200);
}
