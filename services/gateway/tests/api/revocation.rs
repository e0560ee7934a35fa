//! Sign-out that cannot silently stop working (issue 9, item 1; security.md
//! sign-in 8): the revoked list paged without loss, and a stale list that
//! fails closed (each session checked with auth, or refused), reported by
//! `/ready` and `/health`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

fn list(rows: &[&str]) -> ResponseTemplate {
    let revoked: Vec<Value> = rows
        .iter()
        .map(|sid| json!({"sid": sid, "revoked_at": now() * 1000}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"now": now() * 1000, "revoked": revoked}))
}

fn session_state(live: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"sid": "x", "live": live}))
}

struct Edge {
    base: String,
    auth: FakeAuth,
    _profile: MockServer,
    _server: TestServer,
}

/// A gateway in front of a fake auth (JWKS mounted; the rest is up to the
/// test) and a profile answering 200, with the revocation bounds shortened.
async fn spawn(auth: FakeAuth, page: usize) -> Edge {
    let profile = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&profile)
        .await;
    let mut settings = settings([("AUTH_URL", auth.url()), ("PROFILE_URL", profile.uri())]);
    settings.edge.revocation = gateway::revocation::RevocationSettings {
        poll: Duration::from_millis(100),
        stale_after: Duration::from_secs(1),
        page,
    };
    let server = serve(settings).await;
    Edge {
        base: server.url().to_owned(),
        auth,
        _profile: profile,
        _server: server,
    }
}

impl Edge {
    async fn me(&self, sid: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}/api/me", self.base))
            .bearer_auth(self.auth.token("u1", sid))
            .send()
            .await
            .unwrap()
    }

    async fn ready(&self) -> (u16, Value) {
        let r = reqwest::get(format!("{}/ready", self.base)).await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Waits (up to `within`) until `sid`'s `/api/me` answers `status`.
    async fn until(&self, sid: &str, status: u16, within: Duration) -> Duration {
        let started = Instant::now();
        while started.elapsed() < within {
            if self.me(sid).await.status() == status {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{sid} never answered {status} within {within:?}");
    }
}

#[tokio::test]
async fn a_session_revoked_after_the_list_fails_is_refused_within_the_staleness_bound() {
    let auth = FakeAuth::start().await;
    // One good poll, then the list fails (a wrong token, auth half down).
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(list(&[]))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(auth.server())
        .await;
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(ResponseTemplate::new(500))
        .mount(auth.server())
        .await;
    // Asked one by one, auth knows `late` was revoked after that poll.
    Mock::given(path("/internal/sessions/late"))
        .respond_with(session_state(false))
        .mount(auth.server())
        .await;
    Mock::given(path("/internal/sessions/alive"))
        .respond_with(session_state(true))
        .mount(auth.server())
        .await;
    let edge = spawn(auth, 100).await;
    edge.until("late", 200, Duration::from_secs(2)).await;
    assert_eq!(edge.ready().await.0, 200, "fresh after the first poll");
    // The bound is 1 s; polls every 100 ms: refused soon after it.
    let took = edge.until("late", 401, Duration::from_secs(3)).await;
    println!("refused {took:?} after the list began failing (bound 1 s)");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(
        edge.me("alive").await.status(),
        200,
        "live sessions still work"
    );
    let (status, ready) = edge.ready().await;
    assert_eq!(status, 503, "{ready}");
    let detail = ready["checks"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("ms old"), "{detail}");
    let health: Value = reqwest::get(format!("{}/health", edge.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gateway = &health["components"][0];
    assert_eq!(gateway["name"], "gateway");
    assert_eq!(gateway["status"], "down");
}

#[tokio::test]
async fn a_gateway_that_cannot_load_the_list_or_ask_auth_refuses_tokens_as_unavailable() {
    let auth = FakeAuth::start().await;
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(ResponseTemplate::new(503))
        .mount(auth.server())
        .await;
    Mock::given(method("GET"))
        .and(path("/internal/sessions/s1"))
        .respond_with(ResponseTemplate::new(503))
        .mount(auth.server())
        .await;
    let edge = spawn(auth, 100).await;
    let r = edge.me("s1").await;
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "session_check_unavailable");
    let (status, ready) = edge.ready().await;
    assert_eq!(status, 503);
    assert!(
        ready["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("not loaded"),
        "{ready}"
    );
    // auth answers one by one again: the session works, list or not.
    edge.auth.server().reset().await;
    edge.auth.mount_jwks(edge.auth.server()).await;
    Mock::given(path("/internal/sessions/s1"))
        .respond_with(session_state(true))
        .mount(edge.auth.server())
        .await;
    assert_eq!(edge.me("s1").await.status(), 200);
}

#[tokio::test]
async fn a_list_answering_exactly_the_page_size_is_followed_by_a_second_page() {
    let auth = FakeAuth::start().await;
    Mock::given(path("/internal/sessions/revoked"))
        .and(query_param("after", "b"))
        .respond_with(list(&["c"]))
        .with_priority(1)
        .mount(auth.server())
        .await;
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(list(&["a", "b"]))
        .mount(auth.server())
        .await;
    let edge = spawn(auth, 2).await;
    edge.until("c", 401, Duration::from_secs(2)).await;
    for sid in ["a", "b"] {
        assert_eq!(edge.me(sid).await.status(), 401, "{sid}");
    }
    assert_eq!(edge.me("d").await.status(), 200);
    let pages: Vec<String> = edge
        .auth
        .server()
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/internal/sessions/revoked")
        .filter_map(|r| r.url.query().map(str::to_owned))
        .collect();
    assert!(
        pages
            .iter()
            .any(|q| q.contains("after=b") && q.contains("limit=2")),
        "{pages:?}"
    );
}

/// auth's revoked list as auth answers it: rows at or after `since`
/// (after `after` at `since` itself), in order, `limit` at most.
#[derive(Clone, Default)]
struct RevokedTable(std::sync::Arc<std::sync::Mutex<Vec<(i64, String)>>>);

impl Respond for RevokedTable {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let since: i64 = q.get("since").and_then(|v| v.parse().ok()).unwrap_or(0);
        let after = q.get("after").cloned().unwrap_or_default();
        let limit: usize = q
            .get("limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        let mut rows = self.0.lock().unwrap().clone();
        rows.sort();
        let revoked: Vec<Value> = rows
            .into_iter()
            .filter(|(at, sid)| *at > since || (*at == since && *sid > after))
            .take(limit)
            .map(|(at, sid)| json!({"sid": sid, "revoked_at": at}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"now": now() * 1000, "revoked": revoked}))
    }
}

#[tokio::test]
async fn a_revocation_committed_well_after_its_timestamp_is_still_seen() {
    let auth = FakeAuth::start().await;
    let table = RevokedTable::default();
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(table.clone())
        .mount(auth.server())
        .await;
    let edge = spawn(auth, 100).await;
    edge.until("slow", 200, Duration::from_secs(2)).await;
    // Several polls go by; then a transaction stamped 30 s ago commits.
    tokio::time::sleep(Duration::from_millis(500)).await;
    table
        .0
        .lock()
        .unwrap()
        .push((now() * 1000 - 30_000, "slow".into()));
    edge.until("slow", 401, Duration::from_secs(2)).await;
}

#[tokio::test]
async fn a_burst_larger_than_a_page_is_read_whole_even_within_one_millisecond() {
    let auth = FakeAuth::start().await;
    let table = RevokedTable::default();
    let at = now() * 1000 - 1000;
    table
        .0
        .lock()
        .unwrap()
        .extend((0..25).map(|i| (at, format!("burst-{i:02}"))));
    Mock::given(path("/internal/sessions/revoked"))
        .respond_with(table.clone())
        .mount(auth.server())
        .await;
    // Pages of 10: three pages, all rows in one millisecond.
    let edge = spawn(auth, 10).await;
    edge.until("burst-24", 401, Duration::from_secs(2)).await;
    for i in 0..25 {
        assert_eq!(
            edge.me(&format!("burst-{i:02}")).await.status(),
            401,
            "burst-{i:02}"
        );
    }
    assert_eq!(edge.me("other").await.status(), 200);
}
