//! One trace across every hop, through the whole fleet: the tip page and a
//! done, each through the gateway, leave JSON log lines in gateway, web,
//! recommender and integrations that carry one trace id; the stored
//! `tip.done` and `task.completed` events carry it too; and with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set a local OTLP receiver gets the spans
//! of a request, each hop the child of the one that called it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{FleetProcess, Session};
use platform::testing::TestServer;
use serde_json::{Value, json};

/// The services whose request spans wrote a line carrying `trace_id`.
fn services_with_trace(fleet: &FleetProcess, trace_id: &str) -> BTreeSet<String> {
    fleet
        .json_logs()
        .iter()
        .filter(|l| l["trace_id"] == trace_id)
        .filter_map(|l| l["span"]["service"].as_str().map(str::to_owned))
        .collect()
}

async fn wait_for_services(
    fleet: &FleetProcess,
    trace_id: &str,
    want: &[&str],
) -> BTreeSet<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = services_with_trace(fleet, trace_id);
        if want.iter().all(|s| seen.contains(*s)) || Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The trace id of the gateway's line for the request `request_id` (the
/// fleet's output is read by a thread: give it a moment).
async fn gateway_trace_of(fleet: &FleetProcess, request_id: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = fleet
            .json_logs()
            .iter()
            .find(|l| l["span"]["service"] == "gateway" && l["span"]["request_id"] == request_id)
            .and_then(|l| l["trace_id"].as_str().map(str::to_owned));
        match found {
            Some(trace) => return trace,
            None if Instant::now() > deadline => {
                panic!("no gateway line with a trace id for request {request_id}")
            }
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn is_trace_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && id != "0".repeat(32)
}

async fn recommender_events(fleet: &FleetProcess) -> Vec<(String, Option<String>)> {
    let url = format!("sqlite://{}/recommender.db", fleet.data_dir().display());
    let pool = platform::db::connect(&url, &platform::db::DbOptions::new("recommender"))
        .await
        .unwrap();
    sqlx::query_as("SELECT kind, trace_id FROM events ORDER BY kind")
        .fetch_all(&pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tip_page_and_a_done_through_the_gateway_carry_one_trace_id_through_every_service_and_event()
 {
    let fleet = FleetProcess::start(&[]).await;
    let session = Session::connected(&fleet, "tracer@example.test").await;

    // The tip page: web renders it from the gateway's API, which asks the
    // recommender, which asks integrations. The caller's trace is continued.
    let page_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let page = session
        .get("/")
        .header(
            "traceparent",
            format!("00-{page_trace}-00f067aa0ba902b7-01"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let services = wait_for_services(
        &fleet,
        page_trace,
        &["gateway", "web", "recommender", "integrations"],
    )
    .await;
    for service in ["gateway", "web", "recommender", "integrations"] {
        assert!(
            services.contains(service),
            "no {service} line with the page's trace id; saw {services:?}"
        );
    }
    eprintln!("the page's trace {page_trace} has lines from {services:?}");
    // Every line of the request carries the span it was written in.
    for line in fleet
        .json_logs()
        .iter()
        .filter(|l| l["trace_id"] == page_trace)
    {
        let span = line["span_id"].as_str().unwrap_or_default();
        assert!(span.len() == 16 && span != "0000000000000000", "{line}");
    }

    // An invalid traceparent is not continued: the gateway starts a trace.
    let bad = reqwest::Client::new()
        .get(format!("{}/ready", fleet.gateway))
        .header(
            "traceparent",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        )
        .send()
        .await
        .unwrap();
    let bad_id = bad.headers()["x-request-id"].to_str().unwrap().to_owned();
    let started = gateway_trace_of(&fleet, &bad_id).await;
    assert!(is_trace_id(&started), "{started}");

    // A done with no traceparent: the gateway starts the trace, and every
    // hop and both events carry it.
    let rec: Value = session
        .post("/api/recommend")
        .json(&json!({"user_id": session.id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let decision = rec["decision_id"].as_str().unwrap().to_owned();
    let done = session
        .post(&format!("/api/tips/{decision}/done"))
        .header("idempotency-key", "trace-done-1")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let request_id = done.headers()["x-request-id"].to_str().unwrap().to_owned();
    let trace = gateway_trace_of(&fleet, &request_id).await;
    assert!(is_trace_id(&trace) && trace != page_trace, "{trace}");
    let services =
        wait_for_services(&fleet, &trace, &["gateway", "recommender", "integrations"]).await;
    for service in ["gateway", "recommender", "integrations"] {
        assert!(
            services.contains(service),
            "no {service} line for the done's trace; saw {services:?}"
        );
    }

    let deadline = Instant::now() + Duration::from_secs(10);
    let events = loop {
        let events = recommender_events(&fleet).await;
        let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
        if (kinds.contains(&"tip.done") && kinds.contains(&"task.completed"))
            || Instant::now() > deadline
        {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!("the done's trace {trace} has lines from {services:?}; events {events:?}");
    for kind in ["tip.done", "task.completed"] {
        let traces: Vec<_> = events
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, t)| t.clone())
            .collect();
        assert_eq!(traces, [Some(trace.clone())], "{kind}: {events:?}");
    }
}

/// One span as the receiver decoded it.
#[derive(Debug, Clone)]
struct Span {
    trace_id: String,
    span_id: String,
    parent: String,
    name: String,
    service: Option<String>,
}

/// A local OTLP/HTTP receiver: decodes every protobuf export it is sent.
/// The receiver lives as long as the returned server.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Span>>>, TestServer) {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    use prost::Message as _;
    let spans = Arc::new(Mutex::new(Vec::new()));
    let kept = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
                let mut kept = kept.lock().unwrap();
                for s in request
                    .resource_spans
                    .iter()
                    .flat_map(|r| &r.scope_spans)
                    .flat_map(|s| &s.spans)
                {
                    let service = s
                        .attributes
                        .iter()
                        .find(|a| a.key == "service")
                        .and_then(|a| match a.value.as_ref()?.value.as_ref()? {
                            Any::StringValue(v) => Some(v.clone()),
                            _ => None,
                        });
                    kept.push(Span {
                        trace_id: hex(&s.trace_id),
                        span_id: hex(&s.span_id),
                        parent: hex(&s.parent_span_id),
                        name: s.name.clone(),
                        service,
                    });
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let server = TestServer::router(app).await;
    (server.url().to_owned(), spans, server)
}

#[tokio::test]
async fn an_otlp_receiver_gets_the_spans_of_a_request_each_hop_the_child_of_its_caller() {
    let (endpoint, spans, _receiver) = otlp_receiver().await;
    let fleet = FleetProcess::start(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_BSP_SCHEDULE_DELAY", "200".into()),
    ])
    .await;
    let session = Session::connected(&fleet, "otlp@example.test").await;
    let trace = "0af7651916cd43dd8448eb211c80319c";
    let caller = "b7ad6b7169203331";
    let answer = session
        .post("/api/recommend")
        .header("traceparent", format!("00-{trace}-{caller}-01"))
        .json(&json!({"user_id": session.id}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    let request_span = |spans: &[Span], service: &str| {
        spans
            .iter()
            .find(|s| s.name == "request" && s.service.as_deref() == Some(service))
            .cloned()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let ours = loop {
        let ours: Vec<Span> = spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.trace_id == trace)
            .cloned()
            .collect();
        let complete = ["gateway", "recommender", "integrations"]
            .iter()
            .all(|s| request_span(&ours, s).is_some());
        if complete || Instant::now() > deadline {
            break ours;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let by_id: BTreeMap<&str, &Span> = ours.iter().map(|s| (s.span_id.as_str(), s)).collect();
    let gateway =
        request_span(&ours, "gateway").unwrap_or_else(|| panic!("no gateway span: {ours:#?}"));
    let recommender = request_span(&ours, "recommender")
        .unwrap_or_else(|| panic!("no recommender span: {ours:#?}"));
    let integrations = request_span(&ours, "integrations")
        .unwrap_or_else(|| panic!("no integrations span: {ours:#?}"));
    eprintln!(
        "OTLP: {} spans in trace {trace}: {:?}",
        ours.len(),
        ours.iter()
            .map(|s| format!("{}/{}", s.service.as_deref().unwrap_or("-"), s.name))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        gateway.parent, caller,
        "the gateway continues the caller's trace"
    );
    // Every other span's parent was exported in the same trace.
    for s in &ours {
        if s.span_id != gateway.span_id {
            assert!(
                by_id.contains_key(s.parent.as_str()),
                "orphan {s:?} in {ours:#?}"
            );
        }
    }
    let descends = |span: &Span, ancestor: &Span| {
        let mut at = span.parent.as_str();
        while let Some(parent) = by_id.get(at) {
            if parent.span_id == ancestor.span_id {
                return true;
            }
            at = parent.parent.as_str();
        }
        false
    };
    assert!(
        descends(&recommender, &gateway),
        "recommender under gateway: {ours:#?}"
    );
    assert!(
        descends(&integrations, &recommender),
        "integrations under recommender: {ours:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_still_queued_at_sigterm_are_exported_before_the_fleet_exits() {
    let (endpoint, spans, _receiver) = otlp_receiver().await;
    // The exporter's default batch delay (5 s) is longer than the wait
    // below: only the flush at shutdown can send the span in time.
    let mut fleet = FleetProcess::start(&[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)]).await;
    let trace = "5b8aa5a2d2c872e8321cf37308d69df2";
    let answer = reqwest::Client::new()
        .get(format!("{}/ready", fleet.gateway))
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success() || answer.status() == 503);
    let started = Instant::now();
    let status = fleet.terminate();
    eprintln!(
        "the fleet exited ({status}) {:?} after SIGTERM",
        started.elapsed()
    );
    let exported = spans
        .lock()
        .unwrap()
        .iter()
        .any(|s| s.trace_id == trace && s.service.as_deref() == Some("gateway"));
    assert!(exported, "the gateway's span was not flushed at shutdown");
}
