//! The tip through the whole fleet, as a signed-in user's browser and API
//! calls reach it: the gateway, the recommender, integrations and the
//! sandbox Todoist (the fake, counting what it is asked), on the backend
//! `ONETIP_TEST_DB` names.

mod common;

use std::collections::BTreeSet;

use common::{FleetProcess, Session};
use platform::testing::TestDatabase;
use serde_json::{Value, json};

/// A signed-in user with the sandbox Todoist connected.
struct User {
    fleet: FleetProcess,
    session: Session,
    db: TestDatabase,
}

async fn connected_user() -> User {
    let db = TestDatabase::new().await;
    let mut extra = Vec::new();
    if db.is_postgres() {
        extra.push(("DATABASE_URL", db.url().to_owned()));
    }
    let fleet = FleetProcess::start(&extra).await;
    let session = Session::connected(&fleet, "tipper@example.test").await;
    User { fleet, session, db }
}

impl User {
    /// The recommender's own database, as the fleet opened it.
    async fn recommender_store(&self) -> recommender::store::Store {
        let url = if self.db.is_postgres() {
            self.db.url().to_owned()
        } else {
            format!(
                "sqlite://{}/recommender.db",
                self.fleet.data_dir().display()
            )
        };
        let pool = platform::db::connect(&url, &platform::db::DbOptions::new("recommender"))
            .await
            .unwrap();
        recommender::store::Store::new(pool)
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.session.post(path)
    }

    async fn recommend(&self) -> Value {
        let response = self
            .post("/api/recommend")
            .json(&json!({"user_id": self.session.id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn act(&self, decision: &Value, action: &str, key: &str) -> reqwest::Response {
        self.post(&format!(
            "/api/tips/{}/{action}",
            decision.as_str().unwrap()
        ))
        .header("idempotency-key", key)
        .send()
        .await
        .unwrap()
    }

    /// The sandbox's counters for this user's account.
    async fn stats(&self) -> Value {
        let stats: Value = reqwest::get(format!("{}/__fake/stats", self.fleet.sandbox))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats["users"][&self.session.account].clone()
    }

    /// The account's task `id` as the sandbox holds it now.
    async fn task(&self, id: &str) -> Value {
        let tasks: Value = reqwest::get(format!(
            "{}/__fake/tasks?account={}",
            self.fleet.sandbox, self.session.account
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let list = tasks.as_array().cloned().unwrap_or_default();
        list.into_iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no task {id} at the sandbox"))
    }
}

fn task_id(rec: &Value) -> String {
    rec["tip"]["id"]
        .as_str()
        .unwrap()
        .strip_prefix("todoist:")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_connected_user_gets_one_of_their_tasks_and_reloads_never_reroll_or_relist() {
    let user = connected_user().await;
    let first = user.recommend().await;
    assert_eq!(first["tip"]["kind"], "todo", "{first}");
    let id = task_id(&first);
    let task = user.task(&id).await;
    assert_eq!(first["tip"]["title"], task["content"]);
    let listings = user.stats().await["task_listings"].as_u64().unwrap();
    for _ in 0..9 {
        let again = user.recommend().await;
        assert_eq!(again["decision_id"], first["decision_id"]);
        assert_eq!(again["reused"], true);
    }
    assert_eq!(
        user.stats().await["task_listings"].as_u64().unwrap(),
        listings,
        "no Todoist listing beyond the first"
    );
}

#[tokio::test]
async fn ten_concurrent_dones_with_one_key_close_the_task_once_at_todoist() {
    let user = connected_user().await;
    let rec = user.recommend().await;
    let id = task_id(&rec);
    let dones: Vec<_> = (0..10)
        .map(|_| user.act(&rec["decision_id"], "done", "double-tap"))
        .collect();
    let mut statuses = BTreeSet::new();
    for done in futures::future::join_all(dones).await {
        statuses.insert(done.status().as_u16());
    }
    assert_eq!(statuses, BTreeSet::from([200]));
    let stats = user.stats().await;
    assert_eq!(stats["closes"], 1, "{stats}");
    assert_eq!(stats["closed_task_ids"], json!([id]));
    let task = user.task(&id).await;
    let recurring = task["due"]["is_recurring"] == true;
    assert!(recurring || task["checked"] == true, "{task}");

    // The recommender holds one tip.done of its own and one task.completed
    // that integrations sent it over the event sink, both for this decision.
    let store = user.recommender_store().await;
    let decision = uuid::Uuid::parse_str(rec["decision_id"].as_str().unwrap()).unwrap();
    let mut kinds = Vec::new();
    for _ in 0..50 {
        kinds = store.event_kinds(decision).await.unwrap();
        if kinds.contains(&"task.completed".to_owned()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    assert_eq!(count("tip.done"), 1, "{kinds:?}");
    assert_eq!(count("task.completed"), 1, "{kinds:?}");
}

#[tokio::test]
async fn done_undo_done_closes_twice_with_different_request_ids_and_ends_closed() {
    let user = connected_user().await;
    let rec = user.recommend().await;
    let id = task_id(&rec);
    assert_eq!(
        user.act(&rec["decision_id"], "done", "first")
            .await
            .status(),
        200
    );
    let undo = user.act(&rec["decision_id"], "undo", "undo-1").await;
    assert_eq!(undo.status(), 200);
    let undone: Value = undo.json().await.unwrap();
    let back = &undone["next"];
    assert_eq!(
        back["tip"]["id"], rec["tip"]["id"],
        "the task is the tip again"
    );
    let task = user.task(&id).await;
    assert_eq!(task["checked"], false, "{task}");
    assert_eq!(
        user.act(&back["decision_id"], "done", "second")
            .await
            .status(),
        200
    );
    let stats = user.stats().await;
    let ids: Vec<&str> = stats["writes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["action"] == "close")
        .filter_map(|w| w["request_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{stats}");
    assert_ne!(ids[0], ids[1]);
    let task = user.task(&id).await;
    let recurring = task["due"]["is_recurring"] == true;
    assert!(
        recurring || task["checked"] == true,
        "closed at the end: {task}"
    );
}

/// `onetip` with the fleet's configuration, for its operator commands.
fn operator_command(user: &User, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_onetip"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", user.fleet.data_dir())
        .args(args);
    if user.db.is_postgres() {
        cmd.env("DATABASE_URL", user.db.url());
    }
    cmd.output().expect("running onetip")
}

#[tokio::test]
async fn the_launcher_exports_the_log_as_dsjson_and_evaluates_a_policy_on_it() {
    let user = connected_user().await;
    let rec = user.recommend().await;
    assert_eq!(
        user.act(&rec["decision_id"], "done", "k1").await.status(),
        200
    );
    let next = user.recommend().await;
    let skip = user
        .post(&format!(
            "/api/tips/{}/skip",
            next["decision_id"].as_str().unwrap()
        ))
        .json(&json!({"reason": "not_now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(skip.status(), 200);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("log.dsjson");
    let export = operator_command(&user, &["export-decisions", "--out", out.to_str().unwrap()]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one done, one skipped");
    let done = lines
        .iter()
        .find(|l| l["EventId"] == rec["decision_id"])
        .unwrap();
    assert_eq!(done["_label_cost"], -1.0);

    let evaluate = operator_command(&user, &["evaluate", "--policy", "random"]);
    assert!(
        evaluate.status.success(),
        "{}",
        String::from_utf8_lossy(&evaluate.stderr)
    );
    let estimate: Value = serde_json::from_slice(&evaluate.stdout).unwrap();
    assert_eq!(estimate["policy"], "random");
    assert_eq!(estimate["decisions"], 2);
    assert_eq!(estimate["logged_mean"], 0.5);
    assert_eq!(estimate["ips"], 0.5, "random on a random log: its own mean");

    let bad = operator_command(&user, &["evaluate", "--policy", "greedy"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("greedy"));
}

impl User {
    /// Queues a fault at the sandbox Todoist.
    async fn fault(&self, spec: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/__fake/faults", self.fleet.sandbox))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{spec}");
    }
}

#[tokio::test]
async fn todoist_ten_seconds_late_or_failing_still_gives_a_degraded_answer_within_1_5_s() {
    for fault in [
        json!({"route": "tasks", "delay_ms": 10_000, "times": 20}),
        json!({"route": "tasks", "status": 500, "times": 20}),
        json!({"route": "tasks", "status": 429, "retry_after": 30, "times": 20}),
    ] {
        let user = connected_user().await;
        user.fault(fault.clone()).await;
        let started = std::time::Instant::now();
        let rec = user.recommend().await;
        let took = started.elapsed();
        assert!(
            took < std::time::Duration::from_millis(1500),
            "{fault}: {took:?}"
        );
        assert_eq!(rec["degraded"], true, "{fault}: {rec}");
        assert_eq!(rec["tip"]["kind"], "advice", "{fault}: {rec}");
        assert!(rec["degraded_reason"].is_string());
    }
}

#[tokio::test]
async fn todoist_failing_during_done_is_503_with_retry_after_and_nothing_is_done() {
    let user = connected_user().await;
    let rec = user.recommend().await;
    assert_eq!(rec["tip"]["kind"], "todo");
    user.fault(json!({"route": "close", "status": 503, "times": 20}))
        .await;
    let done = user.act(&rec["decision_id"], "done", "k").await;
    assert_eq!(done.status(), 503);
    assert!(done.headers().contains_key("retry-after"));
    let body: Value = done.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    assert_eq!(user.stats().await["closes"], 0);
    let again = user.recommend().await;
    assert_eq!(
        again["decision_id"], rec["decision_id"],
        "the decision stays open"
    );
}
