//! The profile service's settings.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};
use secrecy::SecretString;

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// auth's JWKS, whose keys verify access tokens.
    pub jwks_url: String,
    /// Guards `/internal/*`.
    pub internal_token: SecretString,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::from_env(env, ServiceName::Profile)?;
        Ok(Self {
            jwks_url: format!("{}/auth/jwks.json", ServiceName::Auth.url(env)?),
            internal_token: platform::secrets::internal_api_token(env, &service.common)?,
            service,
        })
    }

    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_process())
    }
}

impl std::ops::Deref for Settings {
    type Target = ServiceSettings;
    fn deref(&self) -> &ServiceSettings {
        &self.service
    }
}
