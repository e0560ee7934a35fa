//! Contracts (contracts/*.json, see contracts/contract.rs): auth as the
//! provider of the gateway's calls, verified against the real service; and
//! auth as the consumer of profile, its sign-in served from profile's
//! contract.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::helpers::{INTERNAL_TOKEN, spawn_app, spawn_with};

#[path = "../../../../contracts/contract.rs"]
mod contract;
#[path = "../../../../contracts/mock.rs"]
mod contract_mock;

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn auth_answers_every_request_its_consumers_contracts_describe() {
    for (_, contract) in contract::for_provider("auth") {
        for interaction in &contract.interactions {
            // A fresh auth per interaction, in the state it is given.
            let app = spawn_app().await;
            let mut vars = contract::Vars::new();
            vars.insert("internal_token".into(), INTERNAL_TOKEN.into());
            // Example values of the answers: only their types are checked.
            for name in ["kid", "x", "access_token"] {
                vars.insert(name.into(), "example".into());
            }
            match interaction.given.as_deref() {
                None => {}
                Some("a signed-in session") => {
                    let s = app.sign_in().await;
                    vars.insert("refresh_token".into(), s.rt.clone());
                    vars.insert("sid".into(), claims(&s.at)["sid"].as_str().unwrap().into());
                }
                Some("a revoked session") => {
                    let s = app.sign_in().await;
                    vars.insert("sid".into(), claims(&s.at)["sid"].as_str().unwrap().into());
                    let out = app
                        .client
                        .post(format!("{}/auth/logout", app.base))
                        .header("cookie", format!("onetip_at={}; onetip_rt={}", s.at, s.rt))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(out.status(), 204, "signing out");
                }
                Some(other) => panic!(
                    "{}-auth.json needs the state {other:?}, which auth's contract test does not set up",
                    contract.consumer
                ),
            }
            contract::verify(&contract, interaction, &app.base, &vars).await;
        }
    }
}

#[tokio::test]
async fn auth_signs_in_through_profile_only_as_the_auth_profile_contract_says() {
    let contract = contract::between("auth", "profile");
    let profile = wiremock::MockServer::start().await;
    let mut vars = contract::Vars::new();
    vars.insert("internal_token".into(), INTERNAL_TOKEN.into());
    contract_mock::mount(&contract, &profile, &vars).await;
    let app = spawn_with(false, &[("PROFILE_URL", profile.uri().as_str())]).await;
    let r = app
        .client
        .post(format!("{}/auth/dev/signin", app.base))
        .form(&[("email", "ada@example.test"), ("name", "Ada")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed in with the contract's answer");
    let at = crate::helpers::signed(&r).at;
    let id = contract.interactions[0].response.body.as_ref().unwrap()["id"].clone();
    assert_eq!(
        claims(&at)["sub"],
        id,
        "the access token's sub is the id profile answered"
    );
    // Every interaction was used at least once (wiremock checks `expect`),
    // and no request fell outside the contract.
    let stray: Vec<_> = profile
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() != "/internal/users")
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert!(
        stray.is_empty(),
        "requests the contract does not describe: {stray:?}"
    );
    profile.verify().await;
}
