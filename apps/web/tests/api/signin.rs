//! `/signin`: "Sign in with Google", the development form only when it is
//! enabled, and `return_to` carried on only when it is a local path.

use crate::helpers::{closed_port_url, spawn_app, spawn_app_with, tag_with};

const GOOGLE_START: &str = r#"href="/auth/google/start"#;

/// Google configured: the sign-in page offers its button.
const GOOGLE: &[(&str, &str)] = &[("GOOGLE_CLIENT_ID", "onetip.apps.example")];

/// The `href` of the "Sign in with Google" link.
fn google_href(html: &str) -> String {
    let tag = tag_with(html, "id=\"google-signin\"");
    assert!(tag.starts_with("<a"), "{tag}");
    let start = tag.find("href=\"").expect("an href") + 6;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].to_owned()
}

#[tokio::test]
async fn the_development_form_is_offered_when_google_is_not_configured() {
    let app = spawn_app_with(&closed_port_url(), &[("APP_ENV", "development")]).await;

    let html = app.get("/signin").await.body;

    // Google is not configured: no button that would only lead back here.
    assert!(!html.contains(GOOGLE_START));
    assert!(html.contains("id=\"google-unavailable\""));
    let section = tag_with(&html, "id=\"dev-signin\"");
    assert!(section.starts_with("<section"));
    assert!(html.contains("Development only"));
    // Posted to web, which checks its CSRF token before asking auth.
    let form = tag_with(&html, r#"action="/signin""#);
    assert!(form.starts_with("<form") && form.contains(r#"method="post""#));
    assert!(!crate::helpers::csrf_of(&html).is_empty());
    let email = tag_with(&html, r#"name="email""#);
    assert!(email.starts_with("<input") && email.contains("required"));
    assert!(tag_with(&html, r#"name="name""#).starts_with("<input"));
    assert!(
        !html.contains(r#"name="return_to""#),
        "no return_to was given"
    );
}

#[tokio::test]
async fn the_development_form_is_absent_when_google_is_configured_or_in_production() {
    for env in [
        &[("GOOGLE_CLIENT_ID", "onetip.apps.example")][..],
        &[("APP_ENV", "production")][..],
    ] {
        let app = spawn_app_with(&closed_port_url(), env).await;

        let html = app.get("/signin").await.body;

        assert!(html.contains("Sign in with Google"), "{env:?}");
        assert!(html.contains(GOOGLE_START), "{env:?}");
        assert!(!html.contains("dev-signin"), "{env:?}");
        assert!(!html.contains("/auth/dev/signin"), "{env:?}");
        assert!(!html.contains(r#"action="/signin""#), "{env:?}");
        assert!(!html.contains("Development only"), "{env:?}");
    }
}

#[tokio::test]
async fn a_local_return_to_is_carried_to_google_and_to_the_development_form() {
    let google = spawn_app_with(&closed_port_url(), GOOGLE).await;
    let html = google
        .get("/signin?return_to=%2Fconnect%3Fx%3D1")
        .await
        .body;
    assert_eq!(
        google_href(&html),
        "/auth/google/start?return_to=%2Fconnect%3Fx%3D1"
    );

    let app = spawn_app(&closed_port_url()).await;
    let html = app.get("/signin?return_to=%2Fconnect%3Fx%3D1").await.body;
    let hidden = tag_with(&html, r#"name="return_to""#);
    assert!(hidden.contains(r#"type="hidden""#), "{hidden}");
    assert!(hidden.contains(r#"value="/connect?x=1""#), "{hidden}");
}

#[tokio::test]
async fn a_foreign_return_to_is_dropped_no_open_redirect() {
    let google = spawn_app_with(&closed_port_url(), GOOGLE).await;
    let app = spawn_app(&closed_port_url()).await;

    // https://evil, //evil and /\evil, and an unparseable query.
    for query in [
        "return_to=https%3A%2F%2Fevil",
        "return_to=%2F%2Fevil",
        "return_to=%2F%5Cevil",
        "return_to=//evil",
        "return_to=/%5Cevil",
        "return_to=evil",
        "return_to=%ZZ",
    ] {
        let page = google.get(&format!("/signin?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert_eq!(google_href(&page.body), "/auth/google/start", "{query}");
        assert!(!page.body.contains("evil"), "{query}");

        let page = app.get(&format!("/signin?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert!(!page.body.contains(r#"name="return_to""#), "{query}");
        assert!(!page.body.contains("evil"), "{query}");
    }
}
