//! `docker-compose.yml`: every container is health-checked and started in
//! order, and our containers set only what the code reads and listen where
//! the others reach them.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use platform::Env;
use platform::config::ServiceName;
use serde_yaml::Value;

use crate::tools::{INSTALL_COMPOSE, assert_success, read, root, run};

/// The files a plain `docker compose up` reads, in order: the main file and
/// its development-only override.
pub const DEFAULT_FILES: [&str; 2] = ["docker-compose.yml", "docker-compose.override.yml"];

/// One file's services, by name, with `<<` merges applied.
fn services_of(file: &str) -> BTreeMap<String, Value> {
    let mut doc: Value =
        serde_yaml::from_str(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    doc.apply_merge()
        .unwrap_or_else(|e| panic!("{file}: merges (<<) apply: {e}"));
    let services = doc["services"]
        .as_mapping()
        .unwrap_or_else(|| panic!("{file} has services"));
    services
        .iter()
        .map(|(k, v)| (k.as_str().expect("service names").to_owned(), v.clone()))
        .collect()
}

/// `over` laid on `base` the way Compose merges a service of an override:
/// mappings key by key, `ports` and `expose` added up, anything else replaced.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Mapping(base), Value::Mapping(over)) => {
            for (key, value) in over {
                let concatenated = matches!(key.as_str(), Some("ports" | "expose"));
                match base.get_mut(key) {
                    Some(Value::Sequence(mine)) if concatenated => {
                        mine.extend(value.as_sequence().cloned().unwrap_or_default());
                    }
                    Some(mine) if mine.is_mapping() && value.is_mapping() => merge(mine, value),
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// The services of the default run (`docker compose up`: docker-compose.yml
/// with docker-compose.override.yml over it), unresolved (`${X:-d}` kept).
pub fn services() -> BTreeMap<String, Value> {
    let mut services = BTreeMap::new();
    for file in DEFAULT_FILES {
        for (name, spec) in services_of(file) {
            match services.get_mut(&name) {
                Some(base) => merge(base, &spec),
                None => {
                    services.insert(name, spec);
                }
            }
        }
    }
    services
}

/// Our containers: the ones built from our Dockerfile.
pub fn ours() -> BTreeMap<String, Value> {
    let ours: BTreeMap<_, _> = services()
        .into_iter()
        .filter(|(_, spec)| spec.get("build").is_some())
        .collect();
    assert!(
        !ours.is_empty(),
        "no container is built from our Dockerfile"
    );
    ours
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// A container's `environment`, in either of Compose's two spellings.
fn environment(spec: &Value) -> BTreeMap<String, String> {
    match spec.get("environment") {
        Some(Value::Mapping(m)) => m.iter().map(|(k, v)| (scalar(k), scalar(v))).collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                let item = scalar(item);
                let (k, v) = item.split_once('=').unwrap_or((&item, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// A value as Compose would pass it with nothing set: `${X:-default}` gives
/// the default, `${X}` nothing, `$$` a dollar.
fn interpolate(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
        } else if let Some(inner) = rest.strip_prefix('{') {
            let end = inner
                .find('}')
                .expect("an unclosed ${ in docker-compose.yml");
            let expr = &inner[..end];
            if let Some((_, default)) = expr.split_once(":-").or_else(|| expr.split_once('-')) {
                out.push_str(default);
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
        }
    }
    out.push_str(rest);
    out
}

/// The program a container runs: its `command`, else the image's (`onetip`).
fn program(spec: &Value) -> String {
    match spec.get("command") {
        Some(Value::Sequence(args)) => scalar(&args[0]),
        Some(Value::String(line)) => line.split_whitespace().next().unwrap_or("").to_owned(),
        _ => "onetip".to_owned(),
    }
}

/// Every variable `program`'s configuration reads, by default and with the
/// container's own environment (which may switch reads on).
fn names_read_by(program: &str, container_env: &BTreeMap<String, String>) -> BTreeSet<String> {
    let given = container_env
        .iter()
        .map(|(k, v)| (k.clone(), interpolate(v)));
    let mut names = BTreeSet::new();
    for env in [Env::default(), Env::from_pairs(given)] {
        match program {
            "onetip" => {
                let _ = onetip::FleetSettings::from_env(&env);
                names.extend(onetip::variables_read());
            }
            "onetip-gateway" => drop(gateway::Settings::from_env(&env)),
            "onetip-auth" => drop(auth::Settings::from_env(&env)),
            "onetip-profile" => drop(profile::Settings::from_env(&env)),
            "onetip-integrations" => drop(integrations::Settings::from_env(&env)),
            "onetip-recommender" => drop(recommender::Settings::from_env(&env)),
            "onetip-web" => drop(web::Settings::from_env(&env)),
            "todoist-fake" => {
                let _ = platform::CommonSettings::from_env(&env);
                let _ = todoist_fake::FakeConfig::from_env(&env);
                let _ = todoist_fake::addr(&env);
            }
            other => panic!("a container runs `{other}`, unknown to this test: add it here"),
        }
        names.extend(env.names_read());
    }
    names
}

/// The one `*_ADDR` a container sets, and the port in it.
fn listen_port(name: &str, spec: &Value) -> (String, u16) {
    let addrs: Vec<_> = environment(spec)
        .into_iter()
        .filter(|(k, _)| k.ends_with("_ADDR"))
        .collect();
    let [(var, value)] = addrs.as_slice() else {
        panic!("{name}: expected exactly one *_ADDR variable, found {addrs:?}");
    };
    let (host, port) = value
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{name}: {var}={value} is not host:port"));
    assert_eq!(
        host, "0.0.0.0",
        "{name}: {var} must listen on every interface"
    );
    (var.clone(), port.parse().expect("a port number"))
}

/// Container-side ports from `expose` and `ports`.
fn exposed_ports(spec: &Value) -> BTreeSet<u16> {
    let listed = |key: &str| spec.get(key).and_then(Value::as_sequence).cloned();
    let expose = listed("expose").unwrap_or_default().into_iter();
    let published = listed("ports").unwrap_or_default().into_iter();
    expose
        .chain(published)
        .filter_map(|p| {
            let p = scalar(&p);
            let container_side = p.rsplit(':').next().unwrap_or(&p).to_owned();
            container_side.split('/').next()?.parse().ok()
        })
        .collect()
}

fn healthcheck_command(spec: &Value) -> Option<String> {
    let test = spec.get("healthcheck")?.get("test")?;
    match test {
        Value::Sequence(args) => Some(args.iter().map(scalar).collect::<Vec<_>>().join(" ")),
        other => Some(scalar(other)),
    }
}

#[test]
fn every_container_has_a_health_check() {
    for (name, spec) in services() {
        let disabled = spec["healthcheck"]["disable"].as_bool() == Some(true);
        let command = healthcheck_command(&spec).unwrap_or_default();
        assert!(
            !disabled && !command.trim().is_empty() && command.trim() != "NONE",
            "{name} has no health check"
        );
    }
}

#[test]
fn every_dependency_is_waited_for_until_it_is_healthy() {
    let services = services();
    for (name, spec) in &services {
        let Some(depends_on) = spec.get("depends_on") else {
            continue;
        };
        let depends_on = depends_on.as_mapping().unwrap_or_else(|| {
            panic!("{name}: depends_on must be a mapping with `condition: service_healthy`")
        });
        for (dependency, how) in depends_on {
            let dependency = scalar(dependency);
            assert!(
                services.contains_key(&dependency),
                "{name} depends on {dependency}, which is not a service"
            );
            assert_eq!(
                how["condition"].as_str(),
                Some("service_healthy"),
                "{name} must wait for {dependency} to be healthy"
            );
        }
    }
}

#[test]
fn there_is_a_container_for_every_service_of_the_fleet() {
    let programs: BTreeSet<_> = ours().values().map(program).collect();
    for service in ServiceName::ALL {
        let binary = format!("onetip-{}", service.as_str());
        assert!(programs.contains(&binary), "no container runs {binary}");
    }
}

#[test]
fn our_containers_set_only_variables_the_code_reads() {
    let fleet = onetip::variables_read();
    for (name, spec) in ours() {
        let env = environment(&spec);
        let program = program(&spec);
        let by_program = names_read_by(&program, &env);
        for var in env.keys() {
            assert!(
                fleet.contains(var),
                "{name} sets {var}, which no configuration reads"
            );
            assert!(
                by_program.contains(var),
                "{name} sets {var}, which {program} does not read"
            );
        }
    }
}

#[test]
fn each_of_our_containers_exposes_and_checks_the_port_it_listens_on() {
    for (name, spec) in ours() {
        let (var, port) = listen_port(&name, &spec);
        assert!(
            exposed_ports(&spec).contains(&port),
            "{name} listens on {port} ({var}) but neither exposes nor publishes it"
        );
        let check = healthcheck_command(&spec).unwrap_or_default();
        assert!(
            check.contains(&format!("/{port}")) || check.contains(&format!(":{port}")),
            "{name}'s health check does not ask port {port}: {check}"
        );
    }
}

#[test]
fn service_urls_reach_the_container_that_listens_there() {
    let ours = ours();
    // `AUTH` → ("auth", 8081): who sets AUTH_ADDR, and on which port.
    let listeners: BTreeMap<String, (String, u16)> = ours
        .iter()
        .map(|(name, spec)| {
            let (var, port) = listen_port(name, spec);
            let prefix = var.trim_end_matches("_ADDR").to_owned();
            (prefix, (name.clone(), port))
        })
        .collect();
    for (name, spec) in &ours {
        for (var, url) in environment(spec) {
            let Some(prefix) = var.strip_suffix("_URL") else {
                continue;
            };
            let Some((target, port)) = listeners.get(prefix) else {
                continue;
            };
            assert_eq!(
                url,
                format!("http://{target}:{port}"),
                "{name}: {var} must reach the {target} container"
            );
        }
    }
}

#[test]
fn every_service_url_a_container_reads_is_set_not_left_to_its_localhost_default() {
    // Inside a container 127.0.0.1 is the container itself: a service that
    // reads AUTH_URL and is not told it cannot reach auth at all.
    let ours = ours();
    let prefixes: BTreeSet<String> = ours
        .iter()
        .map(|(name, spec)| {
            listen_port(name, spec)
                .0
                .trim_end_matches("_ADDR")
                .to_owned()
        })
        .collect();
    for (name, spec) in &ours {
        let env = environment(spec);
        let own = listen_port(name, spec)
            .0
            .trim_end_matches("_ADDR")
            .to_owned();
        for var in names_read_by(&program(spec), &env) {
            let Some(prefix) = var.strip_suffix("_URL") else {
                continue;
            };
            if prefix == own || !prefixes.contains(prefix) {
                continue;
            }
            assert!(
                env.contains_key(&var),
                "{name} reads {var} but the compose file does not set it"
            );
        }
    }
}

#[test]
fn docker_compose_accepts_the_compose_files() {
    for last in 1..=DEFAULT_FILES.len() {
        let mut command = Command::new("docker-compose");
        command.current_dir(root());
        for file in &DEFAULT_FILES[..last] {
            command.args(["-f", file]);
        }
        command.args(["config", "-q"]);
        let output = run(&mut command, INSTALL_COMPOSE);
        assert_success(
            &output,
            &format!("docker-compose config -q on {:?}", &DEFAULT_FILES[..last]),
        );
    }
}

#[test]
fn this_tests_merge_of_the_override_is_the_one_docker_compose_makes() {
    let mut command = Command::new("docker-compose");
    command.current_dir(root()).arg("config");
    let output = run(&mut command, INSTALL_COMPOSE);
    assert_success(&output, "docker-compose config (the default run)");
    let doc: Value = serde_yaml::from_slice(&output.stdout).unwrap();
    let resolved = doc["services"].as_mapping().unwrap();
    let ours = services();
    let names = |m: Option<&serde_yaml::Mapping>| -> BTreeSet<String> {
        m.map(|m| m.keys().map(scalar).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        names(Some(resolved)),
        ours.keys().cloned().collect(),
        "the services of `docker compose up`"
    );
    for (name, spec) in &ours {
        let theirs = &resolved[name.as_str()];
        for key in ["environment", "depends_on"] {
            assert_eq!(
                names(theirs.get(key).and_then(Value::as_mapping)),
                names(spec.get(key).and_then(Value::as_mapping)),
                "{name}'s {key}"
            );
        }
        let count = |v: &Value| {
            v.get("ports")
                .and_then(Value::as_sequence)
                .map_or(0, Vec::len)
        };
        assert_eq!(count(theirs), count(spec), "{name}'s published ports");
    }
}

#[test]
fn compose_interpolation_is_read_the_way_compose_reads_it() {
    assert_eq!(interpolate("${A:-x}/${B}-$$c"), "x/-$c");
    assert_eq!(
        interpolate("postgres://u:${P:-dev}@db/x"),
        "postgres://u:dev@db/x"
    );
}

#[test]
fn published_ports_bind_to_loopback_unless_the_operator_says_otherwise() {
    for (name, spec) in services() {
        let ports = spec
            .get("ports")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        for port in ports {
            let raw = scalar(&port);
            assert!(
                interpolate(&raw).starts_with("127.0.0.1:"),
                "{name} publishes {raw} beyond 127.0.0.1 by default"
            );
        }
    }
    let gateway = &services()["gateway"];
    let published = scalar(&gateway["ports"][0]);
    assert!(
        published.starts_with("${GATEWAY_PUBLISH_ADDR:-127.0.0.1}:"),
        "the operator can publish the gateway wider: {published}"
    );
}

/// `docker/compose.production.yml`'s services, with `<<` merges applied.
fn production_services() -> BTreeMap<String, Value> {
    let mut doc: Value = serde_yaml::from_str(&read("docker/compose.production.yml"))
        .expect("docker/compose.production.yml is YAML");
    doc.apply_merge().expect("merges apply");
    doc["services"]
        .as_mapping()
        .expect("services")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

#[test]
fn the_production_profile_sets_app_env_production_and_requires_its_secrets() {
    let production = production_services();
    for name in ours().keys().filter(|n| *n != "todoist-sandbox") {
        let spec = production
            .get(name)
            .unwrap_or_else(|| panic!("the production profile leaves {name} out"));
        let env = environment(spec);
        assert_eq!(
            env.get("APP_ENV").map(String::as_str),
            Some("production"),
            "{name}"
        );
        let internal = name != "web";
        for secret in ["PUBLIC_URL", "INTERNAL_API_TOKEN"]
            .iter()
            .filter(|s| internal || **s == "PUBLIC_URL")
        {
            let value = env.get(*secret).map(String::as_str).unwrap_or_default();
            assert!(
                value.contains(":?"),
                "{name}: {secret} must be required, not defaulted: {value}"
            );
        }
    }
    let auth = environment(&production["auth"]);
    for secret in [
        "JWT_SIGNING_KEYS",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
    ] {
        assert!(auth[secret].contains(":?"), "auth: {secret}");
    }
    assert!(
        environment(&production["web"])["WEB_CSRF_KEY"].contains(":?"),
        "web: WEB_CSRF_KEY"
    );
    let integrations = environment(&production["integrations"]);
    for secret in [
        "TOKEN_VAULT_KEYS",
        "TODOIST_CLIENT_ID",
        "TODOIST_CLIENT_SECRET",
    ] {
        assert!(
            integrations[secret].contains(":?"),
            "integrations: {secret}"
        );
    }
    // Every variable it sets is one the container's code reads.
    for (name, spec) in &production {
        let Some(base) = ours().get(name).cloned() else {
            continue;
        };
        let mut env = environment(&base);
        env.extend(environment(spec));
        let read = names_read_by(&program(&base), &env);
        for var in environment(spec).keys() {
            assert!(
                read.contains(var),
                "{name} sets {var}, which it never reads"
            );
        }
    }
}

#[test]
fn every_database_role_has_a_connection_limit() {
    let init = read("docker/postgres/init.sh");
    let roles: Vec<&str> = init
        .lines()
        .filter(|l| l.trim_start().starts_with("CREATE ROLE"))
        .collect();
    assert_eq!(roles.len(), 5, "gateway and the four data-owning services");
    for role in roles {
        assert!(role.contains("CONNECTION LIMIT"), "{role}");
    }
}

#[test]
fn docker_compose_refuses_the_production_profile_without_its_secrets() {
    let secrets = [
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
    let config = |without: Option<&str>| {
        let mut command = Command::new("docker-compose");
        command.current_dir(root()).args([
            "-f",
            "docker-compose.yml",
            "-f",
            "docker/compose.production.yml",
            "config",
            "-q",
        ]);
        for (k, v) in secrets {
            command.env_remove(k);
            if Some(k) != without {
                command.env(k, v);
            }
        }
        run(&mut command, INSTALL_COMPOSE)
    };
    assert_success(&config(None), "the production profile with every secret");
    for (name, _) in secrets {
        let output = config(Some(name));
        assert!(!output.status.success(), "started without {name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
}
