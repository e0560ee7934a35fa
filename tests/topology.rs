//! The production topology, natively: every service as its own process
//! (the `onetip-*` binaries Compose runs), each with its own database on
//! the backend the suite runs on, events over NATS, and Caddy in front with
//! the deployment's own front (`deploy/front.caddy`). Docker cannot run on
//! these machines, so this is how the Compose topology is proven.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::free_port;
use platform::testing::TestDatabase;
use serde_json::Value;

/// A child process, killed when dropped, logging to a file.
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bin(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_onetip")).parent().unwrap();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before this test",
        path.display()
    );
    path
}

fn spawn(name: &str, mut cmd: Command, logs: &Path) -> Proc {
    let log = logs.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {name}: {e}"));
    Proc {
        name: name.to_owned(),
        child,
        log,
    }
}

fn logs_of(procs: &mut [Proc]) -> String {
    procs
        .iter_mut()
        .map(|p| {
            let exit = p.child.try_wait().ok().flatten();
            let text = std::fs::read_to_string(&p.log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            format!(
                "--- {} (exit: {exit:?})\n{}",
                p.name,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn each_service_in_its_own_process_behind_caddy_is_healthy_and_signs_a_user_in() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("data");
    let logs = scratch.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();

    let caddy_port = free_port();
    let public_url = format!("http://127.0.0.1:{caddy_port}");
    let names = [
        "gateway",
        "auth",
        "profile",
        "integrations",
        "recommender",
        "web",
    ];
    let addrs: HashMap<&str, String> = names
        .iter()
        .map(|n| (*n, format!("127.0.0.1:{}", free_port())))
        .collect();
    let sandbox = format!("127.0.0.1:{}", free_port());

    // One database per data-owning service, as Compose has.
    let mut databases = HashMap::new();
    for service in ["auth", "profile", "integrations", "recommender"] {
        databases.insert(service, TestDatabase::new().await);
    }
    let postgres = databases["auth"].is_postgres();

    // Events over the shared NATS, on a stream of this run's own (its
    // durable consumer shared with no other fleet).
    let nats = platform::events::testing::unique_settings(platform::events::testing::SHARED_NATS);
    let mut procs = Vec::new();
    let mut sandbox_cmd = Command::new(bin("todoist-fake"));
    sandbox_cmd
        .env_clear()
        .env("TODOIST_SANDBOX_ADDR", &sandbox);
    procs.push(spawn("todoist-sandbox", sandbox_cmd, &logs));
    for name in names {
        let mut cmd = Command::new(bin(&format!("onetip-{name}")));
        cmd.env_clear()
            .env("APP_ENV", "development")
            .env("PUBLIC_URL", &public_url)
            .env("DATA_DIR", &data_dir)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(platform::events::testing::env_pairs(&nats))
            .env("TODOIST_SANDBOX_ADDR", &sandbox);
        for (other, addr) in &addrs {
            let prefix = other.to_uppercase();
            cmd.env(format!("{prefix}_URL"), format!("http://{addr}"));
            if *other == name {
                cmd.env(format!("{prefix}_ADDR"), addr);
            }
        }
        if let Some(db) = databases.get(name) {
            if postgres {
                cmd.env("DATABASE_URL", db.url());
            }
        } else if name == "gateway" && postgres {
            // The gateway checks the PostgreSQL server itself.
            cmd.env("DATABASE_URL", databases["profile"].url());
        }
        procs.push(spawn(name, cmd, &logs));
    }

    let caddy_state = scratch.path().join("caddy");
    let mut caddy = Command::new("caddy");
    caddy
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--config",
            "deploy/Caddyfile.test",
            "--adapter",
            "caddyfile",
        ])
        .env("XDG_CONFIG_HOME", caddy_state.join("config"))
        .env("XDG_DATA_HOME", caddy_state.join("data"))
        .env("CADDY_HTTP_PORT", caddy_port.to_string())
        .env("GATEWAY_UPSTREAM", &addrs["gateway"]);
    procs.push(spawn("caddy", caddy, &logs));

    // Through Caddy: the fleet's health, every component green.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let health: Value = loop {
        let answer = client.get(format!("{public_url}/health")).send().await;
        if let Ok(r) = answer
            && r.status() == 200
        {
            break r.json().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the fleet behind Caddy was not healthy within 60 s:\n{}",
            logs_of(&mut procs)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let components: Vec<(&str, &str)> = health["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    let mut want = vec![
        "auth",
        "profile",
        "integrations",
        "recommender",
        "web",
        "nats",
    ];
    if postgres {
        want.push("postgres");
    }
    for name in want {
        assert!(
            components.contains(&(name, "ok")),
            "{name} not ok: {health}"
        );
    }

    // Caddy's headers reach the browser; pages still render through it.
    let status_page = client
        .get(format!("{public_url}/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(status_page.status(), 200);
    let csp = status_page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(status_page.headers().get("server").is_none());

    // Sign in with the development form, as a browser on our origin would:
    // auth (its process) creates the profile (another process) over the
    // internal API, the gateway verifies the token with auth's published
    // keys, and profile verifies it again.
    let signed_in = client
        .post(format!("{public_url}/auth/dev/signin"))
        .header("origin", &public_url)
        .form(&[("email", "topology@example.test"), ("name", "Topo Logy")])
        .send()
        .await
        .unwrap();
    assert!(
        signed_in.status().is_redirection(),
        "dev sign-in answered {}:\n{}",
        signed_in.status(),
        logs_of(&mut procs)
    );
    let cookies: Vec<String> = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .filter(|c| c.starts_with("onetip_"))
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("onetip_at=")),
        "{cookies:?}"
    );
    let me = client
        .get(format!("{public_url}/api/me"))
        .header("cookie", cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "{}", logs_of(&mut procs));
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], "topology@example.test");

    // Every service really is its own process, still running.
    for p in &mut procs {
        assert!(p.child.try_wait().unwrap().is_none(), "{} exited", p.name);
    }
    platform::events::testing::delete_streams(&nats).await;
}
