//! A fake auth for the services that verify our access tokens: its JWKS on
//! a wiremock server, and the key behind it, which mints valid tokens and
//! forges every kind of invalid one (security.md, "Our own JWTs").
//!
//! Tokens are signed exactly as auth signs them ([`SigningKey::sign`]);
//! forgeries sign whatever header and claims they are given, the way an
//! attacker who controls the bytes would.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::jwt::{ACCESS_TOKEN_TYPE, AUDIENCE, AccessClaims, Jwks, SigningKey, Verifier};

/// The issuer services expect in development (`PUBLIC_URL`'s default).
pub const DEV_ISSUER: &str = "http://localhost:8080";

/// Seconds since the epoch, the unit of `iat` and `exp`.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Signs any `header` and `claims` with the Ed25519 key of `seed`, checking
/// nothing (an attacker's view of a token).
pub fn forge(seed: [u8; 32], header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = ed25519_dalek::SigningKey::from_bytes(&seed).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// One signing key with its seed and the issuer its tokens name: the half
/// of [`FakeAuth`] that needs no server (for a service handed its keys
/// directly).
pub struct TestKey {
    seed: [u8; 32],
    key: SigningKey,
    issuer: String,
}

impl Default for TestKey {
    fn default() -> Self {
        Self::new(FakeAuth::KID, FakeAuth::SEED)
    }
}

impl TestKey {
    /// The key of `seed` under `kid`, issuing as [`DEV_ISSUER`].
    pub fn new(kid: &str, seed: [u8; 32]) -> Self {
        Self {
            seed,
            key: SigningKey::from_seed(kid, seed),
            issuer: DEV_ISSUER.to_owned(),
        }
    }

    /// The same key, its tokens naming `issuer`.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The JWKS auth would publish for this key.
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![self.key.public_jwk()],
        }
    }

    /// A verifier that trusts this key and issuer, as a service's would.
    pub fn verifier(&self) -> Verifier {
        Verifier::with_keys(self.issuer.clone(), &self.jwks())
    }

    /// Serves the JWKS at auth's path (`/auth/jwks.json`) on `server`.
    pub async fn mount_jwks(&self, server: &MockServer) {
        Mock::given(method("GET"))
            .and(path(crate::jwt::JWKS_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(self.jwks()))
            .mount(server)
            .await;
    }

    /// The claims of a token for user `sub` in session `sid`, issued now,
    /// valid for five minutes (change fields with `..claims`).
    pub fn claims(&self, sub: &str, sid: &str) -> AccessClaims {
        AccessClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            sid: sid.into(),
            iat: now(),
            exp: now() + 300,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// A valid access token for `sub` in session `sid`.
    pub fn token(&self, sub: &str, sid: &str) -> String {
        self.sign(&self.claims(sub, sid))
    }

    /// Signs `claims` as auth does.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        self.key.sign(claims)
    }

    /// Signs any `header` and `claims` with this key, checking nothing.
    pub fn forge(&self, header: &Value, claims: &Value) -> String {
        forge(self.seed, header, claims)
    }

    /// The header of a valid token.
    pub fn header(&self) -> Value {
        json!({"alg": "EdDSA", "typ": ACCESS_TOKEN_TYPE, "kid": self.kid()})
    }

    /// Tokens a verifier of this key must refuse, each named by what is
    /// wrong with it; all of them about `sub` in session `sid`.
    pub fn forgeries(&self, sub: &str, sid: &str) -> Vec<(&'static str, String)> {
        let claims = serde_json::to_value(self.claims(sub, sid)).expect("claims serialize");
        let with = |key: &str, value: Value| {
            let mut c = claims.clone();
            c[key] = value;
            c
        };
        let mut expired = with("exp", json!(now() - 600));
        expired["iat"] = json!(now() - 900);
        let mut without_sid = claims.clone();
        without_sid
            .as_object_mut()
            .expect("claims are an object")
            .remove("sid");
        let header = self.header();
        let header_with = |key: &str, value: &str| {
            let mut h = header.clone();
            h[key] = json!(value);
            h
        };
        let good = self.forge(&header, &claims);
        let parts: Vec<&str> = good.split('.').collect();
        let mut flipped = good.clone().into_bytes();
        flipped[parts[0].len() + 5] ^= 1;
        let other_seed = if self.seed == [0x5a; 32] {
            [0xa5; 32]
        } else {
            [0x5a; 32]
        };
        let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        hs.typ = Some(ACCESS_TOKEN_TYPE.into());
        hs.kid = Some(self.kid().into());
        let public = URL_SAFE_NO_PAD
            .decode(self.key.public_jwk().x)
            .expect("a JWK's x is base64url");
        let hs256 = jsonwebtoken::encode(
            &hs,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&public),
        )
        .expect("an HS256 token encodes");
        let none = json!({"alg": "none", "typ": ACCESS_TOKEN_TYPE, "kid": self.kid()});
        vec![
            ("signed by another key", forge(other_seed, &header, &claims)),
            (
                "alg none",
                format!("{}.{}.", URL_SAFE_NO_PAD.encode(none.to_string()), parts[1]),
            ),
            ("HS256 with the public key", hs256),
            (
                "ID token type",
                self.forge(&header_with("typ", "JWT"), &claims),
            ),
            (
                "unknown kid",
                self.forge(&header_with("kid", "k9"), &claims),
            ),
            (
                "jku",
                self.forge(&header_with("jku", "http://evil"), &claims),
            ),
            (
                "x5u",
                self.forge(&header_with("x5u", "http://evil"), &claims),
            ),
            (
                "wrong issuer",
                self.forge(&header, &with("iss", json!("https://evil"))),
            ),
            (
                "wrong audience",
                self.forge(&header, &with("aud", json!("other"))),
            ),
            ("expired", self.forge(&header, &expired)),
            ("no sid", self.forge(&header, &without_sid)),
            (
                "flipped bit",
                String::from_utf8(flipped).expect("still ASCII"),
            ),
            ("signature cut short", good[..good.len() - 2].to_owned()),
            ("two segments", format!("{}.{}", parts[0], parts[1])),
            ("four segments", format!("{good}.x")),
            ("oversized", format!("{good}{}", "A".repeat(5000))),
            ("oversized garbage", "x".repeat(5000)),
            (
                "refresh token",
                "dGhpcyBpcyBhIHJlZnJlc2ggdG9rZW4gb2YgMzIgYnl0ZXM".to_owned(),
            ),
        ]
    }
}

/// auth as the other services see it: `GET /auth/jwks.json` on a wiremock
/// server (mount more on [`FakeAuth::server`]), and the key behind it
/// (`auth.token(sub, sid)`, `auth.forgeries(sub, sid)`, … through
/// [`TestKey`]).
pub struct FakeAuth {
    key: TestKey,
    server: MockServer,
}

impl FakeAuth {
    /// The `kid` of the default key.
    pub const KID: &'static str = "k1";
    /// The seed of the default key.
    pub const SEED: [u8; 32] = [1u8; 32];

    /// A fake auth with the default key, issuing as [`DEV_ISSUER`].
    pub async fn start() -> Self {
        Self::with_key(TestKey::default()).await
    }

    /// A fake auth serving `key`.
    pub async fn with_key(key: TestKey) -> Self {
        let server = MockServer::start().await;
        key.mount_jwks(&server).await;
        Self { key, server }
    }

    /// auth's base URL (an `AUTH_URL`).
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// The wiremock server, to mount auth's other endpoints on.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    pub fn key(&self) -> &TestKey {
        &self.key
    }
}

impl std::ops::Deref for FakeAuth {
    type Target = TestKey;

    fn deref(&self) -> &TestKey {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn minted_tokens_verify_against_the_served_jwks_and_forgeries_do_not() {
        let auth = FakeAuth::start().await;
        let verifier = Verifier::remote(DEV_ISSUER, crate::jwt::jwks_url(&auth.url()));
        let claims = verifier.verify(&auth.token("u1", "s1")).await.unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
        let forgeries = auth.forgeries("u1", "s1");
        assert!(forgeries.len() >= 15);
        for (what, token) in forgeries {
            assert!(verifier.verify(&token).await.is_err(), "{what} verified");
        }
    }

    #[tokio::test]
    async fn a_key_with_another_issuer_is_refused_by_the_development_verifier() {
        let key = TestKey::new("k2", [2u8; 32]).with_issuer("https://onetip.test");
        assert!(key.verifier().verify(&key.token("u1", "s1")).await.is_ok());
        let dev = Verifier::with_keys(DEV_ISSUER, &key.jwks());
        assert!(dev.verify(&key.token("u1", "s1")).await.is_err());
    }
}
