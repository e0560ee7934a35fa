//! `.env.example` documents exactly the variables the code reads.

use std::collections::BTreeSet;

use crate::tools::read;

/// One variable of `.env.example`: its name, and the comment line above it.
struct Documented {
    name: String,
    line: usize,
    comment: Option<String>,
}

/// `NAME` when the line (commented out or not) assigns a variable.
fn assigned_name(line: &str) -> Option<&str> {
    let line = line.trim_start_matches('#').trim_start();
    let (name, _) = line.split_once('=')?;
    let is_name = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    is_name.then_some(name)
}

fn documented() -> Vec<Documented> {
    let text = read(".env.example");
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(name) = assigned_name(line) {
            let above = i.checked_sub(1).map(|j| lines[j].trim());
            let comment = above
                .filter(|l| l.starts_with('#') && assigned_name(l).is_none())
                .map(|l| l.trim_start_matches('#').trim().to_owned())
                .filter(|c| !c.is_empty());
            found.push(Documented {
                name: name.to_owned(),
                line: i + 1,
                comment,
            });
        }
    }
    found
}

fn documented_names() -> BTreeSet<String> {
    documented().into_iter().map(|d| d.name).collect()
}

#[test]
fn every_variable_in_env_example_is_one_the_code_reads() {
    let read = onetip::variables_read();
    let unknown: Vec<_> = documented_names()
        .into_iter()
        .filter(|name| !read.contains(name))
        .collect();
    assert!(
        unknown.is_empty(),
        ".env.example documents variables the code never reads: {unknown:?}"
    );
}

#[test]
fn every_variable_the_code_reads_is_in_env_example() {
    let documented = documented_names();
    let missing: Vec<_> = onetip::variables_read()
        .into_iter()
        .filter(|name| !documented.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "variables the code reads but .env.example does not document: {missing:?}"
    );
}

#[test]
fn every_variable_in_env_example_appears_once_under_a_comment_of_its_own() {
    let mut seen = BTreeSet::new();
    for d in documented() {
        assert!(
            seen.insert(d.name.clone()),
            ".env.example line {}: {} appears twice",
            d.line,
            d.name
        );
        assert!(
            d.comment.is_some(),
            ".env.example line {}: {} needs a one-line comment right above it",
            d.line,
            d.name
        );
    }
}
