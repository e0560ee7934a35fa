//! The production profile as Compose merges it over the main file: our
//! containers talk to the real Todoist and Google, never to the sandbox or
//! to plain-HTTP addresses outside Compose's network.

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

/// The merged services' environments, with nothing but the secrets set.
fn production_environments() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut command = Command::new("docker-compose");
    command.current_dir(root()).args([
        "-f",
        "docker-compose.yml",
        "-f",
        "docker/compose.production.yml",
        "config",
    ]);
    for name in [
        "TODOIST_AUTH_URL",
        "TODOIST_TOKEN_URL",
        "TODOIST_API_URL",
        "GOOGLE_ISSUER_URL",
    ] {
        command.env_remove(name);
    }
    for (k, v) in SECRETS {
        command.env(k, v);
    }
    let output = run(&mut command, INSTALL_COMPOSE);
    assert_success(&output, "docker-compose config on the production profile");
    let doc: Value = serde_yaml::from_slice(&output.stdout).unwrap();
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
