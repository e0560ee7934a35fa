//! The outbound HTTP client every service uses: timeouts on every call,
//! redirects never followed (an SSRF hole otherwise), one user agent.

use std::time::Duration;

/// A client with a total timeout per request and no redirect following.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("onetip/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a rustls client with static settings builds")
}
