//! `/` and its forms against a fake gateway: the recommendation asked for
//! the signed-in user, done / skip / undo passed on with the form's key,
//! the calm lines when the recommender or Todoist fails, and a page that
//! answers in time whatever happens.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    TOKEN, TestApp, closed_port_url, gateway_with_me, profile, spawn_app, tag_with,
};

pub const DECISION: &str = "0193a000-0000-7000-8000-0000000000d1";
const USER_ID: &str = "0191f6b8-0000-7000-8000-000000000001";

/// A recommendation as the recommender writes it.
pub fn recommendation(degraded_reason: Option<&str>) -> Value {
    json!({
        "decision_id": DECISION,
        "tip": {
            "id": "todoist:7001", "kind": "todo", "title": "Call the plumber",
            "body": "About the kitchen tap", "source": "todoist",
            "deep_link": "https://app.todoist.com/app/task/7001",
            "meta": {"reason": "due today", "why": "picked at random from 3 tasks"},
        },
        "reused": false,
        "degraded": degraded_reason.is_some(),
        "degraded_reason": degraded_reason,
        "sources": [{"source": "todoist", "status": "ok", "as_of": "2026-12-01T21:00:00Z"}],
        "undo": null,
    })
}

/// The same with an undo offer for the next few seconds.
pub fn with_undo(mut rec: Value) -> Value {
    let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(8);
    rec["undo"] = json!({
        "decision_id": "0193a000-0000-7000-8000-0000000000d0",
        "title": "Buy milk",
        "undo_until": until.format(&time::format_description::well_known::Rfc3339).unwrap(),
    });
    rec
}

pub async fn mount_recommendation(gateway: &MockServer, body: Value) {
    Mock::given(method("POST"))
        .and(path("/api/recommend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(gateway)
        .await;
}

/// A fake gateway with the user and `body` as the recommendation.
async fn gateway_recommending(body: Value) -> MockServer {
    let gateway = gateway_with_me(TOKEN, 200, profile("ada@example.test", Some("Ada"))).await;
    mount_recommendation(&gateway, body).await;
    gateway
}

/// An action's answer, as the recommender writes it.
fn answer(status: &str) -> Value {
    json!({"status": status, "undo_until": null, "next": null})
}

async fn mount_action(gateway: &MockServer, action: &str, status: u16, body: Value) {
    Mock::given(method("POST"))
        .and(path(format!("/api/tips/{DECISION}/{action}")))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(gateway)
        .await;
}

/// The requests the fake gateway received on `path`.
pub async fn calls_to(gateway: &MockServer, p: &str) -> Vec<wiremock::Request> {
    gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

/// The value of the hidden `name` field inside the form `form_id`.
fn field_in(html: &str, form_id: &str, name: &str) -> String {
    let start = html
        .find(&format!("id=\"{form_id}\""))
        .unwrap_or_else(|| panic!("no form {form_id}"));
    let end = start + html[start..].find("</form>").unwrap();
    let form = &html[start..end];
    let marker = format!("name=\"{name}\" value=\"");
    let at = form.find(&marker).expect("the field") + marker.len();
    form[at..at + form[at..].find('"').unwrap()].to_owned()
}

/// Posts form `form_id` of `html` (its hidden fields, plus `extra`).
async fn submit(
    app: &TestApp,
    html: &str,
    form_id: &str,
    extra: &[(&str, &str)],
) -> crate::helpers::Page {
    let tag = tag_with(html, &format!("id=\"{form_id}\""));
    let at = tag.find("action=\"").unwrap() + 8;
    let action = &tag[at..at + tag[at..].find('"').unwrap()];
    let csrf = field_in(html, form_id, "csrf");
    let key = field_in(html, form_id, "key");
    let mut fields = vec![("csrf", csrf.as_str()), ("key", key.as_str())];
    fields.extend_from_slice(extra);
    app.post_form(action, Some(TOKEN), &fields).await
}

#[tokio::test]
async fn the_tip_page_asks_the_recommender_for_the_signed_in_user_and_shows_one_tip() {
    let gateway = gateway_recommending(recommendation(None)).await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get_as("/", TOKEN).await;

    assert_eq!(page.status, 200);
    let html = &page.body;
    assert!(tag_with(html, "id=\"stage\"").contains("data-state=\"tip\""));
    assert_eq!(html.matches("id=\"tip\"").count(), 1);
    assert!(html.contains("Call the plumber"));
    assert!(html.contains("<script src=\"/static/tip.js?v="));
    assert_eq!(page.headers["cache-control"], "no-store");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));

    let calls = calls_to(&gateway, "/api/recommend").await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].headers["authorization"], format!("Bearer {TOKEN}"));
    let body: Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!(body["user_id"], USER_ID);
}

#[tokio::test]
async fn the_degraded_answers_get_their_states() {
    for (reason, state) in [
        ("not_connected", "not-connected"),
        ("reconnect_required", "reconnect"),
        ("no_eligible_tasks", "empty"),
        ("sources_failed", "degraded"),
        ("stale", "degraded"),
    ] {
        let gateway = gateway_recommending(recommendation(Some(reason))).await;
        let app = spawn_app(&gateway.uri()).await;

        let page = app.get_as("/", TOKEN).await;

        assert_eq!(page.status, 200, "{reason}");
        let stage = tag_with(&page.body, "id=\"stage\"");
        assert!(
            stage.contains(&format!("data-state=\"{state}\"")),
            "{reason}: {stage}"
        );
    }
}

#[tokio::test]
async fn a_recommender_that_fails_or_hangs_still_gets_a_calm_page_within_5_seconds() {
    let slow = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    Mock::given(method("POST"))
        .and(path("/api/recommend"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(20)))
        .mount(&slow)
        .await;
    let broken = gateway_with_me(TOKEN, 200, profile("ada@example.test", None)).await;
    Mock::given(method("POST"))
        .and(path("/api/recommend"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom: stack trace"))
        .mount(&broken)
        .await;

    for gateway in [&slow, &broken] {
        let app = spawn_app(&gateway.uri()).await;
        let started = Instant::now();
        let page = app.get_as("/", TOKEN).await;
        let took = started.elapsed();

        assert_eq!(page.status, 200);
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert!(tag_with(&page.body, "id=\"stage\"").contains("data-state=\"unavailable\""));
        assert!(page.body.contains("Your tip cannot be shown just now"));
        assert!(!page.body.contains("boom"));
    }

    // No gateway at all: the profile is unknown, the page still answers.
    let app = spawn_app(&closed_port_url()).await;
    let page = app.get_as("/", TOKEN).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-state=\"unavailable\""));
}

#[tokio::test]
async fn tapping_the_tip_posts_done_with_the_forms_key_and_comes_home() {
    let gateway = gateway_recommending(recommendation(None)).await;
    mount_action(&gateway, "done", 200, answer("done")).await;
    let app = spawn_app(&gateway.uri()).await;
    let html = app.get_as("/", TOKEN).await.body;
    let key = field_in(&html, "done-form", "key");

    let first = submit(&app, &html, "done-form", &[]).await;
    // A double tap: the same form again, so the same key.
    let second = submit(&app, &html, "done-form", &[]).await;

    for page in [first, second] {
        assert_eq!(page.status, 303);
        assert_eq!(page.headers["location"], "/");
    }
    let calls = calls_to(&gateway, &format!("/api/tips/{DECISION}/done")).await;
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.headers["idempotency-key"], key.as_str());
        assert_eq!(call.headers["authorization"], format!("Bearer {TOKEN}"));
    }
    assert!(!key.is_empty() && key.len() <= 64);
    // Each form has a key of its own.
    assert_ne!(key, field_in(&html, "skip-form", "key"));
}

#[tokio::test]
async fn skip_passes_the_reason_on() {
    let gateway = gateway_recommending(recommendation(None)).await;
    mount_action(&gateway, "skip", 200, answer("skipped")).await;
    let app = spawn_app(&gateway.uri()).await;
    let html = app.get_as("/", TOKEN).await.body;

    let with_reason = submit(&app, &html, "skip-form", &[("reason", "too_big")]).await;
    let without = submit(&app, &html, "skip-form", &[("reason", "")]).await;

    assert_eq!(with_reason.status, 303);
    assert_eq!(without.status, 303);
    let calls = calls_to(&gateway, &format!("/api/tips/{DECISION}/skip")).await;
    assert_eq!(calls.len(), 2);
    let body: Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!(body, json!({"reason": "too_big"}));
    let body: Value = serde_json::from_slice(&calls[1].body).unwrap();
    assert_eq!(body, json!({"reason": null}));
    assert!(calls[0].headers.contains_key("idempotency-key"));
}

#[tokio::test]
async fn each_refusal_comes_back_as_its_calm_line() {
    for (action, status, code, notice) in [
        ("done", 503, "provider_unavailable", "done_later"),
        ("done", 409, "already_done", "already_done"),
        ("done", 404, "not_found", "moved"),
        ("undo", 409, "undo_expired", "undo_expired"),
        ("undo", 409, "undo_unavailable", "undo_unavailable"),
    ] {
        let gateway = gateway_recommending(with_undo(recommendation(None))).await;
        let decision = if action == "undo" {
            "0193a000-0000-7000-8000-0000000000d0"
        } else {
            DECISION
        };
        Mock::given(method("POST"))
            .and(path(format!("/api/tips/{decision}/{action}")))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("retry-after", "5")
                    .set_body_json(json!({"error": code, "message": "…"})),
            )
            .mount(&gateway)
            .await;
        let app = spawn_app(&gateway.uri()).await;
        let html = app.get_as("/", TOKEN).await.body;

        let page = submit(&app, &html, &format!("{action}-form"), &[]).await;

        assert_eq!(page.status, 303, "{code}");
        let location = page.headers["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/?n={notice}"), "{code}");
        let after = app.get_as(&location, TOKEN).await;
        assert_eq!(after.status, 200);
        assert!(
            tag_with(&after.body, "id=\"notice\"").contains(&format!("data-notice=\"{notice}\"")),
            "{code}"
        );
        // The tip is still there.
        assert!(after.body.contains("Call the plumber"), "{code}");
    }
}

#[tokio::test]
async fn the_undo_bar_posts_undo_for_the_done_decision() {
    let gateway = gateway_recommending(with_undo(recommendation(None))).await;
    Mock::given(method("POST"))
        .and(path("/api/tips/0193a000-0000-7000-8000-0000000000d0/undo"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer("undone")))
        .mount(&gateway)
        .await;
    let app = spawn_app(&gateway.uri()).await;
    let html = app.get_as("/", TOKEN).await.body;
    assert!(html.contains("Done: <span class=\"undo-title\">Buy milk</span>"));

    let page = submit(&app, &html, "undo-form", &[]).await;

    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/");
    let calls = calls_to(
        &gateway,
        "/api/tips/0193a000-0000-7000-8000-0000000000d0/undo",
    )
    .await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].headers["idempotency-key"],
        field_in(&html, "undo-form", "key").as_str()
    );
}

#[tokio::test]
async fn a_signed_out_form_post_is_sent_to_sign_in_and_calls_nothing() {
    let gateway = MockServer::start().await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app
        .post_form(&format!("/tip/{DECISION}/done"), None, &[("csrf", "x")])
        .await;

    assert_eq!(page.status, 303);
    assert!(
        page.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/signin")
    );
    assert!(gateway.received_requests().await.unwrap().is_empty());
}
