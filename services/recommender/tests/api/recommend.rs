//! `POST /api/recommend`: one of the user's tasks, sticky, logged with
//! every candidate's probability and features; advice when nothing else.

use std::time::{Duration, Instant};

use serde_json::json;
use shared_types::TipKind;
use shared_types::recommender::{DecisionStatus, DegradedReason};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::*;

#[tokio::test]
async fn a_tip_is_one_of_the_users_tasks_and_the_decision_logs_every_candidate() {
    let app = spawn_app().await;
    app.candidates(vec![
        task(
            "t1",
            "Call the plumber",
            json!({"priority": 4, "due": {"date": day(-2)}}),
        ),
        task("t2", "Buy milk", json!({"due": {"date": day(3)}})),
        task("t3", "Renew passport", json!({"deadline": day(5)})),
    ])
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Todo);
    assert!(["Call the plumber", "Renew passport"].contains(&rec.tip.title.as_str()));
    assert!(!rec.reused && !rec.degraded);
    assert_eq!(rec.tip.meta.why, "picked at random from 2 tasks");

    let decisions = app.store.decisions_of(app.user).await.unwrap();
    assert_eq!(decisions.len(), 1);
    let d = &decisions[0];
    assert_eq!(
        (d.policy.as_str(), d.policy_version.as_str()),
        ("random", "1")
    );
    assert_eq!(d.eligibility_version, "eligibility-1");
    let candidates = app.store.candidates(d.id).await.unwrap();
    // The future task waits while one is overdue: two candidates.
    assert_eq!(candidates.len(), 2);
    let sum: f64 = candidates.iter().map(|c| c.probability).sum();
    assert!((sum - 1.0).abs() < 1e-9);
    assert!(candidates.iter().all(|c| c.probability > 0.0));
    let plumber = candidates
        .iter()
        .find(|c| c.candidate_id == "todoist:t1")
        .unwrap();
    assert_eq!(plumber.features["overdue_days"], 2);
    assert_eq!(plumber.features["priority"], 4);
    assert_eq!(
        d.propensity,
        candidates[d.chosen_position as usize].probability
    );
    assert_eq!(d.chosen_id, rec.tip.id);
}

#[tokio::test]
async fn the_reason_line_tells_the_truth_about_the_task() {
    let app = spawn_app().await;
    app.candidates(vec![task(
        "t1",
        "Call the plumber",
        json!({"priority": 4, "due": {"date": day(-2)}}),
    )])
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.meta.reason, "2 days overdue · P1");
    assert_eq!(rec.tip.meta.why, "the only one of your 1 task on offer");
    assert_eq!(
        rec.tip.deep_link.as_deref(),
        Some("https://app.todoist.com/app/task/t1")
    );
}

#[tokio::test]
async fn ten_recommends_in_a_row_give_one_decision_and_ten_tip_shown() {
    let app = spawn_app().await;
    app.candidates(
        (0..6)
            .map(|i| task(&format!("t{i}"), &format!("Task {i}"), json!({})))
            .collect(),
    )
    .await;
    let first = app.recommend().await;
    for _ in 0..9 {
        let again = app.recommend().await;
        assert_eq!(again.decision_id, first.decision_id);
        assert_eq!(again.tip, first.tip);
        assert!(again.reused);
    }
    assert_eq!(app.store.decisions_of(app.user).await.unwrap().len(), 1);
    let shown = app.events(first.decision_id).await;
    assert_eq!(shown, vec!["tip.shown"; 10]);
}

#[tokio::test]
async fn new_supersedes_the_open_decision_and_draws_again() {
    let app = spawn_app().await;
    app.candidates(
        (0..4)
            .map(|i| task(&format!("t{i}"), &format!("Task {i}"), json!({})))
            .collect(),
    )
    .await;
    let first = app.recommend().await;
    let second = app
        .recommend_with(json!({"user_id": app.user, "new": true}))
        .await;
    assert_ne!(second.decision_id, first.decision_id);
    assert!(!second.reused);
    let old = app
        .store
        .decision(app.user, first.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, DecisionStatus::Superseded);
    assert_eq!(
        app.events(first.decision_id).await,
        ["tip.shown", "tip.superseded"]
    );
}

#[tokio::test]
async fn a_decision_whose_task_is_gone_is_superseded_on_the_next_look() {
    let app = spawn_app().await;
    app.candidates(vec![task("t1", "Only task", json!({}))])
        .await;
    let first = app.recommend().await;
    app.candidates(vec![task("t2", "Another", json!({}))]).await;
    let second = app.recommend().await;
    assert_ne!(second.decision_id, first.decision_id);
    assert_eq!(second.tip.id, "todoist:t2");
    let old = app
        .store
        .decision(app.user, first.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, DecisionStatus::Superseded);
}

#[tokio::test]
async fn an_open_decision_expires_after_the_decision_ttl() {
    let app = spawn_app_with(&[("DECISION_TTL", "30m")]).await;
    app.candidates(
        (0..3)
            .map(|i| task(&format!("t{i}"), &format!("Task {i}"), json!({})))
            .collect(),
    )
    .await;
    let first = app.recommend().await;
    app.advance(Duration::from_secs(31 * 60));
    let second = app.recommend().await;
    assert_ne!(second.decision_id, first.decision_id);
    let old = app
        .store
        .decision(app.user, first.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.status, DecisionStatus::Expired);
}

#[tokio::test]
async fn not_connected_gives_an_advice_card_and_says_why() {
    let app = spawn_app().await;
    app.candidates_with(
        vec![],
        json!([{"source": "todoist", "status": "not_connected", "as_of": null}]),
    )
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Advice);
    assert!(rec.tip.id.starts_with("advice:"));
    assert!(rec.degraded);
    assert_eq!(rec.degraded_reason, Some(DegradedReason::NotConnected));
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    let candidates = app.store.candidates(d.id).await.unwrap();
    assert!(candidates.len() >= 12, "the whole catalogue is on offer");
}

#[tokio::test]
async fn no_eligible_task_gives_advice_marked_no_eligible_tasks() {
    let app = spawn_app().await;
    app.candidates(vec![
        task("h", "* Errands", json!({})),
        task("p", "Move house", json!({})),
        task(
            "c",
            "Book the van",
            json!({"parent_id": "p", "assigned_to_other": true}),
        ),
    ])
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Advice);
    assert_eq!(rec.degraded_reason, Some(DegradedReason::NoEligibleTasks));
}

#[tokio::test]
async fn reconnect_required_is_told_apart_from_not_connected() {
    let app = spawn_app().await;
    app.candidates_with(
        vec![],
        json!([{"source": "todoist", "status": "reconnect_required", "as_of": null}]),
    )
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.degraded_reason, Some(DegradedReason::ReconnectRequired));
}

#[tokio::test]
async fn a_stale_list_still_gives_a_task_marked_stale() {
    let app = spawn_app().await;
    app.candidates_with(
        vec![task("t1", "Old but good", json!({}))],
        json!([{"source": "todoist", "status": "stale", "as_of": "2026-12-01T07:00:00Z"}]),
    )
    .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.title, "Old but good");
    assert!(rec.degraded);
    assert_eq!(rec.degraded_reason, Some(DegradedReason::Stale));
    assert_eq!(
        rec.sources[0].as_of.as_deref(),
        Some("2026-12-01T07:00:00Z")
    );
}

#[tokio::test]
async fn integrations_failing_or_ten_seconds_late_still_answers_within_the_budget() {
    let app = spawn_app().await;
    Mock::given(method("GET"))
        .and(path("/api/integrations/tasks"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(10))
                .set_body_json(json!({"items": [], "sources": []})),
        )
        .mount(&app.integrations)
        .await;
    let started = Instant::now();
    let rec = app.recommend().await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(rec.tip.kind, TipKind::Advice);
    assert_eq!(rec.degraded_reason, Some(DegradedReason::SourcesFailed));

    app.integrations.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/integrations/tasks"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&app.integrations)
        .await;
    let rec = app.recommend().await;
    assert_eq!(rec.tip.kind, TipKind::Advice);
    assert!(rec.degraded);
}

#[tokio::test]
async fn a_task_shown_while_integrations_fails_is_kept_not_rerolled() {
    let app = spawn_app().await;
    app.candidates(vec![
        task("t1", "Keep me", json!({})),
        task("t2", "Or me", json!({})),
    ])
    .await;
    let first = app.recommend().await;
    app.integrations.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/integrations/tasks"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.integrations)
        .await;
    let again = app.recommend().await;
    assert_eq!(again.decision_id, first.decision_id);
    assert_eq!(again.degraded_reason, Some(DegradedReason::Stale));
}

#[tokio::test]
async fn the_users_own_token_and_request_id_reach_integrations() {
    let app = spawn_app().await;
    app.candidates(vec![task("t1", "x", json!({}))]).await;
    let token = app.token();
    let response = app
        .http
        .post(format!("{}/api/recommend", app.base))
        .bearer_auth(&token)
        .header("x-request-id", "req-abc-123")
        .json(&json!({"user_id": app.user}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let calls = app.calls("/api/integrations/tasks").await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].headers["authorization"],
        format!("Bearer {token}").as_str()
    );
    assert_eq!(calls[0].headers["x-request-id"], "req-abc-123");
    let rec: shared_types::recommender::Recommendation = response.json().await.unwrap();
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DecisionStatus::Open);
}

#[tokio::test]
async fn an_experiment_assigns_its_arm_and_records_it() {
    let app = spawn_app_with(&[("RECOMMENDER_EXPERIMENT", "tips-1:salt:urgency=100")]).await;
    app.candidates(vec![
        task(
            "t1",
            "Overdue",
            json!({"due": {"date": day(-3)}, "priority": 4}),
        ),
        task("t2", "Today", json!({"due": {"date": day(0)}})),
    ])
    .await;
    let rec = app.recommend().await;
    let d = app
        .store
        .decision(app.user, rec.decision_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.policy, "urgency");
    assert_eq!(d.experiment.as_deref(), Some("tips-1"));
    assert_eq!(d.bucket.as_deref(), Some("urgency"));
    let candidates = app.store.candidates(d.id).await.unwrap();
    let overdue = candidates
        .iter()
        .find(|c| c.candidate_id == "todoist:t1")
        .unwrap();
    assert!(
        (overdue.probability - (0.8 + 0.1)).abs() < 1e-9,
        "{}",
        overdue.probability
    );
    assert!(
        overdue.score
            > candidates
                .iter()
                .find(|c| c.candidate_id == "todoist:t2")
                .unwrap()
                .score
    );
}

#[tokio::test]
async fn a_reused_tip_says_how_its_source_stands_now_not_when_it_was_drawn() {
    let app = spawn_app().await;
    let items = vec![
        task("t1", "Keep me", json!({})),
        task("t2", "Or me", json!({})),
    ];
    app.candidates(items.clone()).await;
    let first = app.recommend().await;
    assert!(!first.degraded);
    // Todoist fails: integrations still answers its last good list, stale.
    app.candidates_with(
        items.clone(),
        json!([{"source": "todoist", "status": "stale", "as_of": "2026-12-01T07:00:00Z"}]),
    )
    .await;
    let during = app.recommend().await;
    assert_eq!(during.decision_id, first.decision_id);
    assert_eq!(during.degraded_reason, Some(DegradedReason::Stale));
    assert_eq!(
        during.sources[0].as_of.as_deref(),
        Some("2026-12-01T07:00:00Z")
    );
    // Back: the same tip, no longer degraded.
    app.candidates(items).await;
    let after = app.recommend().await;
    assert_eq!(after.decision_id, first.decision_id);
    assert!(!after.degraded, "{after:?}");
}
