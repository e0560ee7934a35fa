//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use platform::Server;
use platform::db::{DbOptions, Migrations};
use platform::events::{EventError, EventSink};
use platform::health::Probe;
use platform::http::BearerAuth;
use platform::jwt::Verifier;
use secrecy::SecretString;
use shared_types::NormalizedEvent;
use sqlx::AnyPool;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::clock::Clock;
use crate::integrations::IntegrationsClient;
use crate::policy::PolicyFactory;
use crate::service::{Params, Recommender};
use crate::store::Store;
use crate::{Settings, routes};

const NAME: &str = "recommender";

static MIGRATIONS: Migrations = platform::migrations!();

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Onetip recommender",
        description = "Picks the one tip to show, and records what came of it."
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub recommender: Recommender,
    /// Verifies the access tokens the gateway forwards.
    pub verifier: Verifier,
    pub internal_token: SecretString,
}

/// The recommender's own sink: its feedback events go straight into its
/// event table, the one every other service's events reach through
/// `/internal/events`. Callers hold it as a plain `EventSink`.
pub struct StoreSink {
    store: Store,
    clock: Clock,
}

impl StoreSink {
    pub fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }
}

#[async_trait::async_trait]
impl EventSink for StoreSink {
    async fn emit(&self, event: NormalizedEvent) -> Result<(), EventError> {
        self.store
            .insert_event(&event, self.clock.now_millis())
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::warn!(error = %e, "storing an event");
                EventError::Refused(500)
            })
    }
}

fn api(probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::recommend::recommend))
        .routes(routes!(routes::tips::done))
        .routes(routes!(routes::tips::skip))
        .routes(routes!(routes::tips::undo))
        .routes(routes!(routes::internal::store_event))
        .merge(platform::health::routes(NAME, probes))
}

/// The service's OpenAPI document, as committed under `openapi/`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api(Vec::new()).into_openapi()
}

/// Every route, documented, with the shared layers.
pub fn router(state: AppState, probes: Vec<Arc<dyn Probe>>) -> Router {
    let (router, doc) = api(probes).with_state(state).split_for_parts();
    let router = router.method_not_allowed_fallback(routes::method_not_allowed);
    platform::http::service_router(NAME, router, doc)
}

/// Opens the service's database and runs its migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<AnyPool> {
    platform::db::connect_and_migrate(&settings.database_url, &DbOptions::new(NAME), MIGRATIONS)
        .await
}

/// The use cases, wired from the settings, with `clock` and the sink given.
pub fn recommender(
    settings: &Settings,
    db: AnyPool,
    clock: Clock,
    events: Option<Arc<dyn EventSink>>,
) -> Recommender {
    let store = Store::new(db);
    let local_events = events.is_none();
    let events = events.unwrap_or_else(|| Arc::new(StoreSink::new(store.clone(), clock.clone())));
    let mut recommender = Recommender::new(
        store,
        IntegrationsClient::new(&settings.integrations_url),
        events,
        clock,
        Params {
            policy: settings.policy.clone(),
            experiment: settings.experiment.clone(),
            factory: PolicyFactory::new(settings.epsilon),
            candidate_budget: settings.candidate_budget,
            decision_ttl: settings.decision_ttl,
            undo_window: settings.undo_window,
        },
    );
    recommender.local_events = local_events;
    recommender
}

/// The state of a running service.
pub fn state(settings: &Settings, recommender: Recommender) -> AppState {
    AppState {
        recommender,
        verifier: Verifier::remote(
            settings.common.public_url.clone(),
            settings.jwks_url.clone(),
        ),
        internal_token: settings.internal_token.clone(),
    }
}

/// Opens the database, runs migrations and binds the listener.
pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    build_with(settings, Clock::system()).await
}

/// [`build`] with a given clock (tests move it forward).
pub async fn build_with(settings: Settings, clock: Clock) -> anyhow::Result<Server> {
    let db = open_database(&settings).await?;
    let probes = platform::health::service_probes(&settings.common, Some(db.clone()));
    if settings.common.event_bus == platform::config::EventBus::Nats {
        // Lives as long as the process; events published meanwhile wait
        // in the stream.
        crate::bus::spawn_consumer(&settings.nats, Store::new(db.clone()), clock.clone());
    }
    let state = state(&settings, recommender(&settings, db, clock, None));
    Server::bind(NAME, settings.addr, router(state, probes)).await
}

impl platform::identity::InternalToken for AppState {
    fn internal_token(&self) -> &SecretString {
        &self.internal_token
    }
}

/// Builds and serves until `shutdown` trips.
pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}
