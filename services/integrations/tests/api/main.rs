//! Integration tests of the integrations service, in one binary (one link).
//!
//! Tests that touch the database run on the backend `ONETIP_TEST_DB`
//! names (`sqlite` by default, `postgres` on 127.0.0.1:5432).

mod api;
mod app;
mod candidates;
mod cli;
mod connector;
mod contracts;
mod database_outage;
mod etag;
mod helpers;
mod items;
mod outbox;
mod sandbox;
mod store;
mod todoist_client;
mod vault;
