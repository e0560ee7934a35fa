//! A database of its own for each test.
//!
//! `ONETIP_TEST_DB` picks the backend every test runs on: `sqlite` (the
//! default) or `postgres`. On PostgreSQL each test gets a fresh database on
//! the server named by `ONETIP_TEST_POSTGRES_URL`, dropped when the test
//! ends. When PostgreSQL was asked for and does not answer, the test fails
//! loudly: it never quietly falls back to SQLite.

use std::path::PathBuf;

use sqlx::{Connection, Executor, PgConnection};

/// The backend the test suite was asked to run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// Reads `ONETIP_TEST_DB`; panics on anything but `sqlite` or `postgres`.
pub fn backend() -> TestBackend {
    match std::env::var("ONETIP_TEST_DB").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => TestBackend::Sqlite,
        Ok("postgres") => TestBackend::Postgres,
        Ok(other) => panic!("ONETIP_TEST_DB must be `sqlite` or `postgres`, not `{other}`"),
    }
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("ONETIP_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test.
pub struct TestDatabase {
    url: String,
    dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// A fresh database on the backend `ONETIP_TEST_DB` names.
    pub async fn new() -> Self {
        Self::on(backend()).await
    }

    pub async fn on(backend: TestBackend) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match backend {
            TestBackend::Sqlite => Self {
                url: format!("sqlite://{}/test.db", dir.path().display()),
                dir,
                pg_name: None,
            },
            TestBackend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("onetip_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "ONETIP_TEST_DB=postgres, but PostgreSQL at {admin} does not answer: {e}. \
                         Start it (see README, 'Tests') or run with ONETIP_TEST_DB=sqlite."
                    )
                });
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("creating the test database");
                Self {
                    url: replace_database(&admin, &name),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// The URL a service under test connects with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A scratch folder that lives as long as the database (a `DATA_DIR`).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_name.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop may run inside a runtime: do the async work on a thread of its own.
        let admin = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            rt.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = conn
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

/// `postgres://user@host:port/olddb?x` with the database replaced.
pub fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..host_end], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_is_swapped_and_the_rest_kept() {
        assert_eq!(
            replace_database(
                "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
                "t1"
            ),
            "postgres://postgres@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "t2"), "postgres://h/t2");
    }
}
