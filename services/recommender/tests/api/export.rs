//! The decision log read back: DSJSON lines whose probabilities sum to 1
//! and name the chosen action first, and IPS estimates that agree with the
//! empirical mean when target and logging policy are the same.

use serde_json::{Value, json};

use recommender::export;
use recommender::policy::PolicyFactory;

use crate::helpers::*;

/// `n` decisions, each done or skipped in turn (done when `i % 3 == 0`).
pub async fn log_decisions(app: &App, n: usize) {
    app.candidates(
        (0..8)
            .map(|i| {
                task(
                    &format!("t{i}"),
                    &format!("Task {i}"),
                    json!({"priority": i % 4 + 1}),
                )
            })
            .collect(),
    )
    .await;
    for i in 0..n {
        let rec = app
            .recommend_with(json!({"user_id": app.user, "new": true}))
            .await;
        let action = if i % 3 == 0 { "done" } else { "skip" };
        let status = app
            .act(rec.decision_id, action, &format!("k{i}"))
            .await
            .status();
        assert_eq!(status, 200);
        // Past the ten minutes, so every task is eligible again.
        app.advance(std::time::Duration::from_secs(11 * 60));
    }
}

#[tokio::test]
async fn every_exported_line_names_the_chosen_action_first_and_its_p_sums_to_one() {
    let app = spawn_app().await;
    log_decisions(&app, 9).await;
    let mut out = Vec::new();
    let n = export::export_dsjson(&app.store, 0, &mut out)
        .await
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Nine acted on, plus the superseded ones the `new: true` left behind
    // are none (each was acted on first); the last `next` is still open.
    assert_eq!(n, lines.len());
    assert!(n >= 9, "{n}");
    let mut done = 0;
    for line in &lines {
        let p: Vec<f64> = serde_json::from_value(line["p"].clone()).unwrap();
        let a: Vec<usize> = serde_json::from_value(line["a"].clone()).unwrap();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(a.len(), p.len());
        assert_eq!(a[0], line["_label_Action"].as_u64().unwrap() as usize);
        assert_eq!(a[0], line["_labelIndex"].as_u64().unwrap() as usize + 1);
        assert_eq!(p[0], line["_label_probability"].as_f64().unwrap());
        assert_eq!(line["c"]["_multi"].as_array().unwrap().len(), a.len());
        let cost = line["_label_cost"].as_f64().unwrap();
        assert!(cost == 0.0 || cost == -1.0);
        if cost == -1.0 {
            done += 1;
        }
    }
    assert_eq!(done, 3);
}

#[tokio::test]
async fn evaluating_random_on_a_random_log_gives_its_empirical_mean() {
    let app = spawn_app().await;
    log_decisions(&app, 12).await;
    let estimate = export::evaluate(&app.store, &PolicyFactory::new(0.2), "random", 0)
        .await
        .unwrap();
    assert!(estimate.decisions >= 12);
    assert!(
        (estimate.ips - estimate.logged_mean).abs() < 1e-12,
        "{estimate:?}"
    );
    assert!(
        (estimate.snips - estimate.logged_mean).abs() < 1e-12,
        "{estimate:?}"
    );
    // urgency puts its mass elsewhere: its estimate differs, its weights
    // still normalise.
    let urgency = export::evaluate(&app.store, &PolicyFactory::new(0.2), "urgency", 0)
        .await
        .unwrap();
    assert_eq!(urgency.decisions, estimate.decisions);
    assert!(urgency.snips >= 0.0 && urgency.snips <= 1.0);
}
