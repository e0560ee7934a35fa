//! The processes a run starts: each server pinned to core 0 (the load
//! generator gets core 1), its CPU time and resident memory read from
//! `/proc`, and the fixed loopback ports of this benchmark (19000-19100).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first port of the benchmark's range; every server it starts listens
/// at `PORT_BASE + n` on 127.0.0.1.
pub const PORT_BASE: u16 = 19000;

pub fn addr(offset: u16) -> String {
    assert!(offset <= 100, "ports stay inside 19000-19100");
    format!("127.0.0.1:{}", PORT_BASE + offset)
}

/// A server process, killed when dropped.
pub struct Server {
    pub child: Child,
    /// Put before the names of its profiles (the fleet's backend), so the
    /// second backend's do not overwrite the first's.
    pub tag: String,
}

impl Server {
    /// Starts `program args` on core 0 with exactly `env` (plus PATH).
    pub fn pinned(
        name: &'static str,
        program: &str,
        args: &[&str],
        env: &[(String, String)],
    ) -> Self {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", "0", program])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Self {
            child,
            tag: String::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User + system CPU seconds of every thread of the process so far.
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // The fields after the command name, which is in parentheses.
        let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime and stime (fields 14 and 15 of stat) in USER_HZ = 100 ticks.
        (ticks(11) + ticks(12)) / 100.0
    }

    /// `VmRSS` (now) or `VmHWM` (the peak so far), in MiB.
    pub fn memory_mib(&self, field: &str) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }

    /// Stops the process with SIGTERM, then SIGKILL after 10 s.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `url` answers 200, for at most `limit`; the time it took.
pub async fn wait_ok(http: &reqwest::Client, url: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(url).send().await
            && r.status().is_success()
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{url} did not answer 200 within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `perf record` of a server while a load runs, when `BENCH_PROFILE_DIR`
/// names a folder: `<dir>/<name>.perf.data`, for `perf report -i`.
pub struct Profile(Option<Child>);

impl Profile {
    pub fn start(server: &Server, name: &str) -> Self {
        let Ok(dir) = std::env::var("BENCH_PROFILE_DIR") else {
            return Self(None);
        };
        let file: String = format!("{}{name}", server.tag)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let child = Command::new("perf")
            .args([
                "record",
                "-F",
                "999",
                "-g",
                "-p",
                &server.pid().to_string(),
                "-o",
            ])
            .arg(format!("{dir}/{file}.perf.data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        std::thread::sleep(Duration::from_millis(200));
        Self(child)
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}
