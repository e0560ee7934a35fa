//! The HTTP event sink carries the trace of the event it sends, even when
//! a relay sends it later, outside the request that recorded it.

use platform::events::{EventSink, HttpSink};
use secrecy::SecretString;
use wiremock::matchers::{header_regex, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn an_event_sent_outside_any_request_carries_its_own_trace_as_traceparent() {
    let server = MockServer::start().await;
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    Mock::given(method("POST"))
        .and(path("/internal/events"))
        .and(header_regex(
            "traceparent",
            &format!("^00-{trace}-[0-9a-f]{{16}}-01$"),
        ))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let sink = HttpSink::new(&server.uri(), SecretString::from("token"));
    let event: shared_types::events::NormalizedEvent = serde_json::from_value(serde_json::json!({
        "id": "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00",
        "user_id": "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f01",
        "source": "todoist",
        "kind": "task.completed",
        "subject_id": "task-1",
        "occurred_at": "2026-12-01T12:00:00Z",
        "trace_id": trace,
        "payload": {}
    }))
    .unwrap();
    sink.emit(event).await.unwrap();
}
