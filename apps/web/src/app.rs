//! Wiring: state, router and start-up.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use platform::Server;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::csrf::CsrfKey;
use crate::gateway::GatewayClient;
use crate::{Settings, assets, pages, security};

const NAME: &str = "web";

#[derive(OpenApi)]
#[openapi(info(title = "Onetip web", description = "The server-rendered pages."))]
struct ApiDoc;

/// What the handlers share: the way to the gateway, and whether the
/// sign-in page offers the development form.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) gateway: Arc<GatewayClient>,
    pub(crate) dev_sign_in: bool,
    /// The CSP of the pages carrying a connect form: the strict policy,
    /// with the providers' consent pages allowed as form targets.
    pub(crate) connect_csp: http::HeaderValue,
    /// The key of every form's CSRF token.
    pub(crate) csrf: Arc<CsrfKey>,
    /// Production: the `__Host-` cookie name and `Secure`.
    pub(crate) production: bool,
}

// Only the JSON endpoints belong in the OpenAPI document; the HTML pages
// are routed beside it, not through it.
fn api() -> OpenApiRouter {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform::health::routes(NAME, Vec::new()))
}

/// The OpenAPI document of web's JSON endpoints (`/health`, `/ready`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// Every page, the stylesheet and the health endpoints, with the shared
/// layers around them.
pub fn router(settings: &Settings) -> Router {
    let state = AppState {
        gateway: Arc::new(GatewayClient::new(&settings.gateway_url)),
        dev_sign_in: settings.dev_sign_in,
        connect_csp: security::policy_with_form_targets(&settings.connect_form_targets),
        csrf: Arc::new(settings.csrf_key.clone()),
        production: settings.service.common.is_production(),
    };
    // Every POST route is POST only: a GET answers 405 (axum's method
    // router), and each handler checks the form's CSRF token first.
    let pages = Router::new()
        .route("/", get(pages::tip::page))
        .route("/tip/{decision_id}/done", post(pages::tip::done))
        .route("/tip/{decision_id}/skip", post(pages::tip::skip))
        .route("/tip/{decision_id}/undo", post(pages::tip::undo))
        .route("/status", get(pages::status::page))
        .route(
            "/signin",
            get(pages::signin::page).post(pages::signin::dev_sign_in),
        )
        .route("/signout", post(pages::account::sign_out_post))
        .route("/connect", get(pages::connect::page))
        .route("/connect/{name}", post(pages::connect::start))
        .route(
            "/connect/{name}/disconnect",
            post(pages::connect::disconnect),
        )
        .route(assets::CSS_PATH, get(assets::css))
        .route(assets::ICON_PATH, get(assets::icon))
        .route("/favicon.ico", get(assets::icon))
        .merge(assets::routes())
        .fallback(pages::not_found)
        .with_state(state);
    let (router, doc) = api().split_for_parts();
    let router = router
        .merge(pages)
        .layer(axum::middleware::from_fn(security::headers));
    platform::http::service_router(NAME, router, doc)
}

pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    Server::bind(NAME, settings.service.addr, router(&settings)).await
}

pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
