//! The fleet under test: the release `onetip` binary on SQLite or on
//! PostgreSQL (fresh databases each run), pinned to core 0, pointed at a
//! fake Todoist served by this driver (so the fake's work is not counted as
//! the fleet's, and its task lists can be sized), and the signed-in,
//! Todoist-connected users that drive it.

use std::time::Duration;

use sqlx::Connection;
use todoist_fake::{FakeConfig, FakeTodoist};

use crate::procs::{Server, addr, wait_ok};

pub const FAKE: u16 = 10;
const SERVICES: [&str; 6] = [
    "GATEWAY",
    "AUTH",
    "PROFILE",
    "INTEGRATIONS",
    "RECOMMENDER",
    "WEB",
];
const DATABASES: [&str; 4] = ["AUTH", "PROFILE", "INTEGRATIONS", "RECOMMENDER"];
pub const POSTGRES_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// The fake Todoist, served in the background on its fixed port.
pub async fn start_fake() -> FakeTodoist {
    let fake = FakeTodoist::new(FakeConfig {
        rate_limit: None,
        ..FakeConfig::sandbox()
    });
    let server = fake
        .bind(addr(FAKE).parse().unwrap())
        .await
        .expect("binding the fake Todoist");
    tokio::spawn(server.serve(platform::Shutdown::new()));
    fake
}

/// A PostgreSQL URL for `service`'s fresh benchmark database.
fn database_url(admin: &str, service: &str) -> String {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/onetip_bench_{}", service.to_lowercase())
}

/// Drops the four benchmark databases, and creates them again when `create`.
async fn reset_databases(admin: &str, create: bool) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    for service in DATABASES {
        let name = format!("onetip_bench_{}", service.to_lowercase());
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        if create {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn drop_databases(admin: &str) -> anyhow::Result<()> {
    reset_databases(admin, false).await
}

/// A running fleet and where its data is.
pub struct Fleet {
    pub server: Server,
    /// Kept until the fleet is dropped: its SQLite files and keys.
    data_dir: tempfile::TempDir,
    /// Where its PostgreSQL databases are (`None`: SQLite files in `data_dir`).
    admin: Option<String>,
}

impl Fleet {
    /// `DATA_DIR`: the signing and vault keys the fleet generated.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// The database of `service` (`auth`, `profile`, `integrations`,
    /// `recommender`), for seeding. On PostgreSQL its tables are in the
    /// schema named after the service.
    pub fn database(&self, service: &str) -> String {
        match &self.admin {
            Some(admin) => database_url(admin, service),
            None => format!("sqlite://{}/{service}.db", self.data_dir.path().display()),
        }
    }
}

pub fn gateway() -> String {
    format!("http://{}", addr(0))
}

/// Starts the fleet on `backend` with the gateway's limits off; waits for
/// `/health` all green and returns it with the time that took.
pub async fn start(backend: Backend, admin: &str) -> (Fleet, Duration) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut env = vec![
        ("DATA_DIR".to_owned(), data_dir.path().display().to_string()),
        ("RUST_LOG".into(), "warn".into()),
        ("PUBLIC_URL".into(), gateway()),
        ("RATE_LIMIT_API_PER_MINUTE".into(), "0".into()),
        ("RATE_LIMIT_AUTH_PER_MINUTE".into(), "0".into()),
        ("TODOIST_CLIENT_ID".into(), "bench".into()),
        ("TODOIST_CLIENT_SECRET".into(), "bench-client-secret".into()),
        (
            "TODOIST_AUTH_URL".into(),
            format!("http://{}/oauth/authorize", addr(FAKE)),
        ),
        (
            "TODOIST_TOKEN_URL".into(),
            format!("http://{}/oauth/access_token", addr(FAKE)),
        ),
        (
            "TODOIST_API_URL".into(),
            format!("http://{}/api/v1", addr(FAKE)),
        ),
    ];
    for (i, service) in SERVICES.iter().enumerate() {
        env.push((format!("{service}_ADDR"), addr(i as u16)));
    }
    let admin = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            reset_databases(admin, true)
                .await
                .expect("creating the benchmark databases");
            for service in DATABASES {
                env.push((
                    format!("{service}_DATABASE_URL"),
                    database_url(admin, service),
                ));
            }
            Some(admin.to_owned())
        }
    };
    let mut server = Server::pinned("onetip", env!("CARGO_BIN_EXE_onetip"), &[], &env);
    server.tag = format!("{}-", backend.name().to_lowercase());
    let http = reqwest::Client::new();
    let took = wait_ok(
        &http,
        &format!("{}/health", gateway()),
        Duration::from_secs(60),
    )
    .await;
    (
        Fleet {
            server,
            data_dir,
            admin,
        },
        took,
    )
}

/// Launch to `/health` all green on the embedded defaults (SQLite, a fresh
/// `DATA_DIR`, the built-in sandbox Todoist), on ports 19030-19036.
pub async fn cold_start() -> Duration {
    let data_dir = tempfile::tempdir().unwrap();
    let mut env = vec![
        ("DATA_DIR".to_owned(), data_dir.path().display().to_string()),
        ("RUST_LOG".into(), "warn".into()),
        ("TODOIST_SANDBOX_ADDR".into(), addr(36)),
    ];
    for (i, service) in SERVICES.iter().enumerate() {
        env.push((format!("{service}_ADDR"), addr(30 + i as u16)));
    }
    env.push(("PUBLIC_URL".into(), format!("http://{}", addr(30))));
    let server = Server::pinned("onetip", env!("CARGO_BIN_EXE_onetip"), &[], &env);
    let http = reqwest::Client::new();
    let took = wait_ok(
        &http,
        &format!("http://{}/health", addr(30)),
        Duration::from_secs(30),
    )
    .await;
    server.stop();
    took
}

/// A signed-in user with Todoist connected: the headers a browser sends.
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub account: String,
    pub cookies: String,
}

fn session_cookies(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .filter(|c| c.starts_with("onetip_"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Signs `email` in (development sign-in) and connects Todoist through the
/// real OAuth dance, the fake approving as a fresh account that holds
/// `open_tasks` open tasks (its seeded list when `None`).
pub async fn sign_in(
    http: &reqwest::Client,
    fake: &FakeTodoist,
    email: &str,
    open_tasks: Option<usize>,
) -> anyhow::Result<User> {
    let origin = gateway();
    let signed_in = http
        .post(format!("{origin}/auth/dev/signin"))
        .header("origin", &origin)
        .form(&[("email", email), ("name", "Bench User")])
        .send()
        .await?;
    anyhow::ensure!(
        signed_in.status().is_redirection(),
        "dev sign-in: {}",
        signed_in.status()
    );
    let cookies = session_cookies(&signed_in);
    let me: serde_json::Value = http
        .get(format!("{origin}/api/me"))
        .header("cookie", &cookies)
        .send()
        .await?
        .json()
        .await?;
    let id = me["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no id in {me}"))?
        .to_owned();
    let start = http
        .post(format!("{origin}/api/connectors/todoist/connect"))
        .header("cookie", &cookies)
        .header("origin", &origin)
        .send()
        .await?;
    anyhow::ensure!(start.status() == 303, "connect: {}", start.status());
    let authorize = start.headers()["location"].to_str()?.to_owned();
    let account = format!("bench-{}", uuid::Uuid::new_v4().simple());
    if let Some(n) = open_tasks {
        fake.set_open_tasks(&account, n);
    }
    let back = fake
        .approve(&authorize, &account)
        .map_err(|e| anyhow::anyhow!("consent refused: {e:?}"))?;
    let callback = http.get(&back).header("cookie", &cookies).send().await?;
    let location = callback
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("");
    anyhow::ensure!(
        location.contains("connected"),
        "callback sent us to {location}"
    );
    Ok(User {
        id,
        account,
        cookies,
    })
}

/// `count` users signed in `parallel` at a time.
pub async fn sign_in_many(
    fake: &FakeTodoist,
    prefix: &str,
    count: usize,
    open_tasks: Option<usize>,
) -> Vec<User> {
    use futures::StreamExt;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    futures::stream::iter(0..count)
        .map(|i| {
            let http = http.clone();
            let email = format!("{prefix}-{i}@bench.test");
            async move {
                sign_in(&http, fake, &email, open_tasks)
                    .await
                    .expect("signing in")
            }
        })
        .buffer_unordered(8)
        .collect()
        .await
}
