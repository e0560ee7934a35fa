//! The CSRF token every state-changing form of web's carries.
//!
//! The gateway already refuses cross-site posts by `Sec-Fetch-Site` and
//! `Origin`; this is the second, independent line (ASVS, OWASP's CSRF sheet):
//! a token the attacker's page cannot know, bound to what the browser holds.
//!
//! * Signed in, the token is an HMAC-SHA256 under web's key of the session id
//!   (`sid` of the access token the gateway forwards). It survives the
//!   gateway's transparent refresh (a refreshed token keeps its `sid`), and a
//!   token minted for one session is foreign to every other.
//! * Signed out (the development sign-in form), it is the HMAC of a random
//!   value in a cookie of web's own, `onetip_csrf` (`__Host-onetip_csrf` in
//!   production), set by `/signin`. The gateway strips only the session and
//!   flow cookies, so this one reaches web.
//!
//! The `sid` is read from the token without checking its signature, on
//! purpose: web is not the authority here. Every call web makes with that
//! token goes through the gateway (which verified it before forwarding, and
//! verifies it again on the call) to a service that verifies it too; a
//! forged token gets nothing from any of them. The `sid` only binds the form
//! token to the browser's session, and an attacker who can make up a token
//! for some `sid` still cannot compute the HMAC without web's key. Verifying
//! here as well would add a JWKS fetch and ~40 µs per form for no gain.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use platform::{CommonSettings, ConfigError, Env};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

/// The configuration variable holding web's key: base64 of at least 32
/// random bytes.
pub const KEY_VAR: &str = "WEB_CSRF_KEY";

/// The hidden field every form carries the token in.
pub const FIELD: &str = "csrf";

type HmacSha256 = Hmac<Sha256>;

/// Web's CSRF key. `Debug` never shows it.
pub struct CsrfKey(SecretBox<Vec<u8>>);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl Clone for CsrfKey {
    fn clone(&self) -> Self {
        Self(SecretBox::new(Box::new(self.0.expose_secret().clone())))
    }
}

/// What a form token is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding<'a> {
    /// A signed-in session: its `sid`.
    Session(&'a str),
    /// A signed-out browser: the value of its `onetip_csrf` cookie.
    Browser(&'a str),
}

impl CsrfKey {
    /// `WEB_CSRF_KEY` when set (required in production); in development
    /// generated once and kept under `DATA_DIR/web_csrf_key`.
    pub fn from_env(env: &Env, common: &CommonSettings) -> Result<Self, ConfigError> {
        let given = env.get(KEY_VAR).is_some();
        let text = platform::secrets::required_in_production(
            env,
            common,
            KEY_VAR,
            "web_csrf_key",
            platform::secrets::random_token,
        )?;
        Self::parse(text.trim()).ok_or_else(|| {
            ConfigError::new(
                KEY_VAR,
                if given {
                    "must be base64 of at least 32 bytes"
                } else {
                    "the key kept under DATA_DIR is not valid"
                },
            )
        })
    }

    /// Base64 (URL-safe or standard, padded or not) of ≥ 32 bytes.
    fn parse(text: &str) -> Option<Self> {
        let unpadded = text.trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD
            .decode(unpadded)
            .or_else(|_| STANDARD.decode(text))
            .ok()?;
        (bytes.len() >= 32).then(|| Self(SecretBox::new(Box::new(bytes))))
    }

    /// A key from raw bytes (tests).
    #[cfg(test)]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(SecretBox::new(Box::new(bytes.to_vec())))
    }

    fn mac(&self, binding: Binding<'_>) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        // The purpose first, so a session id can never pass for a cookie value.
        let (purpose, value) = match binding {
            Binding::Session(sid) => ("onetip-csrf:session\0", sid),
            Binding::Browser(id) => ("onetip-csrf:browser\0", id),
        };
        mac.update(purpose.as_bytes());
        mac.update(value.as_bytes());
        mac
    }

    /// The token for forms shown to `binding`.
    pub fn token(&self, binding: Binding<'_>) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(binding).finalize().into_bytes())
    }

    /// Whether `given` is the token of `binding` (compared in constant time).
    pub fn verify(&self, binding: Binding<'_>, given: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(given.trim()) else {
            return false;
        };
        self.mac(binding).verify_slice(&given).is_ok()
    }
}

/// The `sid` of the forwarded access token (not verified here: see the
/// module's comment).
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    let token = platform::secrets::bearer(headers)?;
    if token.len() > platform::jwt::MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let json = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    #[derive(serde::Deserialize)]
    struct Claims {
        sid: String,
    }
    let claims: Claims = serde_json::from_slice(&json).ok()?;
    (!claims.sid.is_empty() && claims.sid.len() <= 256).then_some(claims.sid)
}

/// The name of web's own signed-out CSRF cookie.
pub fn cookie_name(production: bool) -> &'static str {
    if production {
        "__Host-onetip_csrf"
    } else {
        "onetip_csrf"
    }
}

/// The value of the signed-out CSRF cookie, when the browser sent one that
/// looks like ours.
pub fn browser_id<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    platform::identity::cookie(headers, name).filter(|v| {
        (16..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// `Set-Cookie` for a fresh signed-out CSRF cookie: HttpOnly (the token is
/// in the page; the cookie need not be read by script), `SameSite=Lax`, the
/// whole site, for a day; `Secure` in production.
pub fn new_browser_cookie(name: &str, production: bool) -> (String, http::HeaderValue) {
    let value = platform::secrets::random_token();
    let secure = if production { "; Secure" } else { "" };
    let header = http::HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400{secure}"
    ))
    .expect("a URL-safe token is a header value");
    (value, header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CsrfKey {
        CsrfKey::from_bytes(&[7; 32])
    }

    fn bearer(payload: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let token = format!(
            "eyJhbGciOiJFZERTQSJ9.{}.sig",
            URL_SAFE_NO_PAD.encode(payload)
        );
        h.insert("authorization", format!("Bearer {token}").parse().unwrap());
        h
    }

    #[test]
    fn a_token_is_good_for_its_own_session_only() {
        let k = key();
        let t = k.token(Binding::Session("s1"));
        assert!(k.verify(Binding::Session("s1"), &t));
        assert!(!k.verify(Binding::Session("s2"), &t));
        // Never for a browser cookie of the same value.
        assert!(!k.verify(Binding::Browser("s1"), &t));
        // Nor under another key, nor truncated, nor empty.
        assert!(!CsrfKey::from_bytes(&[8; 32]).verify(Binding::Session("s1"), &t));
        assert!(!k.verify(Binding::Session("s1"), &t[..20]));
        assert!(!k.verify(Binding::Session("s1"), ""));
    }

    #[test]
    fn the_session_id_is_read_from_the_forwarded_token() {
        assert_eq!(
            session_id(&bearer(r#"{"sub":"u","sid":"abc"}"#)).as_deref(),
            Some("abc")
        );
        assert_eq!(session_id(&bearer(r#"{"sub":"u"}"#)), None);
        assert_eq!(session_id(&bearer(r#"{"sid":""}"#)), None);
        assert_eq!(session_id(&bearer("not json")), None);
        assert_eq!(session_id(&HeaderMap::new()), None);
    }

    #[test]
    fn the_key_is_base64_of_32_bytes_or_more_and_required_in_production() {
        assert!(CsrfKey::parse(&URL_SAFE_NO_PAD.encode([1u8; 32])).is_some());
        assert!(CsrfKey::parse(&STANDARD.encode([1u8; 48])).is_some());
        assert!(CsrfKey::parse(&URL_SAFE_NO_PAD.encode([1u8; 16])).is_none());
        assert!(CsrfKey::parse("not base64 at all!").is_none());

        let env = Env::from_pairs([("APP_ENV", "production")]);
        let common = CommonSettings::from_env(&env).unwrap();
        assert!(CsrfKey::from_env(&env, &common).is_err());
        let secret = URL_SAFE_NO_PAD.encode([9u8; 32]);
        let env = Env::from_pairs([("APP_ENV", "production"), (KEY_VAR, secret.as_str())]);
        let k = CsrfKey::from_env(&env, &common).unwrap();
        assert!(!format!("{k:?}").contains(&secret));
    }

    #[test]
    fn only_a_cookie_value_of_ours_binds() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            "a=1; onetip_csrf=abcdefghijklmnopqrstuvwxyz_-0123"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            browser_id(&h, "onetip_csrf"),
            Some("abcdefghijklmnopqrstuvwxyz_-0123")
        );
        h.insert("cookie", "onetip_csrf=short".parse().unwrap());
        assert_eq!(browser_id(&h, "onetip_csrf"), None);
        let (value, header) = new_browser_cookie("onetip_csrf", true);
        let header = header.to_str().unwrap();
        assert!(header.starts_with(&format!("onetip_csrf={value};")));
        assert!(header.contains("HttpOnly") && header.ends_with("Secure"));
    }
}
