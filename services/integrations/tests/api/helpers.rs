//! Shared pieces of the integration tests: a Todoist client pointed at
//! wiremock, a database of the backend `ONETIP_TEST_DB` names, vault rings.

use std::sync::Arc;
use std::time::Duration;

use integrations::UserId;
use integrations::connector::{Credentials, TodoistConnector};
use integrations::store::Store;
use integrations::todoist::{BudgetConfig, RetryPolicy, TodoistClient, TodoistConfig};
use integrations::vault::{KeyRing, TokenSecrets, Vault, VaultKey};
use platform::Env;
use platform::testing::TestDatabase;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::time::Instant;
use wiremock::MockServer;

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-client-secret-0451";
pub const REDIRECT: &str = "http://localhost:8080/connect/todoist/callback";

pub fn user() -> UserId {
    UserId::new(uuid::Uuid::new_v4())
}

pub fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

pub fn deadline(d: Duration) -> Instant {
    Instant::now() + d
}

/// A client configuration for `server`, with fast retries.
pub fn config(server: &MockServer) -> TodoistConfig {
    let mut config = TodoistConfig::new(CLIENT_ID, secret(CLIENT_SECRET), REDIRECT);
    config.api_url = format!("{}/api/v1", server.uri());
    config.auth_url = format!("{}/oauth/authorize", server.uri());
    config.token_url = format!("{}/oauth/access_token", server.uri());
    config.timeout = Duration::from_millis(500);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(40),
    };
    config.budget = BudgetConfig::default();
    config
}

pub fn client(server: &MockServer) -> TodoistClient {
    TodoistClient::new(config(server)).unwrap()
}

/// A task as Todoist API v1 writes it.
pub fn task(id: &str, content: &str) -> Value {
    json!({
        "id": id,
        "user_id": "2671355",
        "project_id": "6Jf8VQXxpwv56VQ7",
        "section_id": null,
        "parent_id": null,
        "content": content,
        "description": "",
        "labels": ["home"],
        "priority": 2,
        "due": {"date": "2026-11-27", "timezone": null, "string": "tomorrow", "lang": "en", "is_recurring": false},
        "deadline": null,
        "duration": null,
        "checked": false,
        "is_deleted": false,
        "is_collapsed": false,
        "child_order": 1,
        "day_order": -1,
        "added_by_uid": "2671355",
        "assigned_by_uid": null,
        "responsible_uid": null,
        "note_count": 0,
        "added_at": "2026-11-20T08:25:05.000000Z",
        "completed_at": null,
        "updated_at": "2026-11-21T08:25:05.000000Z"
    })
}

pub fn page(tasks: Vec<Value>, next: Option<&str>) -> Value {
    json!({"results": tasks, "next_cursor": next})
}

/// A key ring of fresh keys, newest first.
pub fn ring(n: usize) -> KeyRing {
    KeyRing::new((0..n).map(|_| VaultKey::generate()).collect()).unwrap()
}

/// The same keys in a new ring (keys are not `Clone`, on purpose).
pub fn copy_ring(ring: &KeyRing) -> KeyRing {
    let text: Vec<String> = entries(ring);
    KeyRing::parse(&text.join(",")).unwrap()
}

/// `id:base64` entries of a ring, newest first.
pub fn entries(ring: &KeyRing) -> Vec<String> {
    ring.ids()
        .map(|id| ring.get(id).unwrap().to_entry().to_string())
        .collect()
}

/// A database of the backend under test, migrated.
pub struct Db {
    pub db: TestDatabase,
    pub store: Store,
}

pub async fn database() -> Db {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let env = Env::from_pairs([
        ("DATA_DIR", db.dir().display().to_string()),
        ("INTEGRATIONS_DATABASE_URL", db.url().to_owned()),
    ]);
    let settings = integrations::Settings::from_env(&env).unwrap();
    let pool = integrations::open_database(&settings).await.unwrap();
    Db {
        db,
        store: Store::new(pool),
    }
}

/// A Todoist connector over `store` and `server`.
pub fn connector(
    store: &Store,
    vault: &Vault,
    config: TodoistConfig,
    ttl: Duration,
) -> TodoistConnector {
    TodoistConnector::new(
        Arc::new(TodoistClient::new(config).unwrap()),
        Credentials::new(store.clone(), vault.clone()),
        ttl,
        Duration::from_secs(5),
    )
}

/// The requests wiremock received on `path`.
pub async fn requests_to(server: &MockServer, path: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

/// The form fields of a request body.
pub fn form(request: &wiremock::Request) -> Vec<(String, String)> {
    oauth2::url::form_urlencoded::parse(&request.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Distinct tokens for row `n`.
pub fn tokens_of(n: usize) -> TokenSecrets {
    TokenSecrets {
        access: secret(&format!("access-token-{n:06}-XyZ")),
        refresh: Some(secret(&format!("refresh-token-{n:06}-QwE"))),
    }
}

/// `rows` credentials sealed under `vault`, each with its own tokens.
pub async fn seed(store: &Store, vault: &Vault, rows: usize) -> Vec<UserId> {
    let creds = Credentials::new(store.clone(), vault.clone());
    let mut users = Vec::with_capacity(rows);
    for n in 0..rows {
        let u = user();
        creds
            .save(&u, "todoist", &tokens_of(n), None, None)
            .await
            .unwrap();
        users.push(u);
    }
    users
}

/// The event a connector test's write records (the route builds the real
/// one), with a fresh id.
pub fn write_event(kind: &str, item: &str) -> shared_types::NormalizedEvent {
    shared_types::NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: uuid::Uuid::nil(),
        source: "todoist".into(),
        kind: kind.into(),
        subject_id: item.into(),
        occurred_at: "2026-12-01T10:00:00Z".into(),
        trace_id: None,
        payload: json!({}),
    }
}

/// How many events of `kind` the outbox on `pool` holds, sent or not.
pub async fn outbox_count(pool: &sqlx::AnyPool, kind: &str) -> usize {
    let events: Vec<String> = sqlx::query_scalar("SELECT event FROM outbox")
        .fetch_all(pool)
        .await
        .unwrap();
    events
        .iter()
        .filter(|e| serde_json::from_str::<Value>(e).unwrap()["kind"] == kind)
        .count()
}
