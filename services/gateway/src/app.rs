//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use platform::Server;
use platform::health::Probe;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Upstreams;
use crate::edge::{EdgeAuth, Refused, is_public_page};
use crate::error::GatewayError;
use crate::routing::{Target, target};
use crate::{Settings, cross_site, health, proxy};

const NAME: &str = "gateway";

#[derive(OpenApi)]
#[openapi(info(
    title = "Onetip gateway",
    description = "The single front door. It answers /health itself and forwards everything else by path."
))]
struct ApiDoc;

#[derive(Clone)]
pub struct AppState {
    upstreams: Arc<Upstreams>,
    client: proxy::UpstreamClient,
    pub(crate) edge: EdgeAuth,
    /// `scheme://host[:port]` of PUBLIC_URL: the one origin allowed to post.
    public_origin: Arc<str>,
    pub(crate) probes: Arc<[Arc<dyn Probe>]>,
    pub(crate) health_cache: health::HealthCache,
    trusted_proxies: Arc<crate::client_addr::TrustedProxies>,
    limits: crate::limits::Limits,
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(ready))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// The gateway's router. Nothing runs in the background until [`build`]
/// starts the revocation poller and the limiter's sweeper.
pub fn router(settings: &Settings) -> Router {
    router_with(state(settings))
}

fn state(settings: &Settings) -> AppState {
    AppState {
        edge: EdgeAuth::new(&settings.edge),
        public_origin: cross_site::origin_of(&settings.service.common.public_url).into(),
        upstreams: Arc::new(settings.upstreams.clone()),
        client: proxy::client(),
        probes: health::probes(settings).into(),
        health_cache: health::HealthCache::default(),
        trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
        limits: crate::limits::Limits::new(&settings.limits),
    }
}

fn router_with(state: AppState) -> Router {
    let (router, doc) = api().fallback(forward).with_state(state).split_for_parts();
    platform::http::service_router(NAME, router, doc)
}

/// The gateway's own readiness: its revoked-session list is fresh. A stale
/// list is 503 naming its age (sessions are then checked with auth one by
/// one, or refused).
#[utoipa::path(get, path = "/ready", tag = "health",
    responses(
        (status = 200, description = "The revoked-session list is fresh", body = shared_types::Readiness),
        (status = 503, description = "The revoked-session list is stale", body = shared_types::Readiness)))]
async fn ready(
    State(state): State<AppState>,
) -> (http::StatusCode, axum::Json<shared_types::Readiness>) {
    state
        .edge
        .revocations
        .refresh_if_stale(std::time::Duration::from_secs(1))
        .await;
    let check = health::revocation_check(&state.edge.revocations);
    let ok = check.status.is_ok();
    (
        if ok {
            http::StatusCode::OK
        } else {
            http::StatusCode::SERVICE_UNAVAILABLE
        },
        axum::Json(shared_types::Readiness {
            status: if ok {
                shared_types::Status::Ok
            } else {
                shared_types::Status::Down
            },
            service: NAME.into(),
            checks: vec![check],
        }),
    )
}

async fn forward(State(state): State<AppState>, mut req: Request) -> Response {
    let up = &state.upstreams;
    let client = crate::client_addr::rewrite(&mut req, &state.trusted_proxies);
    if cross_site::refused(req.method(), req.headers(), &state.public_origin) {
        return GatewayError::CrossSite.into_response();
    }
    if declared_length(req.headers()).is_some_and(|n| n > state.limits.max_body as u64) {
        return GatewayError::BodyTooLarge(state.limits.max_body).into_response();
    }
    let path = req.uri().path().to_owned();
    let target = target(&path);
    let (name, base) = match target {
        Target::Auth => ("auth", &up.auth),
        Target::Profile => ("profile", &up.profile),
        Target::Integrations => ("integrations", &up.integrations),
        Target::Recommender => ("recommender", &up.recommender),
        Target::Web => ("web", &up.web),
        Target::Gateway | Target::NotFound => return GatewayError::NotFound.into_response(),
    };
    // Identity: auth handles its own cookies; everything else gets the
    // verified token as a Bearer and never sees the session cookies.
    let mut set_cookies = Vec::new();
    match target {
        Target::Auth => {
            let user = state.edge.bearer_user(req.headers()).await;
            if let Err(over) = state.limits.auth(client, user, &path) {
                return GatewayError::RateLimited(over.retry_after).into_response();
            }
        }
        Target::Web if is_public_page(&path) => {
            let token = state.edge.optional(req.headers()).await;
            state.edge.rewrite(&mut req, token.as_deref());
        }
        _ => match state.edge.admit(req.headers()).await {
            Ok(admitted) => {
                set_cookies = admitted.set_cookies;
                if path.starts_with("/api/")
                    && let Some(user) = &admitted.user
                    && let Err(over) = state.limits.api(user)
                {
                    // A refresh may have rotated the refresh token: the
                    // browser must get the new one even on a refusal.
                    let refused = GatewayError::RateLimited(over.retry_after).into_response();
                    return with_cookies(refused, set_cookies);
                }
                state.edge.rewrite(&mut req, admitted.token.as_deref());
            }
            Err(refused) => return unauthenticated(&path, refused),
        },
    }
    let req = match limit_body(req, state.limits.max_body).await {
        Ok(req) => req,
        Err(e) => return with_cookies(e.into_response(), set_cookies),
    };
    let response = proxy::forward(&state.client, name, base, req)
        .await
        .into_response();
    with_cookies(response, set_cookies)
}

/// `response` with the cookies a refresh set (appended, never replacing
/// the service's own).
fn with_cookies(mut response: Response, cookies: Vec<http::HeaderValue>) -> Response {
    for cookie in cookies {
        response
            .headers_mut()
            .append(http::header::SET_COOKIE, cookie);
    }
    response
}

/// The `Content-Length` a request declares, if any.
fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The request with its body read, up to `max` bytes (a body without a
/// declared length is cut off there too): 413 above it.
async fn limit_body(req: Request, max: usize) -> Result<Request, GatewayError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| GatewayError::BodyTooLarge(max))?;
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// 401 JSON for the API, a redirect to the sign-in page for pages.
fn unauthenticated(path: &str, refused: Refused) -> Response {
    let mut response = if refused.unavailable {
        GatewayError::SessionCheckUnavailable.into_response()
    } else if path.starts_with("/api/") {
        GatewayError::Unauthorized.into_response()
    } else {
        let return_to = platform::http::query_path(path);
        axum::response::Redirect::to(&format!("/signin?return_to={return_to}")).into_response()
    };
    for cookie in refused.set_cookies {
        response
            .headers_mut()
            .append(http::header::SET_COOKIE, cookie);
    }
    response
}

/// Binds the gateway and starts what it keeps fresh in the background: the
/// revoked-session set (polled from auth) and the rate limiter's sweeper.
pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    let state = state(&settings);
    state.edge.spawn_revocation_poller();
    state.limits.spawn_sweeper();
    Server::bind(NAME, settings.service.addr, router_with(state)).await
}

pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
