//! Helpers for the fleet-level tests: start the real `onetip` binary on
//! free ports, capture its JSON logs, and stop it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A port nobody listens on right now, and that no other test of this
/// process has been given (tests run in parallel: without the registry two
/// fleets could be handed the same just-released port).
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap();
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// The whole fleet, as one child process.
pub struct FleetProcess {
    pub child: Child,
    pub gateway: String,
    pub web: String,
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
        cmd.env("TODOIST_SANDBOX_ADDR", format!("127.0.0.1:{}", free_port()));
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
