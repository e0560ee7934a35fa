//! Inbound limits (issue 9, item 9): rates per client address on `/auth/*`
//! and per user on `/api/*`, sign-in starts per client, and the body size;
//! each refusal a JSON error, 429 with `Retry-After` or 413.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

struct Gateway {
    base: String,
    auth: FakeAuth,
    _profile: MockServer,
    _server: TestServer,
}

/// A token for `user` in their session `sid-USER`.
fn token(auth: &FakeAuth, user: &str) -> String {
    auth.token(user, &format!("sid-{user}"))
}

async fn spawn(extra: &[(&str, &str)]) -> Gateway {
    let auth = FakeAuth::start().await;
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"now": 0, "revoked": []})))
        .mount(auth.server())
        .await;
    Mock::given(path("/internal/sessions/sid-u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": "x", "live": true})))
        .mount(auth.server())
        .await;
    Mock::given(path("/internal/sessions/sid-u2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": "x", "live": true})))
        .mount(auth.server())
        .await;
    for route in ["/auth/google/start", "/auth/logout"] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(200))
            .mount(auth.server())
            .await;
    }
    let profile = MockServer::start().await;
    Mock::given(path("/api/me"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&profile)
        .await;
    let pairs = [("AUTH_URL", auth.url()), ("PROFILE_URL", profile.uri())]
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    // Ready once the first poll of the revoked list has landed (before it,
    // each session would be checked with auth one by one).
    let server = serve_ready(settings(pairs), Duration::from_secs(2)).await;
    Gateway {
        base: server.url().to_owned(),
        auth,
        _profile: profile,
        _server: server,
    }
}

impl Gateway {
    /// `GET path` as the client `client` (told by the trusted loopback
    /// proxy, as Caddy would), optionally signed in as `user`.
    async fn get(&self, path: &str, client: &str, user: Option<&str>) -> reqwest::Response {
        let mut req = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("x-forwarded-for", client);
        if let Some(user) = user {
            req = req.bearer_auth(token(&self.auth, user));
        }
        req.send().await.unwrap()
    }
}

/// POSTs `body` to `/auth/logout` in 64 KiB chunks without a length;
/// answers the status line.
async fn post_chunked(base: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /auth/logout HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .await
        .unwrap();
    for chunk in body.chunks(64 * 1024) {
        let head = format!("{:x}\r\n", chunk.len());
        // The gateway may answer and close before the whole body is sent.
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await.unwrap();
    line
}

async fn assert_rate_limited(r: reqwest::Response) {
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
}

#[tokio::test]
async fn a_burst_past_the_auth_limit_gets_429_with_retry_after_and_a_json_error() {
    let gateway = spawn(&[("RATE_LIMIT_AUTH_PER_MINUTE", "5")]).await;
    for _ in 0..5 {
        let r = gateway.get("/auth/jwks.json", "198.51.100.1", None).await;
        assert_eq!(r.status(), 200);
    }
    assert_rate_limited(gateway.get("/auth/jwks.json", "198.51.100.1", None).await).await;
    let other = gateway.get("/auth/jwks.json", "198.51.100.2", None).await;
    assert_eq!(other.status(), 200, "another client has its own budget");
    // Web signing its users out from one address: each user's own budget.
    for user in ["u1", "u2"] {
        let r = gateway
            .get("/auth/jwks.json", "198.51.100.1", Some(user))
            .await;
        assert_eq!(r.status(), 200, "{user} behind the spent address");
    }
}

#[tokio::test]
async fn a_burst_past_the_api_limit_is_per_user() {
    let gateway = spawn(&[("RATE_LIMIT_API_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        let r = gateway.get("/api/me", "198.51.100.1", Some("u1")).await;
        assert_eq!(r.status(), 200);
    }
    // The same user from another address is the same budget.
    assert_rate_limited(gateway.get("/api/me", "198.51.100.7", Some("u1")).await).await;
    let other = gateway.get("/api/me", "198.51.100.1", Some("u2")).await;
    assert_eq!(other.status(), 200, "another user has their own budget");
}

#[tokio::test]
async fn sign_in_starts_are_bounded_per_client() {
    let gateway = spawn(&[("RATE_LIMIT_SIGN_IN_PENDING", "3")]).await;
    for _ in 0..3 {
        let r = gateway
            .get("/auth/google/start", "198.51.100.1", None)
            .await;
        assert_eq!(r.status(), 200);
    }
    let r = gateway
        .get("/auth/google/start", "198.51.100.1", None)
        .await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 200, "a pending flow's share of 15 minutes: {wait}");
    let starts = gateway
        .auth
        .server()
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/auth/google/start")
        .count();
    assert_eq!(starts, 3, "the refused start never reached auth");
}

#[tokio::test]
async fn a_2_mib_body_gets_413_with_a_json_error_declared_or_streamed() {
    let gateway = spawn(&[]).await;
    let client = reqwest::Client::new();
    let big = vec![b'x'; 2 * 1024 * 1024];
    let declared = client
        .post(format!("{}/auth/logout", gateway.base))
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 413);
    let body: Value = declared.json().await.unwrap();
    assert_eq!(body["error"], "body_too_large");
    // No Content-Length (chunked): cut off at the limit all the same.
    let status = post_chunked(&gateway.base, &big).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    let logouts = gateway
        .auth
        .server()
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/auth/logout")
        .count();
    assert_eq!(logouts, 0, "nothing too large reached auth");
    let fine = client
        .post(format!("{}/auth/logout", gateway.base))
        .body(vec![b'x'; 512 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(fine.status(), 200);
    let received = gateway.auth.server().received_requests().await.unwrap();
    let logout = received
        .iter()
        .find(|r| r.url.path() == "/auth/logout")
        .unwrap();
    assert_eq!(
        logout.body.len(),
        512 * 1024,
        "a body under the limit arrives whole"
    );
}

#[tokio::test]
async fn a_refusal_after_a_transparent_refresh_still_hands_over_the_new_cookies() {
    let gateway = spawn(&[("RATE_LIMIT_API_PER_MINUTE", "1")]).await;
    assert_eq!(
        gateway
            .get("/api/me", "198.51.100.1", Some("u1"))
            .await
            .status(),
        200
    );
    // The access token has expired; auth rotates the refresh token.
    Mock::given(method("POST"))
        .and(path("/auth/refresh"))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header("set-cookie", "onetip_rt=rt-2; Path=/; HttpOnly")
                .set_body_json(
                    json!({"access_token": token(&gateway.auth, "u1"), "expires_in": 300}),
                ),
        )
        .mount(gateway.auth.server())
        .await;
    let r = reqwest::Client::new()
        .get(format!("{}/api/me", gateway.base))
        .header("cookie", "onetip_rt=rt-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "u1 spent the budget");
    let cookies = cookies::set_cookie_lines(r.headers());
    assert!(
        cookies.iter().any(|c| c.starts_with("onetip_rt=rt-2")),
        "the rotated refresh token was lost: {cookies:?}"
    );
}
