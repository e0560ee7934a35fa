//! Security headers on every answer. Caddy sets them in production too;
//! web sets them itself so that a run without Caddy (the embedded launcher,
//! tests) is just as strict, and so the tests can hold the pages to them.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy every page must satisfy: no inline script or style anywhere,
/// forms only to ourselves, never framed.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The same policy with more `form-action` sources: for a page whose form
/// posts to web and is answered with a redirect to another site (the
/// connect form and a provider's consent page). Browsers check
/// `form-action` on every hop of that redirect chain.
pub fn policy_with_form_targets(targets: &[String]) -> HeaderValue {
    let sources: String = targets.iter().map(|t| format!(" {t}")).collect();
    let policy = CONTENT_SECURITY_POLICY_VALUE.replacen(
        "form-action 'self'",
        &format!("form-action 'self'{sources}"),
        1,
    );
    // The targets are checked origins (config.rs); fall back to the strict
    // policy rather than fail if one ever is not a header value.
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE))
}

/// Adds `nosniff` and `no-referrer` to every answer, and the CSP to HTML
/// ones: the strict policy, unless the page set its own (a variant of it
/// made by [`policy_with_form_targets`]).
pub async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if is_html && !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
        );
    }
    response
}
