//! The profile service: who the users are.
//!
//! A library with `router`, `build` and `run`, so tests and the one-process
//! launcher can start it in-process; `main.rs` is a thin wrapper.

mod app;
pub mod config;
pub mod domain;
mod error;
mod routes;
mod store;

pub use app::{AppState, build, openapi, router, run};
pub use config::Settings;
