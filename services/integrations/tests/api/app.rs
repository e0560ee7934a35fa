//! The service on port 0 with its own database, a wiremock Todoist, and
//! access tokens signed by a test key (shared by the API and log tests).

use std::sync::Arc;
use std::time::Duration;

use integrations::connector::{CachePolicy, Connector, Credentials, Registry, TodoistConnector};
use integrations::todoist::{RetryPolicy, TodoistClient, TodoistConfig};
use integrations::vault::{TokenSecrets, Vault};
use integrations::{AppState, UserId};
use platform::events::MemorySink;
use platform::events::outbox::Outbox;
use platform::testing::{TestKey, TestServer};
use serde_json::{Value, json};
use shared_types::NormalizedEvent;
use todoist_fake::{FakeConfig, FakeTodoist};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

/// The issuer the service trusts (the kit's development issuer).
pub const ISSUER: &str = platform::testing::DEV_ISSUER;

pub struct App {
    pub base: String,
    /// The wiremock Todoist (unused when `fake` is set).
    pub todoist: MockServer,
    /// The workspace's fake Todoist, when the app was spawned with it.
    pub fake: Option<FakeTodoist>,
    /// Every event the outbox's relay sent.
    pub events: Arc<MemorySink>,
    /// The service's outbox (its relay sends into `events`).
    pub outbox: Outbox,
    pub vault: Vault,
    pub db: Db,
    /// The key the service trusts: it signs the tests' access tokens.
    pub key: TestKey,
    pub http: reqwest::Client,
    /// Serving until the test ends.
    _server: TestServer,
}

/// How to build the app under test.
#[derive(Default)]
pub struct Spawn {
    /// Against the fake Todoist instead of wiremock.
    pub fake: bool,
    /// The cache's policy; `CachePolicy::new(30 s)` by default.
    pub policy: Option<CachePolicy>,
    /// One attempt's timeout (500 ms with wiremock, 15 s with the fake).
    pub timeout: Option<Duration>,
}

pub async fn spawn_app() -> App {
    spawn(Spawn::default()).await
}

/// The app against the fake Todoist, with `policy`.
pub async fn spawn_with_fake(policy: CachePolicy) -> App {
    spawn(Spawn {
        fake: true,
        policy: Some(policy),
        timeout: None,
    })
    .await
}

/// A fake Todoist client configuration: fast retries, a long timeout.
pub fn fake_config(fake: &FakeTodoist, timeout: Duration) -> TodoistConfig {
    let mut config = TodoistConfig::new(
        integrations::config::SANDBOX_CLIENT_ID,
        secret("any"),
        REDIRECT,
    );
    config.api_url = fake.api_url();
    config.auth_url = fake.authorize_url();
    config.token_url = fake.token_url();
    config.timeout = timeout;
    config.retry = RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(40),
    };
    config
}

pub async fn spawn(how: Spawn) -> App {
    let todoist = MockServer::start().await;
    let fake = match how.fake {
        true => Some(FakeTodoist::start(FakeConfig::default()).await.unwrap()),
        false => None,
    };
    let db = database().await;
    let vault = Vault::new(ring(1));
    let todoist_config = match &fake {
        Some(fake) => fake_config(fake, how.timeout.unwrap_or(Duration::from_secs(15))),
        None => {
            let mut c = config(&todoist);
            if let Some(t) = how.timeout {
                c.timeout = t;
            }
            c
        }
    };
    let policy = how
        .policy
        .unwrap_or_else(|| CachePolicy::new(Duration::from_secs(30)));
    // The service's own deadline for one connector call (20 s).
    let connector: Arc<dyn Connector> = Arc::new(
        TodoistConnector::new(
            Arc::new(TodoistClient::new(todoist_config).unwrap()),
            Credentials::new(db.store.clone(), vault.clone()),
            policy.ttl,
            Duration::from_secs(20),
        )
        .with_cache_policy(policy),
    );
    let events = MemorySink::new();
    let outbox = Outbox::new(db.store.pool().clone());
    outbox.spawn_relay(events.clone());
    let key = TestKey::default();
    let verifier = key.verifier();
    let state = AppState {
        db: db.store.pool().clone(),
        connectors: Registry::new().with(connector),
        verifier,
        outbox: outbox.clone(),
    };
    let server = TestServer::router(integrations::router(state, Vec::new())).await;
    App {
        base: server.url().to_owned(),
        todoist,
        fake,
        events,
        outbox,
        vault,
        db,
        key,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _server: server,
    }
}

impl App {
    pub fn token(&self, user: &UserId) -> String {
        self.key.token(&user.to_string(), "session-1")
    }

    pub fn get(&self, user: &UserId, p: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{p}", self.base))
            .bearer_auth(self.token(user))
    }

    /// Starts a connection; returns the `state` of the authorize URL.
    pub async fn connect(&self, user: &UserId) -> String {
        let response = self
            .http
            .post(format!("{}/api/connectors/todoist/connect", self.base))
            .bearer_auth(self.token(user))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["redirect_url"], location.as_str());
        let url = oauth2::url::Url::parse(&location).unwrap();
        assert!(url.as_str().starts_with(&self.todoist.uri()));
        assert!(
            url.query_pairs()
                .any(|(k, v)| k == "code_challenge_method" && v == "S256")
        );
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    }

    /// The callback as the browser makes it; returns where it redirects.
    pub async fn callback(&self, user: Option<&UserId>, query: &str) -> String {
        let mut request = self
            .http
            .get(format!("{}/connect/todoist/callback?{query}", self.base));
        if let Some(user) = user {
            request = request.bearer_auth(self.token(user));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 303);
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    pub fn post(&self, user: &UserId, p: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{p}", self.base))
            .bearer_auth(self.token(user))
    }

    /// `POST …/items/{connector}/{item}/complete` with `key`.
    pub async fn complete(
        &self,
        user: &UserId,
        connector: &str,
        item: &str,
        key: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.post(
            user,
            &format!("/api/integrations/items/{connector}/{item}/complete"),
        );
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send().await.unwrap()
    }

    /// `POST …/items/todoist/{item}/reopen` with `key` and `body`.
    pub async fn reopen(
        &self,
        user: &UserId,
        item: &str,
        key: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.post(
            user,
            &format!("/api/integrations/items/todoist/{item}/reopen"),
        )
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
    }

    /// `GET /api/integrations/tasks`, parsed.
    pub async fn candidates(&self, user: &UserId) -> shared_types::integrations::Candidates {
        let response = self
            .get(user, "/api/integrations/tasks")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Every event written to the outbox, oldest first, sent or not.
    pub async fn outbox_events(&self) -> Vec<NormalizedEvent> {
        sqlx::query_scalar::<_, String>("SELECT event FROM outbox ORDER BY seq")
            .fetch_all(self.db.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str(e).unwrap())
            .collect()
    }

    pub async fn outbox_kinds(&self) -> Vec<String> {
        self.outbox_events()
            .await
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }

    /// The events the relay handed over, once the outbox has drained.
    pub async fn sent_events(&self) -> Vec<NormalizedEvent> {
        let start = std::time::Instant::now();
        while self.outbox.backlog().await.unwrap().waiting > 0 {
            assert!(start.elapsed() < Duration::from_secs(15), "not relayed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.events.events()
    }

    /// The fake Todoist this app talks to.
    pub fn fake(&self) -> &FakeTodoist {
        self.fake.as_ref().expect("spawned with the fake Todoist")
    }

    /// Connects `user` to the fake's `account` without the OAuth dance
    /// (a token the fake issued, sealed as the callback would).
    pub async fn connect_fake(&self, user: &UserId, account: &str) {
        let issued = self.fake().issue_token(account, &["data:read_write"]);
        let tokens = TokenSecrets {
            access: secret(&issued.access_token),
            refresh: None,
        };
        Credentials::new(self.db.store.clone(), self.vault.clone())
            .save(
                user,
                "todoist",
                &tokens,
                Some("data:read_write".into()),
                None,
            )
            .await
            .unwrap();
    }

    pub async fn rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM credentials")
            .fetch_one(self.db.store.pool())
            .await
            .unwrap()
    }

    pub async fn serve_oauth_and_tasks(&self) {
        Mock::given(method("POST"))
            .and(path("/oauth/access_token"))
            .and(body_string_contains("code=good-code"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "tok-ACCESS-7f3a9c", "token_type": "Bearer",
                "refresh_token": "tok-REFRESH-b81d2e", "expires_in": 3600,
                "scope": "data:read_write", "state": "x"
            })))
            .mount(&self.todoist)
            .await;
        Mock::given(method("POST"))
            .and(path("/oauth/access_token"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})),
            )
            .mount(&self.todoist)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/tasks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(
                vec![task("t1", "Water the plants"), task("t2", "Call mum")],
                None,
            )))
            .mount(&self.todoist)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/revoke"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&self.todoist)
            .await;
    }
}
