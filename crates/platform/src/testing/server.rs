//! A server under test on port 0, and free ports for the processes that
//! must be told theirs before they start.

use std::net::{SocketAddr, TcpListener};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;

use crate::{Server, Shutdown};

/// A service (or a bare router) serving on 127.0.0.1 in the background,
/// stopped when dropped. Its port is known before the first request: the
/// socket is bound before anything is served.
pub struct TestServer {
    addr: SocketAddr,
    url: String,
    shutdown: Shutdown,
}

impl TestServer {
    /// Serves a built service (a service's `build(settings)`, bound to
    /// `127.0.0.1:0` by its `*_ADDR`).
    pub fn serve(server: Server) -> Self {
        let addr = server.local_addr();
        let shutdown = Shutdown::new();
        tokio::spawn(server.serve(shutdown.clone()));
        Self {
            addr,
            url: format!("http://{addr}"),
            shutdown,
        }
    }

    /// Binds a free port and serves `router` on it (stand-ins for upstreams,
    /// a layer under test).
    pub async fn router(router: Router) -> Self {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = Server::bind("test", addr, router)
            .await
            .expect("binding 127.0.0.1:0");
        Self::serve(server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Polls `GET /ready` every 20 ms until it answers 200 or `within` has
    /// passed; says whether it got there (a test that expects the server to
    /// stay unready goes on either way).
    pub async fn wait_ready(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let client = reqwest::Client::new();
        loop {
            match client.get(self.at("/ready")).send().await {
                Ok(r) if r.status() == 200 => return true,
                _ if Instant::now() >= deadline => return false,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// Stops serving now (in-flight requests finish), as dropping does.
    pub fn stop(&self) {
        self.shutdown.trigger();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// A port nobody listens on right now, and that no other caller in this
/// process has been given (tests run in parallel: without the registry two
/// of them could be handed the same just-released port).
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_router_is_served_until_the_server_is_dropped() {
        let server = TestServer::router(
            Router::new().route("/ready", axum::routing::get(|| async { "ok" })),
        )
        .await;
        assert!(server.wait_ready(Duration::from_secs(2)).await);
        let body = reqwest::get(server.at("/ready"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, "ok");
        let url = server.at("/ready");
        drop(server);
        let mut refused = false;
        for _ in 0..100 {
            if reqwest::get(&url).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "still serving after the drop");
    }

    #[test]
    fn free_ports_are_not_handed_out_twice() {
        let ports: Vec<u16> = (0..20).map(|_| free_port()).collect();
        let mut unique = ports.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ports.len());
    }
}
