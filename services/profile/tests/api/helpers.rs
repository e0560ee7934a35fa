//! `spawn_app()`: profile on port 0 with its own database and a fake auth
//! serving the JWKS.

use platform::Env;
use platform::testing::{FakeAuth, TestDatabase, TestServer};
use serde_json::{Value, json};

pub const INTERNAL_TOKEN: &str = "internal-token-for-tests-0123456789abcdef";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// auth's JWKS, and the key that signs (and forges) tokens for it.
    pub auth: FakeAuth,
    _server: TestServer,
    _db: TestDatabase,
}

pub async fn spawn_app() -> TestApp {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let auth = FakeAuth::start().await;
    let env = Env::from_pairs([
        ("PROFILE_ADDR", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", db.dir().display().to_string()),
        ("PROFILE_DATABASE_URL", db.url().to_owned()),
        ("AUTH_URL", auth.url()),
        ("INTERNAL_API_TOKEN", INTERNAL_TOKEN.to_owned()),
    ]);
    let server = TestServer::serve(
        profile::build(profile::Settings::from_env(&env).unwrap())
            .await
            .unwrap(),
    );
    TestApp {
        base: server.url().to_owned(),
        client: reqwest::Client::new(),
        auth,
        _server: server,
        _db: db,
    }
}

impl TestApp {
    pub async fn upsert(&self, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}/internal/users", self.base))
            .bearer_auth(INTERNAL_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A user and a valid access token for them.
    pub async fn user(&self) -> (String, String) {
        let r = self
            .upsert(json!({"google_sub": "g-1", "email": "ada@example.com", "name": "Ada"}))
            .await;
        assert_eq!(r.status(), 200);
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = self.token_for(&id);
        (id, token)
    }

    pub fn token_for(&self, id: &str) -> String {
        self.auth.token(id, "s1")
    }

    pub async fn get_me(&self, token: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}/api/me", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn patch_me(&self, token: &str, body: &str) -> reqwest::Response {
        self.client
            .patch(format!("{}/api/me", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }
}
