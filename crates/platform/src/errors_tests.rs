//! The scrubber, on an event crafted to carry every kind of secret.

use super::*;
use sentry::protocol::{Exception, Map, Request as SentryRequest, User};

const JWT: &str = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz";
const TODOIST_TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn crafted() -> Event<'static> {
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("Authorization".to_owned(), format!("Bearer {JWT}"));
    headers.insert("Cookie".to_owned(), "onetip_rt=rt-secret".to_owned());
    headers.insert("X-Internal-Token".to_owned(), "internal-secret".to_owned());
    headers.insert("Accept".to_owned(), "application/json".to_owned());
    headers.insert(
        "Referer".to_owned(),
        "https://onetip.example/connect/todoist/callback?code=referer-code-1&state=st-1".to_owned(),
    );
    let mut extra = Map::new();
    extra.insert("access_token".into(), Value::String(TODOIST_TOKEN.into()));
    extra.insert(
        "detail".into(),
        Value::String("callback ?code=oauth-code-1&state=st-1 for person@example.com".into()),
    );
    extra.insert(
        "nested".into(),
        serde_json::json!({"refresh_token": "rt-2", "list": [format!("Bearer {JWT}")]}),
    );
    let mut tags = std::collections::BTreeMap::new();
    tags.insert("trace_id".to_owned(), TRACE.to_owned());
    tags.insert("session".to_owned(), "sess-secret".to_owned());
    let mut crumb = Breadcrumb {
        message: Some(format!("refreshing with {JWT}")),
        ..Default::default()
    };
    crumb
        .data
        .insert("email".into(), Value::String("person@example.com".into()));
    Event {
        message: Some(format!("token {TODOIST_TOKEN} refused for person@example.com")),
        request: Some(SentryRequest {
            url: "https://user:pw@onetip.example/connect/todoist/callback?code=oauth-code-1&state=st-1"
                .parse()
                .ok(),
            method: Some("POST".into()),
            data: Some("{\"password\":\"hunter2\"}".into()),
            query_string: Some("code=oauth-code-1".into()),
            cookies: Some("onetip_at=at-secret".into()),
            headers,
            ..Default::default()
        }),
        user: Some(User {
            id: Some("0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00".into()),
            email: Some("person@example.com".into()),
            ip_address: Some(sentry::protocol::IpAddress::Auto),
            ..Default::default()
        }),
        exception: vec![Exception {
            ty: "Error".into(),
            value: Some(format!("upstream said {{\"access_token\":\"{TODOIST_TOKEN}\"}}")),
            ..Default::default()
        }]
        .into(),
        breadcrumbs: vec![crumb].into(),
        extra,
        tags,
        ..Default::default()
    }
}

#[test]
fn the_scrubber_leaves_no_cookie_header_token_code_email_or_body() {
    let event = scrub(crafted());
    let sent = serde_json::to_string(&event).unwrap();
    for secret in [
        JWT,
        TODOIST_TOKEN,
        "rt-secret",
        "at-secret",
        "internal-secret",
        "oauth-code-1",
        "referer-code-1",
        "st-1",
        "hunter2",
        "person@example.com",
        "rt-2",
        "sess-secret",
        ":pw@",
    ] {
        assert!(!sent.contains(secret), "{secret} left in {sent}");
    }
    let request = event.request.as_ref().unwrap();
    assert!(request.data.is_none() && request.cookies.is_none());
    assert_eq!(
        request.headers.get("Accept").map(String::as_str),
        Some("application/json")
    );
    assert_eq!(
        request.url.as_ref().map(|u| u.as_str()),
        Some("https://onetip.example/connect/todoist/callback")
    );
    // What says where and whose failure it was stays.
    assert_eq!(event.tags.get("trace_id").map(String::as_str), Some(TRACE));
    let user = event.user.as_ref().unwrap();
    assert_eq!(
        user.id.as_deref(),
        Some("0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00")
    );
    assert!(user.email.is_none() && user.ip_address.is_none());
}

#[test]
fn redaction_keeps_plain_words_trace_ids_and_uuids() {
    let text = format!(
        "GET /api/me answered 500 for trace {TRACE} decision 0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00"
    );
    assert_eq!(redact(&text), text);
    assert_eq!(redact("Bearer abc.def"), "Bearer [redacted]");
    assert_eq!(
        redact("password: hunter2 given"),
        "password: [redacted] given"
    );
    assert_eq!(redact("a?code=xyz&next=/"), "a?code=[redacted]&next=/");
}

#[test]
fn the_user_id_is_the_sub_of_the_bearer_token_or_access_cookie() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {JWT}").parse().unwrap(),
    );
    assert_eq!(user_id(&headers).as_deref(), Some("user-1"));
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        format!("a=b; __Host-onetip_at={JWT}").parse().unwrap(),
    );
    assert_eq!(user_id(&headers).as_deref(), Some("user-1"));
    assert_eq!(user_id(&http::HeaderMap::new()), None);
}
