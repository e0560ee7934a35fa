//! CSRF on every form web serves: a post without its token, or with
//! another session's (or another browser's), answers 403 and nothing
//! reaches the services; GET on a POST route answers 405. And the two
//! forms that now post to web instead of auth: sign-out and the
//! development sign-in.

use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    OTHER_SESSION_TOKEN, TOKEN, closed_port_url, csrf_of, gateway_with_me, profile, spawn_app,
    spawn_app_with,
};
use crate::tip::{DECISION, mount_recommendation, recommendation, with_undo};

/// Every form's route that a signed-in session posts to.
fn session_routes() -> Vec<String> {
    vec![
        format!("/tip/{DECISION}/done"),
        format!("/tip/{DECISION}/skip"),
        format!("/tip/{DECISION}/undo"),
        "/connect/todoist".to_owned(),
        "/connect/todoist/disconnect".to_owned(),
        "/signout".to_owned(),
    ]
}

/// What the fake gateway received besides the profile lookups the pages make.
async fn service_calls(gateway: &MockServer) -> Vec<String> {
    gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() != "/api/me" && r.url.path() != "/api/recommend")
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

#[tokio::test]
async fn a_form_without_its_token_or_with_another_sessions_is_refused_before_any_service() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    // The other session is the same user, in another browser.
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .and(header(
            "authorization",
            format!("Bearer {OTHER_SESSION_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(profile("ada@example.test", None)))
        .with_priority(1)
        .mount(&gateway)
        .await;
    // Anything a form could reach answers as if it worked.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .with_priority(10)
        .mount(&gateway)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;
    let mine = app.csrf_for(TOKEN).await;
    let theirs = app.csrf_for(OTHER_SESSION_TOKEN).await;
    assert_ne!(mine, theirs, "one token per session");

    for route in session_routes() {
        for (what, fields) in [
            ("no token", vec![]),
            ("an empty token", vec![("csrf", "")]),
            ("another session's token", vec![("csrf", theirs.as_str())]),
            (
                "a made-up token",
                vec![("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
            ),
        ] {
            let page = app.post_form(&route, Some(TOKEN), &fields).await;
            assert_eq!(page.status, 403, "{route} with {what}");
            assert!(page.body.contains("This form has expired"), "{route}");
        }
        // Not a form at all.
        let page = app
            .send(
                app.client
                    .post(format!("{}{route}", app.address))
                    .bearer_auth(TOKEN)
                    .json(&json!({"csrf": mine})),
            )
            .await;
        assert_eq!(page.status, 403, "{route} with a JSON body");
    }
    assert_eq!(service_calls(&gateway).await, Vec::<String>::new());

    // With the session's own token each one does reach the API.
    for route in session_routes() {
        let page = app.post_form(&route, Some(TOKEN), &[("csrf", &mine)]).await;
        assert_ne!(page.status, 403, "{route}");
    }
    assert_eq!(service_calls(&gateway).await.len(), session_routes().len());
}

#[tokio::test]
async fn get_on_every_post_route_answers_405() {
    let app = spawn_app(&closed_port_url()).await;

    for route in session_routes() {
        let page = app.get_as(&route, TOKEN).await;
        assert_eq!(page.status, 405, "GET {route}");
    }
}

#[tokio::test]
async fn every_form_web_renders_carries_the_token() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    mount_recommendation(&gateway, with_undo(recommendation(None))).await;
    Mock::given(method("GET"))
        .and(path("/api/connectors"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "todoist", "display_name": "Todoist", "connected": true},
            {"name": "other", "display_name": "Other", "connected": false},
        ])))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;
    let token = app.csrf_for(TOKEN).await;

    for page in ["/", "/connect", "/status", "/missing"] {
        let html = app.get_as(page, TOKEN).await.body;
        let forms = html.matches("<form").count();
        assert!(forms > 0, "{page}");
        assert_eq!(
            html.matches(&format!("name=\"csrf\" value=\"{token}\""))
                .count(),
            forms,
            "{page}: every form carries the session's token"
        );
    }
}

#[tokio::test]
async fn sign_out_checks_the_token_then_asks_auth_and_hands_its_cookies_on() {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    Mock::given(method("POST"))
        .and(path("/auth/logout"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(204)
                .append_header(
                    "set-cookie",
                    "onetip_at=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                )
                .append_header(
                    "set-cookie",
                    "onetip_rt=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                )
                .append_header("set-cookie", "tracker=1; Path=/"),
        )
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;
    let csrf = app.csrf_for(TOKEN).await;

    let page = app
        .post_form("/signout", Some(TOKEN), &[("csrf", &csrf)])
        .await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/signin");
    let cookies = platform::testing::cookies::set_cookie_lines(&page.headers);
    assert_eq!(cookies.len(), 2, "only auth's session cookies: {cookies:?}");
    assert!(cookies.iter().all(|c| c.contains("Max-Age=0")));
    assert_eq!(service_calls(&gateway).await, ["POST /auth/logout"]);
}

/// The development sign-in page's cookie and the form's token.
async fn dev_form(app: &crate::helpers::TestApp, cookie: Option<&str>) -> (String, String) {
    let mut request = app.client.get(format!("{}/signin", app.address));
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("onetip_csrf={cookie}"));
    }
    let page = app.send(request).await;
    let cookie = match cookie {
        Some(c) => {
            assert!(
                !page.headers.contains_key("set-cookie"),
                "the cookie is kept"
            );
            c.to_owned()
        }
        None => {
            let set = page.headers["set-cookie"].to_str().unwrap();
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Lax"),
                "{set}"
            );
            set.strip_prefix("onetip_csrf=")
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    (cookie, csrf_of(&page.body))
}

#[tokio::test]
async fn the_development_sign_in_is_bound_to_the_browsers_cookie_then_goes_through_auth() {
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/dev/signin"))
        .and(body_string_contains("email=ada%40example.test"))
        .respond_with(
            ResponseTemplate::new(303)
                .insert_header("location", "/connect")
                .append_header(
                    "set-cookie",
                    "onetip_at=jwt; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
                )
                .append_header(
                    "set-cookie",
                    "onetip_rt=rt; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
                ),
        )
        .mount(&gateway)
        .await;
    let app = spawn_app_with(&gateway.uri(), &[("APP_ENV", "development")]).await;
    let (cookie, token) = dev_form(&app, None).await;
    let (other_cookie, other_token) = dev_form(&app, None).await;
    assert_ne!(token, other_token);
    // The same cookie keeps its token.
    assert_eq!(dev_form(&app, Some(&cookie)).await.1, token);

    let post = |cookie: Option<String>, token: String| {
        let mut request = app.client.post(format!("{}/signin", app.address)).form(&[
            ("csrf", token.as_str()),
            ("email", "ada@example.test"),
            ("return_to", "/connect"),
        ]);
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("onetip_csrf={cookie}"));
        }
        app.send(request)
    };
    // Without the cookie, with another browser's token, without a token.
    assert_eq!(post(None, token.clone()).await.status, 403);
    assert_eq!(post(Some(cookie.clone()), other_token).await.status, 403);
    assert_eq!(post(Some(other_cookie), token.clone()).await.status, 403);
    assert_eq!(post(Some(cookie.clone()), String::new()).await.status, 403);
    assert!(gateway.received_requests().await.unwrap().is_empty());

    let page = post(Some(cookie), token).await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/connect");
    assert_eq!(page.headers.get_all("set-cookie").iter().count(), 2);
    let calls = gateway.received_requests().await.unwrap();
    assert_eq!(calls.len(), 1);
    let body = String::from_utf8_lossy(&calls[0].body).into_owned();
    assert!(body.contains("return_to=%2Fconnect"), "{body}");
    assert!(!body.contains("csrf"), "the token stays with web: {body}");
}

#[tokio::test]
async fn the_development_sign_in_post_does_not_exist_when_google_is_configured() {
    let gateway = MockServer::start().await;
    let app = spawn_app_with(&gateway.uri(), &[("GOOGLE_CLIENT_ID", "id")]).await;

    let page = app
        .post_form("/signin", None, &[("email", "x@example.test")])
        .await;

    assert_eq!(page.status, 404);
    assert!(gateway.received_requests().await.unwrap().is_empty());
}
