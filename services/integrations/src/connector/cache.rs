//! A per-user cache of candidates, so page views do not each call the
//! provider: a user's list is fetched at most once per TTL (concurrent
//! misses share one fetch), and dropped right after a change we made.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::UserId;

struct Slot<T> {
    value: Option<(Arc<T>, Instant)>,
    /// Bumped by every invalidation: a fetch that started before one is
    /// not cached, since it may predate our change.
    generation: u64,
    fetching: Arc<tokio::sync::Mutex<()>>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: None,
            generation: 0,
            fetching: Arc::default(),
        }
    }
}

/// One value per user, fresh for `ttl`.
pub struct UserCache<T> {
    ttl: Duration,
    slots: Mutex<HashMap<UserId, Slot<T>>>,
}

impl<T> std::fmt::Debug for UserCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCache").field("ttl", &self.ttl).finish()
    }
}

impl<T> UserCache<T> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::default(),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn fresh(&self, user: &UserId) -> Option<Arc<T>> {
        let slots = self.slots.lock().expect("cache lock");
        let (value, at) = slots.get(user)?.value.as_ref()?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// The user's cached value, or the result of `fetch` (run at most once
    /// at a time per user; waiters then get what it fetched).
    pub async fn get_or_fetch<E, F, Fut>(&self, user: &UserId, fetch: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.fresh(user) {
            return Ok(value);
        }
        let lock = {
            let mut slots = self.slots.lock().expect("cache lock");
            slots.entry(*user).or_default().fetching.clone()
        };
        let _fetching = lock.lock().await;
        if let Some(value) = self.fresh(user) {
            return Ok(value);
        }
        let generation = self.generation(user);
        let value = Arc::new(fetch().await?);
        let mut slots = self.slots.lock().expect("cache lock");
        let slot = slots.entry(*user).or_default();
        if slot.generation == generation {
            slot.value = Some((value.clone(), Instant::now()));
        }
        Ok(value)
    }

    fn generation(&self, user: &UserId) -> u64 {
        let slots = self.slots.lock().expect("cache lock");
        slots.get(user).map_or(0, |s| s.generation)
    }

    /// Drops the user's value: the next read fetches.
    pub fn invalidate(&self, user: &UserId) {
        let mut slots = self.slots.lock().expect("cache lock");
        let slot = slots.entry(*user).or_default();
        slot.value = None;
        slot.generation += 1;
    }

    /// Forgets users whose value is older than the TTL (bounded memory).
    pub fn evict_stale(&self) {
        let mut slots = self.slots.lock().expect("cache lock");
        slots.retain(|_, slot| {
            Arc::strong_count(&slot.fetching) > 1
                || slot
                    .value
                    .as_ref()
                    .is_some_and(|(_, at)| at.elapsed() < self.ttl)
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_misses_share_one_fetch_and_invalidation_refetches() {
        let cache = Arc::new(UserCache::<u32>::new(Duration::from_secs(60)));
        let user = UserId::new(uuid::Uuid::new_v4());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(&user, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(7)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.unwrap(), 7);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.invalidate(&user);
        let v = cache
            .get_or_fetch(&user, || async { Ok::<_, ()>(8) })
            .await
            .unwrap();
        assert_eq!(*v, 8);
    }
}
