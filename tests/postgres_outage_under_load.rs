//! PostgreSQL stopped and started again while signed-in users keep viewing
//! their tip (a throwaway cluster on its own port, never the shared one):
//! every answer during the outage is a success or a clear 503 with a JSON
//! body, never a 500, an HTML error or a hang; once the database is back the
//! same fleet serves tips again without a restart; and no done the users
//! were told about is lost, nor one they were refused done behind their back
//! (security.md, faults the system survives).

mod common;
#[path = "common/load.rs"]
mod load;
#[path = "common/pg_cluster.rs"]
mod pg_cluster;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{FleetProcess, Session};
use load::{Answer, Load, Pace, View, between, summary};
use pg_cluster::Cluster;
use serde_json::{Value, json};
use shared_types::recommender::DecisionStatus;

const CLIENTS: usize = 3;
const PACE: Pace = Pace {
    every: Duration::from_millis(300),
    max_requests: 300,
    max_time: Duration::from_secs(80),
    // The longest a request may wait while the database is away: the
    // gateway's session check with auth (2 s) and then a service's wait for
    // a database connection (3 s), with room for a busy machine.
    request_bound: Duration::from_secs(8),
};
/// Longer than the gateway's 10 s of revocation staleness, so its
/// fail-closed path is under the load too.
const OUTAGE: Duration = Duration::from_secs(12);
/// From the restart until every client sees tips again.
const RECOVERY_BOUND: Duration = Duration::from_secs(15);

/// What the page may show while something behind it is down.
const PAGE_STATES: [&str; 4] = ["tip", "degraded", "empty", "unavailable"];

async fn health_status(gateway: &str) -> u16 {
    match reqwest::get(format!("{gateway}/health")).await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// Polls until `/health` answers `want`, up to `limit`; how long it took.
async fn health_becomes(gateway: &str, want: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    while health_status(gateway).await != want {
        assert!(
            started.elapsed() < limit,
            "/health not {want} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}

/// A user's done, as the browser's API call sends it.
async fn done(session: &Session, decision: &str, key: &str) -> reqwest::Response {
    session
        .post(&format!("/api/tips/{decision}/done"))
        .header("idempotency-key", key)
        .timeout(PACE.request_bound)
        .send()
        .await
        .expect("a done answered within the bound")
}

async fn recommend(session: &Session) -> Value {
    let r = session
        .post("/api/recommend")
        .json(&json!({ "user_id": session.id }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The fleet's ERROR lines, to say why an answer was wrong.
fn error_lines(fleet: &FleetProcess) -> String {
    let lines: Vec<String> = fleet
        .json_logs()
        .into_iter()
        .filter(|l| l["level"] == "ERROR")
        .map(|l| l.to_string())
        .collect();
    lines.join("\n")
}

/// A done the user was told about: its decision and task.
struct Acknowledged {
    user: usize,
    decision: String,
    task: String,
}

fn task_of(rec: &Value) -> String {
    let id = rec["tip"]["id"].as_str().expect("a task tip");
    id.strip_prefix("todoist:").unwrap_or(id).to_owned()
}

/// What the fleet logged about one request.
fn lines_of(fleet: &FleetProcess, request_id: &str) -> String {
    let lines: Vec<String> = fleet
        .logs()
        .into_iter()
        .filter(|l| l.contains(request_id))
        .collect();
    lines.join("\n")
}

/// Every answer a success or a JSON 503, within the bound; pages only in
/// the states the page knows.
fn assert_no_bad_answer(fleet: &FleetProcess, answers: &[Answer]) {
    for a in answers {
        assert!(
            a.status.is_some(),
            "client {} {:?} at {:?}: no answer within {:?}; logged:\n{}",
            a.client,
            a.view,
            a.sent,
            PACE.request_bound,
            lines_of(fleet, &a.request_id)
        );
        assert!(
            a.ok() || a.json_503(),
            "client {} {:?} at {:?}: {:?} {} {:?}; logged:\n{}",
            a.client,
            a.view,
            a.sent,
            a.status,
            a.content_type,
            a.state,
            lines_of(fleet, &a.request_id)
        );
        if a.ok() && a.view == View::Page {
            assert!(
                PAGE_STATES.contains(&a.state.as_str()),
                "page state {:?}",
                a.state
            );
        }
    }
}

#[tokio::test]
async fn tip_views_across_a_database_restart_get_json_503s_then_tips_again_and_no_done_is_lost() {
    let test_started = Instant::now();
    let cluster = Cluster::start_new();
    let fleet = FleetProcess::start(&[("DATABASE_URL", cluster.url())]).await;
    let mut sessions = Vec::new();
    for n in 0..CLIENTS {
        let email = format!("viewer{n}@example.test");
        sessions.push(Arc::new(Session::connected(&fleet, &email).await));
    }

    // Before the outage each user does one done and is shown the next tip.
    let mut acknowledged = Vec::new();
    let mut open = Vec::new();
    for (user, session) in sessions.iter().enumerate() {
        let rec = recommend(session).await;
        let decision = rec["decision_id"].as_str().unwrap().to_owned();
        assert_eq!(done(session, &decision, "before").await.status(), 200);
        acknowledged.push(Acknowledged {
            user,
            decision,
            task: task_of(&rec),
        });
        open.push(recommend(session).await);
    }

    let load = Load::start(&sessions, PACE);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopped_at = load.elapsed();
    cluster.stop();
    let red = health_becomes(&fleet.gateway, 503, Duration::from_secs(5)).await;
    println!("database stopped at {stopped_at:?} of the load; /health red after {red:?}");

    // A done during the outage is refused, clearly, and done nothing.
    for (session, rec) in sessions.iter().zip(&open) {
        let r = done(session, rec["decision_id"].as_str().unwrap(), "during").await;
        let status = r.status().as_u16();
        let body: Value = r.json().await.expect("a JSON body");
        assert_eq!(
            status,
            503,
            "a done during the outage: {body}; the fleet's errors:\n{}",
            error_lines(&fleet)
        );
        assert!(body["error"].is_string(), "{body}");
    }
    tokio::time::sleep(OUTAGE.saturating_sub(load.elapsed() - stopped_at)).await;

    let restarted_at = load.elapsed();
    cluster.start();
    let green = health_becomes(&fleet.gateway, 200, RECOVERY_BOUND).await;
    // Recovered: from some moment on, every client's every view shows a task.
    let deadline = Instant::now() + RECOVERY_BOUND;
    let recovered_at = loop {
        let answers = load.answers();
        let after = between(&answers, restarted_at, Duration::MAX);
        let first_good = after
            .iter()
            .rposition(|a| !a.shows_a_task())
            .map_or(0, |bad| bad + 1);
        let settled = &after[first_good..];
        if (0..CLIENTS).all(|c| settled.iter().filter(|a| a.client == c).count() >= 2) {
            break settled[0].sent;
        }
        assert!(
            Instant::now() < deadline,
            "the load never saw tips again after the restart: {}",
            summary(&after)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    println!(
        "database started at {restarted_at:?}; /health green after {green:?}; \
         every view a tip again {:?} after the restart",
        recovered_at - restarted_at
    );

    // The done refused during the outage goes through once asked again.
    for (user, (session, rec)) in sessions.iter().zip(&open).enumerate() {
        let decision = rec["decision_id"].as_str().unwrap().to_owned();
        let r = done(session, &decision, "during").await;
        assert_eq!(r.status(), 200, "the same done after the outage");
        acknowledged.push(Acknowledged {
            user,
            decision,
            task: task_of(rec),
        });
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let answers = load.stop().await;

    let all: Vec<&Answer> = answers.iter().collect();
    // Answered before the database went (a view in flight at that moment
    // belongs to the outage).
    let before: Vec<&Answer> = between(&answers, Duration::ZERO, stopped_at)
        .into_iter()
        .filter(|a| a.sent + a.took < stopped_at)
        .collect();
    let during = between(&answers, stopped_at, restarted_at);
    let after = between(&answers, recovered_at, Duration::MAX);
    println!("before the outage: {}", summary(&before));
    println!("during the outage: {}", summary(&during));
    println!(
        "restart to recovery: {}",
        summary(&between(&answers, restarted_at, recovered_at))
    );
    println!("after recovery:    {}", summary(&after));
    println!("in all: {}", summary(&all));
    assert_no_bad_answer(&fleet, &answers);
    assert!(
        before.iter().all(|a| a.shows_a_task()),
        "{}",
        summary(&before)
    );
    let refused = during.iter().filter(|a| a.json_503()).count();
    assert!(refused > 0, "the outage was not felt: {}", summary(&during));
    assert!(after.len() >= 2 * CLIENTS, "{}", summary(&after));
    assert!(
        after.iter().all(|a| a.shows_a_task()),
        "{}",
        summary(&after)
    );

    // Nothing lost: every acknowledged done is done, with one tip.done and
    // one task.completed, and closed its task at Todoist exactly once.
    let pool = platform::db::connect(&cluster.url(), &platform::db::DbOptions::new("recommender"))
        .await
        .unwrap();
    let store = recommender::store::Store::new(pool);
    let stats: Value = reqwest::get(format!("{}/__fake/stats", fleet.sandbox))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for ack in &acknowledged {
        let session = &sessions[ack.user];
        let id = uuid::Uuid::parse_str(&ack.decision).unwrap();
        let user = uuid::Uuid::parse_str(&session.id).unwrap();
        let row = store
            .decision(user, id)
            .await
            .unwrap()
            .expect("the decision");
        assert_eq!(row.status, DecisionStatus::Done, "{}", ack.decision);
        let mut kinds = Vec::new();
        for _ in 0..100 {
            kinds = store.event_kinds(id).await.unwrap();
            if kinds.iter().any(|k| k == "task.completed") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
        assert_eq!(count("tip.done"), 1, "{}: {kinds:?}", ack.decision);
        assert_eq!(count("task.completed"), 1, "{}: {kinds:?}", ack.decision);
        let account = &stats["users"][&session.account];
        let tasks: Vec<String> = acknowledged
            .iter()
            .filter(|a| a.user == ack.user)
            .map(|a| a.task.clone())
            .collect();
        assert_eq!(account["closes"], json!(tasks.len()), "{account}");
        assert_eq!(account["closed_task_ids"], json!(tasks), "{account}");
    }
    println!(
        "{} dones acknowledged, each done with one tip.done and one task.completed; \
         test took {:?}",
        acknowledged.len(),
        test_started.elapsed()
    );
}
