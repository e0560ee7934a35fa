//! Users holding sessions for the users rows, written straight into the
//! fleet's databases: through HTTP (development sign-in, then the OAuth
//! dance with the fake) a user costs about 11 ms, so 100,000 would take
//! 20 minutes. Each seeded user gets the rows signing in and connecting
//! Todoist leave behind:
//!
//! * profile: a `users` row, `dev:<email>` as its sub (development sign-in);
//! * auth: a live `sessions` row and its first `refresh_tokens` row (the
//!   hash of a fresh refresh token, as auth stores it);
//! * integrations: a `credentials` row holding a Todoist token pair the
//!   fake issued for a fresh account, sealed by integrations' own vault
//!   (`integrations::vault`) under the key the fleet generated.
//!
//! The users the load goes to also get what their browser would hold: an
//! access token signed with auth's key (read from `DATA_DIR`) with auth's
//! claims and default lifetime, and their refresh token. Rows go in as
//! multi-row `INSERT`s, each service's in one transaction, through
//! `sqlx::Any` (`$N` placeholders serve both backends; on PostgreSQL the
//! service's schema is the connection's `search_path`, as the fleet does).

use std::fmt::Write;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use integrations::UserId;
use integrations::vault::{KeyRing, TokenSecrets, Vault};
use platform::jwt::{AUDIENCE, AccessClaims, SigningKey};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};
use todoist_fake::FakeTodoist;
use uuid::Uuid;

use crate::fleet::{self, Fleet, User};

/// auth's default `ACCESS_TOKEN_TTL`, which the fleet runs with.
const ACCESS_TTL_SECS: i64 = 5 * 60;
/// auth's default `SESSION_ABSOLUTE_TTL`.
const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// Integrations' name for Todoist (`provider` in `credentials`).
const PROVIDER: &str = "todoist";

/// One column value of a seeded row.
enum Value {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

/// A table's rows: its name, its columns and the values of each row.
type Table<'a> = (&'a str, &'a [&'a str], Vec<Vec<Value>>);

/// What one seeded user needs in each table.
struct Seeded {
    id: Uuid,
    session: Uuid,
    email: String,
    account: String,
    refresh: String,
}

/// auth's hash of a refresh token (`sessions.rs`: SHA-256 over a
/// domain-separated token, URL-safe base64).
fn refresh_hash(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"onetip-rt\0");
    h.update(token.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Writes `rows` into `table` in statements of about 900 values, inside
/// the caller's transaction. (sqlx binds `$N` on SQLite in time that grows
/// with the square of a statement's parameters: 2,000 rows a statement
/// took 0.8 ms a user, 100 take a few µs.)
async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    let per_statement = (900 / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..columns.len() {
                n += 1;
                let _ = write!(sql, "{}${n}", if c == 0 { "" } else { ", " });
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(s) => query.bind(s.as_str()),
                Value::Int(i) => query.bind(*i),
                Value::Bytes(b) => query.bind(b.as_slice()),
                Value::Null => query.bind(Option::<String>::None),
            };
        }
        query
            .execute(&mut *conn)
            .await
            .with_context(|| format!("inserting into {table}"))?;
    }
    Ok(())
}

/// Opens `service`'s database as the service does: on PostgreSQL with its
/// schema as the `search_path`.
async fn connect(fleet: &Fleet, service: &str) -> anyhow::Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = fleet.database(service);
    let mut conn = AnyConnection::connect(&url)
        .await
        .with_context(|| format!("opening {service}'s database"))?;
    if url.starts_with("postgres") {
        sqlx::query(&format!("SET search_path TO \"{service}\""))
            .execute(&mut conn)
            .await?;
    }
    Ok(conn)
}

/// One service's rows, in one transaction.
async fn write(fleet: &Fleet, service: &str, tables: &[Table<'_>]) -> anyhow::Result<()> {
    let mut conn = connect(fleet, service).await?;
    let mut tx = conn.begin().await?;
    for (table, columns, rows) in tables {
        insert(&mut tx, table, columns, rows).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Seeds `count` signed-in, Todoist-connected users and returns the
/// `load` of them (spread evenly over the seeded ones) with the cookies
/// their browsers would send.
pub async fn seed(
    fleet: &Fleet,
    fake: &FakeTodoist,
    prefix: &str,
    count: usize,
    load: usize,
) -> anyhow::Result<Vec<User>> {
    let read = |file: &str| {
        std::fs::read_to_string(fleet.data_dir().join(file))
            .with_context(|| format!("reading {file} under DATA_DIR"))
    };
    let signing = SigningKey::parse_ring(&read("jwt_signing_keys")?)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .next()
        .context("auth has no signing key")?;
    let vault = Vault::new(KeyRing::parse(&read("token_vault_keys")?)?);
    let now = platform::db::now_millis();
    let started = std::time::Instant::now();

    let seeded: Vec<Seeded> = (0..count)
        .map(|i| Seeded {
            id: Uuid::now_v7(),
            session: Uuid::now_v7(),
            email: format!("{prefix}-{i}@bench.test"),
            account: format!("seed-{}", Uuid::new_v4().simple()),
            refresh: URL_SAFE_NO_PAD.encode(platform::secrets::random_bytes::<32>()),
        })
        .collect();

    let mut users = Vec::with_capacity(count);
    let mut sessions = Vec::with_capacity(count);
    let mut refresh_tokens = Vec::with_capacity(count);
    let mut credentials = Vec::with_capacity(count);
    for s in &seeded {
        use Value::{Bytes, Int, Null, Text};
        users.push(vec![
            Text(s.id.to_string()),
            Text(format!("dev:{}", s.email)),
            Text(s.email.clone()),
            Text("Bench User".into()),
            Null,
            Text("UTC".into()),
            Int(now),
            Int(now),
        ]);
        sessions.push(vec![
            Text(s.session.to_string()),
            Text(s.id.to_string()),
            Int(now),
            Int(now),
            Int(now + SESSION_TTL_MS),
        ]);
        refresh_tokens.push(vec![
            Text(refresh_hash(&s.refresh)),
            Text(s.session.to_string()),
            Int(now),
        ]);
        let grant = fake.issue_token(&s.account, &[integrations::todoist::SCOPE]);
        let tokens = TokenSecrets {
            access: SecretString::from(grant.access_token),
            refresh: Some(SecretString::from(grant.refresh_token)),
        };
        let sealed = vault.seal_tokens(&UserId::new(s.id), PROVIDER, &tokens)?;
        credentials.push(vec![
            Text(s.id.to_string()),
            Text(PROVIDER.into()),
            Text(sealed.key_id),
            Bytes(sealed.nonce),
            Bytes(sealed.ciphertext),
            Text(grant.scope),
            Int(now + grant.expires_in as i64 * 1000),
            Int(now),
            Int(now),
        ]);
    }
    let built = started.elapsed();
    write(
        fleet,
        "profile",
        &[(
            "users",
            &[
                "id",
                "google_sub",
                "email",
                "name",
                "picture",
                "time_zone",
                "created_at",
                "updated_at",
            ],
            users,
        )],
    )
    .await?;
    write(
        fleet,
        "auth",
        &[
            (
                "sessions",
                &["id", "user_id", "created_at", "last_seen_at", "expires_at"],
                sessions,
            ),
            (
                "refresh_tokens",
                &["token_hash", "session_id", "created_at"],
                refresh_tokens,
            ),
        ],
    )
    .await?;
    write(
        fleet,
        "integrations",
        &[(
            "credentials",
            &[
                "user_id",
                "provider",
                "key_id",
                "nonce",
                "ciphertext",
                "scope",
                "expires_at",
                "created_at",
                "updated_at",
            ],
            credentials,
        )],
    )
    .await?;
    eprintln!(
        "seeded {count} users: rows built (tokens issued and sealed) in {built:?}, written in {:?}",
        started.elapsed() - built
    );

    // The fleet runs as development (no `__Host-` prefix).
    let names = platform::identity::SessionCookies::new(false);
    let iat = now / 1000;
    let step = (count / load.max(1)).max(1);
    Ok(seeded
        .iter()
        .step_by(step)
        .take(load)
        .map(|s| {
            let token = signing.sign(&AccessClaims {
                iss: fleet::gateway(),
                aud: AUDIENCE.into(),
                sub: s.id.to_string(),
                sid: s.session.to_string(),
                iat,
                exp: iat + ACCESS_TTL_SECS,
                jti: Uuid::now_v7().to_string(),
            });
            User {
                id: s.id.to_string(),
                account: s.account.clone(),
                cookies: format!("{}={token}; {}={}", names.access, names.refresh, s.refresh),
            }
        })
        .collect())
}

/// Whether a seeded user is signed in as far as the fleet can tell: their
/// `GET /api/me` through the gateway answers their own id.
pub async fn check(user: &User) -> anyhow::Result<()> {
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/me", fleet::gateway()))
        .header("cookie", &user.cookies)
        .send()
        .await?
        .error_for_status()
        .context("a seeded user's /api/me")?
        .json()
        .await?;
    anyhow::ensure!(me["id"] == user.id.as_str(), "/api/me answered {me}");
    Ok(())
}
