//! Each service's own database through sqlx's `AnyPool`: a SQLite file by
//! default, its own schema on PostgreSQL. Migrations are embedded by the
//! service and chosen here by the URL's scheme.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

/// Which SQL backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else {
            bail!("unsupported database URL scheme (expected postgres:// or sqlite://)")
        }
    }
}

/// A service's two migration folders; the URL picks one.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    pub postgres: &'static Migrator,
    pub sqlite: &'static Migrator,
}

/// A service's [`Migrations`]: its `migrations/postgres` and
/// `migrations/sqlite` folders (beside its `Cargo.toml`), embedded at build
/// time. `static MIGRATIONS: Migrations = platform::migrations!();`
#[macro_export]
macro_rules! migrations {
    () => {{
        static POSTGRES: ::sqlx::migrate::Migrator = ::sqlx::migrate!("./migrations/postgres");
        static SQLITE: ::sqlx::migrate::Migrator = ::sqlx::migrate!("./migrations/sqlite");
        $crate::db::Migrations {
            postgres: &POSTGRES,
            sqlite: &SQLITE,
        }
    }};
}

/// How a service wants its pool.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// The PostgreSQL schema (also the `search_path`); ignored on SQLite.
    pub schema: String,
    pub max_connections: u32,
}

impl DbOptions {
    pub fn new(schema: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            max_connections: 5,
        }
    }
}

/// Opens the pool and runs the service's migrations.
pub async fn connect_and_migrate(
    url: &str,
    options: &DbOptions,
    migrations: Migrations,
) -> anyhow::Result<AnyPool> {
    let backend = Backend::of(url)?;
    let pool = connect(url, options).await?;
    if backend == Backend::Postgres {
        pool.execute(format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", options.schema).as_str())
            .await
            .or_else(ignore_concurrent_create)
            .with_context(|| format!("creating schema {}", options.schema))?;
    }
    let migrator = match backend {
        Backend::Postgres => migrations.postgres,
        Backend::Sqlite => migrations.sqlite,
    };
    migrator
        .run(&pool)
        .await
        .with_context(|| format!("running migrations for {}", options.schema))?;
    Ok(pool)
}

/// Opens the pool: `search_path` set per connection on PostgreSQL, WAL and
/// a busy timeout on SQLite (whose file and folder are created if missing).
pub async fn connect(url: &str, options: &DbOptions) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    if !is_identifier(&options.schema) {
        bail!("schema name {:?} is not a plain identifier", options.schema);
    }
    let url = match backend {
        Backend::Sqlite => prepare_sqlite(url)?,
        Backend::Postgres => url.to_owned(),
    };
    let setup: std::sync::Arc<str> = match backend {
        Backend::Postgres => format!("SET search_path TO \"{}\"", options.schema).into(),
        Backend::Sqlite => {
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;"
                .into()
        }
    };
    AnyPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .after_connect(move |conn, _meta| {
            let setup = setup.clone();
            Box::pin(async move {
                conn.execute(&*setup).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to the {backend:?} database: {}", describe(&e)))
}

/// Makes sure the SQLite file can be created, and asks sqlx to create it.
fn prepare_sqlite(url: &str) -> anyhow::Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parent = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(if query.is_empty() {
        format!("sqlite://{path}?mode=rwc")
    } else {
        url.to_owned()
    })
}

fn ignore_concurrent_create(e: sqlx::Error) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    // Two processes creating the same schema at once: one loses the race on
    // the catalogue's unique index, and the schema exists either way.
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Ok(sqlx::any::AnyQueryResult::default())
        }
        _ => Err(e),
    }
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A store call failed, the one error type of every service's `store`
/// module. The message is fit for logs: no values, no URLs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{context}: {message}")]
    Database {
        context: &'static str,
        message: String,
    },
    /// The database could not be reached (see [`is_unreachable`]): the same
    /// call may work shortly, so services answer 503, not 500.
    #[error("{context}: the database is unreachable: {message}")]
    Unavailable {
        context: &'static str,
        message: String,
    },
    #[error("{0}: a stored value is malformed")]
    Corrupt(&'static str),
}

impl StoreError {
    /// Maps an sqlx error to a [`StoreError::Database`] (or, when the
    /// database is out of reach, [`StoreError::Unavailable`]) saying what
    /// was being done: `.map_err(StoreError::db("storing a decision"))`.
    pub fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| {
            let message = describe(&e);
            if is_unreachable(&e) {
                StoreError::Unavailable { context, message }
            } else {
                StoreError::Database { context, message }
            }
        }
    }

    /// True when the database was out of reach rather than the call wrong.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// True when `e` says the database cannot be reached right now, rather than
/// that a query is wrong: a connection refused or reset, no connection free
/// in time, the server shutting down or not accepting connections (SQLSTATE
/// class 08, 57P01-57P03).
pub fn is_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// An sqlx error in a line fit for an operator, without connection strings.
pub fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => format!("i/o error: {}", io.kind()),
        sqlx::Error::PoolTimedOut => "no connection available (database unreachable?)".into(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Tls(_) => "TLS error".into(),
        other => other.to_string(),
    }
}

/// True when `e` is a unique-constraint violation, on either backend.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Milliseconds since the Unix epoch: how times are stored (portable BIGINT).
pub fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_an_unavailable_store_error_and_a_wrong_query_is_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::Io(refused)] {
            let e = StoreError::db("reading a decision")(e);
            assert!(e.is_unavailable(), "{e}");
            assert!(e.to_string().starts_with("reading a decision: "), "{e}");
        }
        let wrong = StoreError::db("reading a decision")(sqlx::Error::RowNotFound);
        assert!(!wrong.is_unavailable(), "{wrong}");
    }

    #[test]
    fn the_scheme_picks_the_backend() {
        assert_eq!(Backend::of("postgres://x/y").unwrap(), Backend::Postgres);
        assert_eq!(
            Backend::of("sqlite://./data/a.db").unwrap(),
            Backend::Sqlite
        );
        assert!(Backend::of("mysql://x").is_err());
    }

    #[test]
    fn schema_names_must_be_plain_identifiers() {
        assert!(is_identifier("auth"));
        assert!(is_identifier("t_0190"));
        assert!(!is_identifier("auth\"; drop"));
        assert!(!is_identifier("Auth"));
    }

    #[test]
    fn sqlite_files_are_created_when_missing() {
        let dir = std::env::temp_dir().join(format!("onetip-db-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/x.db", dir.display());
        let prepared = prepare_sqlite(&url).unwrap();
        assert!(prepared.ends_with("x.db?mode=rwc"));
        assert!(dir.is_dir());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
