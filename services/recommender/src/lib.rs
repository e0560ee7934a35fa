//! The recommender service: the one tip to show, and its feedback.
//!
//! * [`domain`]: candidates, eligibility, advice, the words on a tip (pure).
//! * [`policy`]: `random` and `urgency`, the seeded draw, experiments (pure).
//! * [`service`]: recommend (sticky), done, skip, undo.
//! * [`store`]: the decision log, events, idempotent actions.
//! * [`bus`]: events arriving over NATS JetStream, stored once per id.
//! * [`export`]: the log as Vowpal Wabbit DSJSON, and IPS / SNIPS estimates.
//!
//! A library with `router`, `build` and `run`, so tests and the one-process
//! launcher can start it in-process; `main.rs` is a thin wrapper.

mod app;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
mod error;
pub mod export;
pub mod integrations;
pub mod policy;
mod routes;
pub mod service;
pub mod store;

pub use app::{
    AppState, StoreSink, build, build_with, open_database, openapi, recommender, router, run, state,
};
pub use config::Settings;
