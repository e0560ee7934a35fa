//! The header on every page: the signed-in user, loaded from the gateway's
//! `/api/me` with the Bearer token the gateway forwarded to web, and a
//! plain sign-out form; signed out without a token or on a 401.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    TOKEN, closed_port_url, csrf_of, gateway_with_me, me_calls, profile, spawn_app, tag_with,
};

/// Every page that carries the header (the tip page has its own corner).
const FRAMED: [&str; 4] = ["/connect", "/status", "/signin", "/missing"];

/// The text inside the element with `id="user"`.
fn user_text(html: &str) -> &str {
    let tag = tag_with(html, "id=\"user\"");
    let start = html.find(tag).unwrap() + tag.len();
    let end = start + html[start..].find("</span>").expect("a closed span");
    &html[start..end]
}

/// The sign-out button is inside a plain POST form to web's `/signout`,
/// carrying the session's CSRF token.
fn assert_sign_out_form(html: &str, what: &str) {
    let button = tag_with(html, "id=\"signout\"");
    assert!(button.starts_with("<button"), "{what}: {button}");
    assert!(button.contains("type=\"submit\""), "{what}: {button}");
    let at = html.find(button).unwrap();
    let form_start = html[..at].rfind("<form").expect("a form around the button");
    let form_end = form_start + html[form_start..].find('>').unwrap();
    let form = &html[form_start..=form_end];
    assert!(form.contains(r#"method="post""#), "{what}: {form}");
    assert!(form.contains(r#"action="/signout""#), "{what}: {form}");
    assert!(
        !html[form_start..at].contains("</form>"),
        "{what}: the button is outside the form"
    );
    assert!(
        html[form_start..at].contains("name=\"csrf\" value=\""),
        "{what}: the form carries its CSRF token"
    );
    assert!(!csrf_of(&html[form_start..]).is_empty(), "{what}");
}

#[tokio::test]
async fn every_framed_page_shows_the_user_from_api_me_called_with_the_forwarded_bearer() {
    let gateway = gateway_with_me(
        TOKEN,
        200,
        profile("ada@example.test", Some("Ada Lovelace")),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    for page in FRAMED {
        let html = app.get_as(page, TOKEN).await.body;
        assert!(tag_with(&html, "class=\"bar\"").starts_with("<header"));
        assert_eq!(user_text(&html), "Ada Lovelace", "{page}");
        assert_sign_out_form(&html, page);
        assert!(!html.contains("id=\"signin\""), "{page}: no sign-in link");
    }

    // One call per page, each carrying exactly the Authorization web got.
    let calls = me_calls(&gateway).await;
    assert_eq!(calls.len(), FRAMED.len());
    for call in calls {
        assert_eq!(call.headers["authorization"], format!("Bearer {TOKEN}"));
    }
}

#[tokio::test]
async fn the_tip_page_says_discreetly_who_is_signed_in_beside_the_one_tip() {
    let gateway = gateway_with_me(
        TOKEN,
        200,
        profile("ada@example.test", Some("Ada Lovelace")),
    )
    .await;
    crate::tip::mount_recommendation(&gateway, crate::tip::recommendation(None)).await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get_as("/", TOKEN).await.body;

    assert!(html.contains("Signed in as"));
    assert_eq!(user_text(&html), "Ada Lovelace");
    assert_sign_out_form(&html, "/");
    assert_eq!(html.matches("id=\"tip\"").count(), 1, "still one tip");
}

#[tokio::test]
async fn a_user_without_a_name_is_shown_by_email_address() {
    let gateway = gateway_with_me(TOKEN, 200, profile("grace@example.test", None)).await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get_as("/connect", TOKEN).await.body;

    assert_eq!(user_text(&html), "grace@example.test");
}

#[tokio::test]
async fn without_a_bearer_the_page_is_signed_out_and_api_me_is_not_asked() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    let app = spawn_app(&gateway.uri()).await;

    // The tip page sends a signed-out browser to sign in.
    let home = app.get("/").await;
    assert_eq!(home.status, 303);
    assert_eq!(home.headers["location"], "/signin?return_to=%2F");
    for page in ["/connect", "/status", "/signin", "/missing"] {
        let html = app.get(page).await.body;
        let link = tag_with(&html, "id=\"signin\"");
        assert!(
            link.starts_with("<a") && link.contains(r#"href="/signin""#),
            "{page}"
        );
        assert!(!html.contains("id=\"user\""), "{page}");
        assert!(!html.contains("id=\"signout\""), "{page}");
    }
    assert!(me_calls(&gateway).await.is_empty());
}

#[tokio::test]
async fn a_401_from_api_me_renders_the_page_signed_out() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    let app = spawn_app(&gateway.uri()).await;

    // The fake gateway refuses every other token with 401.
    let html = app.get_as("/connect", "a-revoked-token").await.body;

    assert!(tag_with(&html, "id=\"signin\"").starts_with("<a"));
    assert!(!html.contains("id=\"user\""));
    assert!(!html.contains("id=\"signout\""));
    assert_eq!(me_calls(&gateway).await.len(), 1);
}

#[tokio::test]
async fn a_failing_profile_still_renders_the_page_and_offers_sign_out() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get_as("/connect", TOKEN).await;

    assert_eq!(page.status, 200);
    assert!(tag_with(&page.body, "id=\"user\"").contains("data-state=\"unknown\""));
    assert_sign_out_form(&page.body, "/connect");

    // The same when the gateway does not answer at all.
    let app = spawn_app(&closed_port_url()).await;
    let page = app.get_as("/connect", TOKEN).await;
    assert_eq!(page.status, 200);
    assert_sign_out_form(&page.body, "/connect");
}

#[tokio::test]
async fn web_sends_no_cookie_to_the_gateway_and_passes_the_request_id_on() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    let app = spawn_app(&gateway.uri()).await;

    app.send(
        app.client
            .get(format!("{}/connect", app.address))
            .bearer_auth(TOKEN)
            .header("cookie", "other=1")
            .header("x-request-id", "me-test-7"),
    )
    .await;

    let calls = me_calls(&gateway).await;
    assert_eq!(calls.len(), 1);
    assert!(!calls[0].headers.contains_key("cookie"));
    assert_eq!(calls[0].headers["x-request-id"], "me-test-7");
}

#[tokio::test]
async fn the_users_name_is_escaped() {
    let gateway = gateway_with_me(
        TOKEN,
        200,
        profile("x@example.test", Some("<script>alert(1)</script>")),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get_as("/", TOKEN).await.body;

    assert!(!html.contains("<script>"));
    assert_eq!(user_text(&html), "&lt;script&gt;alert(1)&lt;/script&gt;");
}
