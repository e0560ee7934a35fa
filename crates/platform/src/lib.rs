//! The shared platform of the Onetip services.
//!
//! One way to do each thing that every service does: read configuration
//! ([`config`]), tell the time ([`clock`]), set up logs ([`telemetry`]),
//! tag and trace requests ([`http`]), answer `/health` and `/ready`
//! ([`health`]), open its database ([`db`]), call other services
//! ([`client`]) and stop cleanly ([`shutdown`], [`server`]).

pub mod client;
pub mod clock;
pub mod config;
pub mod db;
pub mod errors;
pub mod events;
pub mod health;
pub mod http;
pub mod identity;
pub mod jwt;
pub mod secrets;
pub mod server;
pub mod shutdown;
pub mod telemetry;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;
pub mod trace;

pub use config::{AppEnv, CommonSettings, ConfigError, Env};
pub use server::Server;
pub use shutdown::Shutdown;

/// The version every service reports on `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
