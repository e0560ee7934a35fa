//! A fake Todoist for tests and the embedded run's sandbox, following
//! `reference/todoist-api.md`: OAuth (consent page, code exchange with
//! PKCE, refresh rotation, revoke), `/api/v1/tasks` with cursor pagination,
//! the filter endpoint, close (recurring tasks move) and reopen with
//! `X-Request-Id` idempotency, `/api/v1/sync` for the recurring undo
//! (`item_update_date_complete`, deduplicated by command uuid), 410 on `/rest/v2` and `/sync/v9`, Todoist's
//! error bodies, a seeded task list per account, and faults on demand
//! (see [`control`] for the HTTP control API, [`FakeTodoist`] for Rust).

pub mod config;
mod consent;
pub mod control;
mod errors;
pub mod faults;
mod filter;
mod handle;
pub mod model;
mod oauth;
mod seed;
mod state;
mod sync;
mod tasks;
mod token;

use std::net::SocketAddr;

use axum::routing::{any, delete, get, post};
use axum::{Json, Router, middleware};
use platform::Server;
use serde_json::json;

pub use config::{FakeConfig, RateLimit};
pub use errors::{ApiError, Extra};
pub use faults::{FaultSpec, QueuedFault, RetryAfterIn};
pub use handle::FakeTodoist;
pub use model::Task;
pub use oauth::Refusal;
pub use state::{IssuedTokens, Stats, UserStats, WriteRecord};
pub use sync::DATE_COMPLETE;
pub use tasks::Page;
pub use token::pkce_s256;

/// Where the fake listens: `TODOIST_SANDBOX_ADDR`, by default 127.0.0.1:8090.
pub fn addr(env: &platform::Env) -> Result<SocketAddr, platform::ConfigError> {
    Ok(env
        .parse("TODOIST_SANDBOX_ADDR")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8090))))
}

/// The router of a fresh sandbox (any client id and secret accepted).
pub fn router() -> Router {
    FakeTodoist::new(FakeConfig::sandbox()).router()
}

/// The development run's sandbox, bound to `addr`.
pub async fn build(addr: SocketAddr) -> anyhow::Result<Server> {
    FakeTodoist::new(FakeConfig::sandbox()).bind(addr).await
}

impl FakeTodoist {
    /// Every route of the fake, inside the shared layers.
    pub fn router(&self) -> Router {
        let shared = self.shared.clone();
        let api = Router::new()
            .route(
                "/oauth/authorize",
                get(oauth::consent_page).post(oauth::consent_answer),
            )
            .route("/oauth/access_token", post(token::access_token))
            .route("/api/v1/revoke", post(token::revoke))
            .route("/api/v1/access_tokens", delete(token::revoke_sdk))
            .route("/api/v1/tasks", get(tasks::list))
            .route("/api/v1/tasks/filter", get(tasks::filter))
            .route("/api/v1/tasks/{id}", get(tasks::get_one))
            .route("/api/v1/tasks/{id}/close", post(tasks::close))
            .route("/api/v1/tasks/{id}/reopen", post(tasks::reopen))
            .route("/api/v1/sync", post(sync::sync))
            .route_layer(middleware::from_fn_with_state(
                shared.clone(),
                faults::inject,
            ))
            .with_state(shared);
        let router = Router::new()
            .merge(api)
            .route("/rest/v2", any(tasks::gone))
            .route("/rest/v2/{*rest}", any(tasks::gone))
            .route("/sync/v9", any(tasks::gone))
            .route("/sync/v9/{*rest}", any(tasks::gone))
            .route("/health", get(health))
            .nest("/__fake", control::routes(self.state_only()))
            .fallback(|| async { ApiError::not_found() });
        // Outermost, so it sees the client's own X-Request-Id before the
        // shared layers make one up.
        platform::http::layers(router, "todoist-fake")
            .layer(middleware::from_fn(faults::capture_request_id))
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "service": "todoist-fake", "version": platform::VERSION}))
}
