//! The web app's settings.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Where web reaches the gateway's JSON API: `GATEWAY_URL`.
    pub gateway_url: String,
    /// Whether `/signin` offers the development form: no Google client
    /// (`GOOGLE_CLIENT_ID` unset) and not production, the same rule auth
    /// follows when it decides whether `/auth/dev/signin` exists.
    pub dev_sign_in: bool,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::without_database(env, ServiceName::Web)?;
        // Only whether it is set: web never needs (nor keeps) the value.
        let google_configured = env.get("GOOGLE_CLIENT_ID").is_some();
        Ok(Self {
            dev_sign_in: !google_configured && !service.common.is_production(),
            gateway_url: ServiceName::Gateway.url(env)?,
            service,
        })
    }

    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_process())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_sign_in_only_without_google_and_outside_production() {
        let dev = |pairs: &[(&str, &str)]| {
            Settings::from_env(&Env::from_pairs(pairs.iter().copied()))
                .unwrap()
                .dev_sign_in
        };
        assert!(dev(&[]));
        assert!(dev(&[
            ("APP_ENV", "development"),
            ("GOOGLE_CLIENT_ID", " ")
        ]));
        assert!(!dev(&[("GOOGLE_CLIENT_ID", "id.apps.example")]));
        assert!(!dev(&[("APP_ENV", "production")]));
    }

    #[test]
    fn the_google_client_id_is_not_kept() {
        let env = Env::from_pairs([("GOOGLE_CLIENT_ID", "client-id-value-42")]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(!format!("{settings:?}").contains("client-id-value-42"));
        assert!(env.names_read().contains("GOOGLE_CLIENT_ID"));
    }
}
