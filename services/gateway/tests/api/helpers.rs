//! What the gateway's tests share: the gateway built from environment pairs
//! and served on port 0, on top of the test kit (`platform::testing`).

use std::time::Duration;

use platform::Env;
pub use platform::testing::{FakeAuth, TestKey, TestServer, cookies, free_port, now};

/// The internal token test gateways hold unless a test names another.
pub fn internal_token() -> String {
    "t".repeat(40)
}

/// The gateway's settings: `GATEWAY_ADDR=127.0.0.1:0` and the internal
/// token, with `pairs` on top.
pub fn settings<K: Into<String>, V: Into<String>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> gateway::Settings {
    let env = Env::from_pairs([
        ("GATEWAY_ADDR", "127.0.0.1:0".to_owned()),
        ("INTERNAL_API_TOKEN", internal_token()),
    ])
    .with(pairs);
    gateway::Settings::from_env(&env).unwrap()
}

/// Builds the gateway and serves it until the returned server is dropped.
pub async fn serve(settings: gateway::Settings) -> TestServer {
    platform::testing::init_tracing();
    TestServer::serve(gateway::build(settings).await.unwrap())
}

/// [`serve`], then waits until the gateway is ready (at most `within`):
/// the first poll of the revoked list has landed (before it, each session
/// would be checked with auth one by one).
pub async fn serve_ready(settings: gateway::Settings, within: Duration) -> TestServer {
    let server = serve(settings).await;
    server.wait_ready(within).await;
    server
}

/// An address where nothing listens (a service that is down).
pub fn closed_addr() -> String {
    format!("127.0.0.1:{}", free_port())
}
