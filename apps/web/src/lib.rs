//! The web app: server-rendered pages that ask the gateway for their data.

mod app;
pub mod config;

pub use app::{build, openapi, router, run};
pub use config::Settings;
