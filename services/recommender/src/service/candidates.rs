//! The user's candidate list as last parsed, kept per user with the `ETag`
//! integrations gave it, so that a page view whose list has not changed
//! costs a `304 Not Modified` and no JSON: the sticky check and a draw
//! work on the [`Ranked`] list already built.
//!
//! Entries are keyed by the user the access token names, and a user's tag
//! is only ever sent with that user's token, so one user's list is never
//! answered to another. Features count days from today, so an entry built
//! on another day is not used. The cache holds at most `capacity` users
//! and forgets the one used least recently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared_types::events::kinds;
use shared_types::integrations::{Candidates, SourceReport};
use time::Date;
use uuid::Uuid;

use crate::domain::Candidate;
use crate::domain::eligibility::Ranked;

/// How many users' lists are kept (a few MB for a thousand ordinary lists).
pub const CAPACITY: usize = 1_000;

/// One parsed answer of integrations.
#[derive(Debug, Default)]
pub struct Parsed {
    pub ranked: Ranked,
    pub sources: Vec<SourceReport>,
}

impl Parsed {
    /// The answer's `task.open` items as candidates seen on `today`.
    pub fn new(list: Candidates, today: Date) -> Self {
        let tasks = list
            .items
            .iter()
            .filter(|e| e.kind == kinds::TASK_OPEN)
            .filter_map(|e| Candidate::from_event(e, today))
            .collect();
        Self {
            ranked: Ranked::new(tasks),
            sources: list.sources,
        }
    }
}

/// What the cache holds for a user.
#[derive(Debug, Clone)]
pub struct Known {
    pub etag: String,
    pub list: Arc<Parsed>,
}

struct Entry {
    known: Known,
    today: Date,
    /// When it was last used, in lookups (for eviction).
    used: u64,
}

/// Per-user parsed candidate lists, bounded.
pub struct CandidateCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Uuid, Entry>,
    clock: u64,
}

impl std::fmt::Debug for CandidateCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CandidateCache")
            .field("capacity", &self.capacity)
            .field("users", &self.len())
            .finish()
    }
}

impl CandidateCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user's list and its tag, if it was parsed `today`.
    pub fn get(&self, user: Uuid, today: Date) -> Option<Known> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(&user).filter(|e| e.today == today)?;
        entry.used = now;
        Some(entry.known.clone())
    }

    /// Keeps `list` (parsed `today`, tagged `etag`) as the user's, in
    /// place of any older one; the least recently used user goes when the
    /// cache is full.
    pub fn put(&self, user: Uuid, etag: String, today: Date, list: Arc<Parsed>) {
        let mut inner = self.lock();
        inner.clock += 1;
        let used = inner.clock;
        if !inner.entries.contains_key(&user)
            && inner.entries.len() >= self.capacity
            && let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(u, _)| *u)
        {
            inner.entries.remove(&oldest);
        }
        inner.entries.insert(
            user,
            Entry {
                known: Known { etag, list },
                today,
                used,
            },
        );
    }

    /// Drops the user's list (integrations gave no tag for the new one).
    pub fn forget(&self, user: Uuid) {
        self.lock().entries.remove(&user);
    }

    /// How many users' lists are kept.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::candidate::parse_day;

    fn list() -> Arc<Parsed> {
        Arc::new(Parsed::default())
    }

    #[test]
    fn a_user_gets_only_their_own_list_and_only_on_the_day_it_was_parsed() {
        let cache = CandidateCache::new(10);
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let today = parse_day("2026-12-10").unwrap();
        let alices = list();
        cache.put(alice, "\"a\"".into(), today, alices.clone());
        let known = cache.get(alice, today).unwrap();
        assert_eq!(known.etag, "\"a\"");
        assert!(Arc::ptr_eq(&known.list, &alices));
        assert!(cache.get(bob, today).is_none());
        assert!(cache.get(alice, today.next_day().unwrap()).is_none());
        // A new list replaces the old one.
        cache.put(alice, "\"b\"".into(), today, list());
        assert_eq!(cache.get(alice, today).unwrap().etag, "\"b\"");
        cache.forget(alice);
        assert!(cache.get(alice, today).is_none());
    }

    #[test]
    fn the_cache_is_bounded_and_forgets_the_least_recently_used_user() {
        let cache = CandidateCache::new(3);
        let today = parse_day("2026-12-10").unwrap();
        let users: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        for u in &users[..3] {
            cache.put(*u, "\"t\"".into(), today, list());
        }
        // The first user is used again: the second is now the oldest.
        assert!(cache.get(users[0], today).is_some());
        cache.put(users[3], "\"t\"".into(), today, list());
        assert_eq!(cache.len(), 3);
        assert!(cache.get(users[1], today).is_none());
        assert!(cache.get(users[0], today).is_some());
        cache.put(users[4], "\"t\"".into(), today, list());
        assert_eq!(cache.len(), 3);
        assert!(cache.get(users[2], today).is_none());
        // Replacing a kept user's list evicts nobody.
        cache.put(users[4], "\"u\"".into(), today, list());
        assert_eq!(cache.len(), 3);
    }
}
