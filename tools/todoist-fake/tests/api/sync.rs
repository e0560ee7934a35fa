//! `POST /api/v1/sync`: the recurring undo (`item_update_date_complete`),
//! uuid deduplication, plain refusals, and the command fault.

use reqwest::StatusCode;
use serde_json::{Value, json};
use todoist_fake::{FaultSpec, Task};

use crate::helpers::{TestFake, spawn};

fn recurring(t: &TestFake, account: &str) -> Task {
    t.fake
        .active_tasks(account)
        .into_iter()
        .find(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap()
}

async fn sync_json(t: &TestFake, token: &str, commands: Value) -> (StatusCode, Value) {
    let response = t
        .http
        .post(t.url("/api/v1/sync"))
        .bearer_auth(token)
        .json(&json!({ "commands": commands }))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_recurring_close_is_undone_by_putting_the_previous_due_back_once_per_uuid() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = recurring(&t, "alice");
    let before = task.due.clone().unwrap();
    let close = t
        .post(&format!("/api/v1/tasks/{}/close", task.id), &token, None)
        .await;
    assert_eq!(close.status(), StatusCode::NO_CONTENT);
    let moved = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    assert_ne!(moved.unwrap().due.unwrap().date, before.date);

    let command = json!([{
        "type": "item_update_date_complete",
        "uuid": "5a0b7d1e-0000-4000-8000-000000000001",
        "args": {"id": task.id, "due": before, "is_forward": 0}
    }]);
    let (status, body) = sync_json(&t, &token, command.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["sync_status"],
        json!({"5a0b7d1e-0000-4000-8000-000000000001": "ok"})
    );
    assert_eq!(body["temp_id_mapping"], json!({}));
    let restored = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    let restored = restored.unwrap();
    assert_eq!(restored.due.as_ref().unwrap(), &before);
    assert!(!restored.checked);

    // Closed again, then the same uuid: not run a second time.
    t.post(&format!("/api/v1/tasks/{}/close", task.id), &token, None)
        .await;
    let (_, body) = sync_json(&t, &token, command).await;
    assert_eq!(
        body["sync_status"]["5a0b7d1e-0000-4000-8000-000000000001"],
        "ok"
    );
    let again = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    assert_ne!(again.unwrap().due.unwrap().date, before.date);
    let stats = t.fake.user_stats("alice");
    assert_eq!((stats.sync_commands, stats.date_restores), (2, 1));
    let syncs: Vec<_> = stats
        .writes
        .iter()
        .filter(|w| w.action == "item_update_date_complete")
        .map(|w| w.applied)
        .collect();
    assert_eq!(syncs, [true, false]);
}

#[tokio::test]
async fn commands_also_come_as_a_form_field() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = recurring(&t, "alice");
    let due =
        json!({"date": "2031-01-06", "string": "every monday", "lang": "en", "is_recurring": true});
    let commands = json!([{"type": "item_update_date_complete", "uuid": "u-form", "args": {"id": task.id, "due": due, "is_forward": 0}}]);
    let response = t
        .http
        .post(t.url("/api/v1/sync"))
        .bearer_auth(&token)
        .form(&[("commands", commands.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["sync_status"]["u-form"], "ok");
    let now = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    let now = now.unwrap().due.unwrap();
    assert_eq!(
        (now.date.as_str(), now.string.as_str(), now.is_recurring),
        ("2031-01-06", "every monday", true)
    );
}

#[tokio::test]
async fn other_write_commands_and_unknown_items_are_refused_plainly() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = recurring(&t, "alice");
    let (status, body) = sync_json(
        &t,
        &token,
        json!([
            {"type": "item_close", "uuid": "u1", "args": {"id": task.id}},
            {"type": "item_update_date_complete", "uuid": "u2", "args": {"id": "nope", "due": {"date": "2030-01-01"}, "is_forward": 0}},
            {"type": "item_update_date_complete", "uuid": "u3", "args": {"id": task.id, "due": "2030-01-01", "is_forward": 0}}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let refused = &body["sync_status"]["u1"];
    assert_eq!(refused["error_tag"], "UNSUPPORTED_COMMAND");
    assert!(refused["error"].as_str().unwrap().contains("item_close"));
    assert_eq!(body["sync_status"]["u2"]["http_code"], 404);
    // A bare date is not a due object.
    assert_eq!(
        body["sync_status"]["u3"]["error_tag"],
        "INVALID_ARGUMENT_VALUE"
    );
    let same = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    assert_eq!(same.unwrap().due, task.due);
    // Without a token: 401, as everywhere.
    let response = t
        .http
        .post(t.url("/api/v1/sync"))
        .json(&json!({"commands": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_command_fault_refuses_the_restore_and_an_http_fault_fails_the_request() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = recurring(&t, "alice");
    t.fake
        .queue_fault(FaultSpec::status("item_update_date_complete", 400))
        .unwrap();
    let command = |uuid: &str| {
        json!([{"type": "item_update_date_complete", "uuid": uuid,
                "args": {"id": task.id, "due": {"date": "2030-02-02", "is_recurring": true}, "is_forward": 0}}])
    };
    let (status, body) = sync_json(&t, &token, command("f1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sync_status"]["f1"]["http_code"], 400);
    let same = t.fake.tasks("alice").into_iter().find(|x| x.id == task.id);
    assert_eq!(same.unwrap().due, task.due);
    t.fake.queue_fault(FaultSpec::status("sync", 503)).unwrap();
    let (status, _) = sync_json(&t, &token, command("f2")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (_, body) = sync_json(&t, &token, command("f2")).await;
    assert_eq!(body["sync_status"]["f2"], "ok");
}

#[tokio::test]
async fn the_writes_record_says_which_request_id_went_with_which_close() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = t
        .fake
        .active_tasks("alice")
        .into_iter()
        .find(|t| t.parent_id.is_none() && !t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap();
    let close = format!("/api/v1/tasks/{}/close", task.id);
    let reopen = format!("/api/v1/tasks/{}/reopen", task.id);
    t.post(&close, &token, Some("rid-1")).await;
    t.post(&close, &token, Some("rid-1")).await;
    t.post(&reopen, &token, Some("rid-2")).await;
    t.post(&close, &token, Some("rid-3")).await;
    let stats = t.fake.user_stats("alice");
    let applied: Vec<_> = stats
        .writes
        .iter()
        .map(|w| (w.action.as_str(), w.request_id.as_deref(), w.applied))
        .collect();
    assert_eq!(
        applied,
        [
            ("close", Some("rid-1"), true),
            ("close", Some("rid-1"), false),
            ("reopen", Some("rid-2"), true),
            ("close", Some("rid-3"), true)
        ]
    );
    assert_eq!((stats.reopens, stats.reopen_requests), (1, 1));
}
