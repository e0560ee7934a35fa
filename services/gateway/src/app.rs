//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use platform::Server;
use platform::health::Probe;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Upstreams;
use crate::error::GatewayError;
use crate::routing::{Target, target};
use crate::{Settings, health, proxy};

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
    pub(crate) probes: Arc<[Arc<dyn Probe>]>,
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(health::health))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

pub fn router(settings: &Settings) -> Router {
    let state = AppState {
        upstreams: Arc::new(settings.upstreams.clone()),
        client: proxy::client(),
        probes: health::probes(settings).into(),
    };
    let (router, doc) = api()
        .route("/ready", get(ready))
        .fallback(forward)
        .with_state(state)
        .split_for_parts();
    platform::http::service_router(NAME, router, doc)
}

/// The gateway's own readiness: it owns no dependency, so answering is enough.
async fn ready() -> axum::Json<shared_types::Readiness> {
    axum::Json(shared_types::Readiness {
        status: shared_types::Status::Ok,
        service: NAME.into(),
        checks: Vec::new(),
    })
}

async fn forward(State(state): State<AppState>, req: Request) -> Response {
    let up = &state.upstreams;
    let (name, base) = match target(req.uri().path()) {
        Target::Auth => ("auth", &up.auth),
        Target::Profile => ("profile", &up.profile),
        Target::Integrations => ("integrations", &up.integrations),
        Target::Recommender => ("recommender", &up.recommender),
        Target::Web => ("web", &up.web),
        Target::Gateway | Target::NotFound => return GatewayError::NotFound.into_response(),
    };
    proxy::forward(&state.client, name, base, req)
        .await
        .into_response()
}

pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    Server::bind(NAME, settings.service.addr, router(&settings)).await
}

pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
