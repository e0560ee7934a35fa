//! The order of a run: cold start, the baselines, then per backend the
//! fleet's hot paths, memory, Todoist budget and scaling rows.

use std::time::{Duration, Instant};

use todoist_fake::FakeTodoist;

use crate::Plan;
use crate::accounts;
use crate::baselines;
use crate::drive::{self, Line, Measure, Target};
use crate::fleet::{self, Backend, User};
use crate::procs::{Server, addr};
use crate::report::{BackendResults, Budget, Results, Row, UsersRow};

/// Cold start three times, on fresh data directories.
pub async fn cold_start(results: &mut Results) {
    for _ in 0..3 {
        results.cold.push(fleet::cold_start().await);
    }
}

/// `wrk -c32` (after an unmeasured warm-up) and the paced p99 at half the
/// rate it reached.
async fn hot(server: &Server, plan: &Plan, name: &str, target: &Target) -> Row {
    drive::wrk(server, target, 32, plan.warm_seconds).await;
    let perf = crate::procs::Profile::start(server, name);
    let full = drive::wrk(server, target, 32, plan.seconds).await;
    drop(perf);
    // Our paced client tops out near 10k/s on one core: past that (the
    // hello only) its rate is capped, and the table shows the rate used.
    let half = drive::paced(server, target, (full.rps / 2.0).min(5_000.0), plan.seconds).await;
    eprintln!("{name}: {full:?}; at half rate {half:?}");
    Row {
        name: name.to_owned(),
        full,
        half: Some(half),
    }
}

pub async fn baselines(results: &mut Results, plan: &Plan) {
    let me = std::env::current_exe().unwrap().display().to_string();
    let http = reqwest::Client::new();
    let hello = Server::pinned("hello", &me, &["serve", "hello"], &[]);
    let url = format!("http://{}/", addr(baselines::HELLO));
    crate::procs::wait_ok(&http, &url, Duration::from_secs(10)).await;
    let lines = vec![Line {
        body: String::new(),
        headers: vec![],
    }];
    results.hello = hot(
        &hello,
        plan,
        "bare axum hello",
        &Target {
            url,
            method: "GET",
            lines,
        },
    )
    .await;
    drop(hello);

    let seed: String = (0..32).map(|_| format!("{:02x}", rand_byte())).collect();
    let key = baselines::key_from_seed(&seed);
    let plumbing = Server::pinned(
        "plumbing",
        &me,
        &["serve", "plumbing"],
        &[("BENCH_JWT_SEED".to_owned(), seed)],
    );
    let url = format!("http://{}/api/thing", addr(baselines::PROXY));
    let lines = vec![Line {
        body: String::new(),
        headers: vec![(
            "Authorization".into(),
            format!("Bearer {}", baselines::token(&key)),
        )],
    }];
    let target = Target {
        url,
        method: "GET",
        lines,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while drive::paced(&plumbing, &target, 10.0, 1).await.bad > 0 {
        assert!(Instant::now() < deadline, "the plumbing did not answer 200");
    }
    results.plumbing = hot(&plumbing, plan, "bare plumbing", &target).await;
}

fn rand_byte() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

fn browser(user: &User, post: bool) -> Line {
    let mut headers = vec![("Cookie".to_owned(), user.cookies.clone())];
    if post {
        headers.push(("Origin".into(), fleet::gateway()));
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    Line {
        body: if post {
            serde_json::json!({ "user_id": user.id }).to_string()
        } else {
            String::new()
        },
        headers,
    }
}

fn recommend(users: &[User]) -> Target {
    Target {
        url: format!("{}/api/recommend", fleet::gateway()),
        method: "POST",
        lines: users.iter().map(|u| browser(u, true)).collect(),
    }
}

fn get(path: &str, users: &[User]) -> Target {
    Target {
        url: format!("{}{path}", fleet::gateway()),
        method: "GET",
        lines: users.iter().map(|u| browser(u, false)).collect(),
    }
}

/// Recommends for each user until the answer is not degraded (the
/// candidate cache is warm), 8 at a time.
async fn warm(users: &[User]) {
    use futures::StreamExt;
    let http = reqwest::Client::new();
    futures::stream::iter(users)
        .for_each_concurrent(8, |user| {
            let http = http.clone();
            async move {
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    let answer: serde_json::Value = http
                        .post(format!("{}/api/recommend", fleet::gateway()))
                        .header("cookie", &user.cookies)
                        .header("origin", fleet::gateway())
                        .json(&serde_json::json!({ "user_id": user.id }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap_or_default();
                    if answer["degraded"] == false || Instant::now() > deadline {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        })
        .await;
}

/// Calls the fake received for `users` so far: listings, closes, reopens.
fn todoist_calls(fake: &FakeTodoist, users: &[User]) -> Vec<u64> {
    users
        .iter()
        .map(|u| {
            let s = fake.user_stats(&u.account);
            s.task_listings + s.close_requests + s.reopen_requests
        })
        .collect()
}

async fn row(server: &Server, plan: &Plan, target: &Target, name: &str) -> Measure {
    drive::wrk(server, target, 32, plan.warm_seconds).await;
    let perf = crate::procs::Profile::start(server, name);
    let m = drive::wrk(server, target, 32, plan.seconds).await;
    drop(perf);
    m
}

pub async fn fleet(
    results: &mut Results,
    plan: &Plan,
    fake: &FakeTodoist,
    backend: Backend,
    admin: &str,
) {
    let (fleet, startup) = fleet::start(backend, admin).await;
    let mut out = BackendResults::new(backend, startup);
    let server = &fleet.server;
    let main = fleet::sign_in_many(fake, "main", 1, None).await;
    warm(&main).await;
    let http = reqwest::Client::new();
    for path in ["/", "/api/me"] {
        let r = http
            .get(format!("{}{path}", fleet::gateway()))
            .header("cookie", &main[0].cookies)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    out.rss_idle = server.memory_mib("VmRSS");

    out.hot.push(
        hot(
            server,
            plan,
            "POST /api/recommend (sticky)",
            &recommend(&main),
        )
        .await,
    );
    out.hot
        .push(hot(server, plan, "GET / (tip page)", &get("/", &main)).await);
    out.hot
        .push(hot(server, plan, "GET /api/me", &get("/api/me", &main)).await);
    let cyclers = fleet::sign_in_many(fake, "cycle", 32, Some(400)).await;
    warm(&cyclers).await;
    let perf = crate::procs::Profile::start(server, "done");
    let cycle = drive::done_cycle(server, &fleet::gateway(), &cyclers, plan.seconds).await;
    drop(perf);
    eprintln!("done + next: {cycle:?}");
    out.hot.push(Row {
        name: "POST /api/tips/{id}/done + next (32 users)".into(),
        full: cycle,
        half: None,
    });
    out.rss_peak = server.memory_mib("VmHWM");
    tokio::time::sleep(Duration::from_secs(2)).await;
    out.rss_after = server.memory_mib("VmRSS");

    // The Todoist budget: every user viewing the tip page once a second.
    if results.backends.is_empty() {
        let viewers = fleet::sign_in_many(fake, "viewer", 16, None).await;
        warm(&viewers).await;
        let before = todoist_calls(fake, &viewers);
        let views = drive::paced(server, &get("/", &viewers), 16.0, plan.budget_seconds).await;
        let after = todoist_calls(fake, &viewers);
        let per_minute: Vec<f64> = before
            .iter()
            .zip(&after)
            .map(|(b, a)| (a - b) as f64 * 60.0 / f64::from(plan.budget_seconds))
            .collect();
        out.budget = Some(Budget {
            users: viewers.len(),
            views_per_user_s: 1.0,
            seconds: plan.budget_seconds,
            mean_per_user_min: per_minute.iter().sum::<f64>() / per_minute.len() as f64,
            max_per_user_min: per_minute.iter().cloned().fold(0.0, f64::max),
            bad: views.bad,
        });
    }

    // How recommend's cost grows: open tasks per user.
    for &n in plan.tasks {
        let user = fleet::sign_in_many(fake, &format!("tasks{n}"), 1, Some(n)).await;
        warm(&user).await;
        let m = row(server, plan, &recommend(&user), &format!("tasks-{n}")).await;
        eprintln!("{n} open tasks: {m:?}");
        out.tasks.push((n, m));
    }
    // Users holding sessions (seeded straight into the databases), the load
    // spread over `users_load` of each row's new ones.
    out.users.push(UsersRow {
        holding: 1,
        load: 1,
        measure: out.hot[0].full,
        seed: Duration::ZERO,
        warm: Duration::ZERO,
    });
    let mut seeded = 0;
    for &n in plan.users {
        let started = Instant::now();
        let prefix = format!("users{n}");
        let load = match accounts::seed(&fleet, fake, &prefix, n - seeded, plan.users_load).await {
            Ok(load) => load,
            Err(e) => {
                eprintln!("seeding {n} users failed, row left out: {e:#}");
                break;
            }
        };
        let seed = started.elapsed();
        seeded = n;
        if let Err(e) = accounts::check(&load[0]).await {
            eprintln!("a seeded user is not signed in, row left out: {e:#}");
            break;
        }
        let started = Instant::now();
        warm(&load).await;
        let warmed = started.elapsed();
        let m = row(server, plan, &recommend(&load), &format!("users-{n}")).await;
        eprintln!(
            "{n} users, load over {}: {m:?} (seeded in {seed:?}, warmed in {warmed:?})",
            load.len()
        );
        out.users.push(UsersRow {
            holding: n,
            load: load.len(),
            measure: m,
            seed,
            warm: warmed,
        });
    }
    // Stored decisions (other users'), written straight into the database.
    let mut stored = 0;
    for &n in &plan.decisions {
        let started = Instant::now();
        if let Err(e) = crate::seed::decisions(&fleet.database("recommender"), stored, n).await {
            eprintln!("seeding {n} decisions failed, row left out: {e:#}");
            break;
        }
        let setup = started.elapsed();
        stored = n;
        let m = row(server, plan, &recommend(&main), &format!("decisions-{n}")).await;
        eprintln!("{n} decisions: {m:?} (insert {setup:?})");
        out.decisions.push((n, m, setup));
    }
    fleet.server.stop();
    if backend == Backend::Postgres {
        // The next run drops them too; this leaves the shared server tidy.
        let _ = fleet::drop_databases(admin).await;
    }
    results.backends.push(out);
}
