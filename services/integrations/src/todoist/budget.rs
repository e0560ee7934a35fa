//! A per-user budget of calls to Todoist (GCRA through `governor`), so no
//! user, however busy, comes near Todoist's ~1000 requests per 15 minutes.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::domain::UserId;

/// How many calls a user may make: `per_window` per `window`, at most
/// `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    pub per_window: u32,
    pub window: Duration,
    pub burst: u32,
}

impl Default for BudgetConfig {
    /// 300 per 15 minutes (under a third of Todoist's limit), 30 at once.
    fn default() -> Self {
        Self {
            per_window: 300,
            window: Duration::from_secs(15 * 60),
            burst: 30,
        }
    }
}

/// The per-user limiter.
pub struct Budget {
    limiter: DefaultKeyedRateLimiter<UserId>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget").finish_non_exhaustive()
    }
}

impl Budget {
    pub fn new(config: BudgetConfig) -> Self {
        let per_window = config.per_window.max(1);
        let period = (config.window / per_window).max(Duration::from_millis(1));
        let quota = Quota::with_period(period)
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::new(config.burst.max(1)).expect("at least one"));
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one call from the user's budget, or says how long until one is
    /// available.
    pub fn take(&self, user: &UserId) -> Result<(), Duration> {
        self.limiter
            .check_key(user)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets users whose budget is full again (bounded memory).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}
