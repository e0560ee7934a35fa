//! Contracts (contracts/*.json, see contracts/contract.rs): integrations as
//! the provider of the recommender's calls, verified against the real
//! service and the fake Todoist.

use crate::app::spawn_with_fake;
use crate::helpers::user;
use integrations::connector::CachePolicy;

#[path = "../../../../contracts/contract.rs"]
mod contract;
#[path = "../../../../contracts/mock.rs"]
mod contract_mock;

#[tokio::test]
async fn integrations_answers_every_request_its_consumers_contracts_describe() {
    for (_, contract) in contract::for_provider("integrations") {
        for interaction in &contract.interactions {
            let app = spawn_with_fake(CachePolicy::new(std::time::Duration::from_secs(30))).await;
            let u = user();
            let mut vars = contract::Vars::new();
            vars.insert("access_token".into(), app.token(&u));
            vars.insert("key".into(), "contract-key-1".into());
            vars.insert("decision_id".into(), uuid::Uuid::now_v7().to_string());
            let given = interaction.given.as_deref();
            match given {
                Some("a user with Todoist connected and an open one-off task")
                | Some("a user with Todoist connected and a one-off task completed") => {
                    app.connect_fake(&u, "alice").await;
                    let tasks = app.fake().active_tasks("alice");
                    let task = tasks
                        .iter()
                        .find(|t| {
                            t.parent_id.is_none()
                                && !t.due.as_ref().is_some_and(|d| d.is_recurring)
                                && !tasks.iter().any(|c| c.parent_id.as_ref() == Some(&t.id))
                        })
                        .expect("a one-off task at the fake")
                        .clone();
                    vars.insert("item".into(), task.id.clone());
                    if given == Some("a user with Todoist connected and a one-off task completed") {
                        let done = app.complete(&u, "todoist", &task.id, Some("done-1")).await;
                        assert_eq!(done.status(), 200, "completing the task first");
                    }
                }
                None => {}
                Some(other) => panic!(
                    "{}-integrations.json needs the state {other:?}, which integrations' contract test does not set up",
                    contract.consumer
                ),
            }
            contract::verify(&contract, interaction, &app.base, &vars).await;
        }
    }
}

#[tokio::test]
async fn the_http_event_sink_delivers_only_as_the_events_recommender_contract_says() {
    use platform::events::{EventSink, HttpSink};
    use shared_types::NormalizedEvent;

    let contract = contract::between("events", "recommender");
    let recommender = wiremock::MockServer::start().await;
    let event_id = uuid::Uuid::now_v7();
    let user_id = uuid::Uuid::new_v4();
    let mut vars = contract::Vars::new();
    vars.insert(
        "internal_token".into(),
        "internal-token-for-contracts".into(),
    );
    vars.insert("event_id".into(), event_id.to_string());
    vars.insert("user_id".into(), user_id.to_string());
    contract_mock::mount(&contract, &recommender, &vars).await;

    let sink = HttpSink::new(
        &recommender.uri(),
        secrecy::SecretString::from("internal-token-for-contracts"),
    );
    let event = NormalizedEvent {
        id: event_id,
        user_id,
        source: "todoist".into(),
        kind: "task.completed".into(),
        subject_id: "6X7rM8997g3RQmvh".into(),
        occurred_at: "2026-12-01T21:00:00Z".into(),
        trace_id: None,
        payload: serde_json::json!({ "decision_id": null }),
    };
    // Delivered, then delivered again (a retry after a lost answer): both
    // are successes to the sink.
    sink.emit(event.clone()).await.expect("delivered");
    sink.emit(event).await.expect("delivered again");
    recommender.verify().await;
}
