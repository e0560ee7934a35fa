//! `spawn_app()`: profile on port 0 with its own database and a fake auth
//! serving the JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::jwt::{AUDIENCE, AccessClaims, Jwks, SigningKey};
use platform::testing::TestDatabase;
use platform::{Env, Shutdown};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const INTERNAL_TOKEN: &str = "internal-token-for-tests-0123456789abcdef";
pub const ISSUER: &str = "http://localhost:8080";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub key: SigningKey,
    _auth: MockServer,
    _db: TestDatabase,
    shutdown: Shutdown,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

pub async fn spawn_app() -> TestApp {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let key = SigningKey::from_seed("k1", [4u8; 32]);
    let auth = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Jwks {
            keys: vec![key.public_jwk()],
        }))
        .mount(&auth)
        .await;
    let env = Env::from_pairs([
        ("PROFILE_ADDR", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", db.dir().display().to_string()),
        ("PROFILE_DATABASE_URL", db.url().to_owned()),
        ("AUTH_URL", auth.uri()),
        ("INTERNAL_API_TOKEN", INTERNAL_TOKEN.to_owned()),
    ]);
    let server = profile::build(profile::Settings::from_env(&env).unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let shutdown = Shutdown::new();
    tokio::spawn(server.serve(shutdown.clone()));
    TestApp {
        base,
        client: reqwest::Client::new(),
        key,
        _auth: auth,
        _db: db,
        shutdown,
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
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
        self.key.sign(&AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: id.into(),
            sid: "s1".into(),
            iat: now(),
            exp: now() + 300,
            jti: "j1".into(),
        })
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

/// Signs any header and claims with `seed` (an attacker's view).
pub fn forge(seed: [u8; 32], header: &Value, claims: &Value) -> String {
    use ed25519_dalek::Signer;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = ed25519_dalek::SigningKey::from_bytes(&seed).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}
