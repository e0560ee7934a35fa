//! `POST /api/integrations/items/{connector}/{item}/complete | reopen`
//! against the fake Todoist: exactly-once closes by `X-Request-Id`, the
//! recurring undo through the Sync command, the refusals a caller must
//! tell apart, and the events, written with the write in one transaction.

use serde_json::{Value, json};
use shared_types::integrations::{CompleteOutcome, CompletionKind, ReopenKind, ReopenOutcome};
use todoist_fake::{FakeTodoist, FaultSpec, Task};

use crate::app::{App, spawn_with_fake};
use crate::helpers::*;
use integrations::connector::CachePolicy;

async fn app() -> App {
    spawn_with_fake(CachePolicy::new(std::time::Duration::from_secs(30))).await
}

fn one_off(fake: &FakeTodoist) -> Task {
    let tasks = fake.active_tasks("alice");
    tasks
        .iter()
        .find(|t| {
            t.parent_id.is_none()
                && !t.due.as_ref().is_some_and(|d| d.is_recurring)
                && !tasks.iter().any(|c| c.parent_id.as_ref() == Some(&t.id))
        })
        .cloned()
        .unwrap()
}

fn recurring(fake: &FakeTodoist) -> Task {
    fake.active_tasks("alice")
        .into_iter()
        .find(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap()
}

fn at_fake(fake: &FakeTodoist, id: &str) -> Task {
    fake.tasks("alice")
        .into_iter()
        .find(|t| t.id == id)
        .unwrap()
}

/// The applied closes at the fake, with their X-Request-Ids.
fn closes(fake: &FakeTodoist) -> Vec<Option<String>> {
    fake.user_stats("alice")
        .writes
        .into_iter()
        .filter(|w| w.action == "close" && w.applied)
        .map(|w| w.request_id)
        .collect()
}

#[tokio::test]
async fn completing_twice_with_the_same_key_closes_once_with_one_request_id() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    let mut answers = Vec::new();
    let calls: Vec<_> = (0..10)
        .map(|_| app.complete(&u, "todoist", &task.id, Some("tap-1")))
        .collect();
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
        answers.push(response.json::<CompleteOutcome>().await.unwrap());
    }
    assert!(answers.iter().all(|a| a == &answers[0]));
    assert_eq!(answers[0].outcome, CompletionKind::Completed);
    assert_eq!(answers[0].previous_due, task.due.clone().map(due_of));
    let stats = app.fake().user_stats("alice");
    assert_eq!(stats.closes, 1);
    let ids: std::collections::BTreeSet<_> = stats
        .writes
        .iter()
        .filter(|w| w.action == "close")
        .map(|w| w.request_id.clone())
        .collect();
    assert_eq!(ids.len(), 1, "{:?}", stats.writes);
    assert!(at_fake(app.fake(), &task.id).checked);
}

fn due_of(due: todoist_fake::model::Due) -> shared_types::integrations::TaskDue {
    serde_json::from_value(serde_json::to_value(due).unwrap()).unwrap()
}

#[tokio::test]
async fn done_undo_done_with_new_keys_closes_twice_with_different_ids_and_ends_closed() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    let done = app.complete(&u, "todoist", &task.id, Some("done-1")).await;
    assert_eq!(done.status(), 200);
    let undo = app.reopen(&u, &task.id, "undo-1", &json!({})).await;
    assert_eq!(undo.status(), 200);
    let undo: ReopenOutcome = undo.json().await.unwrap();
    assert_eq!(undo.outcome, ReopenKind::Reopened);
    assert!(!at_fake(app.fake(), &task.id).checked);
    let again = app.complete(&u, "todoist", &task.id, Some("done-2")).await;
    assert_eq!(again.status(), 200);
    let ids = closes(app.fake());
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_ne!(ids[0], ids[1]);
    assert!(at_fake(app.fake(), &task.id).checked);
    assert_eq!(app.fake().user_stats("alice").reopens, 1);
}

#[tokio::test]
async fn a_recurring_task_advances_and_its_undo_restores_the_whole_due_at_todoist() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = recurring(app.fake());
    let before = task.due.clone().unwrap();
    let response = app.complete(&u, "todoist", &task.id, Some("done-r")).await;
    assert_eq!(response.status(), 200);
    let done: CompleteOutcome = response.json().await.unwrap();
    assert_eq!(done.outcome, CompletionKind::Advanced);
    assert_eq!(done.previous_due, Some(due_of(before.clone())));
    let moved = at_fake(app.fake(), &task.id);
    assert!(!moved.checked);
    assert_ne!(moved.due.as_ref().unwrap().date, before.date);
    assert_eq!(done.next_due, moved.due.clone().map(due_of));

    let response = app
        .reopen(
            &u,
            &task.id,
            "undo-r",
            &json!({ "previous_due": done.previous_due }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let undo: ReopenOutcome = response.json().await.unwrap();
    assert_eq!(undo.outcome, ReopenKind::Restored);
    let restored = at_fake(app.fake(), &task.id).due.unwrap();
    assert_eq!(restored, before);
    assert!(restored.is_recurring);
    let stats = app.fake().user_stats("alice");
    assert_eq!((stats.sync_commands, stats.date_restores), (1, 1));
    // The command's uuid is the derived request id, not the close's.
    let close_id = closes(app.fake())[0].clone();
    assert_ne!(Some(stats.sync_uuids[0].clone()), close_id);
    // Undo again with the same key: Todoist is not asked to run it twice.
    let again = app
        .reopen(
            &u,
            &task.id,
            "undo-r",
            &json!({ "previous_due": done.previous_due }),
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(app.fake().user_stats("alice").date_restores, 1);
}

#[tokio::test]
async fn a_refused_restore_is_409_undo_unavailable_with_a_plain_message() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = recurring(app.fake());
    let done: CompleteOutcome = app
        .complete(&u, "todoist", &task.id, Some("done-x"))
        .await
        .json()
        .await
        .unwrap();
    app.fake()
        .queue_fault(FaultSpec::status("item_update_date_complete", 400))
        .unwrap();
    let response = app
        .reopen(
            &u,
            &task.id,
            "undo-x",
            &json!({ "previous_due": done.previous_due }),
        )
        .await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "undo_unavailable");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("cannot be undone")
    );
    assert!(
        app.outbox_kinds()
            .await
            .iter()
            .all(|k| k != "task.reopened")
    );
}

#[tokio::test]
async fn bad_requests_get_their_status_and_a_json_error() {
    let app = app().await;
    let (u, stranger) = (user(), user());
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    for key in [None, Some(""), Some("has space"), Some(&*"k".repeat(65))] {
        let response = app.complete(&u, "todoist", &task.id, key).await;
        assert_eq!(response.status(), 400, "{key:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_idempotency_key");
    }
    let response = app
        .post(
            &u,
            &format!("/api/integrations/items/todoist/{}/reopen", task.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let bad_body = app
        .post(
            &u,
            &format!("/api/integrations/items/todoist/{}/reopen", task.id),
        )
        .header("Idempotency-Key", "k")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_body.status(), 400);
    assert_eq!(
        bad_body.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let cases = [
        (&u, "linear", task.id.as_str(), 404, "unknown_connector"),
        (&stranger, "todoist", task.id.as_str(), 409, "not_connected"),
        (&u, "todoist", "no-such-task", 404, "not_found"),
        (&u, "todoist", "..%2Fprojects", 404, "not_found"),
    ];
    for (who, connector, item, status, code) in cases {
        let response = app.complete(who, connector, item, Some("k-1")).await;
        assert_eq!(response.status(), status, "{connector}/{item}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], code, "{connector}/{item}");
    }
    for action in ["complete", "reopen"] {
        let response = app
            .get(
                &u,
                &format!("/api/integrations/items/todoist/{}/{action}", task.id),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "GET {action}");
    }
    let unsigned = app
        .http
        .post(format!(
            "{}/api/integrations/items/todoist/{}/complete",
            app.base, task.id
        ))
        .header("Idempotency-Key", "k-1")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(app.fake().user_stats("alice").close_requests, 0);
    assert!(app.outbox_events().await.is_empty());
}

#[tokio::test]
async fn todoist_failing_during_a_completion_is_503_with_retry_after() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    app.fake()
        .queue_fault(FaultSpec::status("close", 503).times(10))
        .unwrap();
    let response = app.complete(&u, "todoist", &task.id, Some("k-503")).await;
    assert_eq!(response.status(), 503);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    assert!(!at_fake(app.fake(), &task.id).checked);
    assert!(app.outbox_events().await.is_empty());

    // A 429 is the same "try again", with Todoist's wait.
    app.fake().reset();
    app.connect_fake(&u, "alice").await;
    app.fake()
        .queue_fault(
            FaultSpec::rate_limited("close", 120, todoist_fake::RetryAfterIn::Header).times(10),
        )
        .unwrap();
    let response = app.complete(&u, "todoist", &task.id, Some("k-429")).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "120");
}

#[tokio::test]
async fn each_write_emits_its_event_with_the_item_the_decision_and_the_trace() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    let response = app
        .post(
            &u,
            &format!("/api/integrations/items/todoist/{}/complete", task.id),
        )
        .header("Idempotency-Key", "tap-9")
        .header("X-Decision-Id", "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00")
        .header("X-Request-Id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .post(
            &u,
            &format!("/api/integrations/items/todoist/{}/reopen", task.id),
        )
        .header("Idempotency-Key", "undo-9")
        .header("X-Decision-Id", "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = app.sent_events().await;
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["task.completed", "task.reopened"]);
    for e in &events {
        assert_eq!(e.source, "todoist");
        assert_eq!(e.subject_id, task.id);
        assert_eq!(e.user_id, u.as_uuid());
        assert_eq!(
            e.payload["decision_id"],
            "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00"
        );
        assert_eq!(e.id.get_version_num(), 7);
    }
    assert_eq!(events[0].trace_id.as_deref(), Some("trace-abc-123"));
    assert!(events[1].trace_id.is_some());
    assert_eq!(events[0].payload["idempotency_key"], "tap-9");
    assert_eq!(events[0].payload["outcome"], "completed");
    assert_eq!(events[1].payload["outcome"], "reopened");
    assert_eq!(events[1].payload["idempotency_key"], "undo-9");

    // A repeat of the done (a retry after a lost answer) is answered from
    // its receipt: its event was written with the first answer, once.
    let repeat = app.complete(&u, "todoist", &task.id, Some("tap-9")).await;
    assert_eq!(repeat.status(), 200);
    assert_eq!(app.outbox_events().await, events);
}

#[tokio::test]
async fn a_completion_whose_event_cannot_be_written_stays_unrecorded_and_its_retry_writes_one_task_completed()
 {
    // The completion is recorded in the transaction that writes its
    // task.completed to the outbox: without the outbox table, neither is.
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    let pool = app.db.store.pool();
    sqlx::query("ALTER TABLE outbox RENAME TO outbox_away")
        .execute(pool)
        .await
        .unwrap();
    let response = app.complete(&u, "todoist", &task.id, Some("tap-tx")).await;
    assert!(response.status().is_server_error(), "{}", response.status());
    let rid = integrations::todoist::request_id(&u, &task.id, "close", "tap-tx");
    let receipt = app
        .db
        .store
        .get_receipt(&rid.to_string())
        .await
        .unwrap()
        .expect("the write was recorded as pending before it was sent");
    assert_eq!(receipt.answer, None, "no answer recorded without its event");
    sqlx::query("ALTER TABLE outbox_away RENAME TO outbox")
        .execute(pool)
        .await
        .unwrap();
    assert!(app.outbox_events().await.is_empty());

    // The retry with the same key records the completion and its event;
    // Todoist closed the task once.
    let response = app.complete(&u, "todoist", &task.id, Some("tap-tx")).await;
    assert_eq!(response.status(), 200);
    let done: CompleteOutcome = response.json().await.unwrap();
    assert_eq!(done.outcome, CompletionKind::Completed);
    let again = app.complete(&u, "todoist", &task.id, Some("tap-tx")).await;
    assert_eq!(again.status(), 200);
    let sent = app.sent_events().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].kind, "task.completed");
    assert_eq!(sent[0].subject_id, task.id);
    assert_eq!(sent[0].payload["idempotency_key"], "tap-tx");
    assert_eq!(app.outbox_events().await, sent);
    assert_eq!(app.fake().user_stats("alice").closes, 1);
    assert!(at_fake(app.fake(), &task.id).checked);
}

#[tokio::test]
async fn a_completion_retried_after_a_restart_sends_the_same_request_id_and_closes_once() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = one_off(app.fake());
    let key = integrations::domain::IdempotencyKey::parse("tap-lost").unwrap();
    // Two connectors over the same database: the service before and after
    // a restart (no receipts survive it).
    for _ in 0..2 {
        let restarted = integrations::connector::TodoistConnector::new(
            std::sync::Arc::new(
                integrations::todoist::TodoistClient::new(crate::app::fake_config(
                    app.fake(),
                    std::time::Duration::from_secs(5),
                ))
                .unwrap(),
            ),
            integrations::connector::Credentials::new(app.db.store.clone(), app.vault.clone()),
            std::time::Duration::from_secs(30),
            std::time::Duration::from_secs(20),
        );
        let event = |_: &_| write_event("task.completed", &task.id);
        let done =
            integrations::connector::Connector::complete(&restarted, &u, &task.id, &key, &event)
                .await
                .unwrap();
        assert_eq!(done.outcome, CompletionKind::Completed);
    }
    let stats = app.fake().user_stats("alice");
    assert_eq!(stats.closes, 1);
    let expected = integrations::todoist::request_id(&u, &task.id, "close", "tap-lost");
    assert_eq!(closes(app.fake()), [Some(expected.to_string())]);
    assert!(at_fake(app.fake(), &task.id).checked);
}

#[tokio::test]
async fn a_recurring_close_that_crashed_before_its_answer_is_retried_with_the_first_due() {
    let app = app().await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let task = recurring(app.fake());
    let before = due_of(task.due.clone().unwrap());
    let rid = integrations::todoist::request_id(&u, &task.id, "close", "tap-crash");
    // The first try recorded its write, and Todoist took the close, then
    // the process died before the answer was recorded.
    app.db
        .store
        .begin_receipt(&integrations::store::WriteReceipt {
            request_id: rid.to_string(),
            user: u,
            provider: "todoist".into(),
            item_id: task.id.clone(),
            action: "close".into(),
            previous_due: Some(serde_json::to_string(&before).unwrap()),
            answer: None,
            created_at: platform::db::now_millis(),
        })
        .await
        .unwrap();
    let token = app.fake().issue_token("alice", &["data:read_write"]);
    let first = app
        .http
        .post(format!("{}/tasks/{}/close", app.fake().api_url(), task.id))
        .bearer_auth(&token.access_token)
        .header("X-Request-Id", rid.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 204);
    let moved = at_fake(app.fake(), &task.id).due.unwrap();

    // The retry, same key: Todoist discards the close, and the answer
    // still names the due date before the first try.
    let response = app
        .complete(&u, "todoist", &task.id, Some("tap-crash"))
        .await;
    assert_eq!(response.status(), 200);
    let done: CompleteOutcome = response.json().await.unwrap();
    assert_eq!(done.outcome, CompletionKind::Advanced);
    assert_eq!(done.previous_due, Some(before.clone()));
    assert_eq!(at_fake(app.fake(), &task.id).due.unwrap(), moved);
    let stats = app.fake().user_stats("alice");
    assert_eq!((stats.close_requests, stats.closes), (2, 1));

    // Its undo, without previous_due: the kept one is put back.
    let undo = app.reopen(&u, &task.id, "undo-crash", &json!({})).await;
    assert_eq!(undo.status(), 200);
    assert_eq!(
        undo.json::<ReopenOutcome>().await.unwrap().outcome,
        ReopenKind::Restored
    );
    assert_eq!(due_of(at_fake(app.fake(), &task.id).due.unwrap()), before);
}
