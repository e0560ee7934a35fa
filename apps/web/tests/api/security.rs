//! The Content-Security-Policy: the pages must need no inline script or
//! style, and web sends the policy itself.

use crate::helpers::{closed_port_url, spawn_app};

const PAGES: [&str; 5] = ["/", "/status", "/signin", "/connect", "/missing"];

#[tokio::test]
async fn no_page_carries_inline_scripts_or_styles() {
    let app = spawn_app(&closed_port_url()).await;

    for path in PAGES {
        let html = app.get(path).await.body.to_lowercase();
        assert!(!html.contains("<script"), "{path} has a script");
        assert!(!html.contains("<style"), "{path} has a style element");
        assert!(!html.contains("style="), "{path} has a style attribute");
        assert!(!html.contains("<!>"), "{path} has hydration markers");
        // Nothing may trail the document (Leptos's streaming adds scripts there).
        assert!(
            html.trim_end().ends_with("</html>"),
            "{path} ends after </html>"
        );
    }
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
