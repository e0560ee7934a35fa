//! The two baselines, served by this same binary in a child process
//! (`load serve hello` / `load serve plumbing`) so that they are pinned and
//! measured exactly like the fleet:
//!
//! * hello: a bare axum route answering a constant, this machine's ceiling;
//! * plumbing: our architecture with nothing in it, proxy → service →
//!   service over pooled keep-alive connections (hyper's pooled client at
//!   the proxy, as the gateway's; reqwest between services, as theirs),
//!   each hop verifying the EdDSA access token with `jsonwebtoken` on every
//!   request (no verified-token cache) and doing nothing else.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use platform::jwt::{AUDIENCE, AccessClaims, SigningKey};

use crate::procs::addr;

pub const HELLO: u16 = 20;
pub const PROXY: u16 = 21;
const SERVICE_A: u16 = 22;
const SERVICE_B: u16 = 23;
pub const ISSUER: &str = "https://plumbing.bench";

/// The key both the driver (signing) and the plumbing (verifying) derive
/// from the seed the driver passes in `BENCH_JWT_SEED`.
pub fn key_from_seed(hex: &str) -> SigningKey {
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("a hex seed");
    }
    SigningKey::from_seed("bench", seed)
}

/// An access token for the plumbing, valid for an hour.
pub fn token(key: &SigningKey) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    key.sign(&AccessClaims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: uuid::Uuid::new_v4().to_string(),
        sid: uuid::Uuid::new_v4().to_string(),
        iat: now,
        exp: now + 3600,
        jti: uuid::Uuid::new_v4().to_string(),
    })
}

#[derive(Clone)]
struct Hop {
    key: DecodingKey,
    validation: Validation,
    proxy: Client<HttpConnector, Body>,
    http: reqwest::Client,
}

impl Hop {
    /// The `sub` of the request's valid bearer token.
    fn verify(&self, request: &Request) -> Result<String, StatusCode> {
        let token = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok()?.strip_prefix("Bearer "))
            .ok_or(StatusCode::UNAUTHORIZED)?;
        jsonwebtoken::decode::<AccessClaims>(token, &self.key, &self.validation)
            .map(|d| d.claims.sub)
            .map_err(|_| StatusCode::UNAUTHORIZED)
    }
}

async fn proxy(State(hop): State<Hop>, request: Request) -> Response {
    if let Err(status) = hop.verify(&request) {
        return status.into_response();
    }
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = Uri::try_from(format!("http://{}{path}", addr(SERVICE_A))).expect("a URI");
    match hop.proxy.request(Request::from_parts(parts, body)).await {
        Ok(answer) => answer.map(Body::new),
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn service_a(State(hop): State<Hop>, request: Request) -> Response {
    if let Err(status) = hop.verify(&request) {
        return status.into_response();
    }
    let bearer = request.headers()["authorization"].clone();
    let answer = hop
        .http
        .get(format!("http://{}/b", addr(SERVICE_B)))
        .header("authorization", bearer)
        .send()
        .await;
    match answer {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(body) => ([("content-type", "application/json")], body).into_response(),
            Err(_) => StatusCode::BAD_GATEWAY.into_response(),
        },
        _ => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn service_b(State(hop): State<Hop>, request: Request) -> Response {
    match hop.verify(&request) {
        Ok(sub) => axum::Json(serde_json::json!({ "ok": true, "sub": sub })).into_response(),
        Err(status) => status.into_response(),
    }
}

async fn listen(offset: u16, router: Router) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr(offset)).await?;
    axum::serve(listener, router).await?;
    Ok(())
}

/// Serves one baseline until killed: `hello` or `plumbing`.
pub fn serve(which: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match which {
            "hello" => listen(HELLO, Router::new().route("/", get(|| async { "hello" }))).await,
            "plumbing" => {
                let seed = std::env::var("BENCH_JWT_SEED")?;
                let public = key_from_seed(&seed).public_jwk();
                let mut validation = Validation::new(Algorithm::EdDSA);
                validation.set_issuer(&[ISSUER]);
                validation.set_audience(&[AUDIENCE]);
                let hop = Hop {
                    key: DecodingKey::from_ed_components(&public.x)?,
                    validation,
                    proxy: Client::builder(TokioExecutor::new()).build_http(),
                    http: reqwest::Client::new(),
                };
                tokio::try_join!(
                    listen(
                        PROXY,
                        Router::new().fallback(any(proxy)).with_state(hop.clone())
                    ),
                    listen(
                        SERVICE_A,
                        Router::new()
                            .fallback(any(service_a))
                            .with_state(hop.clone())
                    ),
                    listen(
                        SERVICE_B,
                        Router::new().fallback(any(service_b)).with_state(hop)
                    ),
                )?;
                Ok(())
            }
            other => anyhow::bail!("no baseline called {other}"),
        }
    })
}
