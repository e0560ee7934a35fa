//! `credentials`: one row per (user, provider) holding the sealed token pair,
//! the id of the key that sealed it, the granted scope and the expiry.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};
use crate::domain::UserId;
use crate::vault::Sealed;

/// A credentials row as stored. The tokens are only in `sealed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRow {
    pub user: UserId,
    pub provider: String,
    pub sealed: Sealed,
    pub scope: Option<String>,
    /// When the access token expires (epoch ms), when the provider said.
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Where a row is in the table, for walking it in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowKey {
    pub user_id: String,
    pub provider: String,
}

const COLUMNS: &str =
    "user_id, provider, key_id, nonce, ciphertext, scope, expires_at, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<CredentialRow, StoreError> {
    let get = |e: sqlx::Error| StoreError::Database {
        context: "reading a credentials row",
        message: platform::db::describe(&e),
    };
    let user_id: String = row.try_get("user_id").map_err(get)?;
    Ok(CredentialRow {
        user: UserId::parse(&user_id).map_err(|_| StoreError::Corrupt("credentials.user_id"))?,
        provider: row.try_get("provider").map_err(get)?,
        sealed: Sealed {
            key_id: row.try_get("key_id").map_err(get)?,
            nonce: row.try_get("nonce").map_err(get)?,
            ciphertext: row.try_get("ciphertext").map_err(get)?,
        },
        scope: row.try_get("scope").map_err(get)?,
        expires_at: row.try_get("expires_at").map_err(get)?,
        created_at: row.try_get("created_at").map_err(get)?,
        updated_at: row.try_get("updated_at").map_err(get)?,
    })
}

impl Store {
    /// Inserts or replaces the user's row for the provider (a new connection
    /// or a refreshed token pair). `created_at` of an existing row is kept.
    pub async fn put_credential(&self, row: &CredentialRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO credentials (user_id, provider, key_id, nonce, ciphertext, scope, \
             expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (user_id, provider) DO UPDATE SET key_id = excluded.key_id, \
             nonce = excluded.nonce, ciphertext = excluded.ciphertext, scope = excluded.scope, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        )
        .bind(row.user.to_string())
        .bind(&row.provider)
        .bind(&row.sealed.key_id)
        .bind(&row.sealed.nonce)
        .bind(&row.sealed.ciphertext)
        .bind(&row.scope)
        .bind(row.expires_at)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&self.db)
        .await
        .map_err(StoreError::db("storing a credential"))?;
        Ok(())
    }

    pub async fn get_credential(
        &self,
        user: &UserId,
        provider: &str,
    ) -> Result<Option<CredentialRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM credentials WHERE user_id = $1 AND provider = $2"
        ))
        .bind(user.to_string())
        .bind(provider)
        .fetch_optional(&self.db)
        .await
        .map_err(StoreError::db("reading a credential"))?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deletes the row; true when there was one.
    pub async fn delete_credential(
        &self,
        user: &UserId,
        provider: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM credentials WHERE user_id = $1 AND provider = $2")
            .bind(user.to_string())
            .bind(provider)
            .execute(&self.db)
            .await
            .map_err(StoreError::db("deleting a credential"))?;
        Ok(done.rows_affected() > 0)
    }

    /// The providers the user has a credential for.
    pub async fn providers_of(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT provider FROM credentials WHERE user_id = $1 ORDER BY provider")
            .bind(user.to_string())
            .fetch_all(&self.db)
            .await
            .map_err(StoreError::db("listing a user's credentials"))
    }

    /// Up to `limit` rows not sealed under `key_id`, after `after` in
    /// (user_id, provider) order: one batch of a rotation.
    pub async fn credentials_not_under(
        &self,
        key_id: &str,
        after: Option<&RowKey>,
        limit: i64,
    ) -> Result<Vec<CredentialRow>, StoreError> {
        let (user, provider) = after
            .map(|k| (k.user_id.as_str(), k.provider.as_str()))
            .unwrap_or(("", ""));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM credentials WHERE key_id <> $1 \
             AND (user_id > $2 OR (user_id = $2 AND provider > $3)) \
             ORDER BY user_id, provider LIMIT $4"
        ))
        .bind(key_id)
        .bind(user)
        .bind(provider)
        .bind(limit)
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("reading a rotation batch"))?;
        rows.iter().map(from_row).collect()
    }

    /// Replaces the sealed tokens of rows, each only if it still holds the
    /// ciphertext that was read (so a concurrent refresh is never undone),
    /// in one transaction. Returns how many rows were replaced.
    pub async fn reseal_credentials(
        &self,
        replacements: &[(CredentialRow, Sealed)],
        now: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(StoreError::db("starting a rotation batch"))?;
        let mut replaced = 0;
        for (old, new) in replacements {
            let done = sqlx::query(
                "UPDATE credentials SET key_id = $1, nonce = $2, ciphertext = $3, updated_at = $4 \
                 WHERE user_id = $5 AND provider = $6 AND key_id = $7 AND nonce = $8",
            )
            .bind(&new.key_id)
            .bind(&new.nonce)
            .bind(&new.ciphertext)
            .bind(now)
            .bind(old.user.to_string())
            .bind(&old.provider)
            .bind(&old.sealed.key_id)
            .bind(&old.sealed.nonce)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("resealing a credential"))?;
            replaced += done.rows_affected();
        }
        tx.commit()
            .await
            .map_err(StoreError::db("committing a rotation batch"))?;
        Ok(replaced)
    }

    /// How many rows each key id seals (for the rotation report).
    pub async fn credentials_by_key(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, COUNT(*) AS n FROM credentials GROUP BY key_id ORDER BY key_id",
        )
        .fetch_all(&self.db)
        .await
        .map_err(StoreError::db("counting credentials by key"))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("key_id")
                        .map_err(StoreError::db("reading a key id"))?,
                    r.try_get::<i64, _>("n")
                        .map_err(StoreError::db("reading a count"))?,
                ))
            })
            .collect()
    }
}
