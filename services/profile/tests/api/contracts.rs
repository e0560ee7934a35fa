//! Contracts (contracts/*.json, see contracts/contract.rs): profile as the
//! provider of auth's sign-in call, verified against the real service.

use crate::helpers::{INTERNAL_TOKEN, spawn_app};

#[path = "../../../../contracts/contract.rs"]
mod contract;

#[tokio::test]
async fn profile_answers_every_request_its_consumers_contracts_describe() {
    for (_, contract) in contract::for_provider("profile") {
        for interaction in &contract.interactions {
            let app = spawn_app().await;
            let mut vars = contract::Vars::new();
            vars.insert("internal_token".into(), INTERNAL_TOKEN.into());
            if let Some(state) = &interaction.given {
                panic!(
                    "{}-profile.json needs the state {state:?}, which profile's contract test does not set up",
                    contract.consumer
                );
            }
            contract::verify(&contract, interaction, &app.base, &vars).await;
        }
    }
}
