//! Black-box tests of the recommender: the service on port 0 with its own
//! database (SQLite or PostgreSQL, as `ONETIP_TEST_DB` says), integrations
//! played by wiremock, access tokens signed by a test key.

mod candidate_cache;
mod contracts;
mod export;
mod helpers;
mod inputs;
mod nats;
mod recommend;
mod tips;
mod vowpal_wabbit;
