//! The caller's proxy headers never reach a service (issue 9, item 4): the
//! gateway strips `X-Forwarded-*`, `Forwarded` and `X-Real-Ip` and sets its
//! own, believing an inbound chain only from a trusted proxy; an inbound
//! `X-Request-Id` is kept only when well formed.

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

struct Gateway {
    server: TestServer,
    web: MockServer,
}

async fn spawn(extra: &[(&str, &str)]) -> Gateway {
    let web = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&web)
        .await;
    let pairs = [("WEB_URL", web.uri())]
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let server = serve(settings(pairs)).await;
    Gateway { server, web }
}

impl Gateway {
    /// `GET /status` (a public page, forwarded to web) with `headers`;
    /// answers the headers web received.
    async fn seen_by_web(&self, headers: &[(&str, &str)]) -> http::HeaderMap {
        let mut req = reqwest::Client::new().get(self.server.at("/status"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        assert_eq!(req.send().await.unwrap().status(), 200);
        let received = self.web.received_requests().await.unwrap();
        let last = received.last().expect("web was reached");
        let mut map = http::HeaderMap::new();
        for (k, v) in &last.headers {
            map.append(
                http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
                http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        map
    }
}

const SPOOFED: [(&str, &str); 5] = [
    ("x-forwarded-for", "6.6.6.6"),
    ("x-forwarded-proto", "https"),
    ("x-forwarded-host", "evil.example"),
    ("forwarded", "for=6.6.6.6;proto=https;host=evil.example"),
    ("x-real-ip", "6.6.6.6"),
];

#[tokio::test]
async fn the_upstream_never_sees_the_clients_x_forwarded_for() {
    // The test connects from loopback: trust no one, as for a browser.
    let gateway = spawn(&[("TRUSTED_PROXIES", "none")]).await;
    let seen = gateway.seen_by_web(&SPOOFED).await;
    assert_eq!(seen["x-forwarded-for"], "127.0.0.1");
    assert_eq!(seen["x-forwarded-proto"], "http");
    assert_ne!(seen["x-forwarded-host"], "evil.example");
    assert!(seen.get("forwarded").is_none(), "{seen:?}");
    assert!(seen.get("x-real-ip").is_none(), "{seen:?}");
    assert!(
        !format!("{seen:?}").contains("6.6.6.6"),
        "a spoofed address got through: {seen:?}"
    );
}

#[tokio::test]
async fn a_trusted_proxys_chain_is_kept_and_extended_with_the_peer() {
    // Loopback is trusted by default: Caddy on the same host.
    let gateway = spawn(&[]).await;
    let seen = gateway
        .seen_by_web(&[
            ("x-forwarded-for", "198.51.100.2"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=6.6.6.6"),
        ])
        .await;
    assert_eq!(seen["x-forwarded-for"], "198.51.100.2, 127.0.0.1");
    assert_eq!(seen["x-forwarded-proto"], "https");
    assert!(seen.get("forwarded").is_none());
}

#[tokio::test]
async fn an_inbound_request_id_is_kept_only_when_well_formed() {
    let gateway = spawn(&[]).await;
    let seen = gateway.seen_by_web(&[("x-request-id", "req-42.a_b")]).await;
    assert_eq!(seen["x-request-id"], "req-42.a_b");
    let long = "a".repeat(200);
    for bad in [long.as_str(), "id with spaces", "a\"b", "<script>"] {
        let seen = gateway.seen_by_web(&[("x-request-id", bad)]).await;
        let id = seen["x-request-id"].to_str().unwrap();
        assert_ne!(id, bad);
        assert!(platform::http::is_well_formed(id), "{id}");
    }
}
