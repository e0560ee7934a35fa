//! The auth service: sign-in, sessions and signing keys.
//!
//! A library with `router`, `build` and `run`, so tests and the one-process
//! launcher can start it in-process; `main.rs` is a thin wrapper.

mod app;
pub mod clock;
pub mod config;
mod error;
mod oidc;
mod profile_client;
mod routes;
mod sessions;
mod signin;
mod store;

pub use app::{AppState, build, build_with_clock, openapi, router, run};
pub use clock::Clock;
pub use config::Settings;
