//! Helpers for the fleet-level tests: start the real `onetip` binary on
//! free ports, capture its JSON logs, and stop it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A port nobody listens on, never handed out twice in this process (the
/// test kit's).
pub use platform::testing::free_port;

/// The whole fleet, as one child process.
pub struct FleetProcess {
    pub child: Child,
    pub gateway: String,
    pub web: String,
    /// The sandbox Todoist the fleet started (its control API is `/__fake`).
    pub sandbox: String,
    /// The recommender, reached directly (benchmarks' baseline).
    pub recommender: String,
    logs: Arc<Mutex<Vec<String>>>,
    _data_dir: tempfile::TempDir,
}

impl FleetProcess {
    /// Starts the fleet with JSON logs and `extra` variables, and waits for
    /// the gateway to answer.
    pub async fn start(extra: &[(&str, String)]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_onetip"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATA_DIR", data_dir.path())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
        let mut urls = Vec::new();
        for service in [
            "GATEWAY",
            "AUTH",
            "PROFILE",
            "INTEGRATIONS",
            "RECOMMENDER",
            "WEB",
        ] {
            let addr = format!("127.0.0.1:{}", free_port());
            cmd.env(format!("{service}_ADDR"), &addr);
            urls.push(format!("http://{addr}"));
        }
        let sandbox = format!("127.0.0.1:{}", free_port());
        cmd.env("TODOIST_SANDBOX_ADDR", &sandbox);
        cmd.env("PUBLIC_URL", &urls[0]);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the onetip binary");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut fleet = Self {
            child,
            gateway: urls[0].clone(),
            web: urls[5].clone(),
            sandbox: format!("http://{sandbox}"),
            recommender: urls[4].clone(),
            logs,
            _data_dir: data_dir,
        };
        fleet.wait_until_listening().await;
        fleet
    }

    async fn wait_until_listening(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the fleet exited with {status} before listening; logs:\n{}",
                    self.logs().join("\n")
                );
            }
            if client
                .get(format!("{}/ready", self.gateway))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the fleet did not start within 30 s; logs:\n{}",
            self.logs().join("\n")
        );
    }

    /// The fleet's `DATA_DIR` (its SQLite files and generated keys).
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// Every line the fleet has written so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// The log lines parsed as JSON (non-JSON lines, like the banner, skipped).
    pub fn json_logs(&self) -> Vec<serde_json::Value> {
        self.logs()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the fleet ignored SIGTERM for 15 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for FleetProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser's session on the fleet: a signed-in user (development
/// sign-in) with the sandbox Todoist connected through the real OAuth
/// dance, holding the session cookies the gateway set.
pub struct Session {
    pub http: reqwest::Client,
    pub origin: String,
    pub cookies: String,
    /// The profile's user id.
    pub id: String,
    /// The sandbox account the user approved as.
    pub account: String,
}

fn session_cookies(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .filter(|c| c.starts_with("onetip_"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Session {
    /// Signs in as `email` and connects the sandbox Todoist.
    pub async fn connected(fleet: &FleetProcess, email: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let origin = fleet.gateway.clone();
        let signed_in = http
            .post(format!("{origin}/auth/dev/signin"))
            .header("origin", &origin)
            .form(&[("email", email), ("name", "Test User")])
            .send()
            .await
            .unwrap();
        assert!(
            signed_in.status().is_redirection(),
            "dev sign-in: {}",
            signed_in.status()
        );
        let cookies = session_cookies(&signed_in);
        let me: serde_json::Value = http
            .get(format!("{origin}/api/me"))
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = me["id"].as_str().expect("a profile id").to_owned();
        // Our API sends the browser to the sandbox's consent page; approving
        // there sends it back to the callback with a code.
        let start = http
            .post(format!("{origin}/api/connectors/todoist/connect"))
            .header("cookie", &cookies)
            .header("origin", &origin)
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 303, "connect");
        let authorize = reqwest::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
        let account = format!("user-{}", uuid::Uuid::new_v4().simple());
        let mut form: Vec<(String, String)> = authorize
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        form.push(("account".into(), account.clone()));
        form.push(("decision".into(), "approve".into()));
        let approved = http
            .post(format!("{}/oauth/authorize", fleet.sandbox))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(
            approved.status().is_redirection(),
            "consent: {}",
            approved.status()
        );
        let back = approved.headers()["location"].to_str().unwrap().to_owned();
        let callback = http
            .get(&back)
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        let location = callback.headers()["location"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            location.contains("connected"),
            "callback sent us to {location}"
        );
        Self {
            http,
            origin,
            cookies,
            id,
            account,
        }
    }

    /// A state-changing request as the browser on our origin sends it.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.origin))
            .header("cookie", &self.cookies)
            .header("origin", &self.origin)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.origin))
            .header("cookie", &self.cookies)
    }
}
