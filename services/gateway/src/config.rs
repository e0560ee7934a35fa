//! The gateway's settings: where each service is, and which dependencies
//! the fleet's health should check.

use platform::config::{ServiceName, ServiceSettings};
use platform::{ConfigError, Env};

/// Where the gateway forwards to.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub auth: String,
    pub profile: String,
    pub integrations: String,
    pub recommender: String,
    pub web: String,
}

/// External dependencies, each checked by `/health` only when configured.
#[derive(Clone, Default)]
pub struct Dependencies {
    /// `DATABASE_URL` when it names PostgreSQL. Never logged.
    pub postgres: Option<String>,
    /// `NATS_URL` when set, or its default when `EVENT_BUS=nats`.
    pub nats: Option<String>,
    /// `S3_ENDPOINT` (MinIO).
    pub s3_endpoint: Option<String>,
    /// `SMTP_URL` (Mailhog).
    pub smtp_url: Option<String>,
}

impl std::fmt::Debug for Dependencies {
    // URLs may carry passwords: say only which are configured.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dependencies")
            .field("postgres", &self.postgres.is_some())
            .field("nats", &self.nats.is_some())
            .field("s3_endpoint", &self.s3_endpoint.is_some())
            .field("smtp_url", &self.smtp_url.is_some())
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub service: ServiceSettings,
    pub upstreams: Upstreams,
    pub dependencies: Dependencies,
    /// The identity check at the edge.
    pub edge: crate::edge::EdgeSettings,
    /// `TRUSTED_PROXIES`: whose `X-Forwarded-*` is believed.
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// `RATE_LIMIT_*`, `MAX_REQUEST_BODY`.
    pub limits: crate::limits::LimitSettings,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let service = ServiceSettings::without_database(env, ServiceName::Gateway)?;
        let upstreams = Upstreams {
            auth: ServiceName::Auth.url(env)?,
            profile: ServiceName::Profile.url(env)?,
            integrations: ServiceName::Integrations.url(env)?,
            recommender: ServiceName::Recommender.url(env)?,
            web: ServiceName::Web.url(env)?,
        };
        let nats = env.get("NATS_URL").or_else(|| {
            (service.common.event_bus == platform::config::EventBus::Nats)
                .then(|| service.common.nats_url.clone())
        });
        let dependencies = Dependencies {
            postgres: env.get("DATABASE_URL").filter(|u| {
                platform::db::Backend::of(u).ok() == Some(platform::db::Backend::Postgres)
            }),
            nats,
            s3_endpoint: env.get("S3_ENDPOINT"),
            smtp_url: env.get("SMTP_URL"),
        };
        Ok(Self {
            edge: crate::edge::EdgeSettings::from_env(env, &service)?,
            trusted_proxies: crate::client_addr::TrustedProxies::from_env(env)?,
            limits: crate::limits::LimitSettings::from_env(env)?,
            service,
            upstreams,
            dependencies,
        })
    }

    pub fn from_process() -> Result<Self, ConfigError> {
        Self::from_env(&Env::from_process())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_for(env: &Env) -> String {
        let err = Settings::from_env(env).unwrap_err();
        assert!(err.to_string().contains(&err.name), "{err}");
        err.name
    }

    #[test]
    fn production_refuses_to_start_with_each_weak_setting_naming_the_variable() {
        let env = Env::from_pairs([("APP_ENV", "production")]);
        assert_eq!(refused_for(&env), "PUBLIC_URL", "the default is http://");
        let env = env.with([("PUBLIC_URL", "https://onetip.example")]);
        assert_eq!(refused_for(&env), "INTERNAL_API_TOKEN", "required");
        let env = env.with([("INTERNAL_API_TOKEN", "t".repeat(40))]);
        assert_eq!(refused_for(&env), "INTERNAL_API_TOKEN", "long, not random");
        let env = env.with([("INTERNAL_API_TOKEN", platform::secrets::random_token())]);
        let settings = Settings::from_env(&env).unwrap();
        assert!(settings.edge.production);
        let env = env.with([("TRUSTED_PROXIES", "not-an-address")]);
        assert_eq!(refused_for(&env), "TRUSTED_PROXIES");
    }

    #[test]
    fn development_keeps_its_plain_http_defaults() {
        let env = Env::from_pairs([("INTERNAL_API_TOKEN", "t".repeat(40))]);
        assert!(!Settings::from_env(&env).unwrap().edge.production);
    }
}
