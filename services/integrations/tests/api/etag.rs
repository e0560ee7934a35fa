//! `GET /api/integrations/tasks` with its `ETag`: `304 Not Modified` while
//! the answer is the one the caller holds, a new tag and the new list once
//! Todoist's list (or our own write) changed it, and one user's tag never
//! another's.

use std::time::{Duration, Instant};

use integrations::UserId;
use integrations::connector::CachePolicy;
use shared_types::integrations::Candidates;

use crate::app::{App, spawn_with_fake};
use crate::helpers::*;

const TASKS: &str = "/api/integrations/tasks";

fn policy(ttl: Duration) -> CachePolicy {
    CachePolicy {
        failure_backoff: Duration::ZERO,
        ..CachePolicy::new(ttl)
    }
}

/// The list and its `ETag`, asserting a 200.
async fn tagged(app: &App, user: &UserId, if_none_match: Option<&str>) -> (Candidates, String) {
    let mut request = app.get(user, TASKS);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let etag = etag_of(&response);
    (response.json().await.unwrap(), etag)
}

fn etag_of(response: &reqwest::Response) -> String {
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "a strong ETag: {etag}"
    );
    etag
}

/// Asks with `etag` until the answer is a 200 (the list changed), at most
/// `within`; answers the new list and tag.
async fn until_changed(
    app: &App,
    user: &UserId,
    etag: &str,
    within: Duration,
) -> (Candidates, String) {
    let start = Instant::now();
    loop {
        let response = app
            .get(user, TASKS)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            let new = etag_of(&response);
            return (response.json().await.unwrap(), new);
        }
        assert_eq!(response.status(), 304);
        assert!(start.elapsed() < within, "the list never changed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_list_answers_304_to_its_own_etag_with_no_body_and_the_same_event_ids_after() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let (first, etag) = tagged(&app, &u, None).await;
    assert!(!first.items.is_empty());

    let response = app
        .get(&u, TASKS)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers()["etag"], etag.as_str());
    assert!(response.bytes().await.unwrap().is_empty());
    // Weak comparison, and a list of tags, as RFC 9110 says.
    for header in [format!("W/{etag}"), format!("\"other\", {etag}")] {
        let response = app
            .get(&u, TASKS)
            .header("if-none-match", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 304);
    }
    // Another tag, or none: the whole list, byte for byte the same one
    // (event ids included) while the cached list is unchanged.
    let (again, same) = tagged(&app, &u, Some("\"not-this-one\"")).await;
    assert_eq!(same, etag);
    assert_eq!(again, first);
    let (plain, _) = tagged(&app, &u, None).await;
    assert_eq!(plain, first);
}

#[tokio::test]
async fn a_task_changed_at_todoist_gives_a_200_with_a_new_etag_on_the_next_refresh() {
    let app = spawn_with_fake(CachePolicy {
        ok_while_revalidating: Duration::from_secs(60),
        ..policy(Duration::from_millis(200))
    })
    .await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let (first, etag) = tagged(&app, &u, None).await;
    let renamed = app.fake().active_tasks("alice")[0].id.clone();
    app.fake().edit_task("alice", &renamed, |t| {
        t.content = "Renamed at Todoist".into()
    });
    let gone = app.fake().active_tasks("alice")[1].id.clone();
    app.fake().retain_tasks("alice", |t| t.id != gone);

    let (changed, new_etag) = until_changed(&app, &u, &etag, Duration::from_secs(5)).await;
    assert_ne!(new_etag, etag);
    assert_eq!(changed.items.len(), first.items.len() - 1);
    assert!(changed.items.iter().all(|e| e.subject_id != gone));
    let title = changed
        .items
        .iter()
        .find(|e| e.subject_id == renamed)
        .map(|e| e.payload["title"].clone());
    assert_eq!(title, Some("Renamed at Todoist".into()));
    // The old tag never matches again.
    let (_, current) = tagged(&app, &u, Some(&etag)).await;
    assert_ne!(current, etag);
}

#[tokio::test]
async fn our_own_completion_changes_the_etag_at_once() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let (before, etag) = tagged(&app, &u, None).await;
    let tasks = app.fake().active_tasks("alice");
    let leaf = tasks
        .iter()
        .find(|t| {
            t.parent_id.is_none()
                && !t.due.as_ref().is_some_and(|d| d.is_recurring)
                && !tasks.iter().any(|c| c.parent_id.as_ref() == Some(&t.id))
        })
        .unwrap();
    let done = app.complete(&u, "todoist", &leaf.id, Some("k-1")).await;
    assert_eq!(done.status(), 200);
    let (after, new_etag) = tagged(&app, &u, Some(&etag)).await;
    assert_ne!(new_etag, etag);
    assert_eq!(after.items.len(), before.items.len() - 1);
    assert!(after.items.iter().all(|e| e.subject_id != leaf.id));
}

#[tokio::test]
async fn one_users_etag_never_matches_another_users_list() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let (alice, bob, stranger) = (user(), user(), user());
    // Both read the same Todoist account: the same tasks, still two lists.
    app.connect_fake(&alice, "alice").await;
    app.connect_fake(&bob, "alice").await;
    let (_, alices) = tagged(&app, &alice, None).await;
    let (bobs_list, bobs) = tagged(&app, &bob, Some(&alices)).await;
    assert_ne!(bobs, alices);
    assert!(bobs_list.items.iter().all(|e| e.user_id == bob.as_uuid()));
    // Nor do two users with nothing connected share one.
    let (_, strangers) = tagged(&app, &stranger, None).await;
    let (_, another) = tagged(&app, &user(), Some(&strangers)).await;
    assert_ne!(another, strangers);
}
