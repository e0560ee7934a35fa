//! Refusing cross-site requests that change state, at the front door.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (every current
//! browser) and `Origin` (on every POST). A state-changing request whose
//! page was not our own is refused before it reaches any service, so a form
//! on another site cannot sign someone out or connect their account. Safe
//! methods pass: following a link from elsewhere must keep working, and the
//! OAuth callbacks are GETs. Requests without either header (server-to-server
//! calls, older clients) are left to the services' own checks.

use http::{HeaderMap, Method};

/// `scheme://host[:port]` of a URL, as browsers write it in `Origin`.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    )
}

/// True when `method` changes state and the browser says the request came
/// from another site.
pub fn refused(method: &Method, headers: &HeaderMap, public_origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("invalid"));
    match header("sec-fetch-site") {
        // The browser's own word wins: same-origin, or typed by the user.
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => header("origin").is_some_and(|origin| !origin.eq_ignore_ascii_case(public_origin)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const US: &str = "https://onetip.example";

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin_of("https://onetip.example/"), US);
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("HTTP://LocalHost:8080/x?y"),
            "http://localhost:8080"
        );
    }

    #[test]
    fn cross_site_and_same_site_posts_are_refused() {
        for site in ["cross-site", "same-site"] {
            let h = headers(&[("sec-fetch-site", site)]);
            assert!(refused(&Method::POST, &h, US), "{site}");
            assert!(refused(&Method::DELETE, &h, US), "{site}");
        }
    }

    #[test]
    fn a_foreign_or_null_origin_is_refused_when_fetch_metadata_is_missing() {
        for origin in [
            "https://evil.example",
            "null",
            "https://onetip.example.evil.example",
        ] {
            let h = headers(&[("origin", origin)]);
            assert!(refused(&Method::POST, &h, US), "{origin}");
        }
    }

    #[test]
    fn our_own_pages_and_safe_methods_pass() {
        assert!(!refused(
            &Method::POST,
            &headers(&[("sec-fetch-site", "same-origin")]),
            US
        ));
        assert!(!refused(&Method::POST, &headers(&[("origin", US)]), US));
        assert!(!refused(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")]),
            US
        ));
        // No browser headers at all: a server-to-server call.
        assert!(!refused(&Method::POST, &HeaderMap::new(), US));
    }
}
