//! What a tip costs the server: CPU time per request of the sticky
//! `POST /api/recommend` through the gateway (JWT check, recommender,
//! integrations' warm cache, the decision store), and of the warm tip page
//! `GET /` (web rendering it from the same call), each beside the CPU per
//! request of one service's `/health` called directly, measured on the same
//! fleet process in the same run.
//!
//! Run with `cargo bench --bench tip`. The fleet is the real `onetip`
//! binary (release, as `cargo bench` builds it) on SQLite with the sandbox
//! Todoist; CPU is read from `/proc/<pid>/stat` (user + system) of that
//! process only, so the client's own work is not counted. Every request
//! goes to 127.0.0.1, in bounded loops.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{FleetProcess, Session};

const REQUESTS: u32 = 1_000;
const WARM_UP: u32 = 50;

/// User + system CPU seconds the process `pid` has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here.
    let hz = 100.0; // USER_HZ on Linux
    (ticks(11) + ticks(12)) / hz
}

/// CPU µs per request and wall µs per request for `REQUESTS` sequential calls.
async fn measure<F, Fut>(pid: u32, mut call: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    for _ in 0..WARM_UP {
        let r = call().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.bytes().await.unwrap();
    }
    let cpu = cpu_seconds(pid);
    let wall = Instant::now();
    for _ in 0..REQUESTS {
        let r = call().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        r.bytes().await.unwrap();
    }
    let per = |s: f64| s * 1e6 / f64::from(REQUESTS);
    (
        per(cpu_seconds(pid) - cpu),
        per(wall.elapsed().as_secs_f64()),
    )
}

#[tokio::main]
async fn main() {
    // The gateway's per-user limits (600/min by default) would cut a
    // benchmark short: off here, and only here.
    let fleet = FleetProcess::start(&[
        ("RUST_LOG", "warn".to_owned()),
        ("RATE_LIMIT_API_PER_MINUTE", "0".to_owned()),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "0".to_owned()),
    ])
    .await;
    let pid = fleet.child.id();
    let session = Session::connected(&fleet, "bench@example.test").await;
    let plain = reqwest::Client::new();
    let health_url = format!("{}/health", fleet.recommender);
    let body = serde_json::json!({ "user_id": session.id });

    let (health_cpu, health_wall) = measure(pid, || plain.get(&health_url).send()).await;
    let (rec_cpu, rec_wall) =
        measure(pid, || session.post("/api/recommend").json(&body).send()).await;
    let (page_cpu, page_wall) = measure(pid, || session.get("/").send()).await;
    // The parts of a recommend, for where the cost is.
    let (me_cpu, me_wall) = measure(pid, || session.get("/api/me").send()).await;
    let (tasks_cpu, tasks_wall) =
        measure(pid, || session.get("/api/integrations/tasks").send()).await;

    println!("CPU per request of the fleet process, {REQUESTS} sequential requests each:");
    println!(
        "  recommender /health, direct:        {health_cpu:8.1} µs CPU  ({health_wall:7.1} µs wall)  baseline"
    );
    println!(
        "  POST /api/recommend, sticky, gateway: {rec_cpu:8.1} µs CPU  ({rec_wall:7.1} µs wall)  {:.1}x",
        rec_cpu / health_cpu
    );
    println!(
        "  GET / (warm tip page), gateway:      {page_cpu:8.1} µs CPU  ({page_wall:7.1} µs wall)  {:.1}x",
        page_cpu / health_cpu
    );
    println!(
        "  GET /api/me, gateway:                {me_cpu:8.1} µs CPU  ({me_wall:7.1} µs wall)  {:.1}x",
        me_cpu / health_cpu
    );
    println!(
        "  GET /api/integrations/tasks, gateway: {tasks_cpu:8.1} µs CPU  ({tasks_wall:7.1} µs wall)  {:.1}x",
        tasks_cpu / health_cpu
    );
}
