//! The export read by the real tool: Vowpal Wabbit 9 (PyPI `vowpalwabbit`)
//! with `--cb_explore_adf --dsjson` takes every exported line as an
//! example. `ONETIP_VW_PYTHON` names a python with it installed
//! (`scripts/vw-venv.sh` makes one; `scripts/test` sets it).

use crate::export::log_decisions;
use crate::helpers::*;

#[tokio::test]
async fn vowpal_wabbit_reads_every_exported_decision_as_an_example() {
    let python = std::env::var("ONETIP_VW_PYTHON").expect(
        "ONETIP_VW_PYTHON must name a python with vowpalwabbit: \
         export ONETIP_VW_PYTHON=$(bash scripts/vw-venv.sh)",
    );
    let app = spawn_app_with(&[("RECOMMENDER_POLICY", "urgency")]).await;
    log_decisions(&app, 10).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.dsjson");
    let mut file = std::fs::File::create(&path).unwrap();
    let n = recommender::export::export_dsjson(&app.store, 0, &mut file)
        .await
        .unwrap();
    drop(file);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/vw_check.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&path)
        .output()
        .expect("running the VW check");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("vw_check said: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["lines"], n as u64);
    assert_eq!(report["examples"], n as u64, "{report}");
    assert!(report["vw"].as_str().unwrap().starts_with("9."));
    assert!(out.status.success());
}
