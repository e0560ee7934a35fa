//! The Content-Security-Policy: the pages must need no inline script or
//! style, and web sends the policy itself.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{TOKEN, closed_port_url, gateway_with_me, profile, spawn_app, spawn_app_with};

const PAGES: [&str; 8] = [
    "/status",
    "/signin",
    "/signin?return_to=%2Fconnect",
    "/connect",
    "/connect?connected=todoist",
    "/connect?connector=todoist&error=access_denied",
    "/connect?connector=%3Cscript%3E&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/missing",
];

fn assert_no_inline_code(what: &str, html: &str) {
    let html = html.to_lowercase();
    // Scripts only from files of our own (the tip page's keys), never inline.
    for (i, _) in html.match_indices("<script") {
        let tag_end = i + html[i..].find('>').unwrap();
        let tag = &html[i..=tag_end];
        assert!(
            tag.contains(" src=\"/static/"),
            "{what} has an inline script: {tag}"
        );
        assert!(
            html[tag_end + 1..].starts_with("</script>"),
            "{what}: a script with a body"
        );
    }
    assert!(!html.contains("<style"), "{what} has a style element");
    assert!(!html.contains("style="), "{what} has a style attribute");
    // No event-handler attributes either (onclick=, onsubmit=…).
    let handler = html.split(" on").skip(1).any(|rest| {
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].starts_with('=')
    });
    assert!(!handler, "{what} has an inline event handler");
    assert!(
        !html.contains("javascript:"),
        "{what} has a javascript: URL"
    );
    assert!(!html.contains("<!>"), "{what} has hydration markers");
    // Nothing may trail the document (Leptos's streaming adds scripts there).
    assert!(
        html.trim_end().ends_with("</html>"),
        "{what} ends after </html>"
    );
}

#[tokio::test]
async fn no_page_carries_inline_scripts_or_styles() {
    // Signed out, with the development form on.
    let app = spawn_app(&closed_port_url()).await;
    for path in PAGES {
        assert_no_inline_code(&format!("{path} (signed out)"), &app.get(path).await.body);
    }

    // Signed in: the header with the user and the sign-out form; the tip
    // page with a tip, its forms and the undo bar.
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", Some("Ada"))).await;
    crate::tip::mount_recommendation(
        &gateway,
        crate::tip::with_undo(crate::tip::recommendation(None)),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;
    for path in PAGES.iter().copied().chain(["/"]) {
        let html = app.get_as(path, TOKEN).await.body;
        assert!(html.contains("id=\"signout\""), "{path}: signed in");
        assert_no_inline_code(&format!("{path} (signed in)"), &html);
    }

    // Todoist connected: the connector with its disconnect form, the tasks.
    Mock::given(method("GET"))
        .and(path("/api/connectors"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{
            "name": "todoist", "display_name": "Todoist", "connected": true,
            "connected_at": 1_764_158_400_000_i64, "scope": "data:read_write",
        }])))
        .mount(&gateway)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/integrations/tasks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{
            "id": "0192f6b8-0000-7000-8000-00000000000a",
            "user_id": "0191f6b8-0000-7000-8000-000000000001",
            "source": "todoist", "kind": "task.open", "subject_id": "t1",
            "occurred_at": "2025-06-01T12:00:00Z", "trace_id": null,
            "payload": {"title": "<script>alert(1)</script>", "due": null},
        }]})))
        .mount(&gateway)
        .await;
    for path in PAGES.iter().filter(|p| p.starts_with("/connect")) {
        let html = app.get_as(path, TOKEN).await.body;
        assert!(
            html.contains("id=\"tasks\""),
            "{path}: connected, with tasks"
        );
        assert_no_inline_code(&format!("{path} (connected)"), &html);
    }

    // Google configured: the sign-in page without the development form.
    let app = spawn_app_with(&closed_port_url(), &[("GOOGLE_CLIENT_ID", "id")]).await;
    assert_no_inline_code("/signin (Google)", &app.get("/signin").await.body);
}

#[tokio::test]
async fn every_page_is_sent_with_the_content_security_policy() {
    let app = spawn_app(&closed_port_url()).await;

    for path in PAGES {
        let page = app.get(path).await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} missing");
        }
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(page.headers["referrer-policy"], "no-referrer", "{path}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}
