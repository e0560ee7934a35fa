//! auth → profile: the idempotent upsert of a user on sign-in.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use shared_types::profile::{UpsertUser, Upserted, UserId};

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
    pub async fn upsert(&self, user: &UpsertUser) -> anyhow::Result<UserId> {
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
