//! The profile service's SQL, portable over `AnyPool`.

use anyhow::Context;
use sqlx::{AnyPool, FromRow};

use crate::domain::{DisplayName, SignedInUser, TimeZone};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
    pub time_zone: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, email, name, picture, time_zone, created_at, updated_at";

#[derive(Clone)]
pub struct Store {
    db: AnyPool,
}

impl Store {
    pub fn new(db: AnyPool) -> Self {
        Self { db }
    }

    /// Creates the user, or refreshes email and picture of the one with
    /// this Google `sub` (a name the user chose is kept). Idempotent.
    #[tracing::instrument(skip_all)]
    pub async fn upsert(&self, user: &SignedInUser) -> anyhow::Result<UserRow> {
        let now = platform::db::now_millis();
        sqlx::query_as::<_, UserRow>(&format!(
            "INSERT INTO users (id, google_sub, email, name, picture, time_zone, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'UTC', $6, $6) \
             ON CONFLICT (google_sub) DO UPDATE SET email = excluded.email, \
               picture = excluded.picture, name = COALESCE(users.name, excluded.name), updated_at = excluded.updated_at \
             RETURNING {COLUMNS}"
        ))
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user.google_sub.as_str())
        .bind(user.email.as_str())
        .bind(user.name.as_ref().map(DisplayName::as_str))
        .bind(user.picture.as_ref().map(|p| p.as_str()))
        .bind(now)
        .fetch_one(&self.db)
        .await
        .context("upserting a user")
    }

    #[tracing::instrument(skip_all)]
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<UserRow>> {
        sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .context("reading a user")
    }

    #[tracing::instrument(skip_all)]
    pub async fn update(
        &self,
        id: &str,
        name: Option<&DisplayName>,
        time_zone: Option<&TimeZone>,
    ) -> anyhow::Result<Option<UserRow>> {
        sqlx::query_as::<_, UserRow>(&format!(
            "UPDATE users SET name = COALESCE($1, name), time_zone = COALESCE($2, time_zone), updated_at = $3 \
             WHERE id = $4 RETURNING {COLUMNS}"
        ))
        .bind(name.map(DisplayName::as_str))
        .bind(time_zone.map(TimeZone::as_str))
        .bind(platform::db::now_millis())
        .bind(id)
        .fetch_optional(&self.db)
        .await
        .context("updating a user")
    }
}
