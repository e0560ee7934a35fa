//! A contract is written once: every wire type in `crates/shared-types` is
//! defined there and nowhere else. A service, the web app or a tool that
//! declares a struct or enum of the same name (outside its tests) has made
//! a second copy that can drift from the first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` up to its `#[cfg(test)]` module (which comes last in our
/// files). A `#[cfg(test)]` on anything else (a test-only method midway)
/// does not end the code: declarations after it still count.
fn without_test_module(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            // The item it applies to: the next line that is not an attribute.
            let item = lines
                .clone()
                .map(str::trim)
                .find(|l| !l.starts_with("#["))
                .unwrap_or("");
            if item.starts_with("mod ") || item.starts_with("pub mod ") {
                return &text[..offset];
            }
        }
        offset += line.len();
    }
    text
}

/// The names of the structs and enums `text` declares, outside its
/// `#[cfg(test)]` module.
fn declared(text: &str) -> BTreeSet<String> {
    let code = without_test_module(text);
    let mut names = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        let line = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub(super) "))
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        for keyword in ["struct ", "enum "] {
            if let Some(rest) = line.strip_prefix(keyword) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

#[test]
fn no_wire_type_of_shared_types_is_defined_again_in_a_service() {
    let mut shared_files = Vec::new();
    rust_files(
        &Path::new(ROOT).join("crates/shared-types/src"),
        &mut shared_files,
    );
    let wire: BTreeSet<String> = shared_files
        .iter()
        .flat_map(|f| declared(&std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(
        wire.contains("Tip") && wire.contains("Recommendation"),
        "{wire:?}"
    );

    let mut files = Vec::new();
    for dir in ["services", "apps", "tools", "crates/platform/src", "src"] {
        rust_files(&Path::new(ROOT).join(dir), &mut files);
    }
    let mut copies = Vec::new();
    for file in files {
        let relative = file.strip_prefix(ROOT).unwrap().display().to_string();
        // Black-box tests may shape their own fixtures.
        if relative.contains("/tests/") || relative.contains("/target/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for name in declared(&text).intersection(&wire) {
            copies.push(format!("{relative}: {name}"));
        }
    }
    assert!(
        copies.is_empty(),
        "wire types of shared-types defined again (use shared_types::… instead):\n  {}",
        copies.join("\n  ")
    );
}

#[test]
fn the_declaration_scan_sees_structs_and_enums_but_not_test_modules() {
    let names = declared(
        "pub struct Tip {\n}\nenum Kind { A }\npub(crate) struct Inner;\n#[cfg(test)]\nmod tests { struct Fixture; }",
    );
    assert_eq!(
        names,
        BTreeSet::from(["Tip".to_owned(), "Kind".to_owned(), "Inner".to_owned()])
    );
    // A test-only method midway hides nothing after it; a test module
    // declared by path ends the code like an inline one.
    let names = declared(
        "pub struct Key;\nimpl Key {\n    #[cfg(test)]\n    pub fn fixed() -> Self { Key }\n}\npub enum Tip { A }\n#[cfg(test)]\n#[path = \"t.rs\"]\nmod tests;\nstruct After;",
    );
    assert_eq!(names, BTreeSet::from(["Key".to_owned(), "Tip".to_owned()]));
}
