//! Wiring: state, router, and start-up.

use std::sync::Arc;

use anyhow::Context;

use axum::Router;
use platform::Server;
use platform::db::{DbOptions, Migrations};
use platform::events::outbox::{Outbox, OutboxProbe};
use platform::health::Probe;
use platform::http::BearerAuth;
use platform::jwt::Verifier;
use sqlx::AnyPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::connector::{Credentials, Registry, TodoistConnector};
use crate::store::Store;
use crate::todoist::TodoistClient;
use crate::vault::Vault;
use crate::{Settings, routes};

/// How long one connector call may take, waits and retries included; under
/// the gateway's own timeout so a slow Todoist becomes a clean 503.
const CALL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

const NAME: &str = "integrations";

static MIGRATIONS: Migrations = platform::migrations!();

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Onetip integrations",
        description = "Connectors to outside services (Todoist first) and their credentials."
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    pub connectors: Registry,
    /// Verifies the access tokens the gateway forwards.
    pub verifier: Verifier,
    /// Where `task.completed` and `task.reopened` are written, with the
    /// write that caused them; its relay sends them over `EVENT_BUS`.
    pub outbox: Outbox,
}

fn api(probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::connectors::list))
        .routes(routes!(routes::connectors::connect))
        .routes(routes!(routes::connectors::disconnect))
        .routes(routes!(routes::callback::callback))
        .routes(routes!(routes::tasks::list))
        .routes(routes!(routes::items::complete))
        .routes(routes!(routes::items::reopen))
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

/// Opens the service's database and runs its migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<AnyPool> {
    platform::db::connect_and_migrate(&settings.database_url, &DbOptions::new(NAME), MIGRATIONS)
        .await
}

/// The connectors on offer, Todoist first.
pub fn connectors(settings: &Settings, db: &AnyPool) -> anyhow::Result<Registry> {
    let vault = Vault::new(settings.vault_keys.clone());
    let credentials = Credentials::new(Store::new(db.clone()), vault);
    let client = TodoistClient::new(settings.todoist.clone()).context("the Todoist client")?;
    let connector = TodoistConnector::new(
        Arc::new(client),
        credentials,
        settings.todoist_cache_ttl,
        CALL_DEADLINE,
    );
    Ok(Registry::new().with(Arc::new(connector)))
}

/// Opens the database, runs migrations and binds the listener.
pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    let db = open_database(&settings).await?;
    let connectors = connectors(&settings, &db)?;
    connectors.spawn_sweeper(std::time::Duration::from_secs(60));
    let mut probes = platform::health::service_probes(&settings.common, Some(db.clone()));
    let verifier = Verifier::remote(
        settings.common.public_url.clone(),
        settings.jwks_url.clone(),
    );
    // Events are written to the outbox and relayed over EVENT_BUS, so a
    // crash or an outage of the bus loses none.
    let bus = platform::events::from_settings(
        &settings.common,
        &settings.nats,
        &settings.recommender_url,
        settings.internal_token.clone(),
    );
    let outbox = Outbox::new(db.clone());
    outbox.spawn_relay(bus);
    probes.push(Arc::new(OutboxProbe::new(
        outbox.clone(),
        settings.outbox_max_age,
    )));
    let state = AppState {
        db,
        connectors,
        verifier,
        outbox,
    };
    Server::bind(NAME, settings.addr, router(state, probes)).await
}

/// Builds and serves until `shutdown` trips.
pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
