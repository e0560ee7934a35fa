//! Sessions: start, refresh with rotation and reuse detection, sign-out.
//!
//! A refresh token is 256 random bits from the OS; only a hash is stored.
//! Rotating RT1 stores RT2's hash and RT2 sealed with a key derived from
//! RT1, so a second request presenting RT1 within [`GRACE`] gets the same
//! RT2 (concurrent refreshes after an expiry), while RT1 after the grace
//! kills the whole family.
//!
//! Its functions answer [`SessionError`]; `error.rs` alone turns that into
//! HTTP.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::jwt::{AUDIENCE, AccessClaims, SigningKey};
use sha2::{Digest, Sha256};
use shared_types::UserId;
use shared_types::auth::{RevokedList, RevokedSession};

use crate::clock::Clock;
use crate::store::{SessionRow, Store};

/// How long a used refresh token still yields its successor.
pub const GRACE: Duration = Duration::from_secs(10);

/// Why a session call did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No live session: an unknown, reused, revoked or timed-out refresh
    /// token or session.
    #[error("no live session")]
    NotLive,
    /// The store failed (the database may be out of reach).
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

pub type SessionResult<T> = Result<T, SessionError>;

/// What a started or refreshed session hands out.
#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the session's absolute end, for the cookies' Max-Age.
    pub cookie_max_age: i64,
    pub access_expires_in: i64,
}

#[derive(Clone)]
pub struct Sessions {
    pub store: Store,
    pub clock: Clock,
    pub key: std::sync::Arc<SigningKey>,
    pub issuer: String,
    pub access_ttl: Duration,
    pub idle_ttl: Duration,
    pub absolute_ttl: Duration,
}

fn token_hash(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"onetip-rt\0");
    h.update(token.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

fn seal_key(token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"onetip-rt-successor\0");
    h.update(token.as_bytes());
    h.finalize().into()
}

/// RT2 xor a key only RT1's holder can derive (a one-time pad: fresh key
/// per RT1, message as long as the key).
fn seal(successor: &[u8; 32], token: &str) -> String {
    let key = seal_key(token);
    let sealed: Vec<u8> = successor.iter().zip(key).map(|(a, b)| a ^ b).collect();
    URL_SAFE_NO_PAD.encode(sealed)
}

fn unseal(sealed: &str, token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(sealed)
        .ok()
        .filter(|b| b.len() == 32)?;
    let plain: Vec<u8> = bytes
        .iter()
        .zip(seal_key(token))
        .map(|(a, b)| a ^ b)
        .collect();
    Some(URL_SAFE_NO_PAD.encode(plain))
}

impl Sessions {
    /// Starts a session for `user_id`.
    #[tracing::instrument(skip_all)]
    pub async fn start(&self, user_id: UserId) -> SessionResult<Issued> {
        let now = self.clock.now_millis();
        let session = SessionRow {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_string(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.absolute_ttl.as_millis() as i64,
            revoked_at: None,
        };
        let refresh = URL_SAFE_NO_PAD.encode(platform::secrets::random_bytes::<32>());
        self.store
            .create_session(&session, &token_hash(&refresh))
            .await?;
        tracing::info!(session = %session.id, "session started");
        Ok(self.issue(&session, refresh, now))
    }

    fn issue(&self, session: &SessionRow, refresh_token: String, now: i64) -> Issued {
        let iat = now / 1000;
        let ttl = self.access_ttl.as_secs() as i64;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: session.user_id.clone(),
            sid: session.id.clone(),
            iat,
            exp: iat + ttl,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        Issued {
            access_token: self.key.sign(&claims),
            refresh_token,
            cookie_max_age: ((session.expires_at - now) / 1000).max(0),
            access_expires_in: ttl,
        }
    }

    /// The live session `id`, or why not: revoked, idle too long, too old.
    async fn live_session(&self, id: &str, now: i64) -> SessionResult<SessionRow> {
        let session = self.store.session(id).await?.ok_or(SessionError::NotLive)?;
        if session.revoked_at.is_some() {
            return Err(SessionError::NotLive);
        }
        let idle_end = session.last_seen_at + self.idle_ttl.as_millis() as i64;
        if now >= session.expires_at || now >= idle_end {
            tracing::info!(session = %session.id, "session timed out");
            self.store.revoke_session(&session.id, now).await?;
            return Err(SessionError::NotLive);
        }
        Ok(session)
    }

    /// Trades a refresh token for a new pair.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, token: &str) -> SessionResult<Issued> {
        if token.len() > 128 {
            return Err(SessionError::NotLive);
        }
        let now = self.clock.now_millis();
        let hash = token_hash(token);
        let row = self
            .store
            .refresh_token(&hash)
            .await?
            .ok_or(SessionError::NotLive)?;
        let session = self.live_session(&row.session_id, now).await?;
        if row.used_at.is_none() {
            let next = platform::secrets::random_bytes::<32>();
            let next_token = URL_SAFE_NO_PAD.encode(next);
            let sealed = seal(&next, token);
            if self
                .store
                .rotate(&hash, &sealed, &token_hash(&next_token), &session.id, now)
                .await?
            {
                return Ok(self.issue(&session, next_token, now));
            }
        }
        // Used already: a concurrent refresh within the grace, or a replay.
        let row = self
            .store
            .refresh_token(&hash)
            .await?
            .ok_or(SessionError::NotLive)?;
        let within_grace = row
            .used_at
            .is_some_and(|used| now - used <= GRACE.as_millis() as i64);
        match (
            within_grace,
            row.successor.as_deref().and_then(|s| unseal(s, token)),
        ) {
            (true, Some(successor)) => Ok(self.issue(&session, successor, now)),
            _ => {
                tracing::warn!(session = %session.id, "refresh token reused: revoking the session");
                self.store.revoke_session(&session.id, now).await?;
                Err(SessionError::NotLive)
            }
        }
    }

    /// Ends the session a refresh token belongs to (if any).
    #[tracing::instrument(skip_all)]
    pub async fn end_by_refresh(&self, token: &str) -> SessionResult<Option<String>> {
        let Some(row) = self.store.refresh_token(&token_hash(token)).await? else {
            return Ok(None);
        };
        self.end(&row.session_id).await?;
        Ok(Some(row.session_id))
    }

    pub async fn end(&self, session_id: &str) -> SessionResult<()> {
        self.store
            .revoke_session(session_id, self.clock.now_millis())
            .await?;
        tracing::info!(session = %session_id, "session ended");
        Ok(())
    }

    /// A page of the sessions revoked at or after `since` (epoch ms), the
    /// page starting after the session `after` (empty for a first page),
    /// with the time it was read, for the gateway's revoked set.
    #[tracing::instrument(skip_all)]
    pub async fn revoked(&self, since: i64, after: &str, limit: i64) -> SessionResult<RevokedList> {
        let now = self.clock.now_millis();
        let revoked = self
            .store
            .revoked_page(since, after, limit)
            .await?
            .into_iter()
            .map(|r| RevokedSession {
                sid: r.id,
                revoked_at: r.revoked_at,
            })
            .collect();
        Ok(RevokedList { now, revoked })
    }

    /// Whether the session `id` is live (an over-long id never is).
    #[tracing::instrument(skip_all)]
    pub async fn is_live(&self, id: &str) -> SessionResult<bool> {
        Ok(id.len() <= 64 && self.store.session_is_live(id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_successor_opens_only_with_its_predecessor() {
        let next = [5u8; 32];
        let sealed = seal(&next, "rt1");
        assert_eq!(
            unseal(&sealed, "rt1").unwrap(),
            URL_SAFE_NO_PAD.encode(next)
        );
        assert_ne!(
            unseal(&sealed, "rt2").unwrap(),
            URL_SAFE_NO_PAD.encode(next)
        );
        assert_ne!(token_hash("rt1"), URL_SAFE_NO_PAD.encode(seal_key("rt1")));
    }
}
