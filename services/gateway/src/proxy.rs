//! Forwarding a request to a service, path and query kept as they are.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{HeaderMap, HeaderName, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::GatewayError;

/// How long an upstream may take to start answering.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// A pooled HTTP/1 client for the services behind the gateway.
pub type UpstreamClient = Client<HttpConnector, Body>;

pub fn client() -> UpstreamClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(3)));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
}

/// Headers that describe one connection, not the message: never forwarded.
const HOP_BY_HOP: [HeaderName; 7] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
];

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
    headers.remove(header::TRANSFER_ENCODING);
}

/// Sends `req` to `base` (e.g. `http://127.0.0.1:8081`) and streams back
/// the answer.
pub async fn forward(
    client: &UpstreamClient,
    name: &'static str,
    base: &str,
    mut req: Request,
) -> Result<Response, GatewayError> {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let uri: Uri = format!("{base}{path_and_query}")
        .parse()
        .map_err(|_| GatewayError::NotFound)?;
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    strip_hop_by_hop(headers);
    // The upstream continues this hop's trace, never a caller's directly.
    platform::trace::inject(headers);
    if let Some(host) = headers.remove(header::HOST) {
        headers.insert(HeaderName::from_static("x-forwarded-host"), host);
    }
    let response = tokio::time::timeout(UPSTREAM_TIMEOUT, client.request(req))
        .await
        .map_err(|_| GatewayError::UpstreamTimeout(name))?
        .map_err(|e| {
            tracing::warn!(upstream = name, error = %e, "upstream request failed");
            GatewayError::Upstream(name)
        })?;
    let mut response = response.map(Body::new);
    strip_hop_by_hop(response.headers_mut());
    Ok(response)
}
