//! The auth service: sign-in, sessions and signing keys.
//!
//! A library with `router`, `build` and `run`, so tests and the one-process
//! launcher can start it in-process; `main.rs` is a thin wrapper.

mod app;
pub mod config;

pub use app::{AppState, build, openapi, router, run};
pub use config::Settings;
