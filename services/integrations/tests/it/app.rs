//! The service on port 0 with its own database, a wiremock Todoist, and
//! access tokens signed by a test key (shared by the API and log tests).

use std::sync::Arc;
use std::time::Duration;

use integrations::connector::{Connector, Registry};
use integrations::vault::Vault;
use integrations::{AppState, UserId};
use platform::jwt::{AccessClaims, Jwks, SigningKey, Verifier};
use platform::{Server, Shutdown};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

pub const ISSUER: &str = "http://localhost:8080";

pub struct App {
    pub base: String,
    pub todoist: MockServer,
    pub db: Db,
    pub key: SigningKey,
    pub http: reqwest::Client,
    pub shutdown: Shutdown,
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

pub async fn spawn_app() -> App {
    let todoist = MockServer::start().await;
    let db = database().await;
    let vault = Vault::new(ring(1));
    let connector: Arc<dyn Connector> = Arc::new(connector(
        &db.store,
        &vault,
        config(&todoist),
        Duration::from_secs(30),
    ));
    let key = SigningKey::generate();
    let verifier = Verifier::with_keys(
        ISSUER,
        &Jwks {
            keys: vec![key.public_jwk()],
        },
    );
    let state = AppState {
        db: db.store.pool().clone(),
        connectors: Registry::new().with(connector),
        verifier,
    };
    let server = Server::bind(
        "integrations",
        "127.0.0.1:0".parse().unwrap(),
        integrations::router(state, Vec::new()),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.local_addr());
    let shutdown = Shutdown::new();
    tokio::spawn(server.serve(shutdown.clone()));
    App {
        base,
        todoist,
        db,
        key,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        shutdown,
    }
}

impl App {
    pub fn token(&self, user: &UserId) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.key.sign(&AccessClaims {
            iss: ISSUER.into(),
            aud: "onetip".into(),
            sub: user.to_string(),
            sid: "session-1".into(),
            iat: now,
            exp: now + 300,
            jti: uuid::Uuid::new_v4().to_string(),
        })
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
