//! Wiring: state, router, and start-up.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use platform::Server;
use platform::db::{DbOptions, Migrations};
use platform::health::Probe;
use platform::identity::{InternalToken, SessionCookies, TokenVerifier};
use platform::jwt::{Jwks, Verifier};
use secrecy::SecretString;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::Settings;
use crate::clock::Clock;
use crate::oidc::Google;
use crate::profile_client::ProfileClient;
use crate::routes::{dev, google, internal, keys, session};
use crate::sessions::Sessions;
use crate::signin::SignIn;
use crate::store::Store;

const NAME: &str = "auth";

static MIGRATIONS: Migrations = platform::migrations!();

#[derive(OpenApi)]
#[openapi(info(
    title = "Onetip auth",
    description = "Sign-in, sessions and the keys that sign access tokens."
))]
struct ApiDoc;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub(crate) sessions: Sessions,
    pub(crate) sign_in: SignIn,
    pub(crate) cookies: SessionCookies,
    pub(crate) jwks: Arc<Jwks>,
    pub(crate) verifier: Verifier,
    pub(crate) internal_token: SecretString,
    pub(crate) dev_sign_in: bool,
}

impl AppState {
    pub fn new(settings: &Settings, db: sqlx::AnyPool, clock: Clock) -> Self {
        let issuer = settings.common.public_url.clone();
        let jwks = Jwks {
            keys: settings
                .signing_keys
                .iter()
                .map(|k| k.public_jwk())
                .collect(),
        };
        let store = Store::new(db);
        let sessions = Sessions {
            store: store.clone(),
            clock,
            key: settings.signing_keys[0].clone(),
            issuer: issuer.clone(),
            access_ttl: settings.access_ttl,
            idle_ttl: settings.idle_ttl,
            absolute_ttl: settings.absolute_ttl,
        };
        Self {
            sign_in: SignIn {
                store,
                sessions: sessions.clone(),
                google: settings
                    .google
                    .clone()
                    .map(|g| Arc::new(Google::new(g, &settings.common.public_url))),
                profile: ProfileClient::new(
                    settings.profile_url.clone(),
                    settings.internal_token.clone(),
                ),
            },
            sessions,
            cookies: SessionCookies::new(settings.common.is_production()),
            verifier: Verifier::with_keys(issuer, &jwks),
            jwks: Arc::new(jwks),
            internal_token: settings.internal_token.clone(),
            dev_sign_in: settings.dev_sign_in(),
        }
    }
}

fn api(probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(keys::jwks))
        .routes(routes!(google::start))
        .routes(routes!(google::callback))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(internal::revoked))
        .routes(routes!(internal::session))
        .merge(platform::health::routes(NAME, probes))
}

/// The service's OpenAPI document, as committed under `openapi/`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api(Vec::new()).into_openapi()
}

/// Every route, documented, with the shared layers. The development
/// sign-in routes exist only when development sign-in is on.
pub fn router(state: AppState, probes: Vec<Arc<dyn Probe>>) -> Router {
    let mut api = api(probes);
    if state.dev_sign_in {
        api = api.route("/auth/dev/signin", get(dev::form).post(dev::sign_in));
    }
    let (router, doc) = api.with_state(state).split_for_parts();
    platform::http::service_router(NAME, router, doc)
}

/// Opens the database, runs migrations and binds the listener.
pub async fn build(settings: Settings) -> anyhow::Result<Server> {
    build_with_clock(settings, Clock::system()).await
}

/// [`build`] with a given clock (tests move it forward).
pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Server> {
    let db = platform::db::connect_and_migrate(
        &settings.database_url,
        &DbOptions::new(NAME),
        MIGRATIONS,
    )
    .await?;
    if settings.dev_sign_in() {
        tracing::warn!(
            "no Google client configured: DEVELOPMENT sign-in is on (any email signs in)"
        );
    }
    let probes = platform::health::service_probes(&settings.common, Some(db.clone()));
    let state = AppState::new(&settings, db, clock);
    Server::bind(NAME, settings.addr, router(state, probes)).await
}

/// Builds and serves until `shutdown` trips.
pub async fn run(settings: Settings, shutdown: platform::Shutdown) -> anyhow::Result<()> {
    build(settings).await?.serve(shutdown).await
}

impl TokenVerifier for AppState {
    fn verifier(&self) -> &Verifier {
        &self.verifier
    }
}

impl InternalToken for AppState {
    fn internal_token(&self) -> &SecretString {
        &self.internal_token
    }
}
