//! The recommender keeps each user's parsed candidate list with the ETag
//! integrations gave it, sends the tag back as `If-None-Match`, and on a
//! `304 Not Modified` decides from the list it already has: the tip stays
//! right, a changed list replaces the kept one, and users never share one.

use serde_json::{Value, json};
use shared_types::TipKind;
use shared_types::recommender::Recommendation;
use uuid::Uuid;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{App, spawn_app, task};

const TASKS: &str = "/api/integrations/tasks";

fn ok_sources() -> Value {
    json!([{"source": "todoist", "status": "ok", "as_of": "2026-12-01T08:00:00Z"}])
}

/// integrations answers `items` tagged `etag`, and `304` to that tag.
async fn tagged_list(app: &App, items: Vec<Value>, etag: &str) {
    Mock::given(method("GET"))
        .and(path(TASKS))
        .and(header("if-none-match", etag))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", etag))
        .with_priority(1)
        .mount(&app.integrations)
        .await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", etag)
                .set_body_json(json!({"items": items, "sources": ok_sources()})),
        )
        .with_priority(5)
        .mount(&app.integrations)
        .await;
}

/// The `If-None-Match` of each candidate call so far (None: sent none).
async fn tags_sent(app: &App) -> Vec<Option<String>> {
    app.calls(TASKS)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("if-none-match")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect()
}

async fn recommend_as(app: &App, user: Uuid) -> Recommendation {
    let response = app
        .http
        .post(format!("{}/api/recommend", app.base))
        .bearer_auth(app.token_for(user))
        .json(&json!({"user_id": user}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_unchanged_list_is_revalidated_with_its_etag_and_the_304_keeps_the_tip_right() {
    let app = spawn_app().await;
    app.writes_succeed().await;
    tagged_list(
        &app,
        vec![
            task("t1", "First", json!({})),
            task("t2", "Second", json!({})),
        ],
        "\"v1\"",
    )
    .await;
    let first = app.recommend().await;
    assert_eq!(first.tip.kind, TipKind::Todo);
    let again = app.recommend().await;
    assert_eq!(again.decision_id, first.decision_id);
    assert!(again.reused && !again.degraded);
    assert_eq!(
        again.sources[0].as_of.as_deref(),
        Some("2026-12-01T08:00:00Z")
    );

    // Done: the next tip is drawn from the kept list, without the task
    // just done, and still with no new list sent.
    let done = app.act(first.decision_id, "done", "key-1").await;
    assert_eq!(done.status(), 200);
    let next = app.recommend().await;
    assert_ne!(next.decision_id, first.decision_id);
    assert_eq!(next.tip.kind, TipKind::Todo);
    assert_ne!(next.tip.id, first.tip.id);
    let tags = tags_sent(&app).await;
    assert!(tags.len() >= 3, "{tags:?}");
    assert_eq!(tags[0], None);
    assert!(
        tags[1..].iter().all(|t| t.as_deref() == Some("\"v1\"")),
        "{tags:?}"
    );
}

#[tokio::test]
async fn a_changed_list_replaces_the_kept_one() {
    let app = spawn_app().await;
    tagged_list(&app, vec![task("t1", "Gone soon", json!({}))], "\"v1\"").await;
    let first = app.recommend().await;
    assert_eq!(first.tip.title, "Gone soon");

    // Completed at Todoist: integrations' list (and its tag) changes.
    app.integrations.reset().await;
    tagged_list(&app, vec![task("t2", "Still here", json!({}))], "\"v2\"").await;
    let next = app.recommend().await;
    assert_ne!(next.decision_id, first.decision_id);
    assert_eq!(next.tip.title, "Still here");
    let again = app.recommend().await;
    assert_eq!(again.decision_id, next.decision_id);
    assert_eq!(
        tags_sent(&app).await,
        [Some("\"v1\"".to_owned()), Some("\"v2\"".to_owned())]
    );

    // A list with no tag is used as it is, and nothing is kept for it.
    app.candidates(vec![task("t3", "Untagged", json!({}))])
        .await;
    let untagged = app.recommend().await;
    assert_eq!(untagged.tip.title, "Untagged");
    app.recommend().await;
    assert_eq!(tags_sent(&app).await, [Some("\"v2\"".to_owned()), None]);
}

#[tokio::test]
async fn users_never_share_a_kept_list_even_under_the_same_etag() {
    let app = spawn_app().await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    tagged_list(
        &app,
        vec![task("a1", "Alice's task", json!({}))],
        "\"same\"",
    )
    .await;
    assert_eq!(recommend_as(&app, alice).await.tip.title, "Alice's task");

    // Bob's list happens to carry the same tag: he has nothing kept, so
    // he sends none and gets his own list, never Alice's.
    app.integrations.reset().await;
    tagged_list(&app, vec![task("b1", "Bob's task", json!({}))], "\"same\"").await;
    let bobs = recommend_as(&app, bob).await;
    assert_eq!(bobs.tip.title, "Bob's task");
    assert_eq!(tags_sent(&app).await, [None]);
    // Alice's next view revalidates her own list and keeps her tip.
    assert_eq!(recommend_as(&app, alice).await.tip.title, "Alice's task");
    assert_eq!(recommend_as(&app, bob).await.tip.title, "Bob's task");
    let tags = tags_sent(&app).await;
    assert_eq!(tags.len(), 3);
    assert!(tags[1..].iter().all(|t| t.as_deref() == Some("\"same\"")));
}

#[tokio::test]
async fn a_304_the_recommender_did_not_ask_for_is_a_failed_source_not_a_list() {
    let app = spawn_app().await;
    Mock::given(method("GET"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", "\"x\""))
        .mount(&app.integrations)
        .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Advice);
    assert!(rec.degraded);
    // Nothing was kept from it: the next call comes without a tag too.
    app.recommend().await;
    assert_eq!(tags_sent(&app).await, [None, None]);
}
