//! Every `cargo run` command README.md shows names a package and binary
//! that exist, as cargo resolves them from the workspace root (issue 10:
//! `--bin onetip-auth` alone once answered "no bin target named …").

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Package name → its binary targets, from `cargo metadata`.
fn binaries() -> BTreeMap<String, BTreeSet<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let bins = p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), bins)
        })
        .collect()
}

/// Every `cargo run …` inside backticks or a code block of README.md.
fn commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut found = Vec::new();
    for line in readme.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("cargo run") {
            let tail = &rest[at..];
            let end = tail.find(['`', '#', ')']).unwrap_or(tail.len());
            found.push(tail[..end].trim().to_owned());
            rest = &tail[end.min(tail.len())..];
            if end == 0 {
                break;
            }
        }
    }
    found
}

#[test]
fn every_cargo_run_in_the_readme_names_a_package_and_binary_that_exist() {
    let bins = binaries();
    let commands = commands();
    assert!(commands.len() >= 4, "{commands:?}");
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        let flag = |name: &str| {
            words
                .iter()
                .position(|w| *w == name)
                .and_then(|i| words.get(i + 1))
                .copied()
        };
        // Without -p, cargo runs the root package (the launcher).
        let package = flag("-p").unwrap_or("onetip");
        let package = package.split(',').next().unwrap();
        let Some(targets) = bins.get(package) else {
            panic!("README: `{command}` names package {package}, which the workspace lacks");
        };
        match flag("--bin") {
            Some(bin) => assert!(
                targets.contains(bin),
                "README: `{command}`: {package} has no bin {bin} ({targets:?})"
            ),
            None => assert!(
                targets.len() == 1 || package == "onetip",
                "README: `{command}`: {package} has several binaries {targets:?}; name one"
            ),
        }
    }
}
