//! What the front door costs: latency through the gateway against the same
//! request sent straight to the service, and the fleet's idle memory.
//!
//! Run with `cargo bench --bench gateway`. Figures are ratios against a
//! baseline measured in the same run, so they mean the same on any machine.
//! Every request goes to 127.0.0.1, in bounded loops.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use platform::{Env, Shutdown};

const REQUESTS: usize = 2_000;
const WARM_UP: usize = 200;

fn free_addr() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

/// Resident memory of this process, in MiB, from /proc.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Median and 99th percentile of `REQUESTS` sequential GETs on one
/// keep-alive connection.
async fn measure(client: &reqwest::Client, url: &str) -> (Duration, Duration) {
    for _ in 0..WARM_UP {
        let r = client.get(url).send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.unwrap();
    }
    let mut samples = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let r = client.get(url).send().await.unwrap();
        r.bytes().await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    (samples[REQUESTS / 2], samples[REQUESTS * 99 / 100])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let rss_before = rss_mib();
    let mut pairs = vec![("DATA_DIR".to_owned(), data.path().display().to_string())];
    let mut addrs = Vec::new();
    for service in [
        "GATEWAY",
        "AUTH",
        "PROFILE",
        "INTEGRATIONS",
        "RECOMMENDER",
        "WEB",
    ] {
        let addr = free_addr();
        pairs.push((format!("{service}_ADDR"), addr.clone()));
        addrs.push(addr);
    }
    pairs.push(("TODOIST_SANDBOX_ADDR".into(), free_addr()));
    pairs.push(("RUST_LOG".into(), "warn".into()));
    let settings = onetip::FleetSettings::from_env(&Env::from_pairs(pairs))?;
    let fleet = onetip::Fleet::build(settings).await?;
    let shutdown = Shutdown::new();
    let serving = tokio::spawn(fleet.serve(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_idle = rss_mib();

    let client = reqwest::Client::new();
    let (gateway, profile, web) = (&addrs[0], &addrs[2], &addrs[5]);
    let direct = measure(&client, &format!("http://{web}/signin")).await;
    let proxied = measure(&client, &format!("http://{gateway}/signin")).await;
    let one_ready = measure(&client, &format!("http://{profile}/ready")).await;
    let fleet_health = measure(&client, &format!("http://{gateway}/health")).await;
    let rss_after = rss_mib();

    println!("gateway bench ({REQUESTS} sequential requests each, after {WARM_UP} warm-up)");
    println!(
        "  web /signin direct        p50 {:>8.1?}  p99 {:>8.1?}  (baseline)",
        direct.0, direct.1
    );
    println!(
        "  web /signin via gateway   p50 {:>8.1?}  p99 {:>8.1?}  ratio {:.2}",
        proxied.0,
        proxied.1,
        proxied.0.as_secs_f64() / direct.0.as_secs_f64()
    );
    println!(
        "  profile /ready            p50 {:>8.1?}  p99 {:>8.1?}  (baseline)",
        one_ready.0, one_ready.1
    );
    println!(
        "  gateway /health (fan-out) p50 {:>8.1?}  p99 {:>8.1?}  ratio {:.2}",
        fleet_health.0,
        fleet_health.1,
        fleet_health.0.as_secs_f64() / one_ready.0.as_secs_f64()
    );
    println!(
        "  memory: {rss_before:.1} MiB before start, {rss_idle:.1} MiB with the fleet idle, {rss_after:.1} MiB after the runs"
    );
    shutdown.trigger();
    serving.await??;
    Ok(())
}
