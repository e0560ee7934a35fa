//! auth → profile: the idempotent upsert of a user on sign-in.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Who signed in, as profile stores them.
#[derive(Debug, Clone, Serialize)]
pub struct NewUser {
    pub google_sub: String,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Upserted {
    id: String,
}

#[derive(Clone)]
pub struct ProfileClient {
    base: String,
    token: SecretString,
    http: reqwest::Client,
}

impl ProfileClient {
    pub fn new(base: String, token: SecretString) -> Self {
        Self {
            base,
            token,
            http: platform::client::http_client(Duration::from_secs(5)),
        }
    }

    /// The profile's user id for this Google account, created if new.
    #[tracing::instrument(skip_all)]
    pub async fn upsert(&self, user: &NewUser) -> anyhow::Result<String> {
        let response = self
            .http
            .post(format!("{}/internal/users", self.base))
            .bearer_auth(self.token.expose_secret())
            .headers(platform::trace::headers())
            .json(user)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "profile answered {}",
            response.status()
        );
        Ok(response.json::<Upserted>().await?.id)
    }
}
