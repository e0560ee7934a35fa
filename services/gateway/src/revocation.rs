//! The revoked-session set the gateway keeps fresh from auth, failing
//! closed: it is paged by the last row seen (nothing is skipped, however
//! large a burst), every poll reaches back [`OVERLAP`] so a revocation
//! committed late is still picked up, and when the set is older than its
//! staleness bound each token's session is checked with auth instead (or
//! refused when auth cannot say).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use shared_types::auth::{RevokedList, SessionState};

/// How often the revoked-session list is fetched from auth.
pub const REVOCATION_POLL: Duration = Duration::from_secs(2);
/// Past this age the set is not trusted alone: sessions are checked with auth.
pub const STALE_AFTER: Duration = Duration::from_secs(10);
/// Rows per page asked of auth (auth's own maximum).
pub const PAGE: usize = 10_000;
/// Revocations older than this cannot matter: every access token of the
/// session has expired by then (5-15 min lifetime plus leeway).
const HORIZON_MS: i64 = 20 * 60 * 1000;
/// Each poll reaches back this far behind auth's clock, so a revocation
/// whose transaction commits up to this long after its timestamp is seen.
const OVERLAP_MS: i64 = 60 * 1000;

/// How the revocation set is kept (tests shorten the bounds).
#[derive(Debug, Clone)]
pub struct RevocationSettings {
    pub poll: Duration,
    pub stale_after: Duration,
    pub page: usize,
}

impl Default for RevocationSettings {
    fn default() -> Self {
        Self {
            poll: REVOCATION_POLL,
            stale_after: STALE_AFTER,
            page: PAGE,
        }
    }
}

/// Whether a session may be used, as far as the gateway can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Live,
    Revoked,
    /// The set is stale and auth could not be asked: refuse, but as
    /// unavailable rather than as signed out.
    Unknown,
}

#[derive(Default)]
struct Set {
    revoked: HashMap<String, i64>,
    /// When the last complete poll began.
    fresh_at: Option<Instant>,
}

#[derive(Clone)]
pub struct Revocations {
    set: Arc<RwLock<Set>>,
    /// Where the next poll starts (epoch ms; `None` before the first); the
    /// lock also makes polls one at a time, whoever asks for one.
    next_since: Arc<tokio::sync::Mutex<Option<i64>>>,
    settings: RevocationSettings,
    auth_url: String,
    internal_token: SecretString,
    http: reqwest::Client,
}

impl Revocations {
    pub fn new(
        settings: RevocationSettings,
        auth_url: String,
        internal_token: SecretString,
    ) -> Self {
        Self {
            set: Arc::default(),
            next_since: Arc::default(),
            settings,
            auth_url,
            internal_token,
            http: platform::client::http_client(Duration::from_secs(2)),
        }
    }

    /// Keeps the set fresh, polling auth until the runtime ends; until the
    /// first poll succeeds (auth still starting), it retries quickly.
    pub fn spawn_poller(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let loaded = match this.poll_now().await {
                    Ok(()) => true,
                    Err(why) => {
                        tracing::warn!(why, "polling revoked sessions failed");
                        this.age().is_some()
                    }
                };
                let pause = if loaded {
                    this.settings.poll
                } else {
                    this.settings.poll.min(Duration::from_millis(100))
                };
                tokio::time::sleep(pause).await;
            }
        });
    }

    /// One complete poll now (or the one already running). A failed poll
    /// keeps its starting point, so the next one catches up.
    pub async fn poll_now(&self) -> Result<(), &'static str> {
        let mut next_since = self.next_since.lock().await;
        let started = Instant::now();
        let since = next_since.unwrap_or_else(|| platform::db::now_millis() - HORIZON_MS);
        let auth_now = self.poll(since).await?;
        *next_since = Some(since.max(auth_now - OVERLAP_MS));
        self.set.write().expect("revocation lock").fresh_at = Some(started);
        Ok(())
    }

    /// When stale, tries one poll (within `within`) before anyone reports
    /// on the set: a check right after start or after a blip need not fail.
    pub async fn refresh_if_stale(&self, within: Duration) {
        if self.is_stale() {
            let _ = tokio::time::timeout(within, self.poll_now()).await;
        }
    }

    /// Reads every page from `since` on; answers auth's clock at the start.
    async fn poll(&self, since: i64) -> Result<i64, &'static str> {
        let (mut at, mut after) = (since, String::new());
        let mut first_now = None;
        loop {
            let list = self.page(at, &after).await?;
            first_now.get_or_insert(list.now);
            let full = list.revoked.len() >= self.settings.page;
            let mut set = self.set.write().expect("revocation lock");
            set.revoked.retain(|_, t| *t >= list.now - HORIZON_MS);
            for r in list.revoked {
                at = r.revoked_at;
                after.clone_from(&r.sid);
                set.revoked.insert(r.sid, r.revoked_at);
            }
            if !full {
                return Ok(first_now.unwrap_or(since));
            }
        }
    }

    async fn page(&self, since: i64, after: &str) -> Result<RevokedList, &'static str> {
        self.ask_auth(
            self.http
                .get(format!("{}/internal/sessions/revoked", self.auth_url))
                .query(&[
                    ("since", since.to_string()),
                    ("after", after.to_owned()),
                    ("limit", self.settings.page.to_string()),
                ]),
        )
        .await
    }

    /// `request` to auth's `/internal/*` as an internal caller, carrying the
    /// trace; its JSON answer, or why not in words fit for a log.
    async fn ask_auth<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, &'static str> {
        let response = request
            .bearer_auth(self.internal_token.expose_secret())
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|_| "auth unreachable")?;
        if !response.status().is_success() {
            return Err("auth refused");
        }
        response.json().await.map_err(|_| "bad answer")
    }

    /// How old the set is: `None` when no poll has completed yet.
    pub fn age(&self) -> Option<Duration> {
        let set = self.set.read().expect("revocation lock");
        set.fresh_at.map(|t| t.elapsed())
    }

    /// True when the set cannot be trusted alone.
    pub fn is_stale(&self) -> bool {
        self.age().is_none_or(|age| age > self.settings.stale_after)
    }

    /// A line for `/ready` and `/health` when stale, `None` when fresh.
    pub fn staleness(&self) -> Option<String> {
        if !self.is_stale() {
            return None;
        }
        Some(match self.age() {
            Some(age) => format!(
                "revoked-session list {} ms old (bound {} ms)",
                age.as_millis(),
                self.settings.stale_after.as_millis()
            ),
            None => "revoked-session list not loaded yet".to_owned(),
        })
    }

    /// The session's verdict: the set when fresh, auth itself when stale.
    pub async fn check(&self, sid: &str) -> Verdict {
        let listed = self
            .set
            .read()
            .expect("revocation lock")
            .revoked
            .contains_key(sid);
        if listed {
            return Verdict::Revoked;
        }
        if !self.is_stale() {
            return Verdict::Live;
        }
        match self.ask(sid).await {
            Ok(true) => Verdict::Live,
            Ok(false) => Verdict::Revoked,
            Err(why) => {
                tracing::warn!(why, "revoked list stale and auth cannot check the session");
                Verdict::Unknown
            }
        }
    }

    async fn ask(&self, sid: &str) -> Result<bool, &'static str> {
        let mut url = reqwest::Url::parse(&self.auth_url).map_err(|_| "bad auth url")?;
        url.path_segments_mut()
            .map_err(|_| "bad auth url")?
            .extend(["internal", "sessions", sid]);
        let state: SessionState = self.ask_auth(self.http.get(url)).await?;
        Ok(state.live)
    }
}
