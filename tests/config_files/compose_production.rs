//! The production profile as Compose merges it over the main file: our
//! containers talk to the real Todoist and Google, never to the sandbox or
//! to plain-HTTP addresses outside Compose's network, and the sandbox is
//! not started at all; a plain `docker compose up` (which also reads the
//! development-only docker-compose.override.yml) has it.

use std::collections::BTreeMap;
use std::process::Command;

use serde_yaml::Value;

use crate::tools::{INSTALL_COMPOSE, assert_success, root, run};

/// Every production secret, set to something, as an operator's env file would.
const SECRETS: [(&str, &str); 11] = [
    ("PUBLIC_URL", "https://onetip.example"),
    ("INTERNAL_API_TOKEN", "x"),
    ("POSTGRES_PASSWORD", "x"),
    ("ONETIP_DB_PASSWORD", "x"),
    ("JWT_SIGNING_KEYS", "x"),
    ("GOOGLE_CLIENT_ID", "x"),
    ("GOOGLE_CLIENT_SECRET", "x"),
    ("TOKEN_VAULT_KEYS", "x"),
    ("TODOIST_CLIENT_ID", "x"),
    ("TODOIST_CLIENT_SECRET", "x"),
    ("WEB_CSRF_KEY", "x"),
];

/// `docker-compose config` of `files` with nothing set but the secrets, or,
/// with no files, what a plain `docker compose up` reads with nothing set.
fn merged(files: &[&str]) -> Value {
    let mut command = Command::new("docker-compose");
    command.current_dir(root());
    for file in files {
        command.args(["-f", file]);
    }
    command.arg("config");
    for name in [
        "TODOIST_CLIENT_ID",
        "TODOIST_AUTH_URL",
        "TODOIST_TOKEN_URL",
        "TODOIST_API_URL",
        "GOOGLE_ISSUER_URL",
    ] {
        command.env_remove(name);
    }
    if !files.is_empty() {
        for (k, v) in SECRETS {
            command.env(k, v);
        }
    }
    let output = run(&mut command, INSTALL_COMPOSE);
    assert_success(&output, &format!("docker-compose config on {files:?}"));
    serde_yaml::from_slice(&output.stdout).unwrap()
}

/// The production command's files.
const PRODUCTION: [&str; 2] = ["docker-compose.yml", "docker/compose.production.yml"];

/// The merged services' environments, with nothing but the secrets set.
fn production_environments() -> BTreeMap<String, BTreeMap<String, String>> {
    let doc = merged(&PRODUCTION);
    doc["services"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(name, spec)| {
            let env = spec["environment"]
                .as_mapping()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let v = match v {
                                Value::String(s) => s.clone(),
                                Value::Null => String::new(),
                                other => serde_yaml::to_string(other).unwrap().trim().to_owned(),
                            };
                            (k.as_str().unwrap().to_owned(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            (name.as_str().unwrap().to_owned(), env)
        })
        .collect()
}

/// Every service that names `target`: in its environment, its dependencies
/// or its links.
fn services_pointing_at(doc: &Value, target: &str) -> Vec<String> {
    doc["services"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, spec)| {
            ["environment", "depends_on", "links", "external_links"]
                .iter()
                .filter_map(|key| spec.get(*key))
                .any(|v| serde_yaml::to_string(v).unwrap().contains(target))
        })
        .map(|(name, _)| name.as_str().unwrap().to_owned())
        .collect()
}

fn published(doc: &Value) -> BTreeMap<String, usize> {
    doc["services"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter_map(|(name, spec)| {
            let ports = spec.get("ports")?.as_sequence()?.len();
            (ports > 0).then(|| (name.as_str().unwrap().to_owned(), ports))
        })
        .collect()
}

#[test]
fn the_production_command_starts_no_sandbox_and_publishes_only_the_gateway() {
    let doc = merged(&PRODUCTION);
    let services = doc["services"].as_mapping().unwrap();
    assert!(
        !services.contains_key("todoist-sandbox"),
        "the production command starts the sandbox Todoist"
    );
    assert_eq!(
        services_pointing_at(&doc, "todoist-sandbox"),
        Vec::<String>::new(),
        "services that still name the sandbox in production"
    );
    assert_eq!(
        published(&doc),
        BTreeMap::from([("gateway".to_owned(), 1)]),
        "in production only the gateway is published (for Caddy on the host)"
    );
}

#[test]
fn a_plain_docker_compose_up_runs_the_sandbox_and_sends_integrations_to_it() {
    let doc = merged(&[]);
    let sandbox = &doc["services"]["todoist-sandbox"];
    assert!(
        sandbox.is_mapping(),
        "`docker compose up` has no todoist-sandbox: is docker-compose.override.yml there?"
    );
    assert_eq!(sandbox["command"][0].as_str(), Some("todoist-fake"));
    let integrations = &doc["services"]["integrations"];
    assert_eq!(
        integrations["depends_on"]["todoist-sandbox"]["condition"].as_str(),
        Some("service_healthy"),
        "integrations waits for the sandbox"
    );
    for (name, want) in [
        (
            "TODOIST_TOKEN_URL",
            "http://todoist-sandbox:8090/oauth/access_token",
        ),
        ("TODOIST_API_URL", "http://todoist-sandbox:8090/api/v1"),
        ("TODOIST_AUTH_URL", "http://localhost:8090/oauth/authorize"),
    ] {
        assert_eq!(
            integrations["environment"][name].as_str(),
            Some(want),
            "{name}"
        );
    }
    assert_eq!(
        doc["services"]["web"]["environment"]["TODOIST_AUTH_URL"].as_str(),
        Some("http://localhost:8090/oauth/authorize"),
        "web's connect form leads to the sandbox's published consent page"
    );
    assert_eq!(
        published(&doc).get("todoist-sandbox"),
        Some(&1),
        "the browser reaches the sandbox's consent page"
    );
}

#[test]
fn the_production_profile_sends_integrations_and_web_to_todoist_itself_not_the_sandbox() {
    let envs = production_environments();
    let integrations = &envs["integrations"];
    for (name, want) in [
        ("TODOIST_AUTH_URL", "https://todoist.com/oauth/authorize"),
        (
            "TODOIST_TOKEN_URL",
            "https://todoist.com/oauth/access_token",
        ),
        ("TODOIST_API_URL", "https://api.todoist.com/api/v1"),
    ] {
        assert_eq!(
            integrations.get(name).map(String::as_str),
            Some(want),
            "integrations' {name} in production"
        );
    }
    assert_eq!(
        envs["web"].get("TODOIST_AUTH_URL").map(String::as_str),
        Some("https://todoist.com/oauth/authorize"),
        "web's form leads to Todoist's own consent page in production"
    );
    assert_eq!(
        envs["auth"].get("GOOGLE_ISSUER_URL").map(String::as_str),
        Some("https://accounts.google.com")
    );
    for service in [
        "gateway",
        "auth",
        "profile",
        "integrations",
        "recommender",
        "web",
    ] {
        for (name, value) in &envs[service] {
            assert!(
                !value.contains("todoist-sandbox") && !value.contains("localhost:8090"),
                "{service}: {name}={value} points at the sandbox Todoist in production"
            );
        }
    }
}
