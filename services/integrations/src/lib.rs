//! The integrations service: connectors and their credentials.
//!
//! A library with `router`, `build` and `run`, so tests and the one-process
//! launcher can start it in-process; `main.rs` is a thin wrapper.
//!
//! * [`vault`]: provider tokens sealed at rest, key rotation.
//! * [`store`]: credentials and OAuth states in portable SQL.
//! * [`todoist`]: the Todoist API v1 client (OAuth, tasks, retries, budget).
//! * [`connector`]: the `Connector` trait and its registry.

mod app;
pub mod config;
pub mod connector;
pub mod domain;
pub mod error;
pub mod routes;
pub mod store;
pub mod todoist;
pub mod vault;

pub use app::{AppState, build, connectors, open_database, openapi, router, run};
pub use config::Settings;
pub use domain::UserId;
