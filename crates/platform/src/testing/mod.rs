//! The test kit every service's black-box tests share (feature `test-util`).
//!
//! * [`TestDatabase`]: a database of its own per test, on the backend
//!   `ONETIP_TEST_DB` names (`sqlite` or `postgres`).
//! * [`TestServer`]: a built service or a bare `Router` served on port 0,
//!   stopped when dropped; [`free_port`] for processes that need a port
//!   before they start.
//! * [`FakeAuth`]: auth's JWKS on a wiremock server, with the key that mints
//!   valid access tokens and forges every kind of invalid one.
//! * [`cookies`]: the session cookies as a browser sends them, and the
//!   `Set-Cookie` lines of a response read back.
//!
//! Tests lay out the same way in every crate: `tests/api/main.rs` names the
//! modules, `tests/api/helpers.rs` holds `spawn_app()` built on this kit, one
//! file per topic beside them (one test binary per crate).

mod auth;
pub mod cookies;
mod db;
mod server;

pub use auth::{DEV_ISSUER, FakeAuth, TestKey, forge, now};
pub use db::{TestBackend, TestDatabase, backend, postgres_admin_url, replace_database};
pub use server::{TestServer, free_port};

use crate::config::LogFormat;

/// Quiet tests by default; `TEST_LOG=1` shows the logs.
pub fn init_tracing() {
    if std::env::var_os("TEST_LOG").is_some() {
        crate::telemetry::init_with("debug", LogFormat::Pretty);
    }
}
