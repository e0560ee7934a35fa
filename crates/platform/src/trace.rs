//! One trace across every hop: W3C trace context (`traceparent`,
//! `tracestate`).
//!
//! Every tracing span gets an OpenTelemetry span id from the layer
//! [`crate::telemetry`] installs; [`crate::http`] makes each request span the
//! child of the `traceparent` it was sent (a valid one; otherwise it starts a
//! trace), and every outbound call carries the current span as its
//! `traceparent` ([`headers`], [`inject`]). The request id is a separate
//! thing and stays as it is.

use http::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The header that carries the trace and the caller's span.
pub const TRACEPARENT: &str = "traceparent";
/// Vendor data that travels with the trace.
pub const TRACESTATE: &str = "tracestate";

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// The remote parent `headers` name, when their `traceparent` is valid
/// (an invalid or absent one gives an empty context: a new trace starts).
pub fn extract(headers: &HeaderMap) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// Makes `span` the child of the trace `headers` carry, if any. Called
/// before the span is first entered.
pub fn continue_from(span: &tracing::Span, headers: &HeaderMap) {
    let cx = extract(headers);
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
}

/// The current span's trace context, if the telemetry layer gave it one.
pub fn current_span_context() -> Option<SpanContext> {
    let cx = tracing::Span::current().context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then_some(sc)
}

/// The current trace id, 32 lower-case hex digits.
pub fn current_trace_id() -> Option<String> {
    current_span_context().map(|sc| sc.trace_id().to_string())
}

/// The `trace_id` an event records: the current trace's; outside any trace
/// (a process without the telemetry layer, as in most tests) the id the
/// caller had, `fallback` (its request id).
pub fn event_trace_id(fallback: Option<&str>) -> Option<String> {
    current_trace_id().or_else(|| fallback.map(str::to_owned))
}

/// The current trace and span ids, as log lines carry them.
pub fn current_ids() -> Option<(String, String)> {
    current_span_context().map(|sc| (sc.trace_id().to_string(), sc.span_id().to_string()))
}

/// Sets `traceparent` (and `tracestate` when there is one) on `headers` for
/// the current span, replacing whatever a caller sent; without a current
/// trace both headers are removed, so nothing foreign is passed on.
pub fn inject(headers: &mut HeaderMap) {
    headers.remove(TRACEPARENT);
    headers.remove(TRACESTATE);
    if let Some(sc) = current_span_context() {
        inject_context(headers, sc);
    }
}

fn inject_context(headers: &mut HeaderMap, sc: SpanContext) {
    let cx = opentelemetry::Context::new().with_remote_span_context(sc);
    TraceContextPropagator::new().inject_context(&cx, &mut HeaderInjector(headers));
}

/// The trace headers of the current span, for a reqwest call:
/// `client.get(url).headers(platform::trace::headers())`.
pub fn headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    inject(&mut headers);
    headers
}

/// The trace headers of the current span, or else of `trace_id` (an event
/// sent outside any request keeps the trace it was recorded in).
pub fn headers_or(trace_id: Option<&str>) -> HeaderMap {
    let mut headers = headers();
    if headers.contains_key(TRACEPARENT) {
        return headers;
    }
    if let Some(trace_id) = trace_id
        .filter(|t| t.len() == 32)
        .and_then(|t| TraceId::from_hex(t).ok())
        .filter(|t| *t != TraceId::INVALID)
    {
        let span_id = RandomIdGenerator::default().new_span_id();
        let sc = SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        inject_context(&mut headers, sc);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_traceparent(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(TRACEPARENT, value.parse().unwrap());
        h
    }

    #[test]
    fn a_valid_traceparent_is_continued() {
        let cx = extract(&with_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        let sc = cx.span().span_context().clone();
        assert!(sc.is_valid());
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(sc.span_id().to_string(), "00f067aa0ba902b7");
    }

    #[test]
    fn an_invalid_traceparent_starts_a_new_trace() {
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "garbage\u{7f}",
        ] {
            let Ok(value) = http::HeaderValue::from_str(bad) else {
                continue;
            };
            let mut h = HeaderMap::new();
            h.insert(TRACEPARENT, value);
            assert!(!extract(&h).span().span_context().is_valid(), "{bad}");
        }
    }

    #[test]
    fn a_continued_trace_is_sent_on_with_its_tracestate_from_this_hop_s_span() {
        use opentelemetry::trace::TracerProvider as _;
        use tracing_subscriber::prelude::*;
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let mut inbound =
                with_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            inbound.insert(TRACESTATE, "vendor=abc".parse().unwrap());
            let span = tracing::info_span!("request");
            continue_from(&span, &inbound);
            let _entered = span.enter();
            assert_eq!(
                current_trace_id().as_deref(),
                Some("4bf92f3577b34da6a3ce929d0e0e4736")
            );
            let (_, span_id) = current_ids().unwrap();
            let out = headers();
            assert_eq!(
                out[TRACEPARENT].to_str().unwrap(),
                format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{span_id}-01")
            );
            assert_ne!(
                span_id, "00f067aa0ba902b7",
                "this hop has a span of its own"
            );
            assert_eq!(out[TRACESTATE], "vendor=abc");
        });
    }

    #[test]
    fn outside_any_trace_foreign_headers_are_dropped_and_an_event_trace_is_used() {
        let mut h = with_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        h.insert(TRACESTATE, "evil=1".parse().unwrap());
        inject(&mut h);
        assert!(h.get(TRACEPARENT).is_none() && h.get(TRACESTATE).is_none());
        let h = headers_or(Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        let tp = h.get(TRACEPARENT).unwrap().to_str().unwrap();
        assert!(
            tp.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{tp}"
        );
        assert!(headers_or(Some("req-1")).is_empty());
    }
}
