//! The integrations service's settings.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            service: ServiceSettings::from_env(env, ServiceName::Integrations)?,
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
