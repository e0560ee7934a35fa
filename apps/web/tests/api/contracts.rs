//! Contracts (contracts/*.json, see contracts/contract.rs): web as the
//! consumer of the gateway's API. The gateway is a wiremock server that
//! knows only the web-gateway contract's interactions; the real web renders
//! the tip page from them and passes a tap on as done.

use crate::helpers::{TOKEN, spawn_app, tag_with};

#[path = "../../../../contracts/contract.rs"]
mod contract;
#[path = "../../../../contracts/mock.rs"]
mod contract_mock;

const USER_ID: &str = "0191f6b8-0000-7000-8000-000000000001";
const DECISION: &str = "0193a000-0000-7000-8000-0000000000c1";

/// The value of the hidden field `name` in the form `form_id`.
fn field(html: &str, form_id: &str, name: &str) -> String {
    let start = html.find(&format!("id=\"{form_id}\"")).expect("the form");
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let marker = format!("name=\"{name}\" value=\"");
    let at = form.find(&marker).expect("the field") + marker.len();
    form[at..at + form[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn web_calls_the_gateway_only_as_the_web_gateway_contract_says() {
    let contract = contract::between("web", "gateway");
    let gateway = wiremock::MockServer::start().await;
    let mut vars = contract::Vars::new();
    vars.insert("access_token".into(), TOKEN.into());
    vars.insert("user_id".into(), USER_ID.into());
    vars.insert("decision_id".into(), DECISION.into());
    contract_mock::mount(&contract, &gateway, &vars).await;
    let app = spawn_app(&gateway.uri()).await;

    let page = app.get_as("/", TOKEN).await;
    assert_eq!(page.status, 200);
    let seen: Vec<String> = gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?}",
                r.method,
                r.url.path(),
                String::from_utf8_lossy(&r.body)
            )
        })
        .collect();
    assert!(
        page.body.contains("Call the plumber"),
        "the page shows the contract's tip; web asked the gateway {seen:?}"
    );
    let tag = tag_with(&page.body, "id=\"done-form\"");
    let at = tag.find("action=\"").unwrap() + 8;
    let action = &tag[at..at + tag[at..].find('"').unwrap()];
    let csrf = field(&page.body, "done-form", "csrf");
    let key = field(&page.body, "done-form", "key");
    let done = app
        .post_form(action, Some(TOKEN), &[("csrf", &csrf), ("key", &key)])
        .await;
    assert_eq!(done.status, 303, "done, with the contract's answer");
    assert_eq!(done.headers["location"], "/");
    // Each interaction was matched at least once (wiremock's `expect`); a
    // request outside the contract would have had wiremock's 404.
    gateway.verify().await;
}
