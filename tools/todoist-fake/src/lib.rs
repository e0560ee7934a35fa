//! A fake Todoist server for tests and the embedded run's sandbox.
//!
//! For now it answers `/health`; the OAuth, task and failure behaviour of
//! `reference/todoist-api.md` comes with the Todoist issue.

use std::net::SocketAddr;

use axum::{Json, Router, routing::get};
use platform::Server;
use serde_json::json;

/// Where the fake listens: `TODOIST_SANDBOX_ADDR`, by default 127.0.0.1:8090.
pub fn addr(env: &platform::Env) -> Result<SocketAddr, platform::ConfigError> {
    Ok(env
        .parse("TODOIST_SANDBOX_ADDR")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8090))))
}

pub fn router() -> Router {
    let router = Router::new().route(
        "/health",
        get(|| async {
            Json(json!({"status": "ok", "service": "todoist-fake", "version": platform::VERSION}))
        }),
    );
    platform::http::layers(router, "todoist-fake")
}

pub async fn build(addr: SocketAddr) -> anyhow::Result<Server> {
    Server::bind("todoist-fake", addr, router()).await
}
