//! How a fake Todoist behaves: which OAuth clients it accepts, token
//! lifetimes, its rate limit, and whether it is the development run's sandbox.

use std::fmt;
use std::time::Duration;

/// The settings of one fake Todoist.
#[derive(Clone)]
pub struct FakeConfig {
    /// The only client id accepted; `None` accepts any (the sandbox).
    pub client_id: Option<String>,
    /// The secret that goes with `client_id`; required when it is set.
    pub client_secret: Option<String>,
    /// The app's registered redirect URI: used when an authorize request
    /// names none, and the only one accepted when set. `None` accepts any
    /// http(s) redirect URI and requires one in each request.
    pub redirect_uri: Option<String>,
    /// `expires_in` of access tokens.
    pub access_token_ttl: Duration,
    /// How long an authorization code can be exchanged.
    pub code_ttl: Duration,
    /// Requests per user per window before a natural 429, like Todoist's
    /// ~1000 per 15 minutes; `None` for no limit.
    pub rate_limit: Option<RateLimit>,
    /// Started by the one-process launcher: the consent page says so.
    pub development_run: bool,
    /// The account the consent page offers when none is typed.
    pub default_account: String,
}

/// `requests` per user in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

impl Default for FakeConfig {
    /// Any client, hour-long tokens, Todoist's documented limit.
    fn default() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            redirect_uri: None,
            access_token_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(600),
            rate_limit: Some(RateLimit {
                requests: 1000,
                window: Duration::from_secs(15 * 60),
            }),
            development_run: false,
            default_account: "sandbox".to_owned(),
        }
    }
}

impl FakeConfig {
    /// The sandbox of the embedded development run: any client id and secret.
    pub fn sandbox() -> Self {
        Self {
            development_run: true,
            ..Self::default()
        }
    }

    /// Accept only this client.
    pub fn with_client(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// The fake run on its own (`todoist-fake`, Compose): the sandbox, made
    /// strict by `TODOIST_FAKE_CLIENT_ID` / `TODOIST_FAKE_CLIENT_SECRET`,
    /// with `TODOIST_FAKE_REDIRECT_URI` as the registered redirect URI and
    /// `TODOIST_FAKE_TOKEN_TTL` (seconds), when they are set.
    pub fn from_env(env: &platform::Env) -> Result<Self, platform::ConfigError> {
        let mut config = Self::sandbox();
        if let Some(id) = env.get("TODOIST_FAKE_CLIENT_ID") {
            let secret = env.get("TODOIST_FAKE_CLIENT_SECRET").ok_or_else(|| {
                platform::ConfigError::new(
                    "TODOIST_FAKE_CLIENT_SECRET",
                    "required when TODOIST_FAKE_CLIENT_ID is set",
                )
            })?;
            config = config.with_client(id, secret);
        }
        config.redirect_uri = env.get("TODOIST_FAKE_REDIRECT_URI");
        if let Some(secs) = env.parse::<u64>("TODOIST_FAKE_TOKEN_TTL")? {
            config.access_token_ttl = Duration::from_secs(secs);
        }
        Ok(config)
    }

    /// Whether `id` (and `secret`, when given) name an accepted client.
    pub(crate) fn accepts_client(&self, id: &str, secret: Option<&str>) -> bool {
        if id.is_empty() {
            return false;
        }
        match (&self.client_id, &self.client_secret) {
            (None, _) => true,
            (Some(want_id), want_secret) => {
                want_id == id && (want_secret.is_none() || want_secret.as_deref() == secret)
            }
        }
    }
}

impl fmt::Debug for FakeConfig {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("redirect_uri", &self.redirect_uri)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("code_ttl", &self.code_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("development_run", &self.development_run)
            .finish()
    }
}
