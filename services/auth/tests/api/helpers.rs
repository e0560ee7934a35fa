//! `spawn_app()`: the auth service on port 0 with its own database, a fake
//! Google (wiremock: discovery, JWKS, a token endpoint that checks PKCE)
//! and a fake profile.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use auth::Clock;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::Env;
use platform::testing::{TestDatabase, TestServer, cookies};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "onetip-test-client.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "GOCSPX-test-client-secret-value";
pub const INTERNAL_TOKEN: &str = "internal-token-for-tests-0123456789abcdef";
pub const GOOGLE_KID: &str = "g1";
pub const USER_ID: &str = "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00";
/// A throwaway 2048-bit RSA key (PKCS#1 DER) made for these tests only.
const RSA_DER: &[u8] = include_bytes!("../fixtures/google_test_key.der");
const RSA_N: &str = include_str!("../fixtures/google_test_key.n");

/// One code the fake Google handed out: what its token call must prove.
struct Grant {
    challenge: String,
    id_token: String,
}

/// Answers the token endpoint like Google: the code once, and only with
/// the PKCE verifier whose S256 is the recorded challenge.
#[derive(Clone, Default)]
struct TokenEndpoint {
    grants: Arc<Mutex<HashMap<String, Grant>>>,
}

impl Respond for TokenEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let form: HashMap<String, String> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        let refuse = |why: &str| {
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": why}))
        };
        let Some(grant) = form
            .get("code")
            .and_then(|c| self.grants.lock().unwrap().remove(c))
        else {
            return refuse("unknown code");
        };
        let Some(verifier) = form.get("code_verifier") else {
            return refuse("no verifier");
        };
        if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
            return refuse("PKCE mismatch");
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.fake-google-access-token",
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": "openid email profile",
            "id_token": grant.id_token,
        }))
    }
}

pub struct FakeGoogle {
    pub server: MockServer,
    token: TokenEndpoint,
}

impl FakeGoogle {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let google = Self {
            server,
            token: TokenEndpoint::default(),
        };
        let issuer = google.issuer();
        google.mount_discovery(&issuer).await;
        google
            .mount_jwks(json!({"keys": [rsa_jwk(Some(GOOGLE_KID))]}), None)
            .await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(google.token.clone())
            .mount(&google.server)
            .await;
        google
    }

    /// Starts over with the given discovery issuer and JWKS (`expect`: how
    /// often the JWKS must be fetched).
    pub async fn remount(&self, issuer: &str, jwks: Value, expect: Option<u64>) {
        self.remount_advertising(issuer, jwks, expect, &["RS256"])
            .await;
    }

    /// [`Self::remount`] with discovery advertising `algs` for ID tokens.
    pub async fn remount_advertising(
        &self,
        issuer: &str,
        jwks: Value,
        expect: Option<u64>,
        algs: &[&str],
    ) {
        self.server.reset().await;
        self.mount_discovery_advertising(issuer, algs).await;
        self.mount_jwks(jwks, expect).await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(self.token.clone())
            .mount(&self.server)
            .await;
    }

    pub fn issuer(&self) -> String {
        self.server.uri()
    }

    pub async fn mount_discovery(&self, issuer: &str) {
        self.mount_discovery_advertising(issuer, &["RS256"]).await;
    }

    pub async fn mount_discovery_advertising(&self, issuer: &str, algs: &[&str]) {
        let uri = self.server.uri();
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{uri}/authorize"),
                "token_endpoint": format!("{uri}/token"),
                "jwks_uri": format!("{uri}/jwks"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": algs,
                "scopes_supported": ["openid", "email", "profile"],
                "code_challenge_methods_supported": ["S256", "plain"],
            })))
            .mount(&self.server)
            .await;
    }

    /// Serves `jwks` at `/jwks`; `expect` pins how often it is fetched.
    pub async fn mount_jwks(&self, jwks: Value, expect: Option<u64>) {
        let mut mock = Mock::given(method("GET"))
            .and(path("/jwks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(jwks));
        if let Some(n) = expect {
            mock = mock.expect(n);
        }
        mock.mount(&self.server).await;
    }

    /// Google "authorizes" the user: `code` now trades for `id_token`.
    pub fn grant(&self, code: &str, challenge: &str, id_token: String) {
        self.token.grants.lock().unwrap().insert(
            code.to_owned(),
            Grant {
                challenge: challenge.to_owned(),
                id_token,
            },
        );
    }

    /// The claims of a good ID token for `nonce`.
    pub fn claims(&self, nonce: &str) -> Value {
        let now = time_now();
        json!({
            "iss": self.issuer(), "sub": "google-sub-1234567890", "aud": CLIENT_ID, "azp": CLIENT_ID,
            "iat": now, "exp": now + 3600, "nonce": nonce,
            "email": "ada@example.com", "email_verified": true,
            "name": "Ada Lovelace", "picture": "https://lh3.googleusercontent.com/a/ada",
        })
    }
}

pub fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn rsa_jwk(kid: Option<&str>) -> Value {
    let mut jwk =
        json!({"kty": "RSA", "alg": "RS256", "use": "sig", "n": RSA_N.trim(), "e": "AQAB"});
    if let Some(kid) = kid {
        jwk["kid"] = json!(kid);
    }
    jwk
}

/// An RS256 ID token signed with the fake Google's key.
pub fn sign_rs256(claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(RSA_DER)).unwrap()
}

/// An ID token signed with the fake Google's key under another algorithm.
pub fn sign_rsa(alg: Algorithm, claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(RSA_DER)).unwrap()
}

/// A token signed with any header and key material, as an attacker would.
pub fn sign_hs256(claims: &Value, secret: &[u8]) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(GOOGLE_KID.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

pub struct TestApp {
    pub base: String,
    pub google: Option<FakeGoogle>,
    pub profile: MockServer,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    pub pool: AnyPool,
    _server: TestServer,
}

/// With Google configured (wiremock), development defaults otherwise.
pub async fn spawn_app() -> TestApp {
    spawn_with(true, &[]).await
}

pub async fn spawn_with(google: bool, extra: &[(&str, &str)]) -> TestApp {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let profile = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/internal/users"))
        .and(header(
            "authorization",
            format!("Bearer {INTERNAL_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": USER_ID})))
        .mount(&profile)
        .await;
    let mut pairs: Vec<(String, String)> = vec![
        ("AUTH_ADDR".into(), "127.0.0.1:0".into()),
        ("DATA_DIR".into(), db.dir().display().to_string()),
        ("PROFILE_URL".into(), profile.uri()),
        ("INTERNAL_API_TOKEN".into(), INTERNAL_TOKEN.into()),
        ("AUTH_DATABASE_URL".into(), db.url().to_owned()),
    ];
    let fake = if google {
        let fake = FakeGoogle::start().await;
        pairs.push(("GOOGLE_CLIENT_ID".into(), CLIENT_ID.into()));
        pairs.push(("GOOGLE_CLIENT_SECRET".into(), CLIENT_SECRET.into()));
        pairs.push(("GOOGLE_ISSUER_URL".into(), fake.issuer()));
        Some(fake)
    } else {
        None
    };
    // Production refuses the fake Google's plain-HTTP issuer and the fixed
    // test token at start (config.rs tests that): a production app here is
    // read as development, then switched, to test how it runs.
    let production = extra
        .iter()
        .any(|(k, v)| *k == "APP_ENV" && *v == "production");
    pairs.extend(
        extra
            .iter()
            .filter(|(k, _)| *k != "APP_ENV")
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let mut settings = auth::Settings::from_env(&Env::from_pairs(pairs)).expect("settings");
    if production {
        settings.service.common.app_env = platform::AppEnv::Production;
    }
    let clock = Clock::system();
    let server = TestServer::serve(
        auth::build_with_clock(settings, clock.clone())
            .await
            .expect("auth starts"),
    );
    let pool = platform::db::connect(db.url(), &platform::db::DbOptions::new("auth"))
        .await
        .unwrap();
    TestApp {
        base: server.url().to_owned(),
        google: fake,
        profile,
        clock,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        db,
        pool,
        _server: server,
    }
}

/// A started sign-in, as the browser holds it.
pub struct Flow {
    pub state: String,
    pub nonce: String,
    pub challenge: String,
    pub authorize: url::Url,
}

/// The `Set-Cookie` values of a response, by cookie name.
pub fn set_cookies(r: &reqwest::Response) -> HashMap<String, String> {
    cookies::set_cookies(r.headers())
}

pub fn set_cookie_lines(r: &reqwest::Response) -> Vec<String> {
    cookies::set_cookie_lines(r.headers())
}

/// A signed-in browser's cookies.
#[derive(Debug, Clone)]
pub struct Signed {
    pub at: String,
    pub rt: String,
    pub location: String,
}

impl TestApp {
    pub fn google(&self) -> &FakeGoogle {
        self.google.as_ref().expect("google configured")
    }

    pub async fn start_flow(&self, return_to: Option<&str>) -> Flow {
        let mut url = url::Url::parse(&format!("{}/auth/google/start", self.base)).unwrap();
        if let Some(r) = return_to {
            url.query_pairs_mut().append_pair("return_to", r);
        }
        let r = self.client.get(url).send().await.unwrap();
        assert_eq!(r.status(), 303, "start");
        let authorize = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        let q: HashMap<String, String> = authorize.query_pairs().into_owned().collect();
        let flow_cookie = set_cookies(&r)
            .get("onetip_flow")
            .cloned()
            .expect("flow cookie");
        assert_eq!(flow_cookie, q["state"]);
        Flow {
            state: q["state"].clone(),
            nonce: q["nonce"].clone(),
            challenge: q["code_challenge"].clone(),
            authorize,
        }
    }

    /// Google's redirect back, from a browser holding `cookie_state`.
    pub async fn callback(
        &self,
        code: Option<&str>,
        state: Option<&str>,
        cookie_state: Option<&str>,
    ) -> reqwest::Response {
        let mut url = url::Url::parse(&format!("{}/auth/google/callback", self.base)).unwrap();
        {
            let mut q = url.query_pairs_mut();
            if let Some(c) = code {
                q.append_pair("code", c);
            }
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        let mut req = self.client.get(url);
        if let Some(c) = cookie_state {
            req = req.header("cookie", format!("onetip_flow={c}"));
        }
        req.send().await.unwrap()
    }

    /// A full sign-in whose ID token has `claims` (from `google().claims(nonce)`).
    pub async fn sign_in_with(
        &self,
        edit: impl FnOnce(&mut Value, &Flow) -> String,
    ) -> reqwest::Response {
        let flow = self.start_flow(Some("/after")).await;
        let mut claims = self.google().claims(&flow.nonce);
        let id_token = edit(&mut claims, &flow);
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        self.google().grant(&code, &flow.challenge, id_token);
        self.callback(Some(&code), Some(&flow.state), Some(&flow.state))
            .await
    }

    pub async fn sign_in(&self) -> Signed {
        let r = self
            .sign_in_with(|c, _| sign_rs256(c, Some(GOOGLE_KID)))
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
        signed(&r)
    }

    pub async fn refresh(&self, rt: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/auth/refresh", self.base))
            .header("cookie", format!("onetip_rt={rt}"))
            .send()
            .await
            .unwrap()
    }

    pub async fn sessions(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn attempts(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_attempts")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn revoked(&self, since: i64) -> Value {
        self.client
            .get(format!(
                "{}/internal/sessions/revoked?since={since}",
                self.base
            ))
            .bearer_auth(INTERNAL_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub fn signed(r: &reqwest::Response) -> Signed {
    let cookies = set_cookies(r);
    Signed {
        at: cookies.get("onetip_at").cloned().expect("access cookie"),
        rt: cookies.get("onetip_rt").cloned().expect("refresh cookie"),
        location: r.headers()["location"].to_str().unwrap().to_owned(),
    }
}

/// The claims of an access token, unverified (the tests only look).
pub fn peek(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}
