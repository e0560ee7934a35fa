//! `bash bench/run.sh`: the load tests of issue 13 on a release build, in
//! one run, written to `bench/RESULTS.md`. The fleet's hot paths through
//! the gateway against two baselines measured in the same run (a bare axum
//! hello, and the bare plumbing of proxy → service → service verifying a
//! JWT at each hop), its memory and cold start, the Todoist calls a page
//! view costs, and how recommend's cost grows with tasks, users and stored
//! decisions, on SQLite and on PostgreSQL.
//!
//! Servers run on core 0 and the load on core 1; CPU per request is the
//! server process's user + system time over the requests it answered
//! (the fleet is one process, so that is every service's share summed).
//! `--quick` shortens every load to 2 s and the scaling to its small rows,
//! for development. Everything listens on 127.0.0.1:19000-19100.

mod accounts;
mod baselines;
mod drive;
mod fleet;
mod procs;
mod report;
mod seed;
mod suite;

use std::time::Duration;

use report::Results;

/// How long each load runs, and how big the big rows are.
#[derive(Clone, Copy)]
pub struct Plan {
    pub seconds: u32,
    pub warm_seconds: u32,
    pub budget_seconds: u32,
    /// Users holding sessions, seeded into the databases (cumulative).
    pub users: &'static [usize],
    /// How many of them the load of a users row spreads over.
    pub users_load: usize,
    pub decisions: [u64; 2],
    pub tasks: &'static [usize],
}

const FULL: Plan = Plan {
    seconds: 5,
    warm_seconds: 1,
    budget_seconds: 60,
    users: &[1_000, 100_000],
    users_load: 1_000,
    decisions: [10_000, 1_000_000],
    tasks: &[10, 100, 1_000, 5_000],
};

const QUICK: Plan = Plan {
    seconds: 2,
    warm_seconds: 1,
    budget_seconds: 10,
    users: &[100, 10_000],
    users_load: 100,
    decisions: [1_000, 10_000],
    tasks: &[10, 1_000],
};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return baselines::serve(args.get(1).map_or("", String::as_str));
    }
    let plan = if args.iter().any(|a| a == "--quick") {
        QUICK
    } else {
        FULL
    };
    let backends: Vec<fleet::Backend> =
        match args.iter().find_map(|a| a.strip_prefix("--backends=")) {
            Some(list) => list
                .split(',')
                .map(|b| match b {
                    "sqlite" => fleet::Backend::Sqlite,
                    "postgres" => fleet::Backend::Postgres,
                    other => panic!("no backend {other}: sqlite or postgres"),
                })
                .collect(),
            None => vec![fleet::Backend::Sqlite, fleet::Backend::Postgres],
        };
    let out = args
        .iter()
        .find_map(|a| a.strip_prefix("--out="))
        .unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/RESULTS.md"))
        .to_owned();
    let admin = std::env::var("ONETIP_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| fleet::POSTGRES_DEFAULT.to_owned());
    // One thread: the driver (load, fake Todoist) stays on core 1.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = std::time::Instant::now();
    let mut results = Results::new(plan, args.iter().any(|a| a == "--quick"));
    runtime.block_on(async {
        suite::cold_start(&mut results).await;
        suite::baselines(&mut results, &plan).await;
        let fake = fleet::start_fake().await;
        for backend in backends {
            suite::fleet(&mut results, &plan, &fake, backend, &admin).await;
        }
    });
    results.wall = started.elapsed();
    std::fs::write(&out, results.markdown())?;
    println!("{}", results.markdown());
    eprintln!(
        "wrote {out} in {:.0?}",
        Duration::from_secs(results.wall.as_secs())
    );
    Ok(())
}
