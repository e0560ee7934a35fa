//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use platform::Server;
use platform::db::{DbOptions, Migrations};
use platform::health::Probe;
use sqlx::AnyPool;
use sqlx::migrate::Migrator;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::Settings;

const NAME: &str = "integrations";

static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
const MIGRATIONS: Migrations = Migrations {
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

#[derive(OpenApi)]
#[openapi(info(
    title = "Onetip integrations",
    description = "Connectors to outside services (Todoist first) and their credentials."
))]
struct ApiDoc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
}

fn api(probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform::health::routes(NAME, probes))
}

/// The service's OpenAPI document, as committed under `openapi/`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api(Vec::new()).into_openapi()
}

/// Every route, documented, with the shared layers.
pub fn router(state: AppState, probes: Vec<Arc<dyn Probe>>) -> Router {
    let (router, doc) = api(probes).with_state(state).split_for_parts();
    platform::http::service_router(NAME, router, doc)
}

/// Opens the database, runs migrations and binds the listener.
pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    let db = platform::db::connect_and_migrate(
        &settings.database_url,
        &DbOptions::new(NAME),
        MIGRATIONS,
    )
    .await?;
    let probes = platform::health::service_probes(&settings.common, Some(db.clone()));
    Server::bind(NAME, settings.addr, router(AppState { db }, probes)).await
}

/// Builds and serves until `shutdown` trips.
pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
