//! Stored decisions for the scaling rows, written straight into the
//! recommender's database (a million through HTTP would take longer than
//! the whole run): `done` decisions of 10,000 other users, spread over the
//! past, as many as asked. On PostgreSQL the recommender's tables are in
//! its own schema, `recommender`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;

/// Adds the decisions numbered `from..to` (their ids are made from the
/// number, so successive calls add new ones).
pub async fn decisions(database: &str, from: u64, to: u64) -> anyhow::Result<()> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let (from, to, now) = (from as i64, to as i64, now);
    if database.starts_with("sqlite:") {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(database)?
            .busy_timeout(Duration::from_secs(60));
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        sqlx::query(
            "INSERT INTO decisions (id, user_id, created_at, policy, policy_version, \
             eligibility_version, context, seed, draw, chosen_position, chosen_id, propensity, \
             tip, degraded, sources, status, status_at) \
             WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2) \
             SELECT printf('00000000-0000-7000-8000-%012d', i), \
                    printf('00000000-0000-4000-8000-%012d', i % 10000), ?3 - i * 1000, \
                    'urgency', '1', 'eligibility-1', '{}', '0', 0.5, 0, 'todoist:bench', 0.5, \
                    '{}', 0, '[]', 'done', ?3 - i * 1000 FROM n",
        )
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut conn)
        .await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(database).await?;
        sqlx::query(
            "INSERT INTO recommender.decisions (id, user_id, created_at, policy, policy_version, \
             eligibility_version, context, seed, draw, chosen_position, chosen_id, propensity, \
             tip, degraded, sources, status, status_at) \
             SELECT '00000000-0000-7000-8000-' || lpad(i::text, 12, '0'), \
                    '00000000-0000-4000-8000-' || lpad((i % 10000)::text, 12, '0'), $3 - i * 1000, \
                    'urgency', '1', 'eligibility-1', '{}', '0', 0.5, 0, 'todoist:bench', 0.5, \
                    '{}', 0, '[]', 'done', $3 - i * 1000 \
             FROM generate_series($1::bigint, $2::bigint - 1) AS i",
        )
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut conn)
        .await?;
        sqlx::query("ANALYZE recommender.decisions")
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
