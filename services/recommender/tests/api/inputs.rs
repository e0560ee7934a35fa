//! Bad input: the right status, a JSON `ErrorBody`, and nothing stored.

use serde_json::{Value, json};

use crate::helpers::*;

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error body");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn recommend_refuses_bad_requests_with_json_errors_and_stores_nothing() {
    let app = spawn_app().await;
    app.candidates(vec![task("t1", "x", json!({}))]).await;
    let url = format!("{}/api/recommend", app.base);

    let no_token = app
        .http
        .post(&url)
        .json(&json!({"user_id": app.user}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(no_token).await, (401, "unauthorized".into()));

    let bad_token = app
        .http
        .post(&url)
        .bearer_auth("not.a.jwt")
        .json(&json!({"user_id": app.user}));
    assert_eq!(error_of(bad_token.send().await.unwrap()).await.0, 401);

    let someone_else = app
        .post("/api/recommend")
        .json(&json!({"user_id": uuid::Uuid::new_v4()}));
    assert_eq!(
        error_of(someone_else.send().await.unwrap()).await,
        (403, "forbidden".into())
    );

    let malformed = app
        .post("/api/recommend")
        .header("content-type", "application/json")
        .body("{not json");
    assert_eq!(
        error_of(malformed.send().await.unwrap()).await,
        (400, "invalid_request".into())
    );

    let not_an_object = app
        .post("/api/recommend")
        .json(&json!({"user_id": app.user, "context": [1, 2]}));
    assert_eq!(
        error_of(not_an_object.send().await.unwrap()).await,
        (400, "invalid_request".into())
    );

    let unknown_field = app
        .post("/api/recommend")
        .json(&json!({"user_id": app.user, "policy": "mine"}));
    assert_eq!(error_of(unknown_field.send().await.unwrap()).await.0, 400);

    let big = "x".repeat(17 * 1024);
    let too_large = app
        .post("/api/recommend")
        .json(&json!({"user_id": app.user, "context": {"pad": big}}));
    assert_eq!(
        error_of(too_large.send().await.unwrap()).await,
        (413, "too_large".into())
    );

    assert!(app.store.decisions_of(app.user).await.unwrap().is_empty());
    assert!(
        app.calls("/api/integrations/tasks").await.is_empty(),
        "refused before any call"
    );
}

#[tokio::test]
async fn a_context_object_is_accepted_and_logged() {
    let app = spawn_app().await;
    app.candidates(vec![task("t1", "x", json!({}))]).await;
    let rec = app
        .recommend_with(json!({"user_id": app.user, "context": {"device": "phone"}}))
        .await;
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.context["request"]["device"], "phone");
    assert_eq!(d.context["n_candidates"], 1);
}

#[tokio::test]
async fn tip_actions_refuse_bad_keys_bad_ids_bad_reasons_and_get() {
    let app = spawn_app().await;
    app.candidates(vec![task("t1", "x", json!({})), task("t2", "y", json!({}))])
        .await;
    let rec = app.recommend().await;
    let done = format!("/api/tips/{}/done", rec.decision_id);

    let no_key = app.post(&done).send().await.unwrap();
    assert_eq!(error_of(no_key).await, (400, "invalid_request".into()));
    let long_key = app
        .post(&done)
        .header("idempotency-key", "k".repeat(65))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(long_key).await.0, 400);

    let bad_id = app
        .post("/api/tips/not-a-uuid/done")
        .header("idempotency-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(bad_id).await, (404, "not_found".into()));

    let bad_reason = app
        .post(&format!("/api/tips/{}/skip", rec.decision_id))
        .json(&json!({"reason": "bored"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(bad_reason).await.0, 400);

    for action in ["done", "skip", "undo"] {
        let get = app
            .http
            .get(format!(
                "{}/api/tips/{}/{action}",
                app.base, rec.decision_id
            ))
            .bearer_auth(app.token())
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_of(get).await,
            (405, "method_not_allowed".into()),
            "{action}"
        );
    }
    let get = app
        .http
        .get(format!("{}/api/recommend", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(get).await.0, 405);

    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, shared_types::recommender::DecisionStatus::Open);
    assert!(app.calls("/complete").await.is_empty());
}

#[tokio::test]
async fn internal_events_need_the_internal_token_and_are_stored_once_however_often_sent() {
    let app = spawn_app().await;
    let event = json!({
        "id": uuid::Uuid::now_v7(),
        "user_id": app.user,
        "source": "todoist",
        "kind": "task.completed",
        "subject_id": "t1",
        "occurred_at": "2026-12-01T10:00:00Z",
        "trace_id": "req-1",
        "payload": {"decision_id": uuid::Uuid::now_v7()},
    });
    let url = format!("{}/internal/events", app.base);
    let outsider = app.http.post(&url).json(&event).send().await.unwrap();
    assert_eq!(error_of(outsider).await.0, 401);
    let user_token = app
        .http
        .post(&url)
        .bearer_auth(app.token())
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(user_token).await.0, 401);
    for _ in 0..5 {
        let sent = app
            .http
            .post(&url)
            .bearer_auth(&app.internal_token)
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 202);
    }
    let id = uuid::Uuid::parse_str(event["id"].as_str().unwrap()).unwrap();
    assert_eq!(app.store.event_count(id).await.unwrap(), 1);
    let garbage = app
        .http
        .post(&url)
        .bearer_auth(&app.internal_token)
        .body("{\"id\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(garbage).await.0, 400);
}
