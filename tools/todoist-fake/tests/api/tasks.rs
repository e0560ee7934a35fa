//! Listing: auth and scope, the exact fields, pagination, the seed, filters.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use todoist_fake::{FakeTodoist, Page};

use crate::helpers::{error_body, is_timestamp, spawn, today};

const FIELDS: [&str; 24] = [
    "added_at",
    "added_by_uid",
    "assigned_by_uid",
    "checked",
    "child_order",
    "completed_at",
    "content",
    "day_order",
    "deadline",
    "description",
    "due",
    "duration",
    "id",
    "is_collapsed",
    "is_deleted",
    "labels",
    "note_count",
    "parent_id",
    "priority",
    "project_id",
    "responsible_uid",
    "section_id",
    "updated_at",
    "user_id",
];

#[tokio::test]
async fn listing_without_a_valid_bearer_token_is_401_with_the_error_body() {
    let t = spawn().await;
    let no_token = t.http.get(t.url("/api/v1/tasks")).send().await.unwrap();
    let bad_token = t.get("/api/v1/tasks", "not-a-token").await;
    for response in [no_token, bad_token] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            error_body("Invalid token", 401, "AUTH_INVALID_TOKEN", json!({}), 401)
        );
    }
}

#[tokio::test]
async fn a_token_without_data_read_write_gets_403_insufficient_scope() {
    let t = spawn().await;
    let add_only = t.fake.issue_token("alice", &["task:add"]).access_token;
    let read_only = t.fake.issue_token("alice", &["data:read"]).access_token;
    let expected = error_body(
        "Insufficient token scope",
        403,
        "AUTH_INSUFFICIENT_TOKEN_SCOPE",
        json!({}),
        403,
    );
    let response = t.get("/api/v1/tasks", &add_only).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.json::<Value>().await.unwrap(), expected);
    assert_eq!(
        t.get("/api/v1/tasks", &read_only).await.status(),
        StatusCode::OK
    );
    let id = &t.fake.active_tasks("alice")[0].id;
    let response = t
        .post(&format!("/api/v1/tasks/{id}/close"), &read_only, None)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.json::<Value>().await.unwrap(), expected);
}

#[tokio::test]
async fn every_task_has_exactly_the_contract_fields_in_their_formats() {
    let t = spawn().await;
    let token = t.token("alice");
    let body: Value = t
        .get("/api/v1/tasks?limit=200", &token)
        .await
        .json()
        .await
        .unwrap();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["next_cursor", "results"]);
    for task in body["results"].as_array().unwrap() {
        let mut keys: Vec<_> = task
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(keys, FIELDS);
        assert!(task["id"].is_string() && task["user_id"].is_string());
        assert!(task["project_id"].is_string());
        assert!((1..=4).contains(&task["priority"].as_u64().unwrap()));
        assert!(is_timestamp(&task["added_at"]) && is_timestamp(&task["updated_at"]));
        assert_eq!(task["completed_at"], Value::Null);
        assert_eq!(task["checked"], false);
        assert!(
            task["labels"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        if let Some(due) = task["due"].as_object() {
            let mut keys: Vec<_> = due.keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["date", "is_recurring", "lang", "string", "timezone"]);
            let date = due["date"].as_str().unwrap();
            assert!(matches!(date.len(), 10 | 19 | 20), "{date}");
        }
        if let Some(duration) = task["duration"].as_object() {
            assert!(["minute", "day"].contains(&duration["unit"].as_str().unwrap()));
        }
    }
}

#[tokio::test]
async fn pagination_walks_every_page_without_duplicates_or_gaps() {
    let t = spawn().await;
    let token = t.token("alice");
    let expected: Vec<String> = t
        .fake
        .active_tasks("alice")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(
        expected.len() > 50,
        "the seed needs more than one default page"
    );
    for limit in [None, Some(1), Some(7), Some(50), Some(200)] {
        let (tasks, pages) = t.list_all(&token, limit).await;
        let ids: Vec<String> = tasks.into_iter().map(|t| t.id).collect();
        assert_eq!(ids, expected, "limit {limit:?}");
        let per_page = limit.unwrap_or(50);
        assert_eq!(pages, expected.len().div_ceil(per_page), "limit {limit:?}");
    }
    let first: Page = t.get("/api/v1/tasks", &token).await.json().await.unwrap();
    assert_eq!(first.results.len(), 50);
    assert!(first.next_cursor.is_some());
}

#[tokio::test]
async fn a_limit_outside_1_to_200_or_a_bad_cursor_is_400() {
    let t = spawn().await;
    let token = t.token("alice");
    for (query, argument) in [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("cursor=nope!", "cursor"),
    ] {
        let response = t.get(&format!("/api/v1/tasks?{query}"), &token).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.unwrap();
        let extra = json!({ "argument": argument });
        assert_eq!(
            body,
            error_body(
                "Invalid argument value",
                20,
                "INVALID_ARGUMENT_VALUE",
                extra,
                400
            )
        );
    }
}

#[tokio::test]
async fn closing_tasks_between_two_pages_neither_repeats_nor_skips_one() {
    let t = spawn().await;
    let token = t.token("alice");
    let first: Page = t
        .get("/api/v1/tasks?limit=10", &token)
        .await
        .json()
        .await
        .unwrap();
    for task in &first.results[..3] {
        t.post(&format!("/api/v1/tasks/{}/close", task.id), &token, None)
            .await;
    }
    let cursor = first.next_cursor.unwrap();
    let second: Page = t
        .get(&format!("/api/v1/tasks?limit=10&cursor={cursor}"), &token)
        .await
        .json()
        .await
        .unwrap();
    let active: Vec<String> = t
        .fake
        .active_tasks("alice")
        .into_iter()
        .map(|t| t.id)
        .collect();
    let after_first = active
        .iter()
        .position(|id| *id == first.results[9].id)
        .unwrap();
    let expected: Vec<&String> = active[after_first + 1..].iter().take(10).collect();
    let got: Vec<&String> = second.results.iter().map(|t| &t.id).collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn the_seed_is_believable_and_the_same_for_the_same_account() {
    let t = spawn().await;
    let tasks = t.fake.active_tasks("alice");
    assert!((51..=60).contains(&tasks.len()), "{}", tasks.len());
    let today = today();
    let dated: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t.due.as_ref())
        .map(|d| &d.date[..10])
        .collect();
    assert!(dated.iter().any(|d| *d == today), "some due today");
    assert!(dated.iter().any(|d| *d < today.as_str()), "some overdue");
    assert!(dated.iter().any(|d| *d > today.as_str()), "some later");
    assert!(tasks.iter().any(|t| t.due.is_none()), "some undated");
    assert!(
        tasks
            .iter()
            .filter(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
            .count()
            >= 3
    );
    assert!(tasks.iter().filter(|t| t.parent_id.is_some()).count() >= 2);
    assert!(tasks.iter().filter(|t| !t.labels.is_empty()).count() >= 10);
    let priorities: HashSet<u8> = tasks.iter().map(|t| t.priority).collect();
    assert!(priorities.len() >= 3, "{priorities:?}");
    let ids: HashSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), tasks.len());
    assert!(
        tasks
            .iter()
            .all(|t| t.user_id == FakeTodoist::user_id("alice"))
    );
    let other = spawn().await;
    let again: Vec<(String, String)> = other
        .fake
        .active_tasks("alice")
        .into_iter()
        .map(|t| (t.id, t.content))
        .collect();
    let first: Vec<(String, String)> = tasks
        .iter()
        .map(|t| (t.id.clone(), t.content.clone()))
        .collect();
    assert_eq!(again, first);
    let bob: Vec<String> = other
        .fake
        .active_tasks("bob")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(bob.iter().all(|id| !ids.contains(id.as_str())));
}

#[tokio::test]
async fn the_filter_endpoint_understands_simple_queries() {
    let t = spawn().await;
    let token = t.token("alice");
    let filter = |q: &'static str| {
        let t = &t;
        let token = token.clone();
        async move {
            let r = t
                .http
                .get(t.url("/api/v1/tasks/filter"))
                .bearer_auth(token)
                .query(&[("query", q), ("limit", "200")])
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let today = today();
    let (status, body) = filter("today | overdue").await;
    assert_eq!(status, StatusCode::OK);
    let page: Page = serde_json::from_value(body).unwrap();
    assert!(!page.results.is_empty());
    assert!(
        page.results
            .iter()
            .all(|t| t.due.as_ref().is_some_and(|d| d.date[..10] <= *today))
    );
    let page: Page = serde_json::from_value(filter("p1").await.1).unwrap();
    assert!(page.results.iter().all(|t| t.priority == 4));
    let page: Page = serde_json::from_value(filter("@15min & !no date").await.1).unwrap();
    assert!(
        page.results
            .iter()
            .all(|t| t.labels.contains(&"15min".to_owned()) && t.due.is_some())
    );
    let page: Page = serde_json::from_value(filter("#work").await.1).unwrap();
    assert!(!page.results.is_empty());
    let (status, body) = filter("assigned to: others").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_extra"], json!({"argument": "query"}));
}

#[tokio::test]
async fn the_list_narrows_by_project_label_parent_and_ids() {
    let t = spawn().await;
    let token = t.token("alice");
    let tasks = t.fake.active_tasks("alice");
    let child = tasks.iter().find(|t| t.parent_id.is_some()).unwrap();
    let parent_id = child.parent_id.clone().unwrap();
    let list = |q: String| {
        let t = &t;
        let token = token.clone();
        async move {
            t.get(&format!("/api/v1/tasks?{q}"), &token)
                .await
                .json::<Page>()
                .await
                .unwrap()
                .results
        }
    };
    let subtasks = list(format!("parent_id={parent_id}")).await;
    assert!(
        subtasks.len() >= 2
            && subtasks
                .iter()
                .all(|t| t.parent_id.as_ref() == Some(&parent_id))
    );
    let project = list(format!("project_id={}&limit=200", child.project_id)).await;
    assert!(project.iter().all(|t| t.project_id == child.project_id));
    let labelled = list("label=15min&limit=200".to_owned()).await;
    assert!(
        !labelled.is_empty()
            && labelled
                .iter()
                .all(|t| t.labels.contains(&"15min".to_owned()))
    );
    let two = list(format!("ids={},{}", tasks[3].id, tasks[1].id)).await;
    let got: Vec<&str> = two.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(got, [tasks[1].id.as_str(), tasks[3].id.as_str()]);
}
