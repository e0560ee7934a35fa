//! Errors to Sentry, when `SENTRY_DSN` is set (off otherwise): panics, 5xx
//! answers (once each) and every `ERROR` event, each
//! with the service, release, environment, trace id and user id.
//!
//! Nothing secret leaves: [`scrub`] runs on every event before it is sent
//! and removes cookies, `Authorization` and other credential headers, query
//! strings, request bodies, emails and anything that looks like a token or a
//! code, wherever it sits (message, exception, extra data, breadcrumbs).

use std::sync::{Arc, OnceLock};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use secrecy::ExposeSecret;
use sentry::protocol::{Breadcrumb, Context, Event, TraceContext, Value};

use crate::config::CommonSettings;

static CLIENT: OnceLock<sentry::ClientInitGuard> = OnceLock::new();

/// Starts reporting when `SENTRY_DSN` is set; `true` when reporting is on.
/// Once per process: later calls keep the first client.
pub fn init(settings: &CommonSettings) -> bool {
    let Some(dsn) = settings.sentry_dsn.as_ref() else {
        return enabled();
    };
    let Ok(dsn) = dsn.expose_secret().parse::<sentry::types::Dsn>() else {
        return enabled();
    };
    let environment = settings.sentry_environment.clone();
    CLIENT.get_or_init(|| {
        sentry::init(sentry::ClientOptions {
            dsn: Some(dsn),
            release: Some(format!("onetip@{}", crate::VERSION).into()),
            environment: Some(environment.into()),
            send_default_pii: false,
            max_breadcrumbs: 30,
            before_send: Some(Arc::new(|event| Some(scrub(event)))),
            before_breadcrumb: Some(Arc::new(|crumb| Some(scrub_breadcrumb(crumb)))),
            ..Default::default()
        })
    });
    // What this process runs (`onetip-gateway` → `gateway`; the one-process
    // fleet is `onetip`), for reports made outside any request; a request's
    // own tag names its service.
    let process = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "onetip".to_owned());
    let service = process
        .strip_prefix("onetip-")
        .unwrap_or(&process)
        .to_owned();
    sentry::Hub::main().configure_scope(|scope| scope.set_tag("service", service));
    enabled()
}

/// Whether a Sentry client is running in this process.
pub fn enabled() -> bool {
    CLIENT.get().is_some_and(|guard| guard.is_enabled())
}

/// Sends what is queued, waiting at most two seconds (at shutdown).
pub fn flush() {
    if let Some(client) = sentry::Hub::main().client() {
        client.flush(Some(std::time::Duration::from_secs(2)));
    }
}

/// The tracing layer that turns `ERROR` events into Sentry events and
/// `WARN` events into breadcrumbs (nothing below: info lines stay local).
pub fn tracing_layer<S>() -> sentry::integrations::tracing::SentryLayer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use sentry::integrations::tracing::EventFilter;
    sentry::integrations::tracing::layer().event_filter(|meta| match *meta.level() {
        // tower-http's "response failed" would report a 5xx a second time:
        // [`tag_request`] reports each 5xx once.
        tracing::Level::ERROR if meta.target() == "tower_http::trace::on_failure" => {
            EventFilter::Breadcrumb
        }
        tracing::Level::ERROR => EventFilter::Event,
        tracing::Level::WARN => EventFilter::Breadcrumb,
        _ => EventFilter::Ignore,
    })
}

/// Inside the request span (and the request's own hub, which
/// `sentry-tower` gives each request): tags what this request reports with
/// the service, the trace, the request id and the user.
pub(crate) async fn tag_request(service: &'static str, req: Request, next: Next) -> Response {
    let request_id = crate::http::request_id(&req).map(str::to_owned);
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let user = user_id(req.headers());
    let method = req.method().clone();
    // Where a router has no route of its own (the gateway's proxy), the
    // path without its query names what failed.
    let route = path.clone().unwrap_or_else(|| redact(req.uri().path()));
    let trace = crate::trace::current_span_context();
    sentry::configure_scope(|scope| {
        scope.set_tag("service", service);
        if let Some(path) = path {
            scope.set_tag("route", path);
        }
        if let Some(id) = request_id {
            scope.set_tag("request_id", id);
        }
        if let Some(sc) = trace {
            scope.set_tag("trace_id", sc.trace_id());
            scope.set_context(
                "trace",
                Context::Trace(Box::new(TraceContext {
                    trace_id: sc.trace_id().to_bytes().into(),
                    span_id: sc.span_id().to_bytes().into(),
                    op: Some("http.server".into()),
                    ..Default::default()
                })),
            );
        }
        scope.set_user(user.map(|id| sentry::User {
            id: Some(id),
            ..Default::default()
        }));
    });
    let before = sentry::Hub::current().last_event_id();
    let response = next.run(req).await;
    // A 5xx is reported once: by the ERROR line that explains it when the
    // handler wrote one, else by this message.
    let status = response.status();
    if status.is_server_error() && sentry::Hub::current().last_event_id() == before {
        sentry::capture_message(
            &format!("{method} {route} answered {}", status.as_u16()),
            sentry::Level::Error,
        );
    }
    response
}

/// The `sub` of the access token the request carries (Bearer header or the
/// gateway's access cookie). Read without verifying it: it only labels a
/// report; the route itself verifies the token before trusting it.
fn user_id(headers: &http::HeaderMap) -> Option<String> {
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let cookie = || {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| name.ends_with("onetip_at"))
            .map(|(_, value)| value.to_owned())
    };
    let token = bearer.or_else(cookie)?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let sub = claims.get("sub")?.as_str()?;
    let plain = !sub.is_empty()
        && sub.len() <= 64
        && sub
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    plain.then(|| sub.to_owned())
}

const REDACTED: &str = "[redacted]";

/// Names (of headers, fields, query parameters, data keys) whose value is
/// a secret or personal, whatever it looks like.
fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "password",
        "passwd",
        "code",
        "email",
        "mail",
        "body",
        "nonce",
        "verifier",
        "state",
        "session",
        "csrf",
        "api_key",
        "apikey",
        "dsn",
        "credential",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// Tags we set ourselves and know to be plain.
fn is_own_tag(name: &str) -> bool {
    matches!(name, "service" | "route" | "request_id" | "trace_id")
}

/// Removes from `event` everything that could be a credential or personal
/// data; what is left is the shape of the failure.
pub fn scrub(mut event: Event<'static>) -> Event<'static> {
    if let Some(request) = event.request.as_mut() {
        request.cookies = None;
        request.data = None;
        request.query_string = None;
        request.env.clear();
        if let Some(url) = request.url.as_mut() {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        request.headers.retain(|name, _| {
            !is_sensitive_name(name)
                && !name.eq_ignore_ascii_case("proxy-authorization")
                && !name.to_ascii_lowercase().starts_with("x-forwarded")
        });
        // What is left (a `Referer` with a code in its query, say) is
        // redacted like any other text.
        for (name, value) in request.headers.iter_mut() {
            if !name.eq_ignore_ascii_case(crate::trace::TRACEPARENT) {
                *value = redact(value);
            }
        }
    }
    if let Some(user) = event.user.as_mut() {
        user.email = None;
        user.ip_address = None;
        user.username = None;
        user.other.clear();
    }
    event.server_name = None;
    if let Some(message) = event.message.as_mut() {
        *message = redact(message);
    }
    if let Some(entry) = event.logentry.as_mut() {
        entry.message = redact(&entry.message);
        entry.params.iter_mut().for_each(scrub_value);
    }
    for exception in event.exception.values.iter_mut() {
        if let Some(value) = exception.value.as_mut() {
            *value = redact(value);
        }
    }
    scrub_map(event.extra.iter_mut());
    for (name, value) in event.tags.iter_mut() {
        if !is_own_tag(name) {
            *value = if is_sensitive_name(name) {
                REDACTED.to_owned()
            } else {
                redact(value)
            };
        }
    }
    for context in event.contexts.values_mut() {
        if let Context::Other(map) = context {
            scrub_map(map.iter_mut());
        }
    }
    let crumbs = std::mem::take(&mut event.breadcrumbs.values);
    event.breadcrumbs.values = crumbs.into_iter().map(scrub_breadcrumb).collect();
    event
}

/// The same for a breadcrumb.
pub fn scrub_breadcrumb(mut crumb: Breadcrumb) -> Breadcrumb {
    if let Some(message) = crumb.message.as_mut() {
        *message = redact(message);
    }
    scrub_map(crumb.data.iter_mut());
    crumb
}

fn scrub_map<'a>(map: impl IntoIterator<Item = (&'a String, &'a mut Value)>) {
    for (name, value) in map {
        if is_sensitive_name(name) {
            *value = Value::String(REDACTED.to_owned());
        } else {
            scrub_value(value);
        }
    }
}

fn scrub_value(value: &mut Value) {
    match value {
        Value::String(s) => *s = redact(s),
        Value::Array(items) => items.iter_mut().for_each(scrub_value),
        Value::Object(map) => scrub_map(map.iter_mut()),
        _ => {}
    }
}

/// `text` with emails, bearer tokens, JWTs, long opaque strings and the
/// values of sensitive `name=value` pairs replaced.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_bearer = false;
    for word in text.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end();
        let tail = &word[trimmed.len()..];
        if trimmed.is_empty() {
            out.push_str(word);
            continue;
        }
        // A number after `code:` is a status code, not a secret.
        if after_bearer && !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(REDACTED);
        } else {
            out.push_str(&redact_word(trimmed));
        }
        out.push_str(tail);
        // `Bearer <token>`, `password: <secret>`: the next word is the secret.
        let key = trimmed.trim_end_matches([':', '=']);
        after_bearer = key.eq_ignore_ascii_case("bearer")
            || key.eq_ignore_ascii_case("basic")
            || (key.len() < trimmed.len() && is_sensitive_name(key.trim_matches('"')));
    }
    out
}

fn redact_word(word: &str) -> String {
    let core = word.trim_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | ',' | ';' | '(' | ')' | '<' | '>' | '[' | ']'
        )
    });
    if looks_like_email(core) || looks_like_token(core) {
        return word.replace(core, REDACTED);
    }
    // `…?code=abc&state=x`, `token=abc`, `"password":"x"`-like pairs: each
    // piece between `?`, `&`, `,`, `;`, `{` and `}` is looked at alone.
    if core.contains('=') || core.contains(':') {
        let mut changed = String::with_capacity(word.len());
        let mut piece = String::new();
        for c in word.chars() {
            if matches!(c, '?' | '&' | ',' | ';' | '{' | '}') {
                changed.push_str(&redact_pair(&piece));
                changed.push(c);
                piece.clear();
            } else {
                piece.push(c);
            }
        }
        changed.push_str(&redact_pair(&piece));
        return changed;
    }
    word.to_owned()
}

/// `key=value` or `key:value` with the value replaced when the key names
/// a secret.
fn redact_pair(piece: &str) -> String {
    match piece.find(['=', ':']) {
        Some(i) => {
            let (key, value) = piece.split_at(i);
            let key_name = key.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
            if is_sensitive_name(key_name) && !value[1..].trim_matches('"').is_empty() {
                format!("{key}{}{REDACTED}", &value[..1])
            } else {
                piece.to_owned()
            }
        }
        None => piece.to_owned(),
    }
}

fn looks_like_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }
        None => false,
    }
}

/// A JWT (three base64url segments) or a long opaque secret (40 or more
/// letters and digits, like Todoist's tokens). Trace ids (32 hex digits) and
/// UUIDs (with dashes, 36) stay readable.
fn looks_like_token(word: &str) -> bool {
    let b64 = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
    };
    let segments: Vec<&str> = word.split('.').collect();
    if segments.len() == 3 && segments.iter().all(|s| b64(s)) && word.len() >= 24 {
        return true;
    }
    word.len() >= 40 && b64(word)
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
