//! Contracts (contracts/*.json, see contracts/contract.rs): the gateway as
//! the consumer of auth. Auth is a wiremock server that knows only the
//! gateway-auth contract's interactions; the real gateway refreshes a
//! session, checks its token against the contract's JWKS, polls the revoked
//! list and asks about one session through it.

use std::time::Duration;

use gateway::revocation::{RevocationSettings, Revocations, Verdict};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

#[path = "../../../../contracts/contract.rs"]
mod contract;
#[path = "../../../../contracts/mock.rs"]
mod contract_mock;

#[tokio::test]
async fn the_gateway_calls_auth_only_as_the_gateway_auth_contract_says() {
    let contract = contract::between("gateway", "auth");
    let key = TestKey::new("k1", [7u8; 32]);
    let jwk = serde_json::to_value(key.signing_key().public_jwk()).unwrap();
    let fresh = key.token("u1", "s-live");
    let internal = internal_token();
    let mut vars = contract::Vars::new();
    vars.insert("internal_token".into(), internal.clone());
    vars.insert("kid".into(), jwk["kid"].as_str().unwrap().into());
    vars.insert("x".into(), jwk["x"].as_str().unwrap().into());
    vars.insert("refresh_token".into(), "rt-1".into());
    vars.insert("access_token".into(), fresh.clone());
    vars.insert("sid".into(), "s-revoked".into());
    let auth = MockServer::start().await;
    contract_mock::mount(&contract, &auth, &vars).await;
    let profile = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&profile)
        .await;

    let gateway = serve_ready(
        settings([
            ("AUTH_URL", auth.uri()),
            ("PROFILE_URL", profile.uri()),
            ("WEB_URL", profile.uri()),
        ]),
        Duration::from_secs(2),
    )
    .await;
    // A browser with only its refresh cookie: refreshed, checked, forwarded.
    let r = reqwest::Client::new()
        .get(gateway.at("/api/me"))
        .header("cookie", "onetip_rt=rt-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "refreshed with the contract's answer");
    let forwarded = &profile.received_requests().await.unwrap()[0];
    assert_eq!(
        forwarded.headers["authorization"],
        format!("Bearer {fresh}").as_str()
    );

    // With no fresh list, the gateway asks auth about one session.
    let revocations = Revocations::new(
        RevocationSettings {
            poll: Duration::from_secs(3600),
            stale_after: Duration::ZERO,
            page: 100,
        },
        auth.uri(),
        secrecy::SecretString::from(internal),
    );
    assert_eq!(revocations.check("s-revoked").await, Verdict::Revoked);
    gateway.stop();
    auth.verify().await;
}
