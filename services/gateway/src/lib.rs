//! The gateway: the single front door of the fleet.
//!
//! It routes by path to the services (keeping the path as it is), never
//! forwards `/internal/*`, and answers `/health` itself by asking every
//! service and configured dependency at once.

mod app;
pub mod client_addr;
pub mod config;
mod cross_site;
mod edge;
mod error;
mod health;
pub mod limits;
mod proxy;
pub mod revocation;
pub mod routing;

pub use app::{build, openapi, router, run};
pub use config::Settings;
