//! A per-user stale-while-revalidate cache of candidates, so page views do
//! not each call the provider.
//!
//! * Younger than the TTL: answered as it is ([`Lookup::Fresh`]).
//! * Older than the TTL (up to `max_stale`, 24 h): answered at once as
//!   [`Lookup::Stale`], and refreshed in the background, one refresh per
//!   user at a time. A failed refresh keeps the last good value (stale,
//!   with the error) and is not retried before `failure_backoff` (or the
//!   wait the error itself asks for, a rate limit's `Retry-After`), so a
//!   provider that is down is not called on every page view.
//! * Nothing usable (cold): the fetch starts (or is joined) in the
//!   background and the caller waits at most `cold_wait`; past it the
//!   caller gets [`Lookup::Pending`] and the fetch goes on to warm the
//!   cache for the next call.
//!
//! The cache says [`Lookup::Stale`] for anything past the TTL; the caller
//! decides what to call it (the Todoist connector reports a list being
//! revalidated as `ok` up to `ok_while_revalidating`, and `stale` once a
//! refresh has failed or the list is older than that). A change we made
//! ourselves patches the value in place ([`SwrCache::patch`]) instead of
//! dropping it, and discards a fetch that was under way when it happened
//! (it may predate the change).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::sync::watch;

use crate::domain::UserId;

/// How the cache ages its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Fresh for this long (`TODOIST_CACHE_TTL`).
    pub ttl: Duration,
    /// The last good value stays usable this long when refreshes fail.
    pub max_stale: Duration,
    /// How long a caller with nothing cached waits for the fetch.
    pub cold_wait: Duration,
    /// No new fetch this soon after a failed one.
    pub failure_backoff: Duration,
    /// A list past its TTL whose refresh has not failed still counts as
    /// current up to this age (it is being revalidated, not failing).
    pub ok_while_revalidating: Duration,
}

impl CachePolicy {
    /// `ttl`, with 24 h of staleness, a 1 s cold wait and a 5 s backoff.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            max_stale: Duration::from_secs(24 * 60 * 60),
            cold_wait: Duration::from_secs(1),
            failure_backoff: Duration::from_secs(5),
            ok_while_revalidating: Duration::from_secs(5 * 60).max(ttl),
        }
    }
}

/// A value and when it was fetched.
#[derive(Debug)]
pub struct Cached<T> {
    pub value: Arc<T>,
    pub fetched_at: Instant,
    /// The same moment on the wall clock, for `as_of`.
    pub as_of: OffsetDateTime,
}

impl<T> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            fetched_at: self.fetched_at,
            as_of: self.as_of,
        }
    }
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup<T, E> {
    Fresh(Cached<T>),
    /// Older than the TTL; `error` is the last refresh's failure, if it
    /// failed since this value was fetched.
    Stale {
        cached: Cached<T>,
        error: Option<E>,
    },
    /// Nothing usable, and the fetch failed.
    Failed(E),
    /// Nothing usable yet: the fetch outlasted the wait and goes on.
    Pending,
}

struct Slot<T, E> {
    good: Option<Cached<T>>,
    /// The last fetch's failure and when, cleared by a success.
    failure: Option<(E, Instant)>,
    /// No fetch starts before this (after a failure).
    retry_at: Option<Instant>,
    /// Bumped by every patch and invalidation: a fetch that started
    /// before one is not kept, since it may predate our change.
    generation: u64,
    /// The fetch under way: its number, and a flag that turns true when
    /// it has landed.
    inflight: Option<(u64, watch::Receiver<bool>)>,
}

impl<T, E> Default for Slot<T, E> {
    fn default() -> Self {
        Self {
            good: None,
            failure: None,
            retry_at: None,
            generation: 0,
            inflight: None,
        }
    }
}

/// One value per user, served stale while it is revalidated.
pub struct SwrCache<T, E> {
    policy: CachePolicy,
    /// The wait an error asks for, if any (a rate limit's).
    wait_hint: fn(&E) -> Option<Duration>,
    slots: Mutex<HashMap<UserId, Slot<T, E>>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl<T, E> std::fmt::Debug for SwrCache<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwrCache")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<T, E> SwrCache<T, E>
where
    T: Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
{
    pub fn new(policy: CachePolicy) -> Arc<Self> {
        Self::with_wait_hint(policy, |_| None)
    }

    /// A cache that, after a failure, also waits what `wait_hint` reads
    /// from the error (at least `failure_backoff`).
    pub fn with_wait_hint(policy: CachePolicy, wait_hint: fn(&E) -> Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            policy,
            wait_hint,
            slots: Mutex::default(),
            fetches: Default::default(),
        })
    }

    pub fn policy(&self) -> CachePolicy {
        self.policy
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, Slot<T, E>>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user's value, by the rules of the module. `wait` bounds how long
    /// a cold lookup waits: `Some(policy.cold_wait)` for page views, `None`
    /// to wait for the fetch to land.
    pub async fn get<F, Fut>(
        self: &Arc<Self>,
        user: &UserId,
        wait: Option<Duration>,
        fetch: F,
    ) -> Lookup<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let started = Instant::now();
        let mut landed = {
            let mut slots = self.lock();
            let slot = slots.entry(*user).or_default();
            // A fetch whose task died (a panic) never lands: forget it.
            if slot
                .inflight
                .as_ref()
                .is_some_and(|(_, rx)| rx.has_changed().is_err())
            {
                slot.inflight = None;
            }
            let usable = slot
                .good
                .as_ref()
                .filter(|c| c.fetched_at.elapsed() < self.policy.max_stale)
                .cloned();
            if let Some(cached) = usable {
                if cached.fetched_at.elapsed() < self.policy.ttl {
                    return Lookup::Fresh(cached);
                }
                if slot.inflight.is_none() && !self.backing_off(slot) {
                    self.spawn_fetch(user, slot, fetch);
                }
                let error = slot
                    .failure
                    .as_ref()
                    .filter(|(_, at)| *at >= cached.fetched_at)
                    .map(|(e, _)| e.clone());
                return Lookup::Stale { cached, error };
            }
            if slot.inflight.is_none() {
                if self.backing_off(slot) {
                    let (e, _) = slot.failure.as_ref().expect("backing off after a failure");
                    return Lookup::Failed(e.clone());
                }
                self.spawn_fetch(user, slot, fetch);
            }
            slot.inflight.as_ref().expect("a fetch under way").1.clone()
        };
        let done = landed.wait_for(|done| *done);
        match wait {
            Some(wait) => {
                let _ = tokio::time::timeout(wait, done).await;
            }
            None => {
                let _ = done.await;
            }
        }
        let slots = self.lock();
        let Some(slot) = slots.get(user) else {
            return Lookup::Pending;
        };
        match (&slot.good, &slot.failure) {
            (Some(cached), _) if cached.fetched_at >= started => Lookup::Fresh(cached.clone()),
            (_, Some((e, at))) if *at >= started => Lookup::Failed(e.clone()),
            (Some(cached), _) if cached.fetched_at.elapsed() < self.policy.max_stale => {
                // Patched or fetched by someone else meanwhile.
                Lookup::Stale {
                    cached: cached.clone(),
                    error: None,
                }
            }
            _ => Lookup::Pending,
        }
    }

    fn backing_off(&self, slot: &Slot<T, E>) -> bool {
        slot.failure.is_some() && slot.retry_at.is_some_and(|t| Instant::now() < t)
    }

    /// Starts `fetch` in the background; it stores what it gets.
    fn spawn_fetch<F, Fut>(self: &Arc<Self>, user: &UserId, slot: &mut Slot<T, E>, fetch: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let number = self
            .fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (landed, watch) = watch::channel(false);
        slot.inflight = Some((number, watch));
        let generation = slot.generation;
        let future = fetch();
        let cache = Arc::clone(self);
        let user = *user;
        tokio::spawn(async move {
            let result = future.await;
            cache.land(&user, number, generation, result);
            let _ = landed.send(true);
        });
    }

    fn land(&self, user: &UserId, number: u64, generation: u64, result: Result<T, E>) {
        let mut slots = self.lock();
        let slot = slots.entry(*user).or_default();
        if slot.inflight.as_ref().is_some_and(|(n, _)| *n == number) {
            slot.inflight = None;
        }
        let now = Instant::now();
        match result {
            Ok(value) if slot.generation == generation => {
                slot.good = Some(Cached {
                    value: Arc::new(value),
                    fetched_at: now,
                    as_of: OffsetDateTime::now_utc(),
                });
                slot.failure = None;
                slot.retry_at = None;
            }
            // Our own change came after this fetch began: keep the patch.
            Ok(_) => {}
            Err(e) => {
                let wait = (self.wait_hint)(&e)
                    .unwrap_or_default()
                    .max(self.policy.failure_backoff);
                slot.retry_at = now.checked_add(wait);
                slot.failure = Some((e, now));
            }
        }
    }

    /// Replaces the user's value with `edit(value)` (our own change, made
    /// at the provider), keeping its age; false when nothing is cached.
    pub fn patch(&self, user: &UserId, edit: impl FnOnce(&T) -> T) -> bool {
        let mut slots = self.lock();
        let Some(slot) = slots.get_mut(user) else {
            return false;
        };
        slot.generation += 1;
        match slot.good.as_mut() {
            Some(cached) => {
                cached.value = Arc::new(edit(&cached.value));
                true
            }
            None => false,
        }
    }

    /// Drops the user's value (connected again, or disconnected).
    pub fn invalidate(&self, user: &UserId) {
        let mut slots = self.lock();
        let slot = slots.entry(*user).or_default();
        slot.good = None;
        slot.failure = None;
        slot.retry_at = None;
        slot.generation += 1;
    }

    /// Forgets users with nothing usable and nothing under way (bounded
    /// memory).
    pub fn evict_stale(&self) {
        let policy = self.policy;
        self.lock().retain(|_, slot| {
            slot.inflight.is_some()
                || slot
                    .good
                    .as_ref()
                    .is_some_and(|c| c.fetched_at.elapsed() < policy.max_stale)
                || slot.retry_at.is_some_and(|t| Instant::now() < t)
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn policy(ttl_ms: u64, cold_ms: u64) -> CachePolicy {
        CachePolicy {
            ttl: Duration::from_millis(ttl_ms),
            max_stale: Duration::from_secs(60),
            cold_wait: Duration::from_millis(cold_ms),
            failure_backoff: Duration::ZERO,
            ok_while_revalidating: Duration::ZERO,
        }
    }

    fn counted(
        calls: &Arc<AtomicUsize>,
        value: Result<u32, &'static str>,
        delay_ms: u64,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<u32, &'static str>> + Send>>
    {
        let calls = calls.clone();
        move || {
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                value
            })
        }
    }

    #[tokio::test]
    async fn concurrent_cold_lookups_share_one_fetch() {
        let cache = SwrCache::<u32, &'static str>::new(policy(60_000, 1000));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                match cache.get(&user, None, counted(&calls, Ok(7), 20)).await {
                    Lookup::Fresh(c) => *c.value,
                    other => panic!("{other:?}"),
                }
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_stale_value_is_answered_at_once_and_refreshed_behind() {
        let cache = SwrCache::<u32, &'static str>::new(policy(150, 1000));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        cache.get(&user, None, counted(&calls, Ok(1), 0)).await;
        tokio::time::sleep(Duration::from_millis(160)).await;
        let started = Instant::now();
        let Lookup::Stale { cached, error } =
            cache.get(&user, None, counted(&calls, Ok(2), 100)).await
        else {
            panic!("stale expected");
        };
        assert!(started.elapsed() < Duration::from_millis(100));
        assert_eq!((*cached.value, error), (1, None));
        // A second stale lookup joins the refresh under way.
        cache.get(&user, None, counted(&calls, Ok(3), 0)).await;
        tokio::time::sleep(Duration::from_millis(130)).await;
        let Lookup::Fresh(cached) = cache.get(&user, None, counted(&calls, Ok(4), 0)).await else {
            panic!("fresh expected");
        };
        assert_eq!(*cached.value, 2);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_last_good_value_with_the_error() {
        let cache = SwrCache::<u32, &'static str>::new(policy(10, 1000));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        cache.get(&user, None, counted(&calls, Ok(1), 0)).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        cache
            .get(&user, None, counted(&calls, Err("down"), 0))
            .await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let Lookup::Stale { cached, error } = cache
            .get(&user, None, counted(&calls, Err("down"), 0))
            .await
        else {
            panic!("stale expected");
        };
        assert_eq!((*cached.value, error), (1, Some("down")));
    }

    #[tokio::test]
    async fn after_a_failure_no_fetch_starts_before_the_wait_the_error_asks_for() {
        let cache = SwrCache::<u32, &'static str>::with_wait_hint(policy(10, 1000), |e| {
            (*e == "slow down").then(|| Duration::from_millis(300))
        });
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        let first = cache
            .get(&user, None, counted(&calls, Err("slow down"), 0))
            .await;
        assert!(matches!(first, Lookup::Failed("slow down")), "{first:?}");
        for _ in 0..5 {
            let again = cache.get(&user, None, counted(&calls, Ok(1), 0)).await;
            assert!(matches!(again, Lookup::Failed("slow down")), "{again:?}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(320)).await;
        let later = cache.get(&user, None, counted(&calls, Ok(1), 0)).await;
        assert!(matches!(later, Lookup::Fresh(_)), "{later:?}");
    }

    #[tokio::test]
    async fn a_fetch_that_dies_does_not_block_the_next_one() {
        let cache = SwrCache::<u32, &'static str>::new(policy(60_000, 1000));
        let user = UserId::new(uuid::Uuid::new_v4());
        let died = cache
            .get(&user, None, || async {
                if true {
                    panic!("a fetch that dies");
                }
                Ok(0)
            })
            .await;
        assert!(matches!(died, Lookup::Pending), "{died:?}");
        let calls = Arc::new(AtomicUsize::new(0));
        let next = cache.get(&user, None, counted(&calls, Ok(3), 0)).await;
        assert!(matches!(next, Lookup::Fresh(_)), "{next:?}");
    }

    #[tokio::test]
    async fn a_cold_lookup_waits_at_most_the_cold_wait_and_the_fetch_warms_the_cache() {
        let cache = SwrCache::<u32, &'static str>::new(policy(60_000, 50));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        let wait = Some(cache.policy().cold_wait);
        let started = Instant::now();
        let first = cache.get(&user, wait, counted(&calls, Ok(9), 300)).await;
        assert!(matches!(first, Lookup::Pending), "{first:?}");
        assert!(started.elapsed() < Duration::from_millis(250));
        tokio::time::sleep(Duration::from_millis(350)).await;
        let Lookup::Fresh(cached) = cache.get(&user, wait, counted(&calls, Ok(0), 0)).await else {
            panic!("fresh expected");
        };
        assert_eq!(*cached.value, 9);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_patch_keeps_the_value_and_discards_an_older_fetch() {
        let cache = SwrCache::<u32, &'static str>::new(policy(10, 1000));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        cache.get(&user, None, counted(&calls, Ok(1), 0)).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        // A refresh starts, then our own change lands before it.
        cache.get(&user, None, counted(&calls, Ok(100), 100)).await;
        assert!(cache.patch(&user, |v| v + 1));
        tokio::time::sleep(Duration::from_millis(150)).await;
        let Lookup::Stale { cached, .. } = cache.get(&user, None, counted(&calls, Ok(5), 0)).await
        else {
            panic!("stale expected");
        };
        assert_eq!(*cached.value, 2);
    }
}
