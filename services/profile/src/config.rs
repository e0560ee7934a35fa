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
        let common = &service.common;
        // The issuer of the tokens it accepts: https in production.
        common.require_https("PUBLIC_URL", &common.public_url)?;
        let internal_token = platform::secrets::internal_api_token(env, common)?;
        Ok(Self {
            jwks_url: platform::jwt::jwks_url(&ServiceName::Auth.url(env)?),
            internal_token,
            service,
        })
    }
}

platform::service_settings!(Settings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_to_start_with_each_weak_setting_naming_the_variable() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        assert_eq!(Settings::from_env(&env).unwrap_err().name, "PUBLIC_URL");
        let env = env.with([("PUBLIC_URL", "https://onetip.example")]);
        assert_eq!(
            Settings::from_env(&env).unwrap_err().name,
            "INTERNAL_API_TOKEN"
        );
        let env = env.with([("INTERNAL_API_TOKEN", "t".repeat(40))]);
        let err = Settings::from_env(&env).unwrap_err();
        assert_eq!(err.name, "INTERNAL_API_TOKEN");
        assert!(err.to_string().contains("INTERNAL_API_TOKEN"), "{err}");
        let env = env.with([
            ("INTERNAL_API_TOKEN", platform::secrets::random_token()),
            (
                "DATABASE_URL",
                "postgres://profile:pw-4c1d@db/profile".into(),
            ),
        ]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(!format!("{settings:?}").contains("pw-4c1d"));
    }
}
