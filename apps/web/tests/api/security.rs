//! The Content-Security-Policy: the pages must need no inline script or
//! style, and web sends the policy itself.

use crate::helpers::{closed_port_url, gateway_with_me, profile, spawn_app, spawn_app_with};

const PAGES: [&str; 6] = [
    "/",
    "/status",
    "/signin",
    "/signin?return_to=%2Fconnect",
    "/connect",
    "/missing",
];

fn assert_no_inline_code(what: &str, html: &str) {
    let html = html.to_lowercase();
    assert!(!html.contains("<script"), "{what} has a script");
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

    // Signed in: the header with the user and the sign-out form.
    let gateway = gateway_with_me("t", 200, profile("ada@example.test", Some("Ada"))).await;
    let app = spawn_app(&gateway.uri()).await;
    for path in PAGES {
        let html = app.get_as(path, "t").await.body;
        assert!(html.contains("id=\"signout\""), "{path}: signed in");
        assert_no_inline_code(&format!("{path} (signed in)"), &html);
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
