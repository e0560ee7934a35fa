//! The web app's settings.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Where web reaches the gateway's JSON API: `GATEWAY_URL`.
    pub gateway_url: String,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            service: ServiceSettings::without_database(env, ServiceName::Web)?,
            gateway_url: ServiceName::Gateway.url(env)?,
        })
    }

    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_process())
    }
}
