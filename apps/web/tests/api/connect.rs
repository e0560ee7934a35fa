//! `/connect`: the connectors and their state from the API, the connect and
//! disconnect forms (posted to web, which calls the API with the forwarded
//! Bearer and redirects), the callback's outcome in plain words, and the
//! user's tasks once connected. wiremock stands in for the gateway.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    TOKEN, TestApp, closed_port_url, gateway_with_me, profile, spawn_app, tag_with,
};

const AUTHORIZE: &str = "http://127.0.0.1:8090/oauth/authorize?client_id=onetip-sandbox\
    &response_type=code&scope=data%3Aread_write&state=st4te&code_challenge=abc\
    &code_challenge_method=S256";

fn todoist(connected: bool) -> Value {
    json!([{
        "name": "todoist",
        "display_name": "Todoist",
        "connected": connected,
        "connected_at": if connected { json!(1_764_158_400_000_i64) } else { Value::Null },
        "scope": if connected { json!("data:read_write") } else { Value::Null },
    }])
}

fn task(id: &str, title: &str) -> Value {
    json!({
        "id": "0192f6b8-0000-7000-8000-00000000000a",
        "user_id": "0191f6b8-0000-7000-8000-000000000001",
        "source": "todoist",
        "kind": "task.open",
        "subject_id": id,
        "occurred_at": "2025-06-01T12:00:00Z",
        "trace_id": null,
        "payload": {
            "title": title,
            "description": "",
            "priority": 1,
            "labels": [],
            "due": {"date": "2025-06-02", "string": "tomorrow", "is_recurring": false},
            "deep_link": format!("https://app.todoist.com/app/task/{id}"),
        },
    })
}

/// A gateway with the user signed in (`/api/me`), answering
/// `GET /api/connectors` with `connectors` for the right Bearer only.
async fn gateway_with_connectors(connectors: Value) -> MockServer {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", Some("Ada"))).await;
    Mock::given(method("GET"))
        .and(path("/api/connectors"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(connectors))
        .mount(&gateway)
        .await;
    gateway
}

async fn mount_tasks(gateway: &MockServer, status: u16, body: Value) {
    Mock::given(method("GET"))
        .and(path("/api/integrations/tasks"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(gateway)
        .await;
}

/// The form post a browser makes: with the session's CSRF token.
async fn post_as(app: &TestApp, path: &str, token: Option<&str>) -> crate::helpers::Page {
    let csrf = match token {
        Some(token) => app.csrf_for(token).await,
        None => String::new(),
    };
    app.post_form(path, token, &[("csrf", &csrf)]).await
}

/// The requests the fake gateway received for `path`.
async fn calls(gateway: &MockServer, method_name: &str, path: &str) -> Vec<wiremock::Request> {
    gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == path && r.method.as_str() == method_name)
        .collect()
}

/// The text of the element with `id="outcome"`, and its `data-kind`.
fn outcome(html: &str) -> (String, String) {
    let tag = tag_with(html, "id=\"outcome\"");
    let kind = tag
        .split("data-kind=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a data-kind")
        .to_owned();
    let start = html.find(tag).unwrap() + tag.len();
    let end = start + html[start..].find("</p>").expect("a closed outcome");
    (html[start..end].to_owned(), kind)
}

#[tokio::test]
async fn the_page_shows_each_connector_with_its_state() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get_as("/connect", TOKEN).await;

    assert_eq!(page.status, 200);
    let row = tag_with(&page.body, "data-connector=\"todoist\"");
    assert!(row.starts_with("<li"), "{row}");
    assert!(row.contains("data-state=\"disconnected\""), "{row}");
    assert!(page.body.contains("not connected"));
    let form = tag_with(&page.body, r#"action="/connect/todoist""#);
    assert!(
        form.starts_with("<form") && form.contains(r#"method="post""#),
        "{form}"
    );
    assert!(page.body.contains("Connect Todoist"));
    assert!(!page.body.contains("Disconnect"));
    assert!(
        !page.body.contains("id=\"tasks\""),
        "no tasks when nothing is connected"
    );
    assert!(!page.body.contains("id=\"outcome\""));
    assert!(
        calls(&gateway, "GET", "/api/integrations/tasks")
            .await
            .is_empty(),
        "tasks are not asked for when nothing is connected"
    );
}

#[tokio::test]
async fn a_connected_connector_offers_disconnect_and_the_tasks_are_listed() {
    let gateway = gateway_with_connectors(todoist(true)).await;
    mount_tasks(
        &gateway,
        200,
        json!({"items": [
            task("t1", "Water the plants"),
            task("t2", "Call <b>Mum</b> & \"Dad\""),
            task("t3", "File the taxes"),
        ]}),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get_as("/connect", TOKEN).await.body;

    let row = tag_with(&html, "data-connector=\"todoist\"");
    assert!(row.contains("data-state=\"connected\""), "{row}");
    assert!(html.contains("connected since"));
    assert!(html.contains(r#"<time datetime="2025-11-26T12:00:00Z">2025-11-26 12:00 UTC</time>"#));
    let form = tag_with(&html, r#"action="/connect/todoist/disconnect""#);
    assert!(
        form.starts_with("<form") && form.contains(r#"method="post""#),
        "{form}"
    );
    assert!(html.contains(">Disconnect<"));
    assert!(!html.contains("Connect Todoist"));

    let list = tag_with(&html, "id=\"tasks\"");
    assert!(list.starts_with("<ul"), "{list}");
    let start = html.find(list).unwrap();
    let end = start + html[start..].find("</ul>").unwrap();
    let items = &html[start..end];
    assert_eq!(items.matches("<li").count(), 3);
    assert!(items.contains("Water the plants"));
    assert!(items.contains("File the taxes"));
    assert!(
        items.contains("tomorrow"),
        "the due date, as Todoist words it"
    );
    // Titles are text: escaped, never markup.
    assert!(
        items.contains(r#"Call &lt;b&gt;Mum&lt;/b&gt; &amp; "Dad""#),
        "{items}"
    );
    assert!(!items.contains("<b>"));
    assert!(html.contains("3 open tasks."));
    assert!(tag_with(&html, "id=\"task-count\"").contains("data-count=\"3\""));

    // Both calls carried exactly the Bearer web was given.
    for path in ["/api/connectors", "/api/integrations/tasks"] {
        let calls = calls(&gateway, "GET", path).await;
        assert_eq!(calls.len(), 1, "{path}");
        assert_eq!(
            calls[0].headers["authorization"],
            format!("Bearer {TOKEN}").as_str(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_connect_form_answers_303_to_the_authorize_url_and_sent_the_bearer() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    Mock::given(method("POST"))
        .and(path("/api/connectors/todoist/connect"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(303)
                .insert_header("location", AUTHORIZE)
                .set_body_json(json!({"redirect_url": AUTHORIZE})),
        )
        .expect(1)
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = post_as(&app, "/connect/todoist", Some(TOKEN)).await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], AUTHORIZE);
    gateway.verify().await;
}

#[tokio::test]
async fn the_authorize_url_is_taken_from_the_body_when_there_is_no_location() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    Mock::given(method("POST"))
        .and(path("/api/connectors/todoist/connect"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"redirect_url": AUTHORIZE})))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = post_as(&app, "/connect/todoist", Some(TOKEN)).await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], AUTHORIZE);
}

#[tokio::test]
async fn a_connect_that_cannot_start_comes_back_to_the_page_with_a_reason() {
    for (status, body, want) in [
        (
            503,
            json!({"error": "rate_limited"}),
            "/connect?connector=todoist&error=rate_limited",
        ),
        (
            404,
            json!({"error": "unknown_connector"}),
            "/connect?connector=todoist&error=unknown_connector",
        ),
        (
            500,
            json!({"error": "internal"}),
            "/connect?connector=todoist&error=start_failed",
        ),
        // A redirect to something that is not a web page is not followed.
        (
            303,
            json!({"redirect_url": "javascript:alert(1)"}),
            "/connect?connector=todoist&error=start_failed",
        ),
        (
            401,
            json!({"error": "unauthorized"}),
            "/signin?return_to=%2Fconnect",
        ),
    ] {
        let gateway = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/connectors/todoist/connect"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&gateway)
            .await;
        let app = spawn_app(&gateway.uri()).await;

        let page = post_as(&app, "/connect/todoist", Some(TOKEN)).await;

        assert_eq!(page.status, 303, "{status}");
        assert_eq!(page.headers["location"], want, "{status}");
    }

    // Unreachable gateway; and no Bearer at all (the gateway always sends one).
    let app = spawn_app(&closed_port_url()).await;
    let page = post_as(&app, "/connect/todoist", Some(TOKEN)).await;
    assert_eq!(
        page.headers["location"],
        "/connect?connector=todoist&error=start_failed"
    );
    let page = post_as(&app, "/connect/todoist", None).await;
    assert_eq!(page.headers["location"], "/signin?return_to=%2Fconnect");
}

#[tokio::test]
async fn disconnect_calls_delete_with_the_bearer_and_redirects_back() {
    let gateway = gateway_with_connectors(todoist(true)).await;
    Mock::given(method("DELETE"))
        .and(path("/api/connectors/todoist"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = post_as(&app, "/connect/todoist/disconnect", Some(TOKEN)).await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/connect?disconnected=todoist");
    gateway.verify().await;

    // The page it leads to says so.
    let gateway = gateway_with_connectors(todoist(false)).await;
    let app = spawn_app(&gateway.uri()).await;
    let html = app
        .get_as("/connect?disconnected=todoist", TOKEN)
        .await
        .body;
    assert_eq!(
        outcome(&html),
        ("Todoist is disconnected.".into(), "ok".into())
    );
}

#[tokio::test]
async fn a_failed_disconnect_comes_back_with_a_reason() {
    let gateway = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/connectors/todoist"))
        .respond_with(ResponseTemplate::new(502).set_body_json(json!({"error": "upstream"})))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;

    let page = post_as(&app, "/connect/todoist/disconnect", Some(TOKEN)).await;

    assert_eq!(page.status, 303);
    assert_eq!(
        page.headers["location"],
        "/connect?connector=todoist&error=disconnect_failed"
    );
}

#[tokio::test]
async fn a_successful_callback_says_todoist_is_connected() {
    let gateway = gateway_with_connectors(todoist(true)).await;
    mount_tasks(
        &gateway,
        200,
        json!({"items": [task("t1", "Water the plants")]}),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;

    let html = app.get_as("/connect?connected=todoist", TOKEN).await.body;

    assert_eq!(
        outcome(&html),
        ("Todoist is connected.".into(), "ok".into())
    );
    assert!(html.contains("1 open task."));
}

#[tokio::test]
async fn each_callback_error_code_renders_its_own_sentence() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    let app = spawn_app(&gateway.uri()).await;
    let codes = [
        ("access_denied", "You declined on Todoist"),
        ("state_missing", "without the details of this attempt"),
        ("state_unknown", "unknown or was already used"),
        ("state_expired", "took too long and expired"),
        (
            "state_foreign",
            "started by another account or in another session",
        ),
        ("wrong_provider", "a different service"),
        ("code_rejected", "Todoist did not accept the approval"),
        ("rate_limited", "Todoist asks us to slow down"),
        ("provider_failed", "Todoist did not answer properly"),
        ("not_signed_in", "You were not signed in"),
        ("unknown_connector", "no service of that name"),
        ("start_failed", "could not be started"),
        ("disconnect_failed", "could not be disconnected"),
        ("internal", "Something went wrong on our side"),
    ];
    let mut sentences = Vec::new();
    for (code, words) in codes {
        let html = app
            .get_as(&format!("/connect?connector=todoist&error={code}"), TOKEN)
            .await
            .body;
        let (text, kind) = outcome(&html);
        assert_eq!(kind, "error", "{code}");
        let text = text.replace("&#x27;", "'").replace("&#39;", "'");
        assert!(text.contains(words), "{code}: {text}");
        assert!(
            !text.contains(code),
            "{code}: the raw code is not the message"
        );
        // Still the page: Todoist stays disconnected, with its button.
        assert!(tag_with(&html, "data-connector=\"todoist\"").contains("disconnected"));
        sentences.push(text);
    }
    sentences.sort();
    sentences.dedup();
    assert_eq!(sentences.len(), codes.len(), "one sentence per code");
}

#[tokio::test]
async fn an_unknown_code_or_name_gets_a_general_sentence_and_nothing_is_echoed() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    let app = spawn_app(&gateway.uri()).await;
    let evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

    let html = app
        .get_as(&format!("/connect?connector={evil}&error={evil}"), TOKEN)
        .await
        .body;

    let (text, kind) = outcome(&html);
    assert_eq!(kind, "error");
    assert_eq!(
        text,
        "Connecting to The service did not work. Please try again."
    );
    assert!(!html.contains("<script"));
    assert!(!html.contains("alert(1)"));

    let html = app
        .get_as(&format!("/connect?connected={evil}"), TOKEN)
        .await
        .body;
    assert!(!html.contains("alert(1)"));
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn a_rate_limited_api_gets_a_calm_message_not_an_error_page() {
    // The connectors themselves.
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    Mock::given(method("GET"))
        .and(path("/api/connectors"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "7")
                .set_body_json(json!({"error": "rate_limited", "message": "slow down"})),
        )
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;
    let page = app.get_as("/connect", TOKEN).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-notice=\"slow-down\""));
    assert!(page.body.contains("pausing for a moment"));

    // The tasks, with Todoist connected.
    let gateway = gateway_with_connectors(todoist(true)).await;
    mount_tasks(
        &gateway,
        503,
        json!({"error": "rate_limited", "message": "slow down"}),
    )
    .await;
    let app = spawn_app(&gateway.uri()).await;
    let page = app.get_as("/connect", TOKEN).await;
    assert_eq!(page.status, 200);
    assert!(
        tag_with(&page.body, "data-connector=\"todoist\"").contains("data-state=\"connected\"")
    );
    assert!(page.body.contains("Todoist asks us to slow down"));
    assert!(!page.body.contains("id=\"tasks\""));

    // A connection Todoist no longer accepts.
    let gateway = gateway_with_connectors(todoist(true)).await;
    mount_tasks(&gateway, 409, json!({"error": "reconnect_required"})).await;
    let app = spawn_app(&gateway.uri()).await;
    let page = app.get_as("/connect", TOKEN).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Disconnect, then connect again"));
}

#[tokio::test]
async fn signed_out_or_with_the_gateway_down_the_page_still_answers() {
    let app = spawn_app(&closed_port_url()).await;

    let signed_out = app.get("/connect?connected=todoist").await;
    assert_eq!(signed_out.status, 200);
    assert!(signed_out.body.contains("Sign in to connect your services"));
    assert_eq!(outcome(&signed_out.body).0, "Todoist is connected.");

    let unreachable = app.get_as("/connect", TOKEN).await;
    assert_eq!(unreachable.status, 200);
    assert!(unreachable.body.contains("data-notice=\"unavailable\""));
}

#[tokio::test]
async fn the_connect_page_allows_the_consent_page_as_a_form_target_and_nothing_more() {
    let gateway = gateway_with_connectors(todoist(false)).await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get_as("/connect", TOKEN).await;

    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("form-action 'self' http://127.0.0.1:8090;"),
        "{csp}"
    );
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing: {csp}");
    }
    // Other pages keep the strict policy.
    let other = app.get("/status").await;
    let csp = other.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("form-action 'self';"), "{csp}");
}
