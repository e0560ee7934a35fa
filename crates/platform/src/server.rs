//! Binding and serving one service, with graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::Shutdown;

/// A router bound to its socket, not yet serving. Binding first lets tests
/// use port 0 and learn the real port before anything runs.
pub struct Server {
    name: &'static str,
    listener: TcpListener,
    router: Router,
}

impl Server {
    pub async fn bind(
        name: &'static str,
        addr: SocketAddr,
        router: Router,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("{name}: binding {addr}"))?;
        Ok(Self {
            name,
            listener,
            router,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` trips, then lets in-flight requests finish.
    pub async fn serve(self, shutdown: Shutdown) -> anyhow::Result<()> {
        let addr = self.local_addr();
        tracing::info!(service = self.name, %addr, "listening");
        // The peer's address travels with each request (`ConnectInfo`): the
        // gateway needs it for its proxy headers and rate limits.
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await
        .with_context(|| format!("{}: serving", self.name))?;
        tracing::info!(service = self.name, "stopped");
        Ok(())
    }
}
