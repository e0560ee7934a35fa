//! The service's clock: the platform's one [`Clock`], which tests move
//! forward to cross the undo window and the decision TTL, and how a time
//! is written on the wire.

pub use platform::clock::{Clock, rfc3339};
