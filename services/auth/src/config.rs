//! The auth service's settings: Google, signing keys, the internal token
//! and the session lifetimes, read once through [`Env`].

use std::sync::Arc;
use std::time::Duration;

use platform::config::{ServiceName, ServiceSettings};
use platform::jwt::SigningKey;
use platform::{ConfigError, Env};
use secrecy::SecretString;

/// The Google OAuth client; `None` means development sign-in.
#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    pub issuer_url: String,
}

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Where profile answers `/internal/users`.
    pub profile_url: String,
    pub google: Option<GoogleSettings>,
    /// Newest first: the first signs, all are published. Shared, never
    /// copied: the seeds live once, zeroized on drop.
    pub signing_keys: Vec<Arc<SigningKey>>,
    pub internal_token: SecretString,
    pub access_ttl: Duration,
    pub idle_ttl: Duration,
    pub absolute_ttl: Duration,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::from_env(env, ServiceName::Auth)?;
        let common = &service.common;
        common.require_https("PUBLIC_URL", &common.public_url)?;
        let issuer_url = env
            .get_or("GOOGLE_ISSUER_URL", "https://accounts.google.com")
            .trim_end_matches('/')
            .to_owned();
        common.require_https("GOOGLE_ISSUER_URL", &issuer_url)?;
        let google = match (env.get("GOOGLE_CLIENT_ID"), env.get("GOOGLE_CLIENT_SECRET")) {
            (Some(client_id), Some(secret)) => Some(GoogleSettings {
                client_id,
                client_secret: SecretString::from(secret),
                issuer_url,
            }),
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "GOOGLE_CLIENT_SECRET",
                    "required with GOOGLE_CLIENT_ID",
                ));
            }
            (None, _) if common.is_production() => {
                return Err(ConfigError::new(
                    "GOOGLE_CLIENT_ID",
                    "required in production",
                ));
            }
            (None, _) => None,
        };
        let keys_text = platform::secrets::required_in_production(
            env,
            common,
            "JWT_SIGNING_KEYS",
            "jwt_signing_keys",
            || SigningKey::generate().to_entry(),
        )?;
        let signing_keys = SigningKey::parse_ring(&keys_text)
            .map_err(|e| ConfigError::new("JWT_SIGNING_KEYS", e))?
            .into_iter()
            .map(Arc::new)
            .collect();
        let internal_token = platform::secrets::internal_api_token(env, common)?;
        let access_ttl = duration(env, "ACCESS_TOKEN_TTL", "5m")?;
        if access_ttl < Duration::from_secs(60) || access_ttl > Duration::from_secs(15 * 60) {
            return Err(ConfigError::new(
                "ACCESS_TOKEN_TTL",
                "must be between 1m and 15m",
            ));
        }
        Ok(Self {
            profile_url: ServiceName::Profile.url(env)?,
            google,
            signing_keys,
            internal_token,
            access_ttl,
            idle_ttl: duration(env, "SESSION_IDLE_TTL", "14d")?,
            absolute_ttl: duration(env, "SESSION_ABSOLUTE_TTL", "30d")?,
            service,
        })
    }

    /// Development sign-in is on: no Google client, and not production.
    pub fn dev_sign_in(&self) -> bool {
        self.google.is_none() && !self.common.is_production()
    }
}

platform::service_settings!(Settings);

fn duration(env: &Env, name: &str, default: &str) -> Result<Duration, ConfigError> {
    let default = platform::config::parse_duration(default).expect("defaults parse");
    env.duration(name, default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_lifetimes_read_the_shared_duration_grammar() {
        let env = Env::from_pairs([("SESSION_IDLE_TTL", "1d"), ("ACCESS_TOKEN_TTL", "0m")]);
        assert_eq!(
            duration(&env, "SESSION_IDLE_TTL", "14d").unwrap(),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            duration(&env, "SESSION_ABSOLUTE_TTL", "30d").unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(
            duration(&env, "ACCESS_TOKEN_TTL", "5m").unwrap_err().name,
            "ACCESS_TOKEN_TTL"
        );
    }

    /// The variable a start with `env` is refused for, checking that the
    /// message names it too.
    fn refused_for(env: &Env) -> String {
        let err = Settings::from_env(env).unwrap_err();
        assert!(err.to_string().contains(&err.name), "{err}");
        err.name
    }

    #[test]
    fn production_refuses_to_start_with_each_weak_setting_naming_the_variable() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        assert_eq!(refused_for(&env), "PUBLIC_URL", "the default is http://");
        let env = env.with([("PUBLIC_URL", "http://onetip.example")]);
        assert_eq!(refused_for(&env), "PUBLIC_URL");
        let env = env.with([
            ("PUBLIC_URL", "https://onetip.example"),
            ("GOOGLE_ISSUER_URL", "http://accounts.google.com"),
        ]);
        assert_eq!(refused_for(&env), "GOOGLE_ISSUER_URL");
        let env = env.with([("GOOGLE_ISSUER_URL", "https://accounts.google.com")]);
        assert_eq!(refused_for(&env), "GOOGLE_CLIENT_ID");
        let env = env.with([
            ("GOOGLE_CLIENT_ID", "id"),
            ("GOOGLE_CLIENT_SECRET", "secret"),
        ]);
        assert_eq!(refused_for(&env), "JWT_SIGNING_KEYS");
        let one = SigningKey::from_seed("k1", [7u8; 32]).to_entry();
        let again = SigningKey::from_seed("k1", [8u8; 32]).to_entry();
        let env = env.with([("JWT_SIGNING_KEYS", format!("{one},{again}"))]);
        assert_eq!(refused_for(&env), "JWT_SIGNING_KEYS", "a kid twice");
        let key = SigningKey::generate().to_entry();
        let env = env.with([("JWT_SIGNING_KEYS", key.as_str())]);
        assert_eq!(refused_for(&env), "INTERNAL_API_TOKEN", "required");
        for weak in [
            "t".repeat(40),
            "internal-token-for-tests-0123456789abcdef".to_owned(),
        ] {
            let env = env.with([("INTERNAL_API_TOKEN", weak)]);
            assert_eq!(
                refused_for(&env),
                "INTERNAL_API_TOKEN",
                "long but not random"
            );
        }
        let strong = platform::secrets::random_token();
        let env = env.with([("INTERNAL_API_TOKEN", strong.as_str())]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(!settings.dev_sign_in());
        assert!(!format!("{settings:?}").contains("secret\""));
        assert!(!format!("{settings:?}").contains(&strong));
    }

    #[test]
    fn the_debug_of_the_settings_shows_no_database_password_or_seed() {
        let key = SigningKey::from_seed("k1", [7u8; 32]).to_entry();
        let env = Env::from_pairs([
            ("AUTH_DATABASE_URL", "postgres://auth:pw-9f8e7d@db/auth"),
            ("JWT_SIGNING_KEYS", key.as_str()),
            ("INTERNAL_API_TOKEN", &"x".repeat(40)),
        ]);
        let debug = format!("{:?}", Settings::from_env(&env).unwrap());
        assert!(!debug.contains("pw-9f8e7d"), "{debug}");
        assert!(!debug.contains(key.split_once(':').unwrap().1), "{debug}");
    }
}
