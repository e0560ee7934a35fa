//! Errors to Sentry, against a local stand-in for Sentry's ingest: a
//! forced 5xx and a forced panic each arrive as an envelope carrying the
//! request's trace id, the service, the release, the environment and the
//! user id, and none carries a secret the request had.
//!
//! Its own test binary: Sentry's client and the tracing subscriber are
//! once per process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use base64::Engine as _;
use platform::{CommonSettings, Env};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const USER_ID: &str = "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00";

/// A local stand-in for Sentry: keeps the body of every envelope posted.
async fn ingest() -> (String, Arc<Mutex<Vec<String>>>) {
    let envelopes = Arc::new(Mutex::new(Vec::new()));
    let kept = envelopes.clone();
    let app = Router::new().route(
        "/api/{project}/envelope/",
        post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                kept.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://public-key@{addr}/42"), envelopes)
}

/// An access token as the gateway forwards it (unsigned: only its `sub`
/// matters to the report; the route itself would verify it).
fn access_token() -> String {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"EdDSA","typ":"at+jwt"}"#),
        b64(&format!(r#"{{"sub":"{USER_ID}","sid":"sess-1"}}"#)),
        b64("signature-bytes-signature-bytes")
    )
}

async fn fail() -> (http::StatusCode, &'static str) {
    tracing::info!("about to fail for person@example.com");
    (http::StatusCode::INTERNAL_SERVER_ERROR, "{}")
}

async fn fail_logged() -> (http::StatusCode, &'static str) {
    tracing::error!(
        error = "storing failed: access_token=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "internal error"
    );
    (http::StatusCode::INTERNAL_SERVER_ERROR, "{}")
}

async fn boom() -> &'static str {
    panic!(
        "forced panic for person@example.com with token zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    );
}

async fn wait_for(
    envelopes: &Mutex<Vec<String>>,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> String {
    for _ in 0..100 {
        if let Some(e) = envelopes
            .lock()
            .unwrap()
            .iter()
            .find(|e| pred(&event_of(e)))
        {
            return e.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no envelope for {what}; got {:#?}",
        envelopes.lock().unwrap()
    );
}

/// The envelope's items: a header line, then per item its header and payload.
fn event_of(envelope: &str) -> serde_json::Value {
    let mut lines = envelope.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert!(header.get("event_id").is_some(), "{header}");
    while let Some(item) = lines.next() {
        let item: serde_json::Value = serde_json::from_str(item).unwrap();
        let payload = lines.next().unwrap();
        if item["type"] == "event" {
            return serde_json::from_str(payload).unwrap();
        }
    }
    panic!("no event item in {envelope}");
}

const SECRETS: [&str; 7] = [
    "rt-cookie-secret",
    "oauth-code-secret",
    "person@example.com",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "internal-token-secret",
    "signature-bytes",
    "sess-1",
];

fn assert_reported(envelope: &str, what: &str) {
    for secret in SECRETS {
        assert!(
            !envelope.contains(secret),
            "{what}: {secret} sent in {envelope}"
        );
    }
    let event = event_of(envelope);
    assert_eq!(event["tags"]["trace_id"], TRACE_ID, "{what}: {event:#}");
    assert_eq!(event["contexts"]["trace"]["trace_id"], TRACE_ID, "{what}");
    assert_eq!(event["tags"]["service"], "sentry-test", "{what}");
    assert_eq!(event["user"]["id"], USER_ID, "{what}");
    assert_eq!(event["environment"], "production", "{what}");
    assert_eq!(
        event["release"],
        format!("onetip@{}", platform::VERSION),
        "{what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_5xx_and_a_forced_panic_reach_sentry_with_the_trace_id_and_no_secret() {
    let (dsn, envelopes) = ingest().await;
    let env = Env::from_pairs([
        ("SENTRY_DSN", dsn.as_str()),
        ("APP_ENV", "production"),
        ("LOG_FORMAT", "json"),
        ("PUBLIC_URL", "https://onetip.example"),
    ]);
    let common = CommonSettings::from_env(&env).unwrap();
    platform::telemetry::init(&common);
    assert!(platform::errors::enabled());

    let app = platform::http::service_router(
        "sentry-test",
        Router::new()
            .route("/fail", get(fail))
            .route("/fail-logged", get(fail_logged))
            .route("/boom", get(boom)),
        utoipa::openapi::OpenApiBuilder::new().build(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = reqwest::Client::new();
    let call = |path: &str| {
        client
            .get(format!(
                "{base}{path}?code=oauth-code-secret&email=person@example.com"
            ))
            .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
            .header("authorization", format!("Bearer {}", access_token()))
            .header("cookie", "onetip_rt=rt-cookie-secret")
            .header("x-internal-token", "internal-token-secret")
            .send()
    };

    let answer = call("/fail").await.unwrap();
    assert_eq!(answer.status(), 500);
    let five_xx = wait_for(&envelopes, "the 5xx", |e| e["tags"]["route"] == "/fail").await;
    eprintln!("the 5xx as Sentry got it: {:#}", event_of(&five_xx));
    assert_reported(&five_xx, "the 5xx");

    let answer = call("/fail-logged").await.unwrap();
    assert_eq!(answer.status(), 500);
    let logged = wait_for(&envelopes, "the logged 5xx", |e| {
        e["tags"]["route"] == "/fail-logged"
    })
    .await;
    assert_reported(&logged, "the logged 5xx");
    assert_eq!(event_of(&logged)["message"], "internal error");
    // Each 5xx is one report: its ERROR line, or else the answer itself.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for route in ["/fail", "/fail-logged"] {
        let n = envelopes
            .lock()
            .unwrap()
            .iter()
            .filter(|e| event_of(e)["tags"]["route"] == route)
            .count();
        assert_eq!(n, 1, "reports for {route}");
    }

    assert!(call("/boom").await.is_err(), "a panic drops the connection");
    let panic = wait_for(&envelopes, "the panic", |e| {
        e["exception"]["values"][0]["mechanism"]["type"] == "panic"
    })
    .await;
    assert_reported(&panic, "the panic");
    let event = event_of(&panic);
    assert_eq!(event["tags"]["route"], "/boom");
    assert_eq!(
        event["exception"]["values"][0]["mechanism"]["type"], "panic",
        "{event:#}"
    );
}
