//! The layers every service puts around its router: a request id on every
//! request (kept when a trusted hop set it, made otherwise), echoed on the
//! answer, and a tracing span per request, the child of the inbound W3C
//! `traceparent` when there is a valid one ([`crate::trace`]); with Sentry
//! on, a hub per request ([`crate::errors`]).

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use http::HeaderName;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The header that carries the request id across every hop.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A service's finished router: its routes, `/openapi.json` with its
/// document, and the shared layers around both.
pub fn service_router(
    service: &'static str,
    router: Router,
    doc: utoipa::openapi::OpenApi,
) -> Router {
    let doc = std::sync::Arc::new(doc);
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .method_not_allowed_fallback(method_not_allowed);
    layers(router, service)
}

/// 405 as a JSON error, like every other refusal: a route that changes
/// something answers only its own method (GET on `/auth/logout` changes
/// nothing).
async fn method_not_allowed() -> (http::StatusCode, axum::Json<shared_types::ErrorBody>) {
    (
        http::StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(shared_types::ErrorBody::new(
            "method_not_allowed",
            "This method is not allowed here.",
        )),
    )
}

/// Seconds a caller is asked to wait (`Retry-After`) when a service's
/// database is out of reach.
pub const DATABASE_RETRY_AFTER_SECS: u32 = 5;

/// The answer to an internal error, logged here once: when the cause is the
/// database out of reach ([`crate::health::is_database_unavailable`]), 503
/// `unavailable` with `Retry-After`, since the request may work shortly;
/// otherwise a bare 500 `internal`. The cause's text stays in the log.
pub fn internal_error(e: &anyhow::Error) -> Response {
    use axum::response::IntoResponse;
    if crate::health::is_database_unavailable(e) {
        tracing::warn!(error = %format!("{e:#}"), "database unavailable");
        let mut response = (
            http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(shared_types::ErrorBody::new(
                "unavailable",
                "The service cannot reach its database; try again shortly.",
            )),
        )
            .into_response();
        response.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(DATABASE_RETRY_AFTER_SECS),
        );
        return response;
    }
    tracing::error!(error = %format!("{e:#}"), "internal error");
    (
        http::StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(shared_types::ErrorBody::new(
            "internal",
            "Something went wrong.",
        )),
    )
        .into_response()
}

/// Wraps `router` in the shared request-id and tracing layers.
pub fn layers(router: Router, service: &'static str) -> Router {
    // With Sentry on: each request gets its own hub (sentry-tower) and,
    // inside the request span, the tags of what it reports.
    let reporting = crate::errors::enabled();
    let router = if reporting {
        router.layer(middleware::from_fn(move |req, next| {
            crate::errors::tag_request(service, req, next)
        }))
    } else {
        router
    };
    let router = router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(move |req: &Request| request_span(service, req))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::from_fn(drop_malformed_request_id));
    if reporting {
        router
            .layer(sentry::integrations::tower::SentryHttpLayer::new())
            .layer(sentry::integrations::tower::NewSentryLayer::<Request>::new_from_top())
    } else {
        router
    }
}

fn request_span(service: &'static str, req: &Request) -> tracing::Span {
    // The matched route, never the raw URI: query strings can carry codes
    // and tokens that must not reach a log.
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("(unmatched)");
    let request_id = request_id(req).unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        service,
        method = %req.method(),
        path,
        request_id,
    );
    // A valid inbound `traceparent` is continued; otherwise a trace starts.
    crate::trace::continue_from(&span, req.headers());
    span
}

/// The request id of `req`, when it has a well-formed one.
pub fn request_id<B>(req: &http::Request<B>) -> Option<&str> {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_well_formed(v))
}

/// Ids are short tokens of letters, digits, `-`, `_` and `.`; anything else
/// (log injection, oversized values) is replaced by a fresh id.
pub fn is_well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

async fn drop_malformed_request_id(mut req: Request, next: Next) -> Response {
    let bad = req
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|v| !v.to_str().is_ok_and(is_well_formed));
    if bad {
        req.headers_mut().remove(&REQUEST_ID);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::is_well_formed;

    #[test]
    fn request_ids_must_be_short_plain_tokens() {
        assert!(is_well_formed("0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00"));
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("abc\ninjected"));
        assert!(!is_well_formed(&"a".repeat(129)));
    }

    async fn answer(e: anyhow::Error) -> (http::StatusCode, Option<String>, String) {
        let response = super::internal_error(&e);
        let status = response.status();
        let retry = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (status, retry, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn an_internal_error_is_503_when_the_database_is_out_of_reach_and_500_otherwise() {
        let (status, retry, body) =
            answer(anyhow::Error::from(sqlx::Error::PoolTimedOut).context("reading a user")).await;
        assert_eq!(status, http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("5"));
        assert!(body.contains(r#""error":"unavailable""#), "{body}");
        let (status, retry, body) = answer(anyhow::anyhow!("secret-detail in a bug")).await;
        assert_eq!(status, http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(retry, None);
        assert!(body.contains(r#""error":"internal""#), "{body}");
        assert!(!body.contains("secret-detail"), "{body}");
    }
}

/// Declares the `bearer` security scheme (our access JWT) that routes name
/// in `security(("bearer" = []))`: `#[openapi(modifiers(&BearerAuth))]`.
#[derive(Debug, Clone, Copy)]
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// What stays as it is in a query value: RFC 3986's unreserved characters.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The same, with `/` kept.
const QUERY_PATH: &percent_encoding::AsciiSet = &QUERY_VALUE.remove(b'/');

/// `value` percent-encoded as one query-string value, whatever it holds
/// (`/`, `?`, `&` and `=` included): everything but the unreserved
/// characters becomes `%XX` of its UTF-8 bytes.
pub fn query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// A local path as a query value: like [`query_value`], but `/` (legal in
/// a query) stays readable, as in `/signin?return_to=/connect`.
pub fn query_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, QUERY_PATH).to_string()
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn a_query_value_keeps_only_unreserved_characters() {
        assert_eq!(
            query_value("/connect?x=1&y=2"),
            "%2Fconnect%3Fx%3D1%26y%3D2"
        );
        assert_eq!(query_value("/é"), "%2F%C3%A9");
        assert_eq!(query_value("a b&c"), "a%20b%26c");
        assert_eq!(query_value("A-z_0.9~"), "A-z_0.9~");
        assert_eq!(query_path("/connect?x=1"), "/connect%3Fx%3D1");
    }
}
