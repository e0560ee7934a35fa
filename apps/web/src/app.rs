//! Wiring: router and start-up.

use axum::Router;
use platform::Server;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::Settings;

const NAME: &str = "web";

#[derive(OpenApi)]
#[openapi(info(title = "Onetip web", description = "The server-rendered pages."))]
struct ApiDoc;

fn api() -> OpenApiRouter {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform::health::routes(NAME, Vec::new()))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

pub fn router(_settings: &Settings) -> Router {
    let (router, doc) = api().split_for_parts();
    platform::http::service_router(NAME, router, doc)
}

pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    Server::bind(NAME, settings.service.addr, router(&settings)).await
}

pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
