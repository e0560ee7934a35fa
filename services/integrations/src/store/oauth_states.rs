//! `oauth_states`: OAuth flows in progress. Each is bound to the user and
//! the provider it was started for, expires, and is deleted on first use.

use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::UserId;

/// One OAuth flow in progress.
#[derive(Debug, Clone)]
pub struct OAuthState {
    pub state: String,
    pub user: UserId,
    pub provider: String,
    pub pkce_verifier: SecretString,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_oauth_state(&self, flow: &OAuthState) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oauth_states (state, user_id, provider, pkce_verifier, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&flow.state)
        .bind(flow.user.to_string())
        .bind(&flow.provider)
        .bind(flow.pkce_verifier.expose_secret())
        .bind(flow.created_at)
        .bind(flow.expires_at)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("storing an OAuth state"))?;
        Ok(())
    }

    /// Deletes and returns the flow with this `state`, whatever its expiry
    /// (the caller checks it): a second call for the same state finds
    /// nothing, so a state is used at most once even under a race.
    pub async fn take_oauth_state(&self, state: &str) -> Result<Option<OAuthState>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oauth_states WHERE state = $1 \
             RETURNING state, user_id, provider, pkce_verifier, created_at, expires_at",
        )
        .bind(state)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("taking an OAuth state"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let get = StoreError::db("reading an OAuth state");
        let user: String = row.try_get("user_id").map_err(get)?;
        Ok(Some(OAuthState {
            state: row
                .try_get("state")
                .map_err(StoreError::db("reading an OAuth state"))?,
            user: UserId::parse(&user).map_err(|_| StoreError::Corrupt("oauth_states.user_id"))?,
            provider: row
                .try_get("provider")
                .map_err(StoreError::db("reading an OAuth state"))?,
            pkce_verifier: SecretString::from(
                row.try_get::<String, _>("pkce_verifier")
                    .map_err(StoreError::db("reading an OAuth state"))?,
            ),
            created_at: row
                .try_get("created_at")
                .map_err(StoreError::db("reading an OAuth state"))?,
            expires_at: row
                .try_get("expires_at")
                .map_err(StoreError::db("reading an OAuth state"))?,
        }))
    }

    /// Deletes flows that expired before `now`; returns how many.
    pub async fn purge_expired_oauth_states(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(now)
            .execute(&self.db)
            .await
            .map_err(StoreError::db("purging OAuth states"))?;
        Ok(done.rows_affected())
    }
}
