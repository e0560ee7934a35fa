//! The one-process launcher: every service of the fleet on its own port,
//! in one process, on embedded defaults (SQLite under `DATA_DIR`).
//!
//! The same services also run one per process (`onetip-auth`, …); this
//! crate only wires them together for a newcomer's machine and for tests.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use anyhow::Context;
use platform::{ConfigError, Env, Server, Shutdown};

/// Every service's settings, read from one environment.
#[derive(Debug, Clone)]
pub struct FleetSettings {
    pub gateway: gateway::Settings,
    pub auth: auth::Settings,
    pub profile: profile::Settings,
    pub integrations: integrations::Settings,
    pub recommender: recommender::Settings,
    pub web: web::Settings,
    /// Where the sandbox Todoist listens, when the embedded run starts it.
    pub todoist_sandbox: Option<SocketAddr>,
}

impl FleetSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let gateway = gateway::Settings::from_env(env)?;
        let sandbox =
            env.get("TODOIST_CLIENT_ID").is_none() && !gateway.service.common.is_production();
        Ok(Self {
            auth: auth::Settings::from_env(env)?,
            profile: profile::Settings::from_env(env)?,
            integrations: integrations::Settings::from_env(env)?,
            recommender: recommender::Settings::from_env(env)?,
            web: web::Settings::from_env(env)?,
            todoist_sandbox: if sandbox {
                Some(todoist_fake::addr(env)?)
            } else {
                None
            },
            gateway,
        })
    }
}

/// Every environment variable the fleet's configuration reads, found by
/// reading the configuration (not from a hand-kept list).
pub fn variables_read() -> BTreeSet<String> {
    // Development settings generate secrets under DATA_DIR: point it at a
    // scratch folder so that listing names leaves nothing behind.
    let scratch = std::env::temp_dir().join(format!("onetip-env-vars-{}", std::process::id()));
    let env = Env::default();
    let _ = FleetSettings::from_env(&env.with([("DATA_DIR", scratch.display().to_string())]));
    let _ = std::fs::remove_dir_all(&scratch);
    env.names_read()
}

/// The fleet, bound and ready to serve.
pub struct Fleet {
    servers: Vec<Server>,
    pub gateway_addr: SocketAddr,
}

impl Fleet {
    /// Opens every database and binds every port; nothing serves yet.
    pub async fn build(settings: FleetSettings) -> anyhow::Result<Self> {
        let gateway = gateway::build(settings.gateway).await.context("gateway")?;
        let gateway_addr = gateway.local_addr();
        let mut servers = vec![
            gateway,
            auth::build(settings.auth).await.context("auth")?,
            profile::build(settings.profile).await.context("profile")?,
            integrations::build(settings.integrations)
                .await
                .context("integrations")?,
            recommender::build(settings.recommender)
                .await
                .context("recommender")?,
            web::build(settings.web).await.context("web")?,
        ];
        if let Some(addr) = settings.todoist_sandbox {
            servers.push(todoist_fake::build(addr).await.context("todoist sandbox")?);
        }
        Ok(Self {
            servers,
            gateway_addr,
        })
    }

    /// Serves everything until `shutdown` trips; fails if any server fails.
    pub async fn serve(self, shutdown: Shutdown) -> anyhow::Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        for server in self.servers {
            let shutdown = shutdown.clone();
            tasks.spawn(async move { server.serve(shutdown).await });
        }
        let mut result = Ok(());
        while let Some(joined) = tasks.join_next().await {
            let outcome = joined.context("a server task panicked").and_then(|r| r);
            if let Err(e) = outcome {
                // One server down means the fleet is broken: stop the rest.
                tracing::error!(error = %format!("{e:#}"), "a server failed; stopping the fleet");
                shutdown.trigger();
                result = Err(e);
            }
        }
        result
    }
}
