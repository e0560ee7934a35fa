//! A database going away and coming back, against a throwaway PostgreSQL
//! cluster on its own port (never the shared one): the services' rows turn
//! red and `/health` 503 within one refresh of the status page, and both
//! recover without a restart. During the outage the services answer 503
//! with a JSON error while their liveness stays 200; a session made before
//! it still works after it (security.md, faults the system survives).

mod common;
#[path = "common/pg_cluster.rs"]
mod pg_cluster;

use std::time::{Duration, Instant};

use common::{FleetProcess, free_port};
use pg_cluster::Cluster;
use platform::testing::cookies::set_cookie;
use serde_json::Value;

/// The status page refreshes itself every 5 s: red must show within that.
const ONE_REFRESH: Duration = Duration::from_secs(5);
const DB_SERVICES: [&str; 4] = ["auth", "profile", "integrations", "recommender"];

async fn health(gateway: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{gateway}/health")).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn component_status<'a>(body: &'a Value, name: &str) -> &'a str {
    body["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["status"].as_str())
        .unwrap_or("missing")
}

/// Polls `/health` until `want` holds, up to `limit`; returns the time it took.
async fn wait_for(gateway: &str, limit: Duration, want: impl Fn(u16, &Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = health(gateway).await;
        if want(status, &body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "not within {limit:?}; last answer {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A 503 whose body is a JSON error (`{"error", "message"}`).
async fn assert_json_503(what: &str, r: reqwest::Response) {
    assert_eq!(r.status(), 503, "{what}");
    let body: Value = r
        .json()
        .await
        .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    assert!(body["error"].is_string(), "{what}: {body}");
}

#[tokio::test]
async fn stopping_the_database_turns_its_rows_red_and_recovery_needs_no_restart() {
    let cluster = Cluster::start_new();
    let auth = format!("127.0.0.1:{}", free_port());
    let profile = format!("127.0.0.1:{}", free_port());
    let fleet = FleetProcess::start(&[
        ("DATABASE_URL", cluster.url()),
        ("AUTH_ADDR", auth.clone()),
        ("PROFILE_ADDR", profile.clone()),
    ])
    .await;
    let (auth, profile) = (format!("http://{auth}"), format!("http://{profile}"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let (status, body) = health(&fleet.gateway).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(component_status(&body, "postgres"), "ok");

    // A session made before the outage.
    let r = client
        .post(format!("{}/auth/dev/signin", fleet.gateway))
        .form(&[("email", "ada@example.com"), ("return_to", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (at, rt) = (
        set_cookie(r.headers(), "onetip_at").unwrap(),
        set_cookie(r.headers(), "onetip_rt").unwrap(),
    );
    let me = |cookies: String| {
        let request = client
            .get(format!("{}/api/me", fleet.gateway))
            .header("cookie", cookies);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(me(format!("onetip_at={at}")).await.status(), 200);

    cluster.stop();
    let took = wait_for(&fleet.gateway, ONE_REFRESH, |status, body| {
        status == 503
            && body["status"] == "degraded"
            && DB_SERVICES
                .iter()
                .all(|s| component_status(body, s) == "down")
            && component_status(body, "postgres") == "down"
    })
    .await;
    println!("red after {took:?}");
    let (_, body) = health(&fleet.gateway).await;
    assert_eq!(
        component_status(&body, "web"),
        "ok",
        "web owns no database: {body}"
    );
    let page = reqwest::get(format!("{}/status", fleet.gateway))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"data-component="profile" data-status="down""#),
        "the status page does not show profile red: {page}"
    );

    // Alive but not ready; requests that need the database get a JSON 503.
    for service in [&auth, &profile] {
        let live = client
            .get(format!("{service}/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(live.status(), 200, "{service} liveness during the outage");
        let ready = client.get(format!("{service}/ready")).send().await.unwrap();
        assert_eq!(ready.status(), 503, "{service} readiness during the outage");
    }
    let direct = client
        .get(format!("{profile}/api/me"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_json_503("profile's /api/me", direct).await;
    assert_json_503(
        "/api/me through the gateway",
        me(format!("onetip_at={at}")).await,
    )
    .await;
    let refresh = client
        .post(format!("{}/auth/refresh", fleet.gateway))
        .header("cookie", format!("onetip_rt={rt}"))
        .send()
        .await
        .unwrap();
    assert_json_503("/auth/refresh", refresh).await;

    cluster.start();
    let took = wait_for(&fleet.gateway, Duration::from_secs(15), |status, body| {
        status == 200 && body["status"] == "ok"
    })
    .await;
    println!("green again after {took:?}");

    // The session made before the outage works after it, access token and
    // refresh token alike (the refused refresh above spent nothing).
    let started = Instant::now();
    while me(format!("onetip_at={at}")).await.status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the old session never came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = me(format!("onetip_rt={rt}")).await;
    assert_eq!(
        r.status(),
        200,
        "refreshing the old session after the outage"
    );
    assert!(set_cookie(r.headers(), "onetip_rt").is_some());
}
