//! The auth service's SQL, in portable statements over `AnyPool` (the same
//! text serves PostgreSQL and SQLite).

use anyhow::Context;
use sqlx::{AnyPool, FromRow};

/// A started sign-in, kept until its callback (single use) or expiry.
#[derive(Debug, Clone, FromRow)]
pub struct Attempt {
    pub state: String,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct RefreshRow {
    pub session_id: String,
    pub used_at: Option<i64>,
    pub successor: Option<String>,
}

/// A revoked session, as the gateway polls them.
#[derive(Debug, Clone, FromRow)]
pub struct Revoked {
    pub id: String,
    pub revoked_at: i64,
}

#[derive(Clone)]
pub struct Store {
    db: AnyPool,
}

impl Store {
    pub fn new(db: AnyPool) -> Self {
        Self { db }
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_attempt(&self, a: &Attempt) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_attempts (state, provider, nonce, pkce_verifier, return_to, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&a.state)
        .bind(&a.provider)
        .bind(&a.nonce)
        .bind(&a.pkce_verifier)
        .bind(&a.return_to)
        .bind(a.created_at)
        .bind(a.expires_at)
        .execute(&self.db)
        .await
        .context("storing a sign-in attempt")?;
        Ok(())
    }

    /// Deletes and returns the attempt: a state works once at most.
    #[tracing::instrument(skip_all)]
    pub async fn take_attempt(&self, state: &str) -> anyhow::Result<Option<Attempt>> {
        sqlx::query_as::<_, Attempt>(
            "DELETE FROM sign_in_attempts WHERE state = $1 \
             RETURNING state, provider, nonce, pkce_verifier, return_to, created_at, expires_at",
        )
        .bind(state)
        .fetch_optional(&self.db)
        .await
        .context("taking a sign-in attempt")
    }

    #[tracing::instrument(skip_all)]
    pub async fn purge_expired_attempts(&self, now: i64) -> anyhow::Result<u64> {
        let done = sqlx::query("DELETE FROM sign_in_attempts WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.db)
            .await
            .context("purging sign-in attempts")?;
        Ok(done.rows_affected())
    }

    /// A new session with its first refresh token.
    #[tracing::instrument(skip_all)]
    pub async fn create_session(&self, s: &SessionRow, token_hash: &str) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(&mut *tx)
        .await
        .context("storing a session")?;
        insert_token(&mut tx, token_hash, &s.id, s.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn session(&self, id: &str) -> anyhow::Result<Option<SessionRow>> {
        sqlx::query_as::<_, SessionRow>(
            "SELECT id, user_id, created_at, last_seen_at, expires_at, revoked_at FROM sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await
        .context("reading a session")
    }

    #[tracing::instrument(skip_all)]
    pub async fn refresh_token(&self, hash: &str) -> anyhow::Result<Option<RefreshRow>> {
        sqlx::query_as::<_, RefreshRow>(
            "SELECT session_id, used_at, successor FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.db)
        .await
        .context("reading a refresh token")
    }

    /// Marks `hash` used and stores its successor, once: false when someone
    /// else rotated it first.
    #[tracing::instrument(skip_all)]
    pub async fn rotate(
        &self,
        hash: &str,
        sealed_successor: &str,
        successor_hash: &str,
        session_id: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let mut tx = self.db.begin().await?;
        let claimed = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1, successor = $2 WHERE token_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(sealed_successor)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .context("rotating a refresh token")?
        .rows_affected()
            == 1;
        if !claimed {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_token(&mut tx, successor_hash, session_id, now).await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends a session: marks it revoked and deletes its refresh tokens.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_session(&self, id: &str, now: i64) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("revoking a session")?;
        sqlx::query("DELETE FROM refresh_tokens WHERE session_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of revoked sessions in `(revoked_at, id)` order, starting
    /// after the row `(since, after)`: `after = ""` includes every row
    /// revoked at `since`. Paging by the last row seen never skips one, even
    /// when many share a timestamp.
    #[tracing::instrument(skip_all)]
    pub async fn revoked_page(
        &self,
        since: i64,
        after: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<Revoked>> {
        sqlx::query_as::<_, Revoked>(
            "SELECT id, revoked_at FROM sessions WHERE revoked_at IS NOT NULL \
             AND (revoked_at > $1 OR (revoked_at = $1 AND id > $2)) \
             ORDER BY revoked_at, id LIMIT $3",
        )
        .bind(since)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db)
        .await
        .context("listing revoked sessions")
    }

    /// Whether the session `id` may still be used: false when it is
    /// revoked or unknown.
    #[tracing::instrument(skip_all)]
    pub async fn session_is_live(&self, id: &str) -> anyhow::Result<bool> {
        let revoked: Option<Option<i64>> =
            sqlx::query_scalar("SELECT revoked_at FROM sessions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db)
                .await
                .context("checking a session")?;
        Ok(matches!(revoked, Some(None)))
    }
}

async fn insert_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    hash: &str,
    session_id: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(hash)
    .bind(session_id)
    .bind(now)
    .execute(&mut **tx)
    .await
    .context("storing a refresh token")?;
    Ok(())
}
