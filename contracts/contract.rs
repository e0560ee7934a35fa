//! Pact-style contracts between services, one copy for both sides.
//!
//! A contract file `contracts/<consumer>-<provider>.json` lists the requests
//! a consumer makes and, for each, the parts of the answer it relies on:
//! the status, the headers, and a body whose keys and JSON types the
//! consumer reads (example values; `exact` names the JSON pointers whose
//! values must be equal too). `null` in an expected body means "may be
//! anything, even absent". Strings may hold `{{name}}` placeholders, which
//! each side fills from its own test state (a token, an id); a query or
//! header value `~x` is any value the consumer chooses, and `x` the one
//! the provider is sent.
//!
//! * The consumer's test serves the contract's answers from a wiremock
//!   server (`mock.rs`'s `mount`), points its real client at it, and fails unless
//!   every request it made matched one of the contract's (method, path,
//!   query, headers and body keys) and it used the answer.
//! * The provider's test sends every interaction to its real router
//!   ([`verify`]) and fails unless the answer has everything the consumer
//!   relies on: a provider change that breaks a consumer fails there.
//!
//! Included with `#[path]` by the tests of each side (it needs
//! serde_json, reqwest and wiremock, which every side's tests have).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

// Read from JSON by hand (no serde derive): the root test crate, which
// includes this file too, depends on serde_json only.

#[derive(Debug, Clone)]
pub struct Contract {
    pub consumer: String,
    pub provider: String,
    pub interactions: Vec<Interaction>,
}

#[derive(Debug, Clone)]
pub struct Interaction {
    pub description: String,
    /// The provider state the interaction needs (`a signed-in user`…).
    pub given: Option<String>,
    pub request: Request,
    pub response: Response,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Option<Value>,
    /// JSON pointers into the body whose values must be equal, not only
    /// of the same type.
    pub exact: Vec<String>,
}

fn text(v: &Value, key: &str, what: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: `{key}` is not a string"))
}

/// A map of strings; header names lower-cased (HTTP's are case-blind).
fn strings(v: &Value, key: &str, what: &str) -> Result<BTreeMap<String, String>, String> {
    let Some(found) = v.get(key) else {
        return Ok(BTreeMap::new());
    };
    let map = found
        .as_object()
        .ok_or_else(|| format!("{what}: `{key}` is not an object"))?;
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let v = v
            .as_str()
            .ok_or_else(|| format!("{what}: `{key}.{k}` is not a string"))?;
        let k = if key == "headers" {
            k.to_ascii_lowercase()
        } else {
            k.clone()
        };
        out.insert(k, v.to_owned());
    }
    Ok(out)
}

impl Contract {
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let interactions = v
            .get("interactions")
            .and_then(Value::as_array)
            .ok_or("`interactions` is not an array")?
            .iter()
            .map(Interaction::from_json)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            consumer: text(v, "consumer", "contract")?,
            provider: text(v, "provider", "contract")?,
            interactions,
        })
    }
}

impl Interaction {
    fn from_json(v: &Value) -> Result<Self, String> {
        let description = text(v, "description", "interaction")?;
        let what = description.as_str();
        let req = v.get("request").ok_or(format!("{what}: no request"))?;
        let res = v.get("response").ok_or(format!("{what}: no response"))?;
        Ok(Self {
            given: v.get("given").and_then(Value::as_str).map(str::to_owned),
            request: Request {
                method: text(req, "method", what)?,
                path: text(req, "path", what)?,
                query: strings(req, "query", what)?,
                headers: strings(req, "headers", what)?,
                body: req.get("body").cloned(),
            },
            response: Response {
                status: res
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or(format!("{what}: no status"))?,
                headers: strings(res, "headers", what)?,
                body: res.get("body").cloned(),
                exact: res
                    .get("exact")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            description,
        })
    }
}

/// Placeholder values, `{{name}}` → value.
pub type Vars = BTreeMap<String, String>;

pub fn dir() -> PathBuf {
    // Every includer is a crate two levels under the root (services/x,
    // apps/web) or the root itself.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [here.join("contracts"), here.join("../../contracts")]
        .into_iter()
        .find(|d| d.join("contract.rs").exists())
        .expect("the contracts/ directory")
}

/// Every contract whose provider is `provider`, at least one.
pub fn for_provider(provider: &str) -> Vec<(PathBuf, Contract)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir()).expect("reading contracts/") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let contract = serde_json::from_str(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| Contract::from_json(&v))
            .unwrap_or_else(|e| panic!("{}: not a contract: {e}", path.display()));
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            file,
            format!("{}-{}.json", contract.consumer, contract.provider),
            "a contract file is named <consumer>-<provider>.json"
        );
        if contract.provider == provider {
            found.push((path, contract));
        }
    }
    assert!(
        !found.is_empty(),
        "no contract names {provider} as provider"
    );
    found
}

/// The contract of one consumer with one provider.
pub fn between(consumer: &str, provider: &str) -> Contract {
    let path = dir().join(format!("{consumer}-{provider}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text)
        .map_err(|e| e.to_string())
        .and_then(|v| Contract::from_json(&v))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fill(text: &str, vars: &Vars) -> String {
    let mut out = text.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(
        !out.contains("{{"),
        "a placeholder in {text:?} has no value (given {:?})",
        vars.keys().collect::<Vec<_>>()
    );
    out
}

pub fn fill_json(value: &Value, vars: &Vars) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill_json(v, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What in `actual` falls short of `expected`: a missing key or a value of
/// another JSON type, at its path. Arrays: every element is held to the
/// expected first one.
pub fn shape_errors(expected: &Value, actual: Option<&Value>, at: &str, errors: &mut Vec<String>) {
    let Some(actual) = actual else {
        if !expected.is_null() {
            errors.push(format!("{at}: missing"));
        }
        return;
    };
    match (expected, actual) {
        (Value::Null, _) => {}
        (Value::Object(want), Value::Object(got)) => {
            for (k, v) in want {
                shape_errors(v, got.get(k), &format!("{at}/{k}"), errors);
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if let Some(first) = want.first() {
                for (i, v) in got.iter().enumerate() {
                    shape_errors(first, Some(v), &format!("{at}/{i}"), errors);
                }
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => {}
        (want, got) => errors.push(format!("{at}: expected a value like {want}, got {got}")),
    }
}

/// Why `response` does not give the consumer what `expected` relies on.
pub fn answer_errors(
    expected: &Response,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: Option<&Value>,
    vars: &Vars,
) -> Vec<String> {
    let mut errors = Vec::new();
    if status != expected.status {
        errors.push(format!(
            "status {status}, the consumer relies on {}",
            expected.status
        ));
    }
    for (name, want) in &expected.headers {
        let want = fill(want, vars);
        match headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            Some(got) if got.starts_with(&want) => {}
            got => errors.push(format!("header {name}: {got:?}, expected {want:?}")),
        }
    }
    if let Some(want) = &expected.body {
        let want = fill_json(want, vars);
        shape_errors(&want, body, "body", &mut errors);
        for pointer in &expected.exact {
            let (w, g) = (want.pointer(pointer), body.and_then(|b| b.pointer(pointer)));
            if w != g {
                errors.push(format!(
                    "body{pointer}: {g:?}, the consumer relies on {w:?}"
                ));
            }
        }
    }
    errors
}

/// Provider side: sends the interaction to the provider at `base` and
/// panics, naming the contract, unless the answer holds what the consumer
/// relies on.
pub async fn verify(contract: &Contract, interaction: &Interaction, base: &str, vars: &Vars) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let req = &interaction.request;
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut builder = client.request(method, format!("{base}{}", fill(&req.path, vars)));
    // `~x`: any value the consumer chooses; the provider is sent `x`.
    let query: Vec<(String, String)> = req
        .query
        .iter()
        .map(|(k, v)| (k.clone(), fill(v.strip_prefix('~').unwrap_or(v), vars)))
        .collect();
    builder = builder.query(&query);
    for (k, v) in &req.headers {
        builder = builder.header(k.as_str(), fill(v.strip_prefix('~').unwrap_or(v), vars));
    }
    if let Some(body) = &req.body {
        builder = builder.json(&fill_json(body, vars));
    }
    let response = builder.send().await.expect("the provider answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body: Option<Value> = serde_json::from_str(&text).ok();
    let errors = answer_errors(&interaction.response, status, &headers, body.as_ref(), vars);
    assert!(
        errors.is_empty(),
        "{} breaks the contract {}-{}.json, \"{}\":\n  {}\nits answer: {status} {text}",
        contract.provider,
        contract.consumer,
        contract.provider,
        interaction.description,
        errors.join("\n  ")
    );
}
