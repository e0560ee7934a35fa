//! `GET /api/integrations/tasks` against the fake Todoist, as the
//! recommender and an operator see it: a status per source, failures that
//! never fail the list, stale-while-revalidate, and zero Todoist calls on a
//! warm cache.

use std::time::{Duration, Instant};

use integrations::connector::CachePolicy;
use shared_types::integrations::{Candidates, SourceStatus, TaskPayload};
use todoist_fake::FaultSpec;

use crate::app::{App, Spawn, spawn, spawn_with_fake};
use crate::helpers::*;

fn policy(ttl: Duration) -> CachePolicy {
    CachePolicy {
        failure_backoff: Duration::ZERO,
        ..CachePolicy::new(ttl)
    }
}

#[tokio::test]
async fn a_list_past_its_ttl_is_answered_at_once_and_refreshed_behind() {
    let app = spawn_with_fake(CachePolicy {
        ok_while_revalidating: Duration::from_millis(600),
        ..policy(Duration::from_millis(200))
    })
    .await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let first = app.candidates(&u).await;
    let listings = app.fake().user_stats("alice").task_listings;
    tokio::time::sleep(Duration::from_millis(250)).await;
    // A slow Todoist does not slow the answer: the old list comes at once.
    app.fake()
        .queue_fault(FaultSpec::delay("tasks", 300))
        .unwrap();
    let started = Instant::now();
    let revalidating = app.candidates(&u).await;
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(status(&revalidating), SourceStatus::Ok);
    assert_eq!(revalidating.sources[0].as_of, first.sources[0].as_of);
    let fresh = until(&app, &u, Duration::from_secs(3), |c| {
        c.sources[0].as_of != first.sources[0].as_of
    })
    .await;
    assert_eq!(status(&fresh), SourceStatus::Ok);
    assert!(app.fake().user_stats("alice").task_listings > listings);
    // Past the revalidation bound, an old list is called stale.
    tokio::time::sleep(Duration::from_millis(650)).await;
    app.fake()
        .queue_fault(FaultSpec::delay("tasks", 500))
        .unwrap();
    let old = app.candidates(&u).await;
    assert_eq!(status(&old), SourceStatus::Stale);
    assert_eq!(old.sources[0].as_of, fresh.sources[0].as_of);
}

fn status(c: &Candidates) -> SourceStatus {
    assert_eq!(c.sources.len(), 1, "{c:?}");
    assert_eq!(c.sources[0].source, "todoist");
    c.sources[0].status
}

fn ids(c: &Candidates) -> Vec<String> {
    let mut ids: Vec<_> = c.items.iter().map(|e| e.subject_id.clone()).collect();
    ids.sort();
    ids
}

/// Polls the list until `done` says so (at most `within`).
async fn until(
    app: &App,
    user: &integrations::UserId,
    within: Duration,
    done: impl Fn(&Candidates) -> bool,
) -> Candidates {
    let start = Instant::now();
    loop {
        let c = app.candidates(user).await;
        if done(&c) || start.elapsed() > within {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_list_tells_not_connected_from_connected_with_no_tasks() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let (stranger, empty) = (user(), user());
    let c = app.candidates(&stranger).await;
    assert_eq!(status(&c), SourceStatus::NotConnected);
    assert!(c.items.is_empty());
    assert_eq!(c.sources[0].as_of, None);

    app.fake().retain_tasks("empty", |_| false);
    app.connect_fake(&empty, "empty").await;
    let c = app.candidates(&empty).await;
    assert_eq!(status(&c), SourceStatus::Ok);
    assert!(c.items.is_empty());
    let as_of = c.sources[0].as_of.as_deref().expect("as_of");
    time::OffsetDateTime::parse(as_of, &time::format_description::well_known::Rfc3339).unwrap();
}

#[tokio::test]
async fn each_item_is_a_task_open_event_with_the_task_payload() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let u = user();
    let fake = app.fake();
    let tasks = fake.active_tasks("alice");
    let (mine, theirs) = (tasks[0].id.clone(), tasks[1].id.clone());
    let owner = todoist_fake::FakeTodoist::user_id("alice");
    fake.edit_task("alice", &mine, |t| t.responsible_uid = Some(owner.clone()));
    fake.edit_task("alice", &theirs, |t| {
        t.responsible_uid = Some("someone-else".into())
    });
    app.connect_fake(&u, "alice").await;
    let c = app.candidates(&u).await;
    assert_eq!(status(&c), SourceStatus::Ok);
    assert_eq!(c.items.len(), tasks.len());
    let payload = |id: &str| -> TaskPayload {
        let event = c.items.iter().find(|e| e.subject_id == id).unwrap();
        assert_eq!(
            (event.kind.as_str(), event.source.as_str()),
            ("task.open", "todoist")
        );
        assert_eq!(event.user_id, u.as_uuid());
        serde_json::from_value(event.payload.clone()).unwrap()
    };
    assert!(!payload(&mine).assigned_to_other);
    assert!(payload(&theirs).assigned_to_other);
    let first = payload(&mine);
    assert_eq!(first.title, tasks[0].content);
    assert_eq!(first.priority, tasks[0].priority);
    assert_eq!(
        first.deep_link.as_deref(),
        Some(format!("https://app.todoist.com/app/task/{mine}").as_str())
    );
    assert_eq!(first.added_at.as_deref(), Some(tasks[0].added_at.as_str()));
    let recurring = tasks
        .iter()
        .find(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap();
    let p = payload(&recurring.id);
    assert!(p.is_recurring);
    let due = p.due.unwrap();
    assert_eq!(due.date, recurring.due.as_ref().unwrap().date);
    assert_eq!(
        due.string.as_deref(),
        Some(recurring.due.as_ref().unwrap().string.as_str())
    );
    if let Some(timed) = tasks.iter().find(|t| t.duration.is_some()) {
        let d = timed.duration.as_ref().unwrap();
        assert_eq!(
            payload(&timed.id).duration_minutes,
            Some(i64::from(d.amount))
        );
    }
}

#[tokio::test]
async fn one_failing_source_is_reported_failed_in_a_200() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let (u, revoked) = (user(), user());
    // A token Todoist no longer accepts: the user must connect again.
    app.connect_fake(&revoked, "bob").await;
    app.fake().expire_access_tokens();
    let c = app.candidates(&revoked).await;
    assert_eq!(status(&c), SourceStatus::ReconnectRequired);
    assert!(c.items.is_empty());

    app.connect_fake(&u, "alice").await;
    app.fake()
        .queue_fault(FaultSpec::status("tasks", 500).times(10))
        .unwrap();
    let response = app.get(&u, "/api/integrations/tasks").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let c: Candidates = response.json().await.unwrap();
    assert_eq!(status(&c), SourceStatus::Failed);
    assert!(c.items.is_empty());
    assert_eq!(c.sources[0].as_of, None);
}

#[tokio::test]
async fn todoist_failing_after_a_good_list_gives_the_old_items_marked_stale() {
    let app = spawn_with_fake(policy(Duration::from_millis(300))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let good = app.candidates(&u).await;
    assert_eq!(status(&good), SourceStatus::Ok);
    tokio::time::sleep(Duration::from_millis(350)).await;
    app.fake()
        .queue_fault(FaultSpec::status("tasks", 503).times(100))
        .unwrap();
    // Past the TTL: answered at once (still `ok`: nothing has failed yet);
    // the refresh fails behind it.
    let started = Instant::now();
    let first = app.candidates(&u).await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(status(&first), SourceStatus::Ok);
    assert_eq!(ids(&first), ids(&good));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = app.candidates(&u).await;
    assert_eq!(status(&later), SourceStatus::Stale);
    assert_eq!(ids(&later), ids(&good));
    assert_eq!(later.sources[0].as_of, good.sources[0].as_of);
    assert!(app.fake().stats().faults_served >= 1);
}

#[tokio::test]
async fn a_warm_cache_makes_no_listing_at_todoist() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let first = app.candidates(&u).await;
    assert_eq!(status(&first), SourceStatus::Ok);
    let listings = app.fake().user_stats("alice").task_listings;
    assert!(listings >= 1);
    let started = Instant::now();
    for _ in 0..10 {
        let again = app.candidates(&u).await;
        assert_eq!(status(&again), SourceStatus::Ok);
        assert_eq!(ids(&again), ids(&first));
    }
    eprintln!(
        "warm-cache answer, {} items: {:?} each",
        first.items.len(),
        started.elapsed() / 10
    );
    assert_eq!(app.fake().user_stats("alice").task_listings, listings);
}

#[tokio::test]
async fn a_cold_cache_with_todoist_10_s_late_answers_failed_within_1_5_s_then_the_items() {
    let app = spawn(Spawn {
        fake: true,
        policy: Some(policy(Duration::from_secs(30))),
        timeout: Some(Duration::from_secs(15)),
    })
    .await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    app.fake()
        .queue_fault(FaultSpec::delay("tasks", 10_000))
        .unwrap();
    let started = Instant::now();
    let cold = app.candidates(&u).await;
    let took = started.elapsed();
    eprintln!("cold-cache answer with Todoist 10 s late: {took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert_eq!(status(&cold), SourceStatus::Failed);
    assert!(cold.items.is_empty());
    // The fetch went on and lands: the next call has the items.
    let warm = until(&app, &u, Duration::from_secs(14), |c| {
        status(c) == SourceStatus::Ok
    })
    .await;
    assert_eq!(status(&warm), SourceStatus::Ok);
    assert_eq!(warm.items.len(), app.fake().active_tasks("alice").len());
    assert!(started.elapsed() >= Duration::from_secs(10));
    // One fetch, not one per call made meanwhile.
    let pages = app.fake().stats().requests["tasks"];
    let again = app.candidates(&u).await;
    assert_eq!(status(&again), SourceStatus::Ok);
    assert_eq!(app.fake().stats().requests["tasks"], pages);
}

#[tokio::test]
async fn a_completion_patches_the_cached_list_without_a_new_listing() {
    let app = spawn_with_fake(policy(Duration::from_secs(30))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let before = app.candidates(&u).await;
    let listings = app.fake().user_stats("alice").task_listings;
    let tasks = app.fake().active_tasks("alice");
    let one_off = tasks
        .iter()
        .find(|t| {
            t.parent_id.is_none()
                && !t.due.as_ref().is_some_and(|d| d.is_recurring)
                && !tasks.iter().any(|c| c.parent_id.as_ref() == Some(&t.id))
        })
        .unwrap();
    let recurring = tasks
        .iter()
        .find(|t| t.due.as_ref().is_some_and(|d| d.is_recurring))
        .unwrap();
    assert_eq!(
        app.complete(&u, "todoist", &one_off.id, Some("k-1"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.complete(&u, "todoist", &recurring.id, Some("k-2"))
            .await
            .status(),
        200
    );
    let after = app.candidates(&u).await;
    assert_eq!(after.items.len(), before.items.len() - 1);
    assert!(after.items.iter().all(|e| e.subject_id != one_off.id));
    let moved = after
        .items
        .iter()
        .find(|e| e.subject_id == recurring.id)
        .unwrap();
    let moved: TaskPayload = serde_json::from_value(moved.payload.clone()).unwrap();
    let now_at_fake = app
        .fake()
        .tasks("alice")
        .into_iter()
        .find(|t| t.id == recurring.id)
        .unwrap();
    assert_eq!(moved.due.unwrap().date, now_at_fake.due.unwrap().date);
    assert_eq!(app.fake().user_stats("alice").task_listings, listings);

    // Undone: the one-off task is back in the list, still without a listing.
    let back = app
        .reopen(&u, &one_off.id, "k-3", &serde_json::json!({}))
        .await;
    assert_eq!(back.status(), 200);
    let undone = app.candidates(&u).await;
    assert!(undone.items.iter().any(|e| e.subject_id == one_off.id));
    assert_eq!(app.fake().user_stats("alice").task_listings, listings);
}
