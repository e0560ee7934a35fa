//! Done, skip and undo: idempotent by key, reaching integrations once, with
//! their events stored and the next tip answered.

use std::time::Duration;

use serde_json::{Value, json};
use shared_types::TipKind;
use shared_types::recommender::{DecisionStatus, TipActionAnswer};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::*;

async fn three_tasks(app: &App) {
    app.candidates(vec![
        task("t1", "Call the plumber", json!({})),
        task("t2", "Buy milk", json!({})),
        task("t3", "Renew passport", json!({})),
    ])
    .await;
}

#[tokio::test]
async fn done_completes_the_task_through_integrations_and_answers_the_next_tip() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let response = app.act(rec.decision_id, "done", "key-1").await;
    assert_eq!(response.status(), 200);
    let answer: TipActionAnswer = response.json().await.unwrap();
    assert_eq!(answer.status, DecisionStatus::Done);
    assert!(answer.undo_until.is_some());
    let next = answer.next.unwrap();
    assert_ne!(
        next.tip.id, rec.tip.id,
        "the done task is not offered again"
    );
    assert_eq!(next.undo.as_ref().unwrap().decision_id, rec.decision_id);
    assert_eq!(next.undo.unwrap().title, rec.tip.title);

    let completes = app.calls("/complete").await;
    assert_eq!(completes.len(), 1);
    let item = rec.tip.id.strip_prefix("todoist:").unwrap();
    assert_eq!(
        completes[0].url.path(),
        format!("/api/integrations/items/todoist/{item}/complete")
    );
    assert_eq!(completes[0].headers["idempotency-key"], "key-1");
    assert_eq!(
        completes[0].headers["x-decision-id"],
        rec.decision_id.to_string().as_str()
    );
    assert_eq!(app.events(rec.decision_id).await, ["tip.shown", "tip.done"]);
}

#[tokio::test]
async fn ten_concurrent_dones_with_one_key_reach_integrations_once_and_answer_alike() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let requests = (0..10).map(|_| app.act(rec.decision_id, "done", "same-key"));
    let responses = futures_join(requests).await;
    let mut answers = Vec::new();
    for r in responses {
        assert_eq!(r.status(), 200);
        answers.push(r.json::<Value>().await.unwrap());
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the same answer every time"
    );
    assert_eq!(app.calls("/complete").await.len(), 1);
    let kinds = app.events(rec.decision_id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "tip.done").count(), 1);
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.collect();
    let mut out = Vec::new();
    // Poll all at once: spawn would need 'static, so join by hand.
    let mut pinned: Vec<_> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().map(|r| r.unwrap()));
    out
}

#[tokio::test]
async fn a_done_retried_after_a_lost_answer_is_answered_again_without_a_second_call() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let first: Value = app
        .act(rec.decision_id, "done", "k")
        .await
        .json()
        .await
        .unwrap();
    let again: Value = app
        .act(rec.decision_id, "done", "k")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(app.calls("/complete").await.len(), 1);
}

#[tokio::test]
async fn another_key_on_a_done_decision_is_409_already_done_without_a_call() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    assert_eq!(app.act(rec.decision_id, "done", "k1").await.status(), 200);
    let response = app.act(rec.decision_id, "done", "k2").await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "already_done");
    assert_eq!(app.calls("/complete").await.len(), 1);
}

#[tokio::test]
async fn todoist_failing_during_done_is_503_with_retry_after_and_the_decision_stays_open() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    app.integrations.reset().await;
    Mock::given(method("POST"))
        .and(path_regex("/complete$"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "7")
                .set_body_json(json!({"error": "rate_limited", "message": "slow down"})),
        )
        .mount(&app.integrations)
        .await;
    let response = app.act(rec.decision_id, "done", "k").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DecisionStatus::Open);
    assert!(
        !app.events(rec.decision_id)
            .await
            .contains(&"tip.done".to_owned())
    );

    // Todoist is back: the same key now completes it.
    three_tasks(&app).await;
    assert_eq!(app.act(rec.decision_id, "done", "k").await.status(), 200);
}

#[tokio::test]
async fn done_on_an_advice_card_records_the_event_and_calls_no_one() {
    let app = spawn_app().await;
    app.candidates_with(
        vec![],
        json!([{"source": "todoist", "status": "not_connected", "as_of": null}]),
    )
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Advice);
    let response = app.act(rec.decision_id, "done", "k").await;
    assert_eq!(response.status(), 200);
    assert!(app.calls("/complete").await.is_empty());
    assert_eq!(app.events(rec.decision_id).await, ["tip.shown", "tip.done"]);
    let answer: TipActionAnswer = response.json().await.unwrap();
    assert_ne!(answer.next.unwrap().tip.id, rec.tip.id, "another card next");
}

#[tokio::test]
async fn skip_records_the_reason_and_answers_another_tip() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let response = app
        .post(&format!("/api/tips/{}/skip", rec.decision_id))
        .json(&json!({"reason": "too_big"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: TipActionAnswer = response.json().await.unwrap();
    assert_eq!(answer.status, DecisionStatus::Skipped);
    assert_ne!(answer.next.unwrap().tip.id, rec.tip.id);
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DecisionStatus::Skipped);
    assert_eq!(d.skip_reason.as_deref(), Some("too_big"));
    assert_eq!(
        app.events(rec.decision_id).await,
        ["tip.shown", "tip.skipped"]
    );
    assert!(app.calls("/complete").await.is_empty());
}

#[tokio::test]
async fn undo_within_the_window_reopens_and_brings_the_task_back_as_the_tip() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let done: TipActionAnswer = app
        .act(rec.decision_id, "done", "d1")
        .await
        .json()
        .await
        .unwrap();
    let after_done = done.next.unwrap();
    let response = app.act(rec.decision_id, "undo", "u1").await;
    assert_eq!(response.status(), 200);
    let answer: TipActionAnswer = response.json().await.unwrap();
    assert_eq!(answer.status, DecisionStatus::Undone);
    let back = answer.next.unwrap();
    assert_eq!(back.tip.id, rec.tip.id, "the task is the tip again");
    assert!(back.undo.is_none());
    assert_eq!(app.calls("/reopen").await.len(), 1);
    assert_eq!(
        app.events(rec.decision_id).await,
        ["tip.shown", "tip.done", "tip.undone"]
    );
    let drawn_after = app
        .store
        .decision(app.user, after_done.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(drawn_after.status, DecisionStatus::Superseded);
    // Sticky: a reload shows the restored task.
    let reload = app.recommend().await;
    assert_eq!(reload.decision_id, back.decision_id);
    // And it can be done again, with a new key: a second complete.
    assert_eq!(app.act(back.decision_id, "done", "d2").await.status(), 200);
    let completes = app.calls("/complete").await;
    assert_eq!(completes.len(), 2);
    assert_ne!(
        completes[0].headers["idempotency-key"],
        completes[1].headers["idempotency-key"]
    );
}

#[tokio::test]
async fn undo_passes_the_previous_due_of_a_recurring_task_back() {
    let app = spawn_app().await;
    app.candidates(vec![task(
        "r1",
        "Water the plants",
        json!({"is_recurring": true, "due": {"date": day(0), "string": "every day", "is_recurring": true}}),
    )])
    .await;
    app.integrations.reset().await;
    let due = json!({"date": day(0), "timezone": null, "string": "every day", "lang": "en", "is_recurring": true});
    Mock::given(method("POST"))
        .and(path_regex("/complete$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "outcome": "advanced", "previous_due": due, "next_due": {"date": day(1), "string": "every day", "is_recurring": true}})))
        .mount(&app.integrations)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("/reopen$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"outcome": "restored"})))
        .mount(&app.integrations)
        .await;
    app.candidates_keep_writes(vec![task(
        "r1",
        "Water the plants",
        json!({"is_recurring": true, "due": {"date": day(0), "is_recurring": true}}),
    )])
    .await;
    let rec = app.recommend().await;
    assert_eq!(app.act(rec.decision_id, "done", "d").await.status(), 200);
    assert_eq!(app.act(rec.decision_id, "undo", "u").await.status(), 200);
    let reopen = &app.calls("/reopen").await[0];
    let body: Value = serde_json::from_slice(&reopen.body).unwrap();
    assert_eq!(body["previous_due"], due);
}

#[tokio::test]
async fn a_refused_undo_is_409_undo_unavailable_and_the_task_stays_done() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    assert_eq!(app.act(rec.decision_id, "done", "d").await.status(), 200);
    Mock::given(method("POST"))
        .and(path_regex("/reopen$"))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_json(json!({"error": "undo_unavailable", "message": "Todoist refused"})),
        )
        .with_priority(1)
        .mount(&app.integrations)
        .await;
    let response = app.act(rec.decision_id, "undo", "u").await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "undo_unavailable");
    assert!(!body["message"].as_str().unwrap().is_empty());
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DecisionStatus::Done);
}

#[tokio::test]
async fn undo_after_the_window_is_409_undo_expired_and_calls_no_one() {
    let app = spawn_app_with(&[("UNDO_WINDOW", "10s")]).await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    assert_eq!(app.act(rec.decision_id, "done", "d").await.status(), 200);
    app.advance(Duration::from_secs(11));
    let response = app.act(rec.decision_id, "undo", "u").await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "undo_expired");
    assert!(app.calls("/reopen").await.is_empty());
    let next = app.recommend().await;
    assert!(next.undo.is_none(), "no undo offered after the window");
}

#[tokio::test]
async fn someone_elses_decision_is_404_and_untouched() {
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    let stranger = uuid::Uuid::new_v4();
    for action in ["done", "skip", "undo"] {
        let response = app
            .http
            .post(format!(
                "{}/api/tips/{}/{action}",
                app.base, rec.decision_id
            ))
            .bearer_auth(app.token_for(stranger))
            .header("idempotency-key", "k")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{action}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
    }
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DecisionStatus::Open);
    assert!(app.calls("/complete").await.is_empty());
}

#[tokio::test]
async fn a_done_whose_event_cannot_be_stored_leaves_the_decision_undone() {
    // The decision is marked done in the transaction that stores its
    // tip.done: without the events table neither happens.
    let app = spawn_app().await;
    three_tasks(&app).await;
    let rec = app.recommend().await;
    sqlx::query("ALTER TABLE events RENAME TO events_away")
        .execute(app.store.pool())
        .await
        .unwrap();
    let response = app.act(rec.decision_id, "done", "key-1").await;
    assert!(response.status().is_server_error(), "{}", response.status());
    let row = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        row.status,
        DecisionStatus::Done,
        "not done without its event"
    );
    sqlx::query("ALTER TABLE events_away RENAME TO events")
        .execute(app.store.pool())
        .await
        .unwrap();
    // The retry with the same key finishes it, and stores tip.done once.
    let response = app.act(rec.decision_id, "done", "key-1").await;
    assert_eq!(response.status(), 200);
    let kinds = app.store.event_kinds(rec.decision_id).await.unwrap();
    assert_eq!(
        kinds.iter().filter(|k| *k == "tip.done").count(),
        1,
        "{kinds:?}"
    );
}
