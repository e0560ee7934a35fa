//! What every OAuth connector does the same way: keep flows in progress
//! (single use, bound to a user and a provider, expiring) and keep sealed
//! token pairs.

use std::time::Duration;

use secrecy::SecretString;

use super::{ConnectorError, StoredCredential};
use crate::domain::UserId;
use crate::store::{CredentialRow, OAuthState, Store};
use crate::vault::{TokenSecrets, Vault};

/// How long a user has to finish an OAuth flow.
pub const FLOW_TTL: Duration = Duration::from_secs(10 * 60);

/// Flows and sealed credentials, for any provider.
#[derive(Debug, Clone)]
pub struct Credentials {
    store: Store,
    vault: Vault,
}

/// A credential opened for use.
#[derive(Debug, Clone)]
pub struct OpenCredential {
    pub tokens: TokenSecrets,
    pub row: CredentialRow,
}

impl OpenCredential {
    /// True when the access token expires within `margin` (or has).
    pub fn expires_within(&self, margin: Duration, now_ms: i64) -> bool {
        self.row
            .expires_at
            .is_some_and(|at| at <= now_ms + margin.as_millis() as i64)
    }
}

impl Credentials {
    pub fn new(store: Store, vault: Vault) -> Self {
        Self { store, vault }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Records a flow started by `user` for `provider`.
    pub async fn start_flow(
        &self,
        user: &UserId,
        provider: &str,
        state: String,
        pkce_verifier: SecretString,
    ) -> Result<(), ConnectorError> {
        let now = platform::db::now_millis();
        // Old flows go as new ones come, so the table stays small.
        self.store.purge_expired_oauth_states(now).await?;
        self.store
            .insert_oauth_state(&OAuthState {
                state,
                user: *user,
                provider: provider.to_owned(),
                pkce_verifier,
                created_at: now,
                expires_at: now + FLOW_TTL.as_millis() as i64,
            })
            .await?;
        Ok(())
    }

    /// Takes the flow `state` names (it is gone afterwards, whatever the
    /// outcome) and checks it was started by `user` for `provider` and has
    /// not expired. Returns its PKCE verifier.
    pub async fn take_flow(
        &self,
        user: &UserId,
        provider: &str,
        state: &str,
    ) -> Result<SecretString, ConnectorError> {
        if state.is_empty() || state.len() > 512 {
            return Err(ConnectorError::UnknownState);
        }
        let flow = self
            .store
            .take_oauth_state(state)
            .await?
            .ok_or(ConnectorError::UnknownState)?;
        if flow.provider != provider {
            return Err(ConnectorError::WrongProvider);
        }
        if flow.user != *user {
            return Err(ConnectorError::ForeignState);
        }
        if flow.expires_at < platform::db::now_millis() {
            return Err(ConnectorError::ExpiredState);
        }
        Ok(flow.pkce_verifier)
    }

    /// Seals and stores a token pair. `expires_in` is from the provider.
    pub async fn save(
        &self,
        user: &UserId,
        provider: &str,
        tokens: &TokenSecrets,
        scope: Option<String>,
        expires_in: Option<Duration>,
    ) -> Result<StoredCredential, ConnectorError> {
        let now = platform::db::now_millis();
        let sealed = self.vault.seal_tokens(user, provider, tokens)?;
        let row = CredentialRow {
            user: *user,
            provider: provider.to_owned(),
            sealed,
            scope,
            expires_at: expires_in.map(|d| now + d.as_millis() as i64),
            created_at: now,
            updated_at: now,
        };
        self.store.put_credential(&row).await?;
        Ok(StoredCredential::from_row(&row))
    }

    /// The user's tokens for `provider`, opened; `None` when not connected.
    pub async fn load(
        &self,
        user: &UserId,
        provider: &str,
    ) -> Result<Option<OpenCredential>, ConnectorError> {
        let Some(row) = self.store.get_credential(user, provider).await? else {
            return Ok(None);
        };
        let tokens = self.vault.open_tokens(user, provider, &row.sealed)?;
        Ok(Some(OpenCredential { tokens, row }))
    }

    /// What is known about the user's credential, without opening it.
    pub async fn status(
        &self,
        user: &UserId,
        provider: &str,
    ) -> Result<Option<StoredCredential>, ConnectorError> {
        Ok(self
            .store
            .get_credential(user, provider)
            .await?
            .as_ref()
            .map(StoredCredential::from_row))
    }

    pub async fn delete(&self, user: &UserId, provider: &str) -> Result<bool, ConnectorError> {
        Ok(self.store.delete_credential(user, provider).await?)
    }
}
