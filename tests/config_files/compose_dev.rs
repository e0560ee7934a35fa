//! `docker-compose.dev.yml`, the development override with hot reload:
//! Compose accepts it over the main file, and every one of our containers
//! then runs `cargo watch` on the mounted source, watching every workspace
//! crate its binary is built from, building into the one shared target
//! volume.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value as Json;
use serde_yaml::Value;

use crate::tools::{INSTALL_COMPOSE, assert_success, read, root, run};

/// The main file, its development-only override (the sandbox Todoist) and
/// the hot-reload file, as the README's command names them.
const FILES: [&str; 3] = [
    "docker-compose.yml",
    "docker-compose.override.yml",
    "docker-compose.dev.yml",
];

fn compose(args: &[&str]) -> std::process::Output {
    let mut command = Command::new("docker-compose");
    command.current_dir(root());
    for file in FILES {
        command.args(["-f", file]);
    }
    command.args(args);
    run(&mut command, INSTALL_COMPOSE)
}

/// The services as Compose merges the two files.
fn merged() -> BTreeMap<String, Value> {
    let output = compose(&["config"]);
    assert_success(&output, "docker-compose config over the dev override");
    let doc: Value = serde_yaml::from_slice(&output.stdout).expect("compose prints YAML");
    doc["services"]
        .as_mapping()
        .expect("services")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.clone()))
        .collect()
}

/// Our containers: the default run's services built from our Dockerfile,
/// with the binary each runs there.
fn ours() -> BTreeMap<String, String> {
    crate::compose::ours()
        .into_iter()
        .map(|(name, spec)| {
            let binary = spec["command"][0].as_str().unwrap_or("onetip").to_owned();
            (name, binary)
        })
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Workspace package name → (its directory relative to the root, the
/// workspace packages it depends on outside dev-dependencies, its binaries).
type Packages = BTreeMap<String, (String, BTreeSet<String>, BTreeSet<String>)>;

fn workspace_packages() -> Packages {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root())
        .output()
        .expect("cargo metadata");
    assert_success(&out, "cargo metadata");
    let meta: Json = serde_json::from_slice(&out.stdout).unwrap();
    let root = root().canonicalize().unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let manifest = std::path::Path::new(p["manifest_path"].as_str().unwrap());
            let dir = manifest
                .parent()
                .unwrap()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["path"].is_string() && d["kind"].as_str() != Some("dev"))
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            let bins = p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), (dir, deps, bins))
        })
        .collect()
}

/// The directories `package` is built from: its own and, transitively,
/// every workspace crate it depends on.
fn source_dirs(packages: &Packages, package: &str) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    let mut todo = vec![package.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let (dir, deps, _) = &packages[&name];
        dirs.insert(dir.clone());
        todo.extend(deps.iter().cloned());
    }
    dirs
}

#[test]
fn docker_compose_accepts_the_dev_override_over_the_main_file() {
    let output = compose(&["config", "-q"]);
    assert_success(
        &output,
        "docker-compose config -q over the main file and its override",
    );
}

#[test]
fn every_container_of_ours_runs_cargo_watch_on_the_mounted_source_into_one_target_volume() {
    let services = merged();
    let mut target_volumes = BTreeSet::new();
    for name in ours().keys() {
        let spec = &services[name];
        let command = strings(&spec["command"]);
        assert_eq!(
            command.get(..2),
            Some(&["cargo".to_owned(), "watch".to_owned()][..]),
            "{name}: the dev override runs `cargo watch`, not {command:?}"
        );
        assert_eq!(
            spec["build"]["context"]
                .as_str()
                .map(|c| c.ends_with("docker/dev")),
            Some(true),
            "{name}: built from the development image (docker/dev)"
        );
        let volumes = strings(&spec["volumes"]);
        let source = root().to_string_lossy().into_owned();
        assert!(
            volumes
                .iter()
                .any(|v| v.starts_with(&format!("{source}:/src"))),
            "{name}: the source is mounted at /src: {volumes:?}"
        );
        let target_dir = spec["environment"]["CARGO_TARGET_DIR"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: CARGO_TARGET_DIR is set"))
            .to_owned();
        let volume = volumes
            .iter()
            .find_map(|v| {
                let mut parts = v.split(':');
                let (from, to) = (parts.next()?, parts.next()?);
                (to == target_dir && !from.starts_with('/')).then(|| from.to_owned())
            })
            .unwrap_or_else(|| panic!("{name}: a named volume at {target_dir}: {volumes:?}"));
        target_volumes.insert(volume);
        assert_eq!(
            spec["working_dir"].as_str(),
            Some("/src"),
            "{name}: cargo runs in the mounted workspace"
        );
    }
    assert_eq!(
        target_volumes.len(),
        1,
        "one shared target volume, so the workspace compiles once: {target_volumes:?}"
    );
    assert!(
        read("docker/dev/Dockerfile").contains("cargo install cargo-watch --version"),
        "the development image installs a pinned cargo-watch"
    );
}

#[test]
fn each_dev_container_watches_every_crate_its_binary_is_built_from_and_runs_that_binary() {
    let services = merged();
    let packages = workspace_packages();
    for (name, binary) in ours() {
        let command = strings(&services[&name]["command"]);
        let watched: BTreeSet<String> = command
            .windows(2)
            .filter(|w| w[0] == "-w" || w[0] == "--watch")
            .map(|w| w[1].trim_end_matches('/').to_owned())
            .collect();
        let run = command
            .windows(2)
            .find(|w| w[0] == "-x")
            .map(|w| w[1].clone())
            .unwrap_or_else(|| panic!("{name}: cargo watch -x \"run …\": {command:?}"));
        let words: Vec<&str> = run.split_whitespace().collect();
        let after = |flag: &str| {
            words
                .windows(2)
                .find(|w| w[0] == flag)
                .map(|w| w[1].to_owned())
                .unwrap_or_else(|| panic!("{name}: `{run}` names {flag}"))
        };
        assert_eq!(words.first(), Some(&"run"), "{name}: `{run}`");
        let package = after("-p");
        assert_eq!(
            after("--bin"),
            binary,
            "{name}: the dev container runs the binary the main file runs"
        );
        let (_, _, bins) = packages
            .get(&package)
            .unwrap_or_else(|| panic!("{name}: no workspace package {package}"));
        assert!(
            bins.contains(&binary),
            "{name}: {package} has no binary {binary}"
        );
        for dir in source_dirs(&packages, &package) {
            assert!(
                watched
                    .iter()
                    .any(|w| dir == *w || dir.starts_with(&format!("{w}/"))),
                "{name}: a change in {dir} (built into {binary}) does not restart it; watched: {watched:?}"
            );
        }
        for file in ["Cargo.toml", "Cargo.lock"] {
            assert!(watched.contains(file), "{name}: watches {file}");
        }
    }
}
