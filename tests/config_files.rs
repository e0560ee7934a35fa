//! The files around the code — `.env.example`, `docker-compose.yml`, the
//! Caddyfiles and the CI workflows — checked against what the code reads
//! and with the real tools that consume them.
//!
//! The tools must be installed; a missing one fails its test with the
//! command that installs it, never a skip:
//!
//! ```text
//! apt-get install -y --no-install-recommends docker-compose caddy nodejs npm
//! npm ci --prefix tools/lint
//! ```

#[path = "config_files/caddy.rs"]
mod caddy;
#[path = "config_files/compose.rs"]
mod compose;
#[path = "config_files/compose_dev.rs"]
mod compose_dev;
#[path = "config_files/compose_production.rs"]
mod compose_production;
#[path = "config_files/env_example.rs"]
mod env_example;
#[path = "config_files/tools.rs"]
mod tools;
#[path = "config_files/workflows.rs"]
mod workflows;
