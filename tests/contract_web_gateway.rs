//! Contracts (contracts/*.json, see contracts/contract.rs): the gateway's
//! API as the provider of web's calls, verified against the real fleet
//! (the `onetip` binary): what web relies on from `/api/*` is what the
//! gateway and the services behind it answer.

mod common;

use common::{FleetProcess, Session};
use platform::testing::TestDatabase;

#[path = "../contracts/contract.rs"]
mod contract;

#[tokio::test]
async fn the_gateway_answers_every_request_webs_contract_describes() {
    let db = TestDatabase::new().await;
    let mut extra = Vec::new();
    if db.is_postgres() {
        extra.push(("DATABASE_URL", db.url().to_owned()));
    }
    let fleet = FleetProcess::start(&extra).await;
    for (_, contract) in contract::for_provider("gateway") {
        for (i, interaction) in contract.interactions.iter().enumerate() {
            // A user of their own per interaction: nothing one leaves
            // behind (a done tip) changes what the next one sees.
            let session = Session::connected(&fleet, &format!("contract-{i}@example.test")).await;
            let access = session
                .cookies
                .split("; ")
                .find_map(|c| c.strip_prefix("onetip_at="))
                .expect("an access cookie")
                .to_owned();
            let mut vars = contract::Vars::new();
            vars.insert("access_token".into(), access.clone());
            vars.insert("user_id".into(), session.id.clone());
            vars.insert("decision_id".into(), "example".into());
            match interaction.given.as_deref() {
                Some("a signed-in user with Todoist connected") => {}
                Some("a signed-in user with a tip drawn") => {
                    let drawn: serde_json::Value = reqwest::Client::new()
                        .post(format!("{}/api/recommend", fleet.gateway))
                        .bearer_auth(&access)
                        .json(&serde_json::json!({ "user_id": session.id }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    let id = drawn["decision_id"].as_str().expect("a decision");
                    vars.insert("decision_id".into(), id.to_owned());
                }
                None => {}
                Some(other) => panic!(
                    "{}-gateway.json needs the state {other:?}, which the gateway's contract test does not set up",
                    contract.consumer
                ),
            }
            contract::verify(&contract, interaction, &fleet.gateway, &vars).await;
        }
    }
}
