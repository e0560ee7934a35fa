//! Contracts (contracts/*.json, see contracts/contract.rs): the recommender
//! as the provider of the event sink's deliveries, verified against the
//! real service; and as the consumer of integrations, its real client
//! served from integrations' contract.

use std::time::Duration;

use recommender::integrations::IntegrationsClient;
use shared_types::integrations::{CompletionKind, ReopenKind};
use uuid::Uuid;

use crate::helpers::spawn_app;

#[path = "../../../../contracts/contract.rs"]
mod contract;
#[path = "../../../../contracts/mock.rs"]
mod contract_mock;

#[tokio::test]
async fn the_recommender_answers_every_request_its_consumers_contracts_describe() {
    for (_, contract) in contract::for_provider("recommender") {
        for interaction in &contract.interactions {
            let app = spawn_app().await;
            let mut vars = contract::Vars::new();
            vars.insert("internal_token".into(), app.internal_token.clone());
            vars.insert("access_token".into(), app.token());
            vars.insert("user_id".into(), app.user.to_string());
            vars.insert("event_id".into(), Uuid::now_v7().to_string());
            match interaction.given.as_deref() {
                None => {}
                Some("the event is stored already") => {
                    // The same interaction's request, sent once before.
                    let first = contract::Interaction {
                        given: None,
                        ..interaction.clone()
                    };
                    contract::verify(&contract, &first, &app.base, &vars).await;
                }
                Some(other) => panic!(
                    "{}-recommender.json needs the state {other:?}, which the recommender's contract test does not set up",
                    contract.consumer
                ),
            }
            contract::verify(&contract, interaction, &app.base, &vars).await;
        }
    }
}

#[tokio::test]
async fn the_recommender_calls_integrations_only_as_the_recommender_integrations_contract_says() {
    let contract = contract::between("recommender", "integrations");
    let integrations = wiremock::MockServer::start().await;
    let decision = Uuid::now_v7();
    let mut vars = contract::Vars::new();
    vars.insert("access_token".into(), "a-users-access-token".into());
    vars.insert("item".into(), "6X7rM8997g3RQmvh".into());
    vars.insert("key".into(), "tap-1".into());
    vars.insert("decision_id".into(), decision.to_string());
    contract_mock::mount(&contract, &integrations, &vars).await;

    let client = IntegrationsClient::new(&integrations.uri());
    let token = "a-users-access-token";
    let candidates = client
        .candidates(token, None, Duration::from_secs(5))
        .await
        .expect("the recommender reads the contract's candidate list");
    assert_eq!(candidates.items.len(), 1);
    assert_eq!(candidates.items[0].subject_id, "6X7rM8997g3RQmvh");
    let done = client
        .complete(
            token,
            None,
            "todoist",
            "6X7rM8997g3RQmvh",
            "tap-1",
            decision,
        )
        .await
        .expect("the recommender reads the contract's completion");
    assert_eq!(done.outcome, CompletionKind::Completed);
    let undone = client
        .reopen(
            token,
            None,
            "todoist",
            "6X7rM8997g3RQmvh",
            "tap-1",
            decision,
            done.previous_due,
        )
        .await
        .expect("the recommender reads the contract's reopen");
    assert_eq!(undone.outcome, ReopenKind::Reopened);
    // Each interaction was matched at least once (wiremock's `expect`); a
    // request outside the contract would have had wiremock's 404 above.
    integrations.verify().await;
}
