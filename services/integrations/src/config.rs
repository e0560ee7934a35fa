//! The integrations service's settings: the vault's key ring, the Todoist
//! client and the candidate cache, read once through [`Env`].

use std::time::Duration;

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};
use secrecy::SecretString;

use crate::todoist::TodoistConfig;
use crate::vault::{KeyRing, VaultKey};

/// The client id and secret of the embedded sandbox Todoist.
pub const SANDBOX_CLIENT_ID: &str = "onetip-sandbox";
const SANDBOX_CLIENT_SECRET: &str = "onetip-sandbox-secret";

/// Everything the service reads at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    /// Newest first: the first seals, every one opens.
    pub vault_keys: KeyRing,
    /// Where Todoist is and who we are to it: the client's own
    /// configuration, read here once.
    pub todoist: TodoistConfig,
    /// True when talking to the embedded sandbox (development only).
    pub todoist_sandbox: bool,
    /// `TODOIST_CACHE_TTL`: how long a user's task list is served from
    /// cache.
    pub todoist_cache_ttl: Duration,
    /// auth's JWKS, whose keys verify access tokens.
    pub jwks_url: String,
    /// Where the recommender is (`RECOMMENDER_URL`): the HTTP event sink
    /// posts `task.completed` / `task.reopened` to its `/internal/events`.
    pub recommender_url: String,
    /// `INTERNAL_API_TOKEN`, which the event sink presents.
    pub internal_token: SecretString,
    /// The JetStream stream the NATS sink publishes to (`EVENT_BUS=nats`).
    pub nats: platform::events::NatsSettings,
    /// `OUTBOX_MAX_AGE`: `/ready` reports the outbox down once its oldest
    /// waiting event is older.
    pub outbox_max_age: Duration,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::from_env(env, ServiceName::Integrations)?;
        let vault_keys = vault_keys(env, &service)?;
        let (todoist, todoist_sandbox) = todoist(env, &service)?;
        let todoist_cache_ttl = duration(env, "TODOIST_CACHE_TTL", Duration::from_secs(30))?;
        Ok(Self {
            jwks_url: platform::jwt::jwks_url(&ServiceName::Auth.url(env)?),
            recommender_url: ServiceName::Recommender.url(env)?,
            internal_token: platform::secrets::internal_api_token(env, &service.common)?,
            nats: platform::events::NatsSettings::from_env(env, &service.common)?,
            outbox_max_age: env.duration("OUTBOX_MAX_AGE", Duration::from_secs(300))?,
            todoist_cache_ttl,
            service,
            vault_keys,
            todoist,
            todoist_sandbox,
        })
    }
}

platform::service_settings!(Settings);

/// `TOKEN_VAULT_KEYS`: required in production; in development generated
/// once under `DATA_DIR/token_vault_keys` (mode 0600).
fn vault_keys(env: &Env, service: &ServiceSettings) -> Result<KeyRing, ConfigError> {
    const NAME: &str = "TOKEN_VAULT_KEYS";
    let text = zeroize::Zeroizing::new(platform::secrets::required_in_production(
        env,
        &service.common,
        NAME,
        "token_vault_keys",
        || VaultKey::generate().to_entry().to_string(),
    )?);
    KeyRing::parse(&text).map_err(|e| ConfigError::new(NAME, e.to_string()))
}

/// The Todoist client's configuration (the real Todoist, or the sandbox in
/// a development run without a client), and whether it is the sandbox.
fn todoist(env: &Env, service: &ServiceSettings) -> Result<(TodoistConfig, bool), ConfigError> {
    let production = service.common.is_production();
    let (client_id, client_secret, sandbox) = match (
        env.get("TODOIST_CLIENT_ID"),
        env.get("TODOIST_CLIENT_SECRET"),
    ) {
        (Some(id), Some(secret)) => (id, SecretString::from(secret), false),
        (Some(_), None) => {
            return Err(ConfigError::new(
                "TODOIST_CLIENT_SECRET",
                "required with TODOIST_CLIENT_ID",
            ));
        }
        (None, _) if !platform::config::uses_todoist_sandbox(env, production) => {
            return Err(ConfigError::new(
                "TODOIST_CLIENT_ID",
                "required in production",
            ));
        }
        (None, _) => (
            SANDBOX_CLIENT_ID.to_owned(),
            SecretString::from(SANDBOX_CLIENT_SECRET.to_owned()),
            true,
        ),
    };
    // The sandbox serves OAuth and the API on one address, with Todoist's paths.
    let (auth_default, token_default, api_default) = if sandbox {
        let addr = platform::config::todoist_sandbox_addr(env)?;
        (
            format!("http://{addr}/oauth/authorize"),
            format!("http://{addr}/oauth/access_token"),
            format!("http://{addr}/api/v1"),
        )
    } else {
        (
            "https://todoist.com/oauth/authorize".to_owned(),
            "https://todoist.com/oauth/access_token".to_owned(),
            "https://api.todoist.com/api/v1".to_owned(),
        )
    };
    let url = |name: &str, default: String| -> Result<String, ConfigError> {
        let value = env.get(name).unwrap_or(default);
        let value = value.trim().trim_end_matches('/').to_owned();
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            return Err(ConfigError::new(name, "must be an http(s) URL"));
        }
        if production && !value.starts_with("https://") {
            return Err(ConfigError::new(name, "must be https in production"));
        }
        Ok(value)
    };
    // Todoist's OAuth redirect: `${PUBLIC_URL}/connect/todoist/callback`.
    let redirect_url = format!("{}/connect/todoist/callback", service.common.public_url);
    let mut config = TodoistConfig::new(client_id, client_secret, redirect_url);
    config.auth_url = url("TODOIST_AUTH_URL", auth_default)?;
    config.token_url = url("TODOIST_TOKEN_URL", token_default)?;
    config.api_url = url("TODOIST_API_URL", api_default)?;
    Ok((config, sandbox))
}

fn duration(env: &Env, name: &str, default: Duration) -> Result<Duration, ConfigError> {
    env.duration(name, default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_defaults_use_the_sandbox_and_a_generated_key_ring() {
        let dir = std::env::temp_dir().join(format!("onetip-int-{}", uuid::Uuid::new_v4()));
        let env = Env::from_pairs([("DATA_DIR", dir.display().to_string())]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(settings.todoist_sandbox);
        assert_eq!(settings.todoist.api_url, "http://127.0.0.1:8090/api/v1");
        assert_eq!(settings.todoist_cache_ttl, Duration::from_secs(30));
        let again = Settings::from_env(&env).unwrap();
        assert_eq!(
            settings.vault_keys.active().id(),
            again.vault_keys.active().id()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("token_vault_keys"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        for name in [
            "TOKEN_VAULT_KEYS",
            "TODOIST_CLIENT_ID",
            "TODOIST_CLIENT_SECRET",
            "TODOIST_AUTH_URL",
            "TODOIST_TOKEN_URL",
            "TODOIST_API_URL",
            "TODOIST_CACHE_TTL",
            "RECOMMENDER_URL",
            "INTERNAL_API_TOKEN",
        ] {
            assert!(env.names_read().contains(name), "{name}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn production_requires_vault_keys_and_a_todoist_client() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        assert_eq!(
            Settings::from_env(&env).unwrap_err().name,
            "TOKEN_VAULT_KEYS"
        );
        let key = VaultKey::generate();
        let env = env.with([("TOKEN_VAULT_KEYS", key.to_entry().to_string())]);
        assert_eq!(
            Settings::from_env(&env).unwrap_err().name,
            "TODOIST_CLIENT_ID"
        );
        let env = env.with([("TODOIST_CLIENT_ID", "cid")]);
        assert_eq!(
            Settings::from_env(&env).unwrap_err().name,
            "TODOIST_CLIENT_SECRET"
        );
        let env = env.with([("TODOIST_CLIENT_SECRET", "very-secret-value")]);
        assert_eq!(
            Settings::from_env(&env).unwrap_err().name,
            "INTERNAL_API_TOKEN"
        );
        let internal = platform::secrets::random_token();
        let env = env.with([("INTERNAL_API_TOKEN", internal.clone())]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(!format!("{settings:?}").contains(&internal));
        assert!(!settings.todoist_sandbox);
        assert_eq!(
            settings.todoist.auth_url,
            "https://todoist.com/oauth/authorize"
        );
        assert!(!format!("{settings:?}").contains("very-secret-value"));
        let encoded = key.to_entry();
        assert!(!format!("{settings:?}").contains(encoded.split_once(':').unwrap().1));
    }

    #[test]
    fn the_cache_ttl_reads_the_shared_duration_grammar() {
        let env = Env::from_pairs([("TODOIST_CACHE_TTL", "1d")]);
        assert_eq!(
            duration(&env, "TODOIST_CACHE_TTL", Duration::from_secs(30)).unwrap(),
            Duration::from_secs(86_400)
        );
        let env = Env::from_pairs([("TODOIST_CACHE_TTL", "soon")]);
        assert!(duration(&env, "TODOIST_CACHE_TTL", Duration::from_secs(30)).is_err());
    }
}
