//! Session cookies in tests: the `Cookie` header a signed-in browser sends
//! (the names from [`SessionCookies`], never spelled again in a test), and
//! the `Set-Cookie` lines of a response read back.

use std::collections::HashMap;

use http::HeaderMap;

use crate::identity::SessionCookies;

/// The development names (`onetip_at`, `onetip_rt`, `onetip_flow`).
pub fn dev() -> SessionCookies {
    SessionCookies::new(false)
}

/// The production names (`__Host-onetip_at`, …).
pub fn production() -> SessionCookies {
    SessionCookies::new(true)
}

/// A `Cookie` header value from `name=value` pairs, in order.
pub fn header(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `onetip_at=TOKEN`: the access cookie of a development browser.
pub fn access(token: &str) -> String {
    header(&[(dev().access, token)])
}

/// Every `Set-Cookie` line of a response, whole.
pub fn set_cookie_lines(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

/// The `Set-Cookie` values of a response by cookie name (a name set twice
/// keeps its last value; cleared cookies are there with an empty value).
pub fn set_cookies(headers: &HeaderMap) -> HashMap<String, String> {
    set_cookie_lines(headers)
        .iter()
        .filter_map(|line| {
            let (k, v) = line.split(';').next()?.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

/// The first value a response sets cookie `name` to (clearing it is no
/// value).
pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookie_lines(headers).iter().find_map(|line| {
        let (k, v) = line.split(';').next()?.split_once('=')?;
        (k.trim() == name && !v.trim().is_empty()).then(|| v.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookies_are_read_back_by_name_and_cleared_ones_are_absent() {
        let jar = dev();
        let mut headers = HeaderMap::new();
        headers.append(http::header::SET_COOKIE, jar.set(jar.access, "at-1", 300));
        headers.append(http::header::SET_COOKIE, jar.clear(jar.refresh));
        assert_eq!(set_cookie(&headers, "onetip_at").as_deref(), Some("at-1"));
        assert_eq!(set_cookie(&headers, "onetip_rt"), None);
        assert_eq!(set_cookies(&headers)["onetip_rt"], "");
        assert_eq!(set_cookie_lines(&headers).len(), 2);
        assert_eq!(access("t"), "onetip_at=t");
        assert_eq!(
            header(&[(production().access, "a"), ("theme", "dark")]),
            "__Host-onetip_at=a; theme=dark"
        );
    }
}
