//! The web app: server-rendered pages that ask the gateway for their data.
//!
//! Every page is plain HTML that works with no JavaScript at all: links and
//! ordinary forms. Views are written with Leptos's `view!` and rendered to a
//! string in ordinary axum handlers (see [`pages`]), so the answers carry no
//! inline script and satisfy a strict Content-Security-Policy.

mod app;
mod assets;
pub mod config;
pub mod csrf;
mod gateway;
mod pages;
mod security;

pub use app::{build, openapi, router, run};
pub use config::Settings;
