//! Configuration: environment variables read once at start, with working
//! defaults for the embedded run.
//!
//! Every read goes through [`Env`], which remembers the names it was asked
//! for. That is how the tests know which variables the code really reads
//! (and so which ones `docker-compose.yml` and `.env.example` may set)
//! without a hand-written list that could drift.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// A configuration variable was present but unusable. Names the variable and
/// why; never echoes the value, which may be a secret.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {name}: {reason}")]
pub struct ConfigError {
    pub name: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// A snapshot of the environment that records which names were read.
#[derive(Clone, Default)]
pub struct Env {
    vars: Arc<BTreeMap<String, String>>,
    read: Arc<Mutex<BTreeSet<String>>>,
}

impl fmt::Debug for Env {
    // Values may be secrets: show only how many there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("vars", &self.vars.len())
            .finish()
    }
}

impl Env {
    /// The process environment, taken once.
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars())
    }

    /// An environment made of the given pairs (tests, the launcher).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: Arc::new(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            read: Arc::default(),
        }
    }

    /// The same values plus (or replaced by) the given pairs.
    pub fn with<K: Into<String>, V: Into<String>>(
        &self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut vars = (*self.vars).clone();
        vars.extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        Self {
            vars: Arc::new(vars),
            read: self.read.clone(),
        }
    }

    /// The value of `name`; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        self.read
            .lock()
            .expect("env read-set lock")
            .insert(name.to_owned());
        self.vars
            .get(name)
            .filter(|v| !v.trim().is_empty())
            .cloned()
    }

    /// The value of `name`, or `default` when unset.
    pub fn get_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    /// The value of `name` parsed, or `None` when unset.
    pub fn parse<T>(&self, name: &str) -> Result<Option<T>, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.get(name)
            .map(|raw| {
                raw.trim()
                    .parse::<T>()
                    .map_err(|e| ConfigError::new(name, e.to_string()))
            })
            .transpose()
    }

    /// Every name asked for so far, by anyone holding a clone of this `Env`.
    pub fn names_read(&self) -> BTreeSet<String> {
        self.read.lock().expect("env read-set lock").clone()
    }
}

/// The one duration grammar of every `*_TTL`, timeout and budget: a whole
/// number and a unit, `ms`, `s`, `m`, `h` or `d` (`1200ms`, `30s`, `5m`,
/// `14d`); a bare number counts as seconds. Zero and overflow are refused.
pub fn parse_duration(raw: &str) -> Option<std::time::Duration> {
    use std::time::Duration;
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    Some(match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        "d" => Duration::from_secs(n.checked_mul(86_400)?),
        _ => return None,
    })
}

impl Env {
    /// The duration `name` holds ([`parse_duration`]'s grammar), or `default`.
    pub fn duration(
        &self,
        name: &str,
        default: std::time::Duration,
    ) -> Result<std::time::Duration, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => parse_duration(&raw).ok_or_else(|| {
                ConfigError::new(
                    name,
                    "expected a duration such as 500ms, 30s, 5m, 12h or 14d",
                )
            }),
        }
    }
}

/// The shape every service's `Settings` shares, written once: a
/// `service: ServiceSettings` field it derefs to (`settings.common`,
/// `settings.addr`, `settings.database_url`), and `from_process()` beside
/// its own `from_env(&Env)`. `platform::service_settings!(Settings);`
#[macro_export]
macro_rules! service_settings {
    ($settings:ty) => {
        impl $settings {
            /// The settings from this process's environment.
            pub fn from_process() -> Result<Self, $crate::ConfigError> {
                Self::from_env(&$crate::Env::from_process())
            }
        }

        impl ::std::ops::Deref for $settings {
            type Target = $crate::config::ServiceSettings;
            fn deref(&self) -> &$crate::config::ServiceSettings {
                &self.service
            }
        }
    };
}

/// Where the sandbox Todoist (`tools/todoist-fake`) listens unless
/// `TODOIST_SANDBOX_ADDR` says otherwise.
pub const TODOIST_SANDBOX_ADDR: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8090);

/// Whether the embedded run talks to the sandbox Todoist instead of
/// Todoist: when no `TODOIST_CLIENT_ID` is set, in development only
/// (production requires a real client).
pub fn uses_todoist_sandbox(env: &Env, production: bool) -> bool {
    env.get("TODOIST_CLIENT_ID").is_none() && !production
}

/// The sandbox Todoist's address: `TODOIST_SANDBOX_ADDR`, or
/// [`TODOIST_SANDBOX_ADDR`]'s default.
pub fn todoist_sandbox_addr(env: &Env) -> Result<std::net::SocketAddr, ConfigError> {
    Ok(env
        .parse("TODOIST_SANDBOX_ADDR")?
        .unwrap_or(TODOIST_SANDBOX_ADDR))
}

/// `development` or `production`; production refuses dev-only shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

impl FromStr for AppEnv {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "development" | "dev" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            _ => Err("expected `development` or `production`".to_owned()),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pretty" | "text" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            _ => Err("expected `json` or `pretty`".to_owned()),
        }
    }
}

/// Which transport carries events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventBus {
    Http,
    Nats,
}

impl FromStr for EventBus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "http" => Ok(Self::Http),
            "nats" => Ok(Self::Nats),
            _ => Err("expected `http` or `nats`".to_owned()),
        }
    }
}

/// Settings every process shares.
#[derive(Debug, Clone)]
pub struct CommonSettings {
    pub app_env: AppEnv,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub event_bus: EventBus,
    pub nats_url: String,
    /// `SENTRY_DSN`: where errors are reported; unset, reporting is off.
    /// Hidden from `Debug` (its key is a credential of the project).
    pub sentry_dsn: Option<secrecy::SecretString>,
    /// `SENTRY_ENVIRONMENT`: the environment errors are filed under; by
    /// default the `APP_ENV`.
    pub sentry_environment: String,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the OTLP/HTTP collector spans are
    /// exported to (`{endpoint}/v1/traces`); unset, nothing is exported.
    pub otlp_endpoint: Option<String>,
}

impl CommonSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let app_env = env.parse("APP_ENV")?.unwrap_or(AppEnv::Development);
        let default_format = match app_env {
            AppEnv::Development => LogFormat::Pretty,
            AppEnv::Production => LogFormat::Json,
        };
        let public_url = env
            .get_or("PUBLIC_URL", "http://localhost:8080")
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "PUBLIC_URL",
                "must start with http:// or https://",
            ));
        }
        Ok(Self {
            app_env,
            public_url,
            data_dir: PathBuf::from(env.get_or("DATA_DIR", "./data")),
            log_filter: env.get_or("RUST_LOG", "info"),
            log_format: env.parse("LOG_FORMAT")?.unwrap_or(default_format),
            event_bus: env.parse("EVENT_BUS")?.unwrap_or(EventBus::Http),
            nats_url: env.get_or("NATS_URL", "nats://127.0.0.1:4222"),
            sentry_dsn: sentry_dsn(env)?,
            sentry_environment: env.get_or(
                "SENTRY_ENVIRONMENT",
                match app_env {
                    AppEnv::Development => "development",
                    AppEnv::Production => "production",
                },
            ),
            otlp_endpoint: otlp_endpoint(env)?,
        })
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// In production, `url` (the value of `name`) must be `https://`:
    /// cookies, codes and tokens never travel in clear.
    pub fn require_https(&self, name: &str, url: &str) -> Result<(), ConfigError> {
        if self.is_production() && !url.starts_with("https://") {
            return Err(ConfigError::new(name, "must be https:// in production"));
        }
        Ok(())
    }
}

fn sentry_dsn(env: &Env) -> Result<Option<secrecy::SecretString>, ConfigError> {
    let Some(raw) = env.get("SENTRY_DSN") else {
        return Ok(None);
    };
    raw.trim().parse::<sentry::types::Dsn>().map_err(|_| {
        ConfigError::new(
            "SENTRY_DSN",
            "expected a Sentry DSN such as https://key@host/1",
        )
    })?;
    Ok(Some(secrecy::SecretString::from(raw.trim().to_owned())))
}

fn otlp_endpoint(env: &Env) -> Result<Option<String>, ConfigError> {
    let Some(raw) = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") else {
        return Ok(None);
    };
    let url = raw.trim().trim_end_matches('/').to_owned();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError::new(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "expected an http:// or https:// URL (OTLP over HTTP)",
        ));
    }
    Ok(Some(url))
}

/// The services of the fleet, in the order of the architecture diagram,
/// with their default ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceName {
    Gateway,
    Auth,
    Profile,
    Integrations,
    Recommender,
    Web,
}

impl ServiceName {
    pub const ALL: [ServiceName; 6] = [
        Self::Gateway,
        Self::Auth,
        Self::Profile,
        Self::Integrations,
        Self::Recommender,
        Self::Web,
    ];

    /// The lower-case name used in logs, schemas and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gateway => "gateway",
            Self::Auth => "auth",
            Self::Profile => "profile",
            Self::Integrations => "integrations",
            Self::Recommender => "recommender",
            Self::Web => "web",
        }
    }

    /// The prefix of its variables: `AUTH` in `AUTH_ADDR`.
    pub fn env_prefix(self) -> &'static str {
        match self {
            Self::Gateway => "GATEWAY",
            Self::Auth => "AUTH",
            Self::Profile => "PROFILE",
            Self::Integrations => "INTEGRATIONS",
            Self::Recommender => "RECOMMENDER",
            Self::Web => "WEB",
        }
    }

    pub fn default_port(self) -> u16 {
        8080 + Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u16
    }

    /// Where the service listens: `<SERVICE>_ADDR`.
    pub fn addr(self, env: &Env) -> Result<SocketAddr, ConfigError> {
        let name = format!("{}_ADDR", self.env_prefix());
        Ok(env
            .parse(&name)?
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], self.default_port()))))
    }

    /// Where the others reach it: `<SERVICE>_URL`, by default `http://` + its address.
    pub fn url(self, env: &Env) -> Result<String, ConfigError> {
        let name = format!("{}_URL", self.env_prefix());
        match env.get(&name) {
            Some(url) => Ok(url.trim_end_matches('/').to_owned()),
            None => Ok(format!("http://{}", self.addr(env)?)),
        }
    }

    /// Its database: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL`, else a
    /// SQLite file `DATA_DIR/<service>.db`.
    pub fn database_url(self, env: &Env, common: &CommonSettings) -> String {
        env.get(&format!("{}_DATABASE_URL", self.env_prefix()))
            .or_else(|| env.get("DATABASE_URL"))
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}/{}.db",
                    common.data_dir.display(),
                    self.as_str()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_todoist_is_used_without_a_client_in_development_only() {
        let none = Env::default();
        assert!(uses_todoist_sandbox(&none, false));
        assert!(!uses_todoist_sandbox(&none, true));
        let client = Env::from_pairs([("TODOIST_CLIENT_ID", "id")]);
        assert!(!uses_todoist_sandbox(&client, false));
        assert_eq!(
            todoist_sandbox_addr(&none).unwrap().to_string(),
            "127.0.0.1:8090"
        );
        let moved = Env::from_pairs([("TODOIST_SANDBOX_ADDR", "127.0.0.1:18090")]);
        assert_eq!(
            todoist_sandbox_addr(&moved).unwrap().to_string(),
            "127.0.0.1:18090"
        );
        let bad = Env::from_pairs([("TODOIST_SANDBOX_ADDR", "nowhere")]);
        assert_eq!(
            todoist_sandbox_addr(&bad).unwrap_err().name,
            "TODOIST_SANDBOX_ADDR"
        );
    }

    #[test]
    fn defaults_give_a_working_embedded_run() {
        let env = Env::default();
        let common = CommonSettings::from_env(&env).unwrap();
        assert_eq!(common.app_env, AppEnv::Development);
        assert_eq!(common.public_url, "http://localhost:8080");
        assert_eq!(common.log_format, LogFormat::Pretty);
        assert_eq!(
            ServiceName::Recommender.addr(&env).unwrap().to_string(),
            "127.0.0.1:8084"
        );
        assert_eq!(ServiceName::Web.url(&env).unwrap(), "http://127.0.0.1:8085");
        assert_eq!(
            ServiceName::Auth.database_url(&env, &common),
            "sqlite://./data/auth.db"
        );
    }

    #[test]
    fn a_service_database_url_wins_over_the_shared_one() {
        let env = Env::from_pairs([
            ("DATABASE_URL", "postgres://db/shared"),
            ("PROFILE_DATABASE_URL", "postgres://db/profile"),
        ]);
        let common = CommonSettings::from_env(&env).unwrap();
        assert_eq!(
            ServiceName::Profile.database_url(&env, &common),
            "postgres://db/profile"
        );
        assert_eq!(
            ServiceName::Auth.database_url(&env, &common),
            "postgres://db/shared"
        );
    }

    #[test]
    fn bad_values_name_the_variable_without_echoing_it() {
        let env = Env::from_pairs([("APP_ENV", "staging-secret")]);
        let err = CommonSettings::from_env(&env).unwrap_err();
        assert_eq!(err.name, "APP_ENV");
        assert!(
            err.to_string()
                .starts_with("configuration variable APP_ENV")
        );
        assert!(!err.to_string().contains("staging-secret"));
        let env = Env::from_pairs([("AUTH_ADDR", "not-an-address")]);
        assert_eq!(ServiceName::Auth.addr(&env).unwrap_err().name, "AUTH_ADDR");
    }

    #[test]
    fn every_duration_reads_the_same_grammar() {
        use std::time::Duration;
        assert_eq!(parse_duration("1200ms"), Some(Duration::from_millis(1200)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
        for bad in ["", "0s", "5 minutes", "-1s", "1w", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        let env = Env::from_pairs([("TODOIST_CACHE_TTL", "1d"), ("DECISION_TTL", "soon")]);
        assert_eq!(
            env.duration("TODOIST_CACHE_TTL", Duration::ZERO).unwrap(),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            env.duration("DECISION_TTL", Duration::ZERO)
                .unwrap_err()
                .name,
            "DECISION_TTL"
        );
        assert_eq!(
            env.duration("UNSET", Duration::from_secs(3)).unwrap(),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn production_refuses_plain_http_urls_naming_the_variable() {
        let prod = CommonSettings::from_env(&Env::from_pairs([("APP_ENV", "production")])).unwrap();
        let err = prod
            .require_https("PUBLIC_URL", &prod.public_url)
            .unwrap_err();
        assert_eq!(err.name, "PUBLIC_URL");
        assert!(
            prod.require_https("PUBLIC_URL", "https://onetip.example")
                .is_ok()
        );
        let dev = CommonSettings::from_env(&Env::default()).unwrap();
        assert!(dev.require_https("PUBLIC_URL", &dev.public_url).is_ok());
    }

    #[test]
    fn the_debug_of_service_settings_shows_no_database_password() {
        let env = Env::from_pairs([(
            "AUTH_DATABASE_URL",
            "postgres://auth:s3cr3t-pw@db:5432/auth?sslmode=require&password=s3cr3t-pw",
        )]);
        let settings = ServiceSettings::from_env(&env, ServiceName::Auth).unwrap();
        let debug = format!("{settings:?}");
        assert!(!debug.contains("s3cr3t-pw"), "{debug}");
        assert!(
            debug.contains("postgres://auth:***@db:5432/auth?***"),
            "{debug}"
        );
        let pretty = format!("{settings:#?}");
        assert!(!pretty.contains("s3cr3t-pw"));
        assert_eq!(
            &*settings.database_url,
            "postgres://auth:s3cr3t-pw@db:5432/auth?sslmode=require&password=s3cr3t-pw",
            "the full URL is there for connecting"
        );
        let sqlite = DatabaseUrl::new("sqlite://./data/auth.db");
        assert_eq!(format!("{sqlite:?}"), "\"sqlite://./data/auth.db\"");
    }

    #[test]
    fn sentry_and_otlp_are_off_by_default_and_checked_when_set() {
        let common = CommonSettings::from_env(&Env::default()).unwrap();
        assert!(common.sentry_dsn.is_none() && common.otlp_endpoint.is_none());
        assert_eq!(common.sentry_environment, "development");
        let env = Env::from_pairs([
            ("SENTRY_DSN", "https://public-key-123@sentry.example/42"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("APP_ENV", "production"),
        ]);
        let common = CommonSettings::from_env(&env).unwrap();
        assert!(common.sentry_dsn.is_some());
        assert!(!format!("{common:?}").contains("public-key-123"));
        assert_eq!(
            common.otlp_endpoint.as_deref(),
            Some("http://collector:4318")
        );
        assert_eq!(common.sentry_environment, "production");
        let err = CommonSettings::from_env(&Env::from_pairs([("SENTRY_DSN", "nonsense-secret")]))
            .unwrap_err();
        assert_eq!(err.name, "SENTRY_DSN");
        assert!(!err.to_string().contains("nonsense-secret"));
        let err = CommonSettings::from_env(&Env::from_pairs([(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "collector:4317",
        )]))
        .unwrap_err();
        assert_eq!(err.name, "OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    #[test]
    fn env_remembers_every_name_it_was_asked_for() {
        let env = Env::default();
        let _ = CommonSettings::from_env(&env).unwrap();
        let names = env.names_read();
        for name in [
            "APP_ENV",
            "PUBLIC_URL",
            "DATA_DIR",
            "LOG_FORMAT",
            "EVENT_BUS",
            "SENTRY_DSN",
            "SENTRY_ENVIRONMENT",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
        ] {
            assert!(names.contains(name), "{name} not recorded");
        }
    }
}

/// A database URL. It may carry a password, so it has no `Display` and its
/// `Debug` shows the URL with the password replaced; the full text is had
/// only by dereferencing (`&url` where a `&str` is wanted), at connect time.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "***".to_owned();
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let mut out = format!("{scheme}://");
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                out.push_str(&format!("{user}:***@{host}"));
            }
            None => out.push_str(authority),
        }
        // A password can also ride in the query (`?password=…`).
        match tail.split_once('?') {
            Some((path, _)) => out.push_str(&format!("{path}?***")),
            None => out.push_str(tail),
        }
        out
    }
}

impl std::ops::Deref for DatabaseUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// What every service reads about itself: the shared settings, where it
/// listens, and (for those that own one) its database.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub name: ServiceName,
    pub common: CommonSettings,
    pub addr: SocketAddr,
    /// Never logged: its `Debug` hides the password.
    pub database_url: DatabaseUrl,
}

impl ServiceSettings {
    /// For a service that owns a database.
    pub fn from_env(env: &Env, name: ServiceName) -> Result<Self, ConfigError> {
        let common = CommonSettings::from_env(env)?;
        let database_url = DatabaseUrl::new(name.database_url(env, &common));
        Ok(Self {
            name,
            addr: name.addr(env)?,
            database_url,
            common,
        })
    }

    /// For a service without a database (gateway, web).
    pub fn without_database(env: &Env, name: ServiceName) -> Result<Self, ConfigError> {
        Ok(Self {
            name,
            common: CommonSettings::from_env(env)?,
            addr: name.addr(env)?,
            database_url: DatabaseUrl::default(),
        })
    }
}
