//! The committed OpenAPI documents under `openapi/` are the ones the code
//! generates. `UPDATE_OPENAPI=1 cargo test --test openapi` rewrites them.

use std::path::PathBuf;

fn documents() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    vec![
        ("gateway", gateway::openapi()),
        ("auth", auth::openapi()),
        ("profile", profile::openapi()),
        ("integrations", integrations::openapi()),
        ("recommender", recommender::openapi()),
        ("web", web::openapi()),
    ]
}

#[test]
fn committed_openapi_documents_match_the_code() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi");
    let update = std::env::var_os("UPDATE_OPENAPI").is_some();
    let mut stale = Vec::new();
    for (name, doc) in documents() {
        let generated = format!("{}\n", doc.to_pretty_json().unwrap());
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale OpenAPI documents {stale:?}: run `UPDATE_OPENAPI=1 cargo test --test openapi` and commit them"
    );
}

#[test]
fn every_service_documents_its_health_endpoints() {
    for (name, doc) in documents() {
        let paths: Vec<&String> = doc.paths.paths.keys().collect();
        for endpoint in ["/health", "/ready"] {
            assert!(
                paths.iter().any(|p| *p == endpoint),
                "{name} does not document {endpoint}: {paths:?}"
            );
            let json = serde_json::to_value(&doc.paths.paths[endpoint]).unwrap();
            assert!(
                json["get"]["responses"]["200"].is_object(),
                "{name}: {endpoint} documents no 200 answer"
            );
        }
    }
}

#[test]
fn every_path_parameter_appears_in_its_path_template() {
    // A query struct documented without `parameter_in = Query` shows up as a
    // path parameter, which generated clients then refuse or get wrong.
    for (name, doc) in documents() {
        let json = serde_json::to_value(&doc).unwrap();
        for (path, item) in json["paths"].as_object().unwrap() {
            for (verb, operation) in item.as_object().unwrap() {
                let Some(params) = operation["parameters"].as_array() else {
                    continue;
                };
                for p in params.iter().filter(|p| p["in"] == "path") {
                    let placeholder = format!("{{{}}}", p["name"].as_str().unwrap());
                    assert!(
                        path.contains(&placeholder),
                        "{name}: {verb} {path} documents path parameter {placeholder} that is not in the path"
                    );
                }
            }
        }
    }
}

#[test]
fn operation_ids_are_unique_within_each_document() {
    // Generated clients name their functions after operation ids.
    for (name, doc) in documents() {
        let json = serde_json::to_value(&doc).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for item in json["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                if let Some(id) = operation["operationId"].as_str() {
                    assert!(
                        seen.insert(id.to_owned()),
                        "{name}: operationId {id} is used twice"
                    );
                }
            }
        }
    }
}
