//! Logs: set up once per process, pretty in development, JSON for machines.
//!
//! Every request runs inside a span (see [`crate::http`]) that carries the
//! service, method, matched path and request id, so each line a handler
//! writes can be tied back to the request that caused it.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{CommonSettings, LogFormat};

/// Installs the global subscriber. A second call (tests, the launcher) is a
/// harmless no-op.
pub fn init(settings: &CommonSettings) {
    init_with(&settings.log_filter, settings.log_format);
}

/// Installs the global subscriber with an explicit filter and format.
pub fn init_with(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).try_init(),
    };
}
