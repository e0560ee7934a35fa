//! The plain pages: tip, sign-in, connectors (signed out; the rest is in
//! connect.rs), not found, and the stylesheet.

use crate::helpers::{closed_port_url, spawn_app, spawn_app_with, tag_with};

#[tokio::test]
async fn the_signin_page_links_to_google_sign_in() {
    let app = spawn_app_with(
        &closed_port_url(),
        &[("GOOGLE_CLIENT_ID", "onetip.apps.example")],
    )
    .await;

    let html = app.get("/signin").await.body;

    let link = tag_with(&html, r#"href="/auth/google/start""#);
    assert!(link.starts_with("<a"));
    assert!(html.contains("Sign in with Google"));
}

#[tokio::test]
async fn the_connect_page_signed_out_offers_to_sign_in() {
    let app = spawn_app(&closed_port_url()).await;

    let html = app.get("/connect").await.body;

    assert!(html.contains("Connectors"));
    assert!(html.contains(r#"href="/signin?return_to=%2Fconnect""#));
    assert!(!html.contains("<form method=\"post\" action=\"/connect/"));
}

#[tokio::test]
async fn an_unknown_path_gets_a_plain_404_page() {
    let app = spawn_app(&closed_port_url()).await;

    let page = app.get("/no/such/page").await;

    assert_eq!(page.status, 404);
    assert!(page.body.starts_with("<!DOCTYPE html>"));
    assert!(page.body.contains("Page not found"));
}

#[tokio::test]
async fn every_page_has_a_language_a_title_and_the_stylesheet() {
    let app = spawn_app(&closed_port_url()).await;

    for path in ["/status", "/signin", "/connect", "/missing"] {
        let html = app.get(path).await.body;
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{path}"
        );
        assert!(html.contains("<title>"), "{path}");
        let link = tag_with(&html, "rel=\"stylesheet\"");
        assert!(link.contains("href=\"/static/app.css?v="), "{path}: {link}");
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_as_cacheable_css() {
    let app = spawn_app(&closed_port_url()).await;

    let page = app.get("/static/app.css").await;

    assert_eq!(page.status, 200);
    assert_eq!(page.headers["content-type"], "text/css; charset=utf-8");
    assert!(
        page.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    assert!(page.body.contains(".tip-stage"));
}

#[tokio::test]
async fn the_icon_is_served_so_browsers_log_no_missing_favicon() {
    let app = spawn_app(&closed_port_url()).await;

    for path in ["/static/icon.svg", "/favicon.ico"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.headers["content-type"], "image/svg+xml", "{path}");
    }
}

#[tokio::test]
async fn web_keeps_its_own_health_and_readiness() {
    let app = spawn_app(&closed_port_url()).await;

    let health = app.get("/health").await;
    let ready = app.get("/ready").await;

    assert_eq!(health.status, 200);
    assert!(health.body.contains("\"service\":\"web\""));
    assert_eq!(ready.status, 200);
}

#[tokio::test]
async fn the_undo_bar_has_a_fade_for_every_second_it_can_last_and_respects_reduced_motion() {
    let app = spawn_app(&closed_port_url()).await;

    let css = app.get("/static/app.css").await.body;

    // The page sets data-left to the whole seconds left (1..=30): each
    // needs its own duration, since the CSP allows no inline style.
    for n in 1..=30 {
        assert!(
            css.contains(&format!(
                ".undo-bar[data-left=\"{n}\"] {{ animation-duration: {n}s; }}"
            )),
            "no fade of {n} s"
        );
    }
    let reduced = css
        .split("@media (prefers-reduced-motion: reduce)")
        .nth(1)
        .expect("a reduced-motion rule");
    assert!(
        reduced
            .trim_start()
            .starts_with("{\n  .undo-bar { animation-name: undo-end; }")
    );
}
