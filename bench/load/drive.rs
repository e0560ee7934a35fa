//! The load: `wrk` at a fixed concurrency for throughput and latency (on
//! core 1), a paced open-loop client of our own for p99 at a fixed rate
//! (Debian's wrk has no `-R`), and the done + next cycle, which needs each
//! answer's next decision and so is driven from here. Each measure reads
//! the server's CPU time before and after, so CPU per request is the
//! server's alone.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::procs::Server;

/// What to send: every request takes the next of `lines`, round robin.
pub struct Target {
    pub url: String,
    pub method: &'static str,
    pub lines: Vec<Line>,
}

#[derive(Clone)]
pub struct Line {
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// One measured load.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measure {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cpu_us: f64,
    /// Non-2xx answers and socket errors.
    pub bad: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1e3
}

/// `wrk -c<connections>` for `seconds` on core 1.
pub async fn wrk(server: &Server, target: &Target, connections: u32, seconds: u32) -> Measure {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for line in &target.lines {
        let headers: Vec<String> = line
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        writeln!(file, "{}\t{}", line.body, headers.join("\t")).unwrap();
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/wrk.lua");
    let args = vec![
        "-c".to_owned(),
        "1".to_owned(),
        "wrk".to_owned(),
        "-t1".to_owned(),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "-s".to_owned(),
        script.to_owned(),
        target.url.clone(),
    ];
    let lines = file.path().to_owned();
    let method = target.method;
    let cpu = server.cpu_seconds();
    // wrk blocks; the fake Todoist keeps serving on this runtime meanwhile.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("taskset")
            .args(&args)
            .env("WRK_LINES", &lines)
            .env("WRK_METHOD", method)
            .output()
    })
    .await
    .unwrap()
    .expect("running wrk (apt-get install wrk)");
    let cpu = server.cpu_seconds() - cpu;
    let text = String::from_utf8_lossy(&output.stdout);
    let result = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "wrk gave no result: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let field = |name: &str| -> f64 {
        result
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let requests = field("requests");
    Measure {
        rps: requests / (field("duration_us") / 1e6),
        p50_ms: field("p50_us") / 1e3,
        p99_ms: field("p99_us") / 1e3,
        cpu_us: cpu * 1e6 / requests,
        bad: field("bad") as u64,
    }
}

fn request(http: &reqwest::Client, target: &Target, line: &Line) -> reqwest::RequestBuilder {
    let mut r = match target.method {
        "POST" => http.post(&target.url),
        _ => http.get(&target.url),
    };
    for (k, v) in &line.headers {
        r = r.header(k, v);
    }
    if !line.body.is_empty() {
        r = r.body(line.body.clone());
    }
    r
}

/// An open-loop client at `rate` requests per second for `seconds`: each
/// request is sent at its scheduled time and its latency counted from that
/// time (no coordinated omission), at most 256 in flight (beyond that a
/// request counts as failed, never queued unboundedly).
pub async fn paced(server: &Server, target: &Target, rate: f64, seconds: u32) -> Measure {
    let http = reqwest::Client::new();
    let total = (rate * f64::from(seconds)) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let in_flight = Arc::new(tokio::sync::Semaphore::new(256));
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let cpu = server.cpu_seconds();
    let started = tokio::time::Instant::now();
    let mut bad = 0u64;
    for i in 0..total {
        let at = started + interval * i as u32;
        tokio::time::sleep_until(at).await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            bad += 1;
            continue;
        };
        let send = request(&http, target, &target.lines[i % target.lines.len()]).send();
        let done_tx = done_tx.clone();
        tokio::spawn(async move {
            let ok = match send.await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            let _ = done_tx.send((ok, at.elapsed()));
            drop(permit);
        });
    }
    drop(done_tx);
    let mut samples = Vec::with_capacity(total);
    while let Some((ok, latency)) = done_rx.recv().await {
        bad += u64::from(!ok);
        samples.push(latency);
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds() - cpu;
    samples.sort();
    Measure {
        rps: samples.len() as f64 / wall,
        p50_ms: percentile(&samples, 0.50),
        p99_ms: percentile(&samples, 0.99),
        cpu_us: cpu * 1e6 / samples.len().max(1) as f64,
        bad,
    }
}

/// The done + next cycle: one worker per user (each its own keep-alive
/// connection), each marking its current tip done and taking the `next`
/// decision from the answer, for `seconds`.
pub async fn done_cycle(
    server: &Server,
    origin: &str,
    users: &[crate::fleet::User],
    seconds: u32,
) -> Measure {
    let cpu = server.cpu_seconds();
    let started = Instant::now();
    let stop = started + Duration::from_secs(u64::from(seconds));
    let workers = users.iter().cloned().map(|user| {
        let origin = origin.to_owned();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let post = |path: String| {
                http.post(format!("{origin}{path}"))
                    .header("cookie", &user.cookies)
                    .header("origin", &origin)
                    .header("content-type", "application/json")
            };
            let mut samples = Vec::new();
            let mut bad = 0u64;
            let first: serde_json::Value = post("/api/recommend".into())
                .body(serde_json::json!({ "user_id": user.id }).to_string())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut decision = first["decision_id"].as_str().unwrap_or_default().to_owned();
            while Instant::now() < stop && !decision.is_empty() {
                let sent = Instant::now();
                let answer = post(format!("/api/tips/{decision}/done"))
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .send()
                    .await;
                let next = match answer {
                    Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok(),
                    _ => None,
                };
                samples.push(sent.elapsed());
                match next
                    .as_ref()
                    .and_then(|n| n["next"]["decision_id"].as_str())
                {
                    Some(id) => decision = id.to_owned(),
                    None => {
                        bad += 1;
                        break;
                    }
                }
            }
            (samples, bad)
        })
    });
    let mut samples = Vec::new();
    let mut bad = 0;
    for worker in workers.collect::<Vec<_>>() {
        let (s, b) = worker.await.unwrap();
        samples.extend(s);
        bad += b;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds() - cpu;
    samples.sort();
    Measure {
        rps: samples.len() as f64 / wall,
        p50_ms: percentile(&samples, 0.50),
        p99_ms: percentile(&samples, 0.99),
        cpu_us: cpu * 1e6 / samples.len().max(1) as f64,
        bad,
    }
}
