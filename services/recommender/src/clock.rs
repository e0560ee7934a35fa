//! Time as the service sees it: the system clock, shifted by an offset that
//! tests move forward to cross the undo window and the decision TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Milliseconds since the Unix epoch, adjustable in tests.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now_millis(&self) -> i64 {
        platform::db::now_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Today's date in UTC.
    pub fn today(&self) -> time::Date {
        self.now().date()
    }

    pub fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now_millis()) * 1_000_000)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
    }

    /// Moves this clock (and every clone) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

/// Epoch milliseconds as RFC 3339 in UTC.
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
