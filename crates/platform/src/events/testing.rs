//! Helpers for tests against real NATS servers: settings with a stream and
//! subjects of their own (so tests sharing the one on 127.0.0.1:4222 never
//! see each other's events), and throwaway `nats-server`s to stop and start.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::NatsSettings;

/// The shared server (services.md): never stopped by a test.
pub const SHARED_NATS: &str = "nats://127.0.0.1:4222";

/// Settings for `url` with a fresh stream, prefix and dead-letter subject,
/// a 1 s ack wait and 3 deliveries.
pub fn unique_settings(url: &str) -> NatsSettings {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    NatsSettings {
        stream: format!("T{tag}"),
        subject_prefix: format!("t{tag}.events"),
        dead_letter_subject: format!("t{tag}.dead"),
        ack_wait: Duration::from_secs(1),
        max_deliver: 3,
        publish_timeout: Duration::from_secs(2),
        ..NatsSettings::new(url)
    }
}

/// The same settings as environment pairs (for a service's `Settings`).
pub fn env_pairs(s: &NatsSettings) -> Vec<(String, String)> {
    [
        ("EVENT_BUS", "nats".to_owned()),
        ("NATS_URL", s.url.clone()),
        ("NATS_STREAM", s.stream.clone()),
        ("NATS_SUBJECT_PREFIX", s.subject_prefix.clone()),
        ("NATS_DEAD_LETTER_SUBJECT", s.dead_letter_subject.clone()),
        ("NATS_ACK_WAIT", format!("{}ms", s.ack_wait.as_millis())),
        ("NATS_MAX_DELIVER", s.max_deliver.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Deletes the streams `s` names (best effort, at a test's end).
pub async fn delete_streams(s: &NatsSettings) {
    if let Ok(client) = async_nats::connect(s.url.as_str()).await {
        let js = async_nats::jetstream::new(client);
        let _ = js.delete_stream(&s.stream).await;
        let _ = js.delete_stream(format!("{}_DEAD", s.stream)).await;
    }
}

/// A `nats-server` with JetStream on a free port and its own store
/// directory, killed on drop; `stop` and `start` keep port and store.
pub struct NatsServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    pub fn start_new() -> Self {
        let port = crate::testing::free_port();
        let mut server = Self {
            port,
            dir: tempfile::tempdir().expect("a store directory"),
            child: None,
        };
        server.start();
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("js")
    }

    /// Starts the server (again) and waits until it takes connections.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        // `NATS_SERVER_BIN`, else Debian's path, else whatever PATH finds.
        let binary = std::env::var("NATS_SERVER_BIN").unwrap_or_else(|_| {
            let debian = "/usr/sbin/nats-server";
            if std::path::Path::new(debian).exists() {
                debian.into()
            } else {
                "nats-server".into()
            }
        });
        let child = Command::new(binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("nats-server did not listen on {}", self.port);
    }

    /// Kills the server (SIGKILL: nothing flushed on the way out).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}
