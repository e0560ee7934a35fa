//! Logs, traces and error reports: set up once per process, pretty logs in
//! development, JSON for machines.
//!
//! Every request runs inside a span (see [`crate::http`]) that carries the
//! service, method, matched path and request id, so each line a handler
//! writes can be tied back to the request that caused it. Every span is
//! also an OpenTelemetry span ([`crate::trace`]): JSON lines carry its
//! `trace_id` and `span_id`, and with `OTEL_EXPORTER_OTLP_ENDPOINT` set the
//! spans are exported over OTLP/HTTP (protobuf). With `SENTRY_DSN` set,
//! `ERROR` events and panics go to Sentry ([`crate::errors`]).

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{CommonSettings, LogFormat};

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber (and Sentry, when configured). A second
/// call (tests, the launcher) is a harmless no-op.
pub fn init(settings: &CommonSettings) {
    let sentry = crate::errors::init(settings);
    install(
        &settings.log_filter,
        settings.log_format,
        settings.otlp_endpoint.as_deref(),
        sentry,
    );
}

/// Installs the global subscriber with an explicit filter and format.
pub fn init_with(filter: &str, format: LogFormat) {
    install(filter, format, None, false);
}

/// Sends the spans and reports still queued (at shutdown; blocks for at
/// most a few seconds, on a thread of its own so that no runtime worker
/// waits on the exporter).
pub fn flush() {
    let flushing = std::thread::spawn(|| {
        if let Some(provider) = PROVIDER.get() {
            let _ = provider.force_flush();
        }
        crate::errors::flush();
    });
    let _ = flushing.join();
}

fn install(filter: &str, format: LogFormat, otlp: Option<&str>, sentry: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let provider = tracer_provider(otlp);
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("onetip"))
        .with_threads(false);
    let sentry = sentry.then(crate::errors::tracing_layer);
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(otel)
        .with(sentry);
    let installed = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer().json().event_format(WithTraceIds(
                    fmt::format()
                        .json()
                        .with_current_span(true)
                        .with_span_list(false),
                )),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
    if installed.is_ok() {
        let _ = PROVIDER.set(provider);
    }
}

fn tracer_provider(otlp: Option<&str>) -> SdkTracerProvider {
    let builder = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name("onetip").build());
    let Some(endpoint) = otlp else {
        return builder.build();
    };
    use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(OtlpHttp::default())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{endpoint}/v1/traces"))
        .with_timeout(Duration::from_secs(10))
        .build();
    match exporter {
        Ok(exporter) => builder.with_batch_exporter(exporter).build(),
        Err(e) => {
            eprintln!("OTLP exporter not started, spans stay local: {e}");
            builder.build()
        }
    }
}

/// The JSON line of the inner format with the current span's `trace_id`
/// and `span_id` first.
struct WithTraceIds<F>(F);

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    F: FormatEvent<S, N>,
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match (crate::trace::current_ids(), line.strip_prefix('{')) {
            (Some((trace_id, span_id)), Some(rest)) => {
                let sep = if rest.starts_with('}') { "" } else { "," };
                write!(
                    writer,
                    "{{\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"{sep}{rest}"
                )
            }
            _ => writer.write_str(&line),
        }
    }
}

/// The OTLP exporter's HTTP client: reqwest 0.12 (rustls on ring, like
/// every other call) in its blocking form, on the exporter's own thread.
#[derive(Debug, Default)]
struct OtlpHttp {
    client: OnceLock<reqwest::blocking::Client>,
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for OtlpHttp {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let client = self.client.get_or_init(|| {
            reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a rustls client with static settings builds")
        });
        let (parts, body) = request.into_parts();
        let answer = client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body.to_vec())
            .send()?;
        let status = answer.status();
        let headers = answer.headers().clone();
        let mut response = http::Response::new(answer.bytes()?);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}
