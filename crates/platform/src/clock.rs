//! Time as a service sees it: the system clock, shifted by an offset that
//! tests move forward (to cross an idle or absolute session timeout, an
//! undo window, a decision's TTL) without sleeping. Times are epoch
//! milliseconds, as the stores keep them; [`rfc3339`] writes one for the
//! wire.
//!
//! auth and the recommender once had a copy each; `crate::clock` in each
//! still names this one.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch, adjustable in tests. Clones share the
/// offset, so moving one moves every part of a service that holds it.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock, not shifted.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now_millis(&self) -> i64 {
        crate::db::now_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now_secs(&self) -> i64 {
        self.now_millis() / 1000
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now_millis()) * 1_000_000)
            .unwrap_or_else(|_| OffsetDateTime::now_utc())
    }

    /// Today's date in UTC.
    pub fn today(&self) -> time::Date {
        self.now().date()
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

/// Epoch milliseconds as RFC 3339 in UTC (empty if out of range).
pub fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_moves_every_clone_and_writes_utc() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now_millis();
        clock.advance(Duration::from_secs(86_400));
        let after = other.now_millis();
        assert!(after - before >= 86_400_000, "{before} -> {after}");
        assert!(after - before < 86_400_000 + 60_000, "{before} -> {after}");
        assert_eq!(other.now_secs(), other.now_millis() / 1000);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_500), "1970-01-01T00:00:01.5Z");
    }
}
