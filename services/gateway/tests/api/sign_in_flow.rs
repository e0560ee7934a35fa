//! The real chain in one process: gateway → auth (development sign-in) →
//! profile. A user signs in and fetches their profile through the gateway;
//! after sign-out their old cookies stop working within seconds.

use std::time::Duration;

use platform::Env;
use platform::testing::TestDatabase;
use serde_json::Value;

use crate::helpers::*;

const TOKEN: &str = "internal-token-for-the-chain-test-0123456789";

struct Chain {
    gateway: String,
    client: reqwest::Client,
    _servers: Vec<TestServer>,
    _dbs: (TestDatabase, TestDatabase),
}

async fn start() -> Chain {
    platform::testing::init_tracing();
    let (auth_db, profile_db) = (TestDatabase::new().await, TestDatabase::new().await);
    let (auth_addr, profile_addr) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let env = Env::from_pairs([
        ("GATEWAY_ADDR", "127.0.0.1:0".to_owned()),
        ("AUTH_ADDR", auth_addr.clone()),
        ("PROFILE_ADDR", profile_addr.clone()),
        ("AUTH_DATABASE_URL", auth_db.url().to_owned()),
        ("PROFILE_DATABASE_URL", profile_db.url().to_owned()),
        ("DATA_DIR", auth_db.dir().display().to_string()),
        ("INTERNAL_API_TOKEN", TOKEN.to_owned()),
    ]);
    let servers = vec![
        TestServer::serve(
            auth::build(auth::Settings::from_env(&env).unwrap())
                .await
                .unwrap(),
        ),
        TestServer::serve(
            profile::build(profile::Settings::from_env(&env).unwrap())
                .await
                .unwrap(),
        ),
        TestServer::serve(
            gateway::build(gateway::Settings::from_env(&env).unwrap())
                .await
                .unwrap(),
        ),
    ];
    Chain {
        gateway: servers[2].url().to_owned(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _servers: servers,
        _dbs: (auth_db, profile_db),
    }
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    cookies::set_cookie(r.headers(), name)
}

impl Chain {
    async fn me(&self, cookies: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/api/me", self.gateway))
            .header("cookie", cookies)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_user_signs_in_fetches_their_profile_and_signing_out_ends_it_at_once() {
    let chain = start().await;
    let r = chain
        .client
        .post(format!("{}/auth/dev/signin", chain.gateway))
        .form(&[
            ("email", "ada@example.com"),
            ("name", "Ada"),
            ("return_to", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (at, rt) = (
        cookie(&r, "onetip_at").unwrap(),
        cookie(&r, "onetip_rt").unwrap(),
    );
    let both = format!("onetip_at={at}; onetip_rt={rt}");

    let r = chain.me(&both).await;
    assert_eq!(r.status(), 200);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["name"], "Ada");

    // With only the refresh cookie, the gateway refreshes transparently.
    let r = chain.me(&format!("onetip_rt={rt}")).await;
    assert_eq!(r.status(), 200);
    let rt2 = cookie(&r, "onetip_rt").expect("rotated refresh cookie");
    let at2 = cookie(&r, "onetip_at").expect("new access cookie");

    let r = chain
        .client
        .post(format!("{}/auth/logout", chain.gateway))
        .header("cookie", format!("onetip_at={at2}; onetip_rt={rt2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // Old refresh cookies: refused at once.
    assert_eq!(chain.me(&format!("onetip_rt={rt2}")).await.status(), 401);
    assert_eq!(chain.me(&format!("onetip_rt={rt}")).await.status(), 401);
    // Old access cookies: refused within seconds (the gateway's revocation poll).
    let mut refused = false;
    for _ in 0..50 {
        if chain.me(&format!("onetip_at={at2}")).await.status() == 401
            && chain.me(&format!("onetip_at={at}")).await.status() == 401
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "old access cookies still work 5 s after sign-out");
}

#[tokio::test]
async fn state_changing_routes_answer_get_with_405_and_change_nothing() {
    let chain = start().await;
    let r = chain
        .client
        .post(format!("{}/auth/dev/signin", chain.gateway))
        .form(&[("email", "ada@example.com"), ("return_to", "/")])
        .send()
        .await
        .unwrap();
    let (at, rt) = (
        cookie(&r, "onetip_at").unwrap(),
        cookie(&r, "onetip_rt").unwrap(),
    );
    let both = format!("onetip_at={at}; onetip_rt={rt}");
    for route in ["/auth/logout", "/auth/refresh"] {
        let r = chain
            .client
            .get(format!("{}{route}", chain.gateway))
            .header("cookie", &both)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "GET {route}");
        assert!(cookie(&r, "onetip_rt").is_none(), "GET {route} set cookies");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "method_not_allowed", "GET {route}");
    }
    // The gateway's own routes answer only GET.
    let r = chain
        .client
        .post(format!("{}/health", chain.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    // Nothing was signed out: the refresh token still rotates, the access
    // token still works well past a revocation poll.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(chain.me(&format!("onetip_at={at}")).await.status(), 200);
    let r = chain.me(&format!("onetip_rt={rt}")).await;
    assert_eq!(r.status(), 200);
    assert!(
        cookie(&r, "onetip_rt").is_some(),
        "the refresh token was still live"
    );
}
