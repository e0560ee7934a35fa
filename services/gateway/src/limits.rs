//! Inbound limits at the front door: request rates per client address on
//! `/auth/*` and per user on `/api/*` (GCRA, `governor`), sign-in starts
//! per client (each writes a flow row that lives up to 15 minutes, so this
//! bounds a client's pending flows), and the size of a request body.
//!
//! Over a limit the answer is 429 with `Retry-After` (or 413 for a body),
//! with a JSON error, before anything reaches a service.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use platform::{ConfigError, Env};

/// How long a sign-in flow lives at most (auth deletes it then).
const FLOW_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The limits, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// `RATE_LIMIT_AUTH_PER_MINUTE`: requests to `/auth/*` per client
    /// address a minute (also the burst); 0 turns it off.
    pub auth_per_minute: u32,
    /// `RATE_LIMIT_API_PER_MINUTE`: requests to `/api/*` per signed-in user
    /// a minute (also the burst); 0 turns it off.
    pub api_per_minute: u32,
    /// `RATE_LIMIT_SIGN_IN_PENDING`: sign-ins one client may start within a
    /// flow's 15-minute life; 0 turns it off.
    pub sign_in_pending: u32,
    /// `MAX_REQUEST_BODY`: the largest request body forwarded, in bytes.
    pub max_body: usize,
}

impl Default for LimitSettings {
    /// Generous: far above what a person (or a household behind one
    /// address) does, low enough that a flood is cut off.
    fn default() -> Self {
        Self {
            auth_per_minute: 120,
            api_per_minute: 600,
            sign_in_pending: 30,
            max_body: 1024 * 1024,
        }
    }
}

impl LimitSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let d = Self::default();
        let max_body: usize = env.parse("MAX_REQUEST_BODY")?.unwrap_or(d.max_body);
        if max_body == 0 {
            return Err(ConfigError::new(
                "MAX_REQUEST_BODY",
                "must be a positive number of bytes",
            ));
        }
        Ok(Self {
            auth_per_minute: env
                .parse("RATE_LIMIT_AUTH_PER_MINUTE")?
                .unwrap_or(d.auth_per_minute),
            api_per_minute: env
                .parse("RATE_LIMIT_API_PER_MINUTE")?
                .unwrap_or(d.api_per_minute),
            sign_in_pending: env
                .parse("RATE_LIMIT_SIGN_IN_PENDING")?
                .unwrap_or(d.sign_in_pending),
            max_body,
        })
    }
}

/// One keyed limiter; `None` when turned off.
struct Keyed<K: Hash + Eq + Clone>(Option<DefaultKeyedRateLimiter<K>>);

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(quota: Option<Quota>) -> Self {
        Self(quota.map(DefaultKeyedRateLimiter::keyed))
    }

    /// `Err(wait)` when `key` is over its limit.
    fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

fn per_minute(n: u32) -> Option<Quota> {
    NonZeroU32::new(n).map(Quota::per_minute)
}

/// `n` over a flow's lifetime, all of them at once if need be.
fn per_flow_lifetime(n: u32) -> Option<Quota> {
    let n = NonZeroU32::new(n)?;
    Quota::with_period(FLOW_LIFETIME / n.get()).map(|q| q.allow_burst(n))
}

/// Every limiter of the gateway, shared by its handlers.
/// Whose budget an `/auth/*` request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A client address (unknown clients share one).
    Addr(IpAddr),
    /// A user whose access token came with the request: web signing its
    /// users out through the gateway spends each user's budget, not one
    /// budget for every user behind web's address.
    User(String),
}

#[derive(Clone)]
pub struct Limits {
    auth: Arc<Keyed<Caller>>,
    api: Arc<Keyed<String>>,
    sign_in: Arc<Keyed<IpAddr>>,
    pub max_body: usize,
}

/// Which limit a request went over, and how long until it may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub retry_after: Duration,
}

impl Limits {
    pub fn new(settings: &LimitSettings) -> Self {
        Self {
            auth: Arc::new(Keyed::new(per_minute(settings.auth_per_minute))),
            api: Arc::new(Keyed::new(per_minute(settings.api_per_minute))),
            sign_in: Arc::new(Keyed::new(per_flow_lifetime(settings.sign_in_pending))),
            max_body: settings.max_body,
        }
    }

    /// Forgets idle clients now and then, so the tables stay small.
    pub fn spawn_sweeper(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                this.auth.forget_idle();
                this.api.forget_idle();
                this.sign_in.forget_idle();
            }
        });
    }

    /// A request to `/auth/*` from `client` (unknown clients share one
    /// key), by `user` when it carried a valid access token.
    pub fn auth(
        &self,
        client: Option<IpAddr>,
        user: Option<String>,
        path: &str,
    ) -> Result<(), Exceeded> {
        let addr = client.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let caller = user.map_or(Caller::Addr(addr), Caller::User);
        let exceeded = |retry_after| Exceeded { retry_after };
        self.auth.check(&caller).map_err(exceeded)?;
        if path == "/auth/google/start" {
            self.sign_in.check(&addr).map_err(exceeded)?;
        }
        Ok(())
    }

    /// A request to `/api/*` by the signed-in `user`.
    pub fn api(&self, user: &str) -> Result<(), Exceeded> {
        self.api
            .check(&user.to_owned())
            .map_err(|retry_after| Exceeded { retry_after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_past_the_limit_is_refused_with_a_wait_and_others_are_not() {
        let limits = Limits::new(&LimitSettings {
            auth_per_minute: 3,
            ..LimitSettings::default()
        });
        let a = Some(IpAddr::from([198, 51, 100, 1]));
        let b = Some(IpAddr::from([198, 51, 100, 2]));
        for _ in 0..3 {
            assert!(limits.auth(a, None, "/auth/refresh").is_ok());
        }
        let refused = limits.auth(a, None, "/auth/refresh").unwrap_err();
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(20));
        assert!(
            limits.auth(b, None, "/auth/refresh").is_ok(),
            "another client"
        );
        // Signed-in users behind the same address have budgets of their own.
        let user = || Some("u1".to_owned());
        assert!(limits.auth(a, user(), "/auth/logout").is_ok());
    }

    #[test]
    fn sign_in_starts_are_bounded_per_client_over_a_flows_life() {
        let limits = Limits::new(&LimitSettings {
            sign_in_pending: 2,
            ..LimitSettings::default()
        });
        let a = Some(IpAddr::from([198, 51, 100, 1]));
        assert!(limits.auth(a, None, "/auth/google/start").is_ok());
        assert!(limits.auth(a, None, "/auth/google/start").is_ok());
        let refused = limits.auth(a, None, "/auth/google/start").unwrap_err();
        // One flow's worth of the 15 minutes: 7.5 min for a bound of 2.
        assert!(
            refused.retry_after > Duration::from_secs(400),
            "{refused:?}"
        );
        assert!(
            limits.auth(a, None, "/auth/refresh").is_ok(),
            "other auth routes"
        );
    }

    #[test]
    fn zero_turns_a_limit_off_and_bad_values_name_their_variable() {
        let limits = Limits::new(&LimitSettings {
            api_per_minute: 0,
            ..LimitSettings::default()
        });
        for _ in 0..10_000 {
            assert!(limits.api("u1").is_ok());
        }
        let env = Env::from_pairs([("RATE_LIMIT_API_PER_MINUTE", "lots")]);
        assert_eq!(
            LimitSettings::from_env(&env).unwrap_err().name,
            "RATE_LIMIT_API_PER_MINUTE"
        );
        let env = Env::from_pairs([("MAX_REQUEST_BODY", "0")]);
        assert_eq!(
            LimitSettings::from_env(&env).unwrap_err().name,
            "MAX_REQUEST_BODY"
        );
        assert_eq!(
            LimitSettings::from_env(&Env::default()).unwrap(),
            LimitSettings::default()
        );
    }
}
