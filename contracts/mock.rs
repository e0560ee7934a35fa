//! The consumer's side of contracts/contract.rs: a wiremock server that
//! answers only the requests a contract describes, with its example
//! answers. Included with `#[path]` beside contract.rs, as `contract_mock`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::contract::{Contract, Request, Vars, fill, fill_json, shape_errors};

/// Consumer side: the request matcher of one interaction.
pub struct Matches {
    request: Request,
    vars: Vars,
}

impl wiremock::Match for Matches {
    fn matches(&self, got: &wiremock::Request) -> bool {
        let want = &self.request;
        if got.method.as_str() != want.method || got.url.path() != fill(&want.path, &self.vars) {
            return false;
        }
        let query: BTreeMap<String, String> = got.url.query_pairs().into_owned().collect();
        if want.query.iter().any(|(k, v)| {
            !query.contains_key(k) || (!v.starts_with('~') && query[k] != fill(v, &self.vars))
        }) {
            return false;
        }
        for (k, v) in &want.headers {
            let value = got.headers.get(k.as_str()).and_then(|h| h.to_str().ok());
            let ok = match v.strip_prefix('~') {
                Some(_) => value.is_some_and(|v| !v.is_empty()),
                None => value == Some(fill(v, &self.vars).as_str()),
            };
            if !ok {
                return false;
            }
        }
        if let Some(body) = &want.body {
            let Ok(sent) = serde_json::from_slice::<Value>(&got.body) else {
                return false;
            };
            let mut errors = Vec::new();
            shape_errors(
                &fill_json(body, &self.vars),
                Some(&sent),
                "body",
                &mut errors,
            );
            if !errors.is_empty() {
                return false;
            }
        }
        true
    }
}

/// Consumer side: serves every interaction of `contract` (its example
/// answers) on `server`, each expected at least once. A request the
/// contract does not describe gets wiremock's 404. Interactions that differ
/// only in the provider's state (the same request) are one to the consumer:
/// the first is served.
pub async fn mount(contract: &Contract, server: &wiremock::MockServer, vars: &Vars) {
    for (i, interaction) in contract.interactions.iter().enumerate() {
        if contract.interactions[..i]
            .iter()
            .any(|earlier| earlier.request == interaction.request)
        {
            continue;
        }
        let res = &interaction.response;
        let mut template = wiremock::ResponseTemplate::new(res.status);
        for (k, v) in &res.headers {
            template = template.insert_header(k.as_str(), fill(v, vars).as_str());
        }
        if let Some(body) = &res.body {
            template = template.set_body_json(fill_json(body, vars));
        }
        wiremock::Mock::given(Matches {
            request: interaction.request.clone(),
            vars: vars.clone(),
        })
        .respond_with(template)
        .named(format!(
            "{}: {}",
            contract.consumer, interaction.description
        ))
        .expect(1..)
        .mount(server)
        .await;
    }
}
