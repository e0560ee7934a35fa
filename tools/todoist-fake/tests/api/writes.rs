//! Writes: close (204, recurring tasks move, subtasks follow) and reopen,
//! `X-Request-Id` idempotency, 404s, and 410 on the old APIs.

use reqwest::StatusCode;
use serde_json::{Value, json};
use todoist_fake::{FakeTodoist, Task};

use crate::helpers::{error_body, is_timestamp, spawn, today};

fn one_off(fake: &FakeTodoist, account: &str) -> Task {
    fake.active_tasks(account)
        .into_iter()
        .find(|t| t.parent_id.is_none() && !t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap()
}

#[tokio::test]
async fn close_answers_204_with_an_empty_body_and_the_task_leaves_the_list() {
    let t = spawn().await;
    let token = t.token("alice");
    let task = one_off(&t.fake, "alice");
    let response = t
        .post(&format!("/api/v1/tasks/{}/close", task.id), &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let (listed, _) = t.list_all(&token, Some(200)).await;
    assert!(listed.iter().all(|t| t.id != task.id));
    let closed: Task = t
        .get(&format!("/api/v1/tasks/{}", task.id), &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(closed.checked);
    assert!(is_timestamp(&json!(closed.completed_at)));
    let response = t
        .post(&format!("/api/v1/tasks/{}/reopen", task.id), &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (listed, _) = t.list_all(&token, Some(200)).await;
    assert!(
        listed
            .iter()
            .any(|t| t.id == task.id && !t.checked && t.completed_at.is_none())
    );
    let stats = t.fake.user_stats("alice");
    assert_eq!((stats.closes, stats.reopens), (1, 1));
}

#[tokio::test]
async fn the_same_x_request_id_closes_once_even_when_sent_together() {
    let t = spawn().await;
    let token = t.token("alice");
    let recurring = t
        .fake
        .active_tasks("alice")
        .into_iter()
        .find(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap();
    let path = format!("/api/v1/tasks/{}/close", recurring.id);
    let rid = "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00";
    let (a, b) = tokio::join!(
        t.post(&path, &token, Some(rid)),
        t.post(&path, &token, Some(rid))
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT)
    );
    assert_eq!(
        t.post(&path, &token, Some(rid)).await.status(),
        StatusCode::NO_CONTENT
    );
    let stats = t.fake.user_stats("alice");
    assert_eq!((stats.close_requests, stats.closes), (3, 1));
    assert_eq!(stats.request_ids, [rid, rid, rid]);
    // A recurring task moved once, not three times.
    let moved = t
        .fake
        .tasks("alice")
        .into_iter()
        .find(|t| t.id == recurring.id)
        .unwrap();
    let (before, after) = (recurring.due.unwrap().date, moved.due.unwrap().date);
    assert!(after > before && !moved.checked, "{before} -> {after}");
    assert_eq!(
        t.fake.user_stats("alice").closed_task_ids,
        vec![recurring.id.clone()]
    );
    let another = "0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f01";
    assert_eq!(
        t.post(&path, &token, Some(another)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.fake.user_stats("alice").closes, 2);
}

#[tokio::test]
async fn an_x_request_id_reused_for_another_task_is_409() {
    let t = spawn().await;
    let token = t.token("alice");
    let tasks = t.fake.active_tasks("alice");
    let rid = "same-id-for-two-tasks";
    let first = t
        .post(
            &format!("/api/v1/tasks/{}/close", tasks[0].id),
            &token,
            Some(rid),
        )
        .await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    let second = t
        .post(
            &format!("/api/v1/tasks/{}/close", tasks[1].id),
            &token,
            Some(rid),
        )
        .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert_eq!(
        second.json::<Value>().await.unwrap()["error_tag"],
        "REQUEST_ID_REUSED"
    );
    assert!(
        t.fake
            .active_tasks("alice")
            .iter()
            .any(|t| t.id == tasks[1].id)
    );
}

#[tokio::test]
async fn closing_a_recurring_task_moves_it_to_its_next_date_and_keeps_it_active() {
    let t = spawn().await;
    let token = t.token("alice");
    let before = t
        .fake
        .active_tasks("alice")
        .into_iter()
        .find(|t| t.content == "Take vitamins")
        .unwrap();
    let due = before.due.clone().unwrap();
    assert_eq!(
        (due.date.as_str(), due.string.as_str(), due.is_recurring),
        (today().as_str(), "every day", true)
    );
    let response = t
        .post(&format!("/api/v1/tasks/{}/close", before.id), &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let after: Task = t
        .get(&format!("/api/v1/tasks/{}", before.id), &token)
        .await
        .json()
        .await
        .unwrap();
    let next = after.due.clone().unwrap();
    assert!(next.date > due.date, "{} -> {}", due.date, next.date);
    assert_eq!(next.string, "every day");
    assert!(!after.checked && after.completed_at.is_none());
    let (listed, _) = t.list_all(&token, Some(200)).await;
    assert!(listed.iter().any(|t| t.id == before.id));
    assert_eq!(t.fake.user_stats("alice").closed_task_ids, [before.id]);
}

#[tokio::test]
async fn closing_a_parent_closes_its_subtasks() {
    let t = spawn().await;
    let token = t.token("alice");
    let tasks = t.fake.active_tasks("alice");
    let parent = tasks
        .iter()
        .find(|t| t.content == "Plan the trip to Lisbon")
        .unwrap();
    t.post(&format!("/api/v1/tasks/{}/close", parent.id), &token, None)
        .await;
    let remaining = t.fake.active_tasks("alice");
    assert!(
        remaining
            .iter()
            .all(|t| t.id != parent.id && t.parent_id.as_ref() != Some(&parent.id))
    );
    assert_eq!(remaining.len(), tasks.len() - 4);
}

#[tokio::test]
async fn unknown_ids_and_other_accounts_tasks_are_404() {
    let t = spawn().await;
    let token = t.token("alice");
    let bobs = t.fake.active_tasks("bob")[0].id.clone();
    let expected = error_body("Task not found", 478, "NOT_FOUND", json!({}), 404);
    for id in ["nope", bobs.as_str()] {
        for path in [
            format!("/api/v1/tasks/{id}/close"),
            format!("/api/v1/tasks/{id}/reopen"),
        ] {
            let response = t.post(&path, &token, None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(response.json::<Value>().await.unwrap(), expected);
        }
        assert_eq!(
            t.get(&format!("/api/v1/tasks/{id}"), &token).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_old_rest_v2_and_sync_v9_apis_answer_410_gone() {
    let t = spawn().await;
    let token = t.token("alice");
    let gone = [
        t.get("/rest/v2/tasks", &token).await,
        t.post("/rest/v2/tasks/1/close", &token, None).await,
        t.post("/sync/v9/sync", &token, None).await,
        t.get("/sync/v9", &token).await,
    ];
    for response in gone {
        assert_eq!(response.status(), StatusCode::GONE);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["http_code"], 410);
        assert_eq!(body["error_tag"], "DEPRECATED_ENDPOINT");
    }
}
