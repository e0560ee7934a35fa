//! Each service that owns a database, started in-process through its
//! library on the backend `ONETIP_TEST_DB` names: liveness, readiness, its
//! own schema and migrations, and NATS in readiness when events use it.

use platform::testing::{TestDatabase, TestServer, free_port};
use platform::{Env, Server};
use serde_json::Value;
use sqlx::{Connection, PgConnection};

/// A service library's `build`, taken by name.
#[derive(Clone, Copy)]
enum Svc {
    Auth,
    Profile,
    Integrations,
    Recommender,
}

const ALL: [Svc; 4] = [Svc::Auth, Svc::Profile, Svc::Integrations, Svc::Recommender];

impl Svc {
    fn name(self) -> &'static str {
        match self {
            Svc::Auth => "auth",
            Svc::Profile => "profile",
            Svc::Integrations => "integrations",
            Svc::Recommender => "recommender",
        }
    }

    /// The service's one table (its first migration).
    fn table(self) -> &'static str {
        match self {
            Svc::Auth => "sign_in_attempts",
            Svc::Profile => "users",
            Svc::Integrations => "credentials",
            Svc::Recommender => "decisions",
        }
    }

    async fn build(self, env: &Env) -> Server {
        match self {
            Svc::Auth => auth::build(auth::Settings::from_env(env).unwrap()).await,
            Svc::Profile => profile::build(profile::Settings::from_env(env).unwrap()).await,
            Svc::Integrations => {
                integrations::build(integrations::Settings::from_env(env).unwrap()).await
            }
            Svc::Recommender => {
                recommender::build(recommender::Settings::from_env(env).unwrap()).await
            }
        }
        .unwrap_or_else(|e| panic!("{} did not start: {e:#}", self.name()))
    }
}

struct Running {
    base: String,
    _server: TestServer,
}

async fn spawn(svc: Svc, db: &TestDatabase, extra: &[(&str, String)]) -> Running {
    platform::testing::init_tracing();
    let prefix = svc.name().to_uppercase();
    let mut pairs = vec![
        (format!("{prefix}_ADDR"), "127.0.0.1:0".to_owned()),
        ("DATA_DIR".to_owned(), db.dir().display().to_string()),
    ];
    if db.is_postgres() {
        pairs.push((format!("{prefix}_DATABASE_URL"), db.url().to_owned()));
    }
    pairs.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let server = TestServer::serve(svc.build(&Env::from_pairs(pairs)).await);
    Running {
        base: server.url().to_owned(),
        _server: server,
    }
}

#[tokio::test]
async fn every_service_says_it_is_alive_with_its_name_and_version() {
    for svc in ALL {
        let db = TestDatabase::new().await;
        let app = spawn(svc, &db, &[]).await;
        let response = reqwest::get(format!("{}/health", app.base)).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["service"], svc.name());
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    }
}

#[tokio::test]
async fn every_service_is_ready_after_a_real_query_on_its_database() {
    for svc in ALL {
        let db = TestDatabase::new().await;
        let app = spawn(svc, &db, &[]).await;
        let response = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
        assert_eq!(response.status(), 200, "{}", svc.name());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["checks"][0]["name"], "database");
        assert_eq!(body["checks"][0]["status"], "ok");
    }
}

#[tokio::test]
async fn migrations_create_each_service_table_in_its_own_place() {
    for svc in ALL {
        let db = TestDatabase::new().await;
        let _app = spawn(svc, &db, &[]).await;
        if db.is_postgres() {
            // Its own schema, holding its table and its own migrations table.
            let mut conn = PgConnection::connect(db.url()).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            )
            .bind(svc.name())
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.contains(&svc.table().to_owned()), "{tables:?}");
            assert!(
                tables.contains(&"_sqlx_migrations".to_owned()),
                "{tables:?}"
            );
        } else {
            // Its own file, DATA_DIR/<service>.db by default, holds its table.
            let path = db.dir().join(format!("{}.db", svc.name()));
            assert!(path.exists(), "{}", path.display());
            let url = format!("sqlite://{}", path.display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind(svc.table())
            .fetch_one(&mut conn)
            .await
            .unwrap();
            assert_eq!(n, 1, "{}", svc.table());
        }
    }
}

#[tokio::test]
async fn a_service_restarted_on_the_same_database_keeps_it_and_migrates_once() {
    let db = TestDatabase::new().await;
    for _ in 0..2 {
        let app = spawn(Svc::Profile, &db, &[]).await;
        let response = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn readiness_checks_nats_when_events_travel_over_it() {
    let db = TestDatabase::new().await;
    let app = spawn(
        Svc::Recommender,
        &db,
        &[
            ("EVENT_BUS", "nats".into()),
            ("NATS_URL", "nats://127.0.0.1:4222".into()),
        ],
    )
    .await;
    let response = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
    let body: Value = response.json().await.unwrap();
    let nats = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "nats")
        .expect("a nats check");
    assert_eq!(
        nats["status"], "ok",
        "NATS must run on 127.0.0.1:4222 for this test (see README, 'Tests'): {nats}"
    );
}

#[tokio::test]
async fn readiness_is_503_naming_nats_when_it_does_not_answer() {
    let db = TestDatabase::new().await;
    let dead = format!("nats://127.0.0.1:{}", free_port());
    let app = spawn(
        Svc::Auth,
        &db,
        &[("EVENT_BUS", "nats".into()), ("NATS_URL", dead)],
    )
    .await;
    let response = reqwest::get(format!("{}/ready", app.base)).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "down");
    let failing: Vec<&Value> = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "down")
        .collect();
    assert_eq!(failing.len(), 1, "{body}");
    assert_eq!(failing[0]["name"], "nats");
    // Liveness stays green: the process itself is fine.
    let live = reqwest::get(format!("{}/health", app.base)).await.unwrap();
    assert_eq!(live.status(), 200);
}

#[tokio::test]
async fn a_service_refuses_to_start_with_an_unsupported_database_url() {
    let env = Env::from_pairs([
        ("PROFILE_ADDR", "127.0.0.1:0"),
        ("PROFILE_DATABASE_URL", "mysql://root:hunter2@localhost/x"),
    ]);
    let err = match profile::build(profile::Settings::from_env(&env).unwrap()).await {
        Ok(_) => panic!("started on a mysql URL"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("unsupported database URL scheme"), "{err}");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}
