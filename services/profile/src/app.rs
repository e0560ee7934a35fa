//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use platform::Server;
use platform::db::{DbOptions, Migrations};
use platform::health::Probe;
use sqlx::AnyPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use platform::jwt::Verifier;
use secrecy::SecretString;

use crate::routes::{internal, me};
use crate::store::Store;

use crate::Settings;

const NAME: &str = "profile";

static MIGRATIONS: Migrations = platform::migrations!();

#[derive(OpenApi)]
#[openapi(info(title = "Onetip profile", description = "Who the users are."))]
struct ApiDoc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) verifier: Verifier,
    pub(crate) internal_token: SecretString,
}

impl AppState {
    pub fn new(settings: &Settings, db: AnyPool) -> Self {
        Self {
            store: Store::new(db),
            verifier: Verifier::remote(
                settings.common.public_url.clone(),
                settings.jwks_url.clone(),
            ),
            internal_token: settings.internal_token.clone(),
        }
    }
}

fn api(probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::get_me, me::patch_me))
        .routes(routes!(internal::upsert))
        .merge(platform::health::routes(NAME, probes))
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
    Server::bind(
        NAME,
        settings.addr,
        router(AppState::new(&settings, db), probes),
    )
    .await
}

/// Builds and serves until `shutdown` trips.
pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}

impl platform::identity::TokenVerifier for AppState {
    fn verifier(&self) -> &platform::jwt::Verifier {
        &self.verifier
    }
}

impl platform::identity::InternalToken for AppState {
    fn internal_token(&self) -> &secrecy::SecretString {
        &self.internal_token
    }
}
