//! The session cookies: their names (the `__Host-` ones in production),
//! their attributes, and reading one back from a request.
//!
//! auth sets them; the gateway reads them, refreshes through them and
//! strips them before a request goes on. `HttpOnly`, `SameSite=Lax`
//! (Strict would drop them on the return from Google), `Path=/`, no
//! `Domain`; in production the `__Host-` prefix and `Secure`.

use http::{HeaderMap, HeaderValue};

/// The names and attributes of one deployment's session cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookies {
    /// The access token (a JWT).
    pub access: &'static str,
    /// The refresh token.
    pub refresh: &'static str,
    /// The pending Google sign-in (state, nonce, PKCE).
    pub flow: &'static str,
    secure: bool,
}

impl SessionCookies {
    pub fn new(production: bool) -> Self {
        if production {
            Self {
                access: "__Host-onetip_at",
                refresh: "__Host-onetip_rt",
                flow: "__Host-onetip_flow",
                secure: true,
            }
        } else {
            Self {
                access: "onetip_at",
                refresh: "onetip_rt",
                flow: "onetip_flow",
                secure: false,
            }
        }
    }

    /// Whether `name` is one of the three.
    pub fn is_session_cookie(&self, name: &str) -> bool {
        name == self.access || name == self.refresh || name == self.flow
    }

    /// `Set-Cookie` for `name=value`, living `max_age_secs`.
    pub fn set(&self, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
        ))
        .expect("cookie values are URL-safe base64 or JWTs")
    }

    /// `Set-Cookie` that removes `name`.
    pub fn clear(&self, name: &str) -> HeaderValue {
        self.set(name, "", 0)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (an empty
/// value counts as absent).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_cookies_are_host_prefixed_and_secure() {
        let c = SessionCookies::new(true);
        let v = c.set(c.refresh, "abc", 60);
        assert_eq!(
            v.to_str().unwrap(),
            "__Host-onetip_rt=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert_eq!(
            (c.access, c.flow),
            ("__Host-onetip_at", "__Host-onetip_flow")
        );
        let dev = SessionCookies::new(false);
        assert_eq!(
            (dev.access, dev.refresh, dev.flow),
            ("onetip_at", "onetip_rt", "onetip_flow")
        );
        assert!(
            !dev.set(dev.access, "x", 1)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
        assert!(dev.is_session_cookie("onetip_flow") && !dev.is_session_cookie("onetip_csrf"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append("cookie", "a=1; onetip_rt=xyz".parse().unwrap());
        h.append("cookie", "b=2; e=".parse().unwrap());
        assert_eq!(cookie(&h, "onetip_rt"), Some("xyz"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "e"), None);
        assert_eq!(cookie(&h, "onetip_at"), None);
    }
}
